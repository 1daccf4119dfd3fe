//! The post as each venue reads it. Most venues read the post itself; a venue that venue-only
//! blocks or `venues:` front matter set apart reads its own edition, which venues reading
//! the same content share (so its renders are cached once for all of them).

use super::Post;

/// The editions of a post for a set of venues.
#[derive(Debug)]
pub struct Editions<'p> {
    post: &'p Post,
    /// The editions that differ from the post, each made once.
    own: Vec<Post>,
    /// `(venue, 1 + its index in own)`, for the venues that read an edition of their own.
    of: Vec<(String, usize)>,
}

impl<'p> Editions<'p> {
    /// The editions `venues` read; nothing is made for a post every venue reads as is.
    pub fn new<'v>(post: &'p Post, venues: impl IntoIterator<Item = &'v str>) -> Self {
        let mut editions = Editions {
            post,
            own: Vec::new(),
            of: Vec::new(),
        };
        if !post.varies_by_venue() {
            return editions;
        }
        let mut keys = Vec::new();
        for venue in venues {
            let Some(key) = post.edition_key(venue) else {
                continue;
            };
            if editions.of.iter().any(|(v, _)| v == venue) {
                continue;
            }
            let index = match keys.iter().position(|k| *k == key) {
                Some(i) => i,
                None => {
                    let Some(edition) = post.edition(venue) else {
                        continue;
                    };
                    keys.push(key);
                    editions.own.push(edition);
                    keys.len() - 1
                }
            };
            editions.of.push((venue.to_string(), index + 1));
        }
        editions
    }

    /// Which edition `venue` reads: 0 for the post itself, else `1 +` an index into the
    /// editions made (the order of `all`).
    pub fn index(&self, venue: &str) -> usize {
        self.of
            .iter()
            .find(|(v, _)| v == venue)
            .map_or(0, |&(_, i)| i)
    }

    /// The post as `venue` reads it.
    pub fn get(&self, venue: &str) -> &Post {
        match self.index(venue) {
            0 => self.post,
            i => &self.own[i - 1],
        }
    }

    /// The post itself, then each edition made, in `index` order.
    pub fn all(&self) -> impl Iterator<Item = &Post> {
        std::iter::once(self.post).chain(&self.own)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::markdown::plain_text;

    fn post(text: &str) -> Post {
        Post::parse(Path::new("p.md"), text).unwrap()
    }

    #[test]
    fn a_post_without_markers_or_overrides_is_its_only_edition() {
        let p = post("---\ntitle: T\n---\nJust text.\n");
        let e = Editions::new(&p, ["forum", "blog"]);
        assert_eq!(e.all().count(), 1);
        assert!(std::ptr::eq(e.get("forum"), &p));
    }

    #[test]
    fn venues_reading_the_same_content_share_an_edition() {
        let p = post(
            "---\ntitle: T\nvenues:\n  blog: {title: Blog T}\n---\nAll.\n<!-- venue: newsletter -->\nNewsletter only.\n<!-- /venue -->\n",
        );
        let e = Editions::new(&p, ["forum", "blog", "newsletter", "article"]);
        // The newsletter shows every block: it reads the post itself.
        assert_eq!(e.index("newsletter"), 0);
        assert_eq!(
            plain_text(&e.get("newsletter").events),
            "All. Newsletter only."
        );
        assert_eq!(e.index("forum"), e.index("article"));
        assert_ne!(
            e.index("forum"),
            e.index("blog"),
            "the blog has its own title"
        );
        assert_eq!(e.all().count(), 3);
        assert_eq!(plain_text(&e.get("forum").events), "All.");
        assert_eq!(e.get("blog").title, "Blog T");
        assert_eq!(e.get("forum").title, "T");
    }

    #[test]
    fn derived_facts_follow_each_edition() {
        let p = post(
            "---\ntitle: T\n---\nIntro words here.\n<!-- venue: forum -->\n## Forum section\n\nOnly the forum sees this. What do you think?\n<!-- /venue -->\n",
        );
        let forum = Editions::new(&p, ["forum"]).get("forum").outline.len();
        let e = Editions::new(&p, ["forum", "blog"]);
        assert_eq!(forum, 1);
        assert!(e.get("blog").outline.is_empty());
        assert_eq!(e.get("blog").word_count, 3);
        assert_eq!(
            e.get("forum").question.as_deref(),
            Some("What do you think?")
        );
        assert_eq!(e.get("blog").question, None);
    }
}
