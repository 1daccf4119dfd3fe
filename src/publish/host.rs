//! The sites that keep articles (Discourse, Forem), as publishing sees them: the `Host`
//! trait each client implements, what an article sends and how a host holds it. Articles
//! are planned and sent in `article`.

/// What an article sends. Each host takes the fields it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    pub title: String,
    /// The venue's output: Markdown (Discourse, Forem).
    pub body: String,
    /// A sentence or two (Forem's `description`).
    pub summary: String,
    /// The post's slug: the key a lost ledger is recovered by.
    pub slug: String,
    /// The post's tags, as written.
    pub tags: Vec<String>,
    /// Where the post first appeared, when the site says (Forem's `canonical_url`).
    pub canonical_url: Option<String>,
}

impl Article {
    /// The hash of everything sent: a change to any field is an update.
    pub fn hash(&self) -> String {
        let tags = self.tags.join("\u{1f}");
        let fields = [
            self.title.as_str(),
            &self.body,
            &self.summary,
            &self.slug,
            &tags,
            self.canonical_url.as_deref().unwrap_or(""),
        ];
        crate::hash::hash(fields.join("\0").as_bytes())
    }
}

/// An article as the host holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    /// The host's id (a Discourse post id, a Forem article id).
    pub id: String,
    /// Where readers see it.
    pub url: String,
    /// A hash of the title and body as the host stores them (`crate::hash::hash` of
    /// `title\0body`): recorded after each send, it tells whether someone edited it on the
    /// site since.
    pub stored: String,
}

/// A site that keeps articles, logged in.
pub trait Host {
    /// What the host calls an article, for messages: `topic`, `article`.
    fn noun(&self) -> &'static str;

    /// The article with this id; `None` when it is gone (deleted).
    fn get(&self, id: &str) -> anyhow::Result<Option<Remote>>;

    /// The article repurpose sent for `slug`, found without the ledger (by Discourse's
    /// `external_id`, by the mark in a Forem article's body); `None` when there is none.
    fn find(&self, slug: &str) -> anyhow::Result<Option<Remote>>;

    /// Creates the article. An answer lost on the way (`http::Unanswered`) may mean the
    /// host made it: call `find` before creating again.
    fn create(&self, article: &Article) -> anyhow::Result<Remote>;

    /// Replaces the article's title and body (and the fields the host has) in place.
    fn update(&self, id: &str, article: &Article) -> anyhow::Result<Remote>;

    /// Whether `remote`, the article the ledger recorded for `slug`, is this post's on this
    /// site (a ledger pointed at another forum must not overwrite the article there with
    /// that id): by default, the one `find` finds for the slug.
    fn is_ours(&self, slug: &str, remote: &Remote) -> anyhow::Result<bool> {
        Ok(self.find(slug)?.is_some_and(|found| found.id == remote.id))
    }

    /// What the host will not take of the article as written (Forem's four tags of letters
    /// and digits), for the plan to say; None when it takes it all.
    fn note(&self, article: &Article) -> Option<String> {
        let _ = article;
        None
    }

    /// The host as a taker of the article's images, where it takes uploads (Discourse);
    /// None where the article links them where the site serves them (Forem).
    fn uploader(&self) -> Option<&dyn super::upload::Uploader> {
        None
    }
}

impl std::fmt::Debug for dyn Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Host({})", self.noun())
    }
}
