//! The media library: an image uploaded with its alt text, and found again by its name when
//! the answer to an upload was lost (WordPress does not dedupe: the same file sent twice is
//! two attachments, the second stored as `name-1.png` with the slug `name-2`).
//!
//! The REST handbook's media reference (developer.wordpress.org/rest-api/reference/media/,
//! "Create a Media Item") takes the file as the raw body with `Content-Disposition` and
//! `Content-Type`, and every other field (`alt_text`, `slug`) as a parameter, which WordPress
//! also reads from the query string: one request stores the file with its alt text.

use anyhow::{anyhow, bail};
use serde_json::Value;

use super::{Client, Method, text};
use crate::publish::http::{describe_body, status_line, unanswered};
use crate::publish::upload::{Upload, Uploaded, Uploader};

impl Uploader for Client {
    /// Uploads the image with its alt text. A lost answer, or a server error (WordPress
    /// stores the file before it makes the smaller sizes, where a big image can run PHP out
    /// of memory), is looked up by name before it is an error: sending it again would make
    /// a second attachment.
    fn upload(&self, image: &Upload<'_>) -> anyhow::Result<Uploaded> {
        let what = format!("uploading `{}`", image.name);
        let (slug, file) = stored_names(image.name);
        let mut query = vec![("slug", slug.as_str())];
        if !image.alt.is_empty() {
            query.push(("alt_text", image.alt));
        }
        let body = Method::File {
            bytes: image.bytes,
            mime: image.mime,
            name: &file,
        };
        let reply = match self.send(&what, "/wp/v2/media", &query, body) {
            Ok(reply) if reply.status < 500 => reply,
            Ok(reply) => match self.find_upload(image.name) {
                Ok(Some(found)) => return Ok(found),
                _ => reply,
            },
            Err(err) if unanswered(&err) => match self.find_upload(image.name) {
                Ok(Some(found)) => return Ok(found),
                _ => return Err(err),
            },
            Err(err) => return Err(err),
        };
        if reply.status == 413 {
            // The web server's refusal, before WordPress sees the file: an HTML page.
            bail!(
                "{what} on {}: {}: the site's web server takes no file of {} bytes; raise its \
                 limit (nginx: `client_max_body_size`, Apache: `LimitRequestBody`) or use a \
                 smaller image",
                self.site.url(),
                status_line(reply.status),
                image.bytes.len()
            );
        }
        let media = self.expect(&what, &reply, &[200, 201])?;
        self.uploaded(&what, &media)
    }
}

impl Client {
    /// The upload `upload` made of a file with this name, looked up by the slug it gave it;
    /// `None` when the site has none.
    pub fn find_upload(&self, name: &str) -> anyhow::Result<Option<Uploaded>> {
        let what = format!("looking for the upload `{name}`");
        let (slug, _) = stored_names(name);
        let items = self.list(
            &what,
            "/wp/v2/media",
            &[("slug", &slug), ("per_page", "100")],
        )?;
        let Some(media) = items.iter().find(|item| text(item, "slug") == slug) else {
            return Ok(None);
        };
        self.uploaded(&what, media).map(Some)
    }

    fn uploaded(&self, what: &str, media: &Value) -> anyhow::Result<Uploaded> {
        let id = media.get("id").and_then(Value::as_u64);
        let url = text(media, "source_url");
        match id {
            Some(id) if !url.is_empty() => Ok(Uploaded {
                id: id.to_string(),
                url: url.to_string(),
                extra: Value::Null,
            }),
            _ => Err(anyhow!(
                "{what} on {}: the answer is not a media item ({})",
                self.site.url(),
                describe_body(&media.to_string())
            )),
        }
    }
}

/// The slug and the file name an upload named `name` is stored under: the name's stem in
/// the form WordPress's `sanitize_title` leaves as it is (lowercase ASCII letters, digits,
/// `_`, single `-` inside), so the slug WordPress keeps is the one sent and `find_upload`
/// can ask for it; the file name is that stem with the name's extension, which also keeps
/// the `Content-Disposition` header free of quotes and non-ASCII.
pub(super) fn stored_names(name: &str) -> (String, String) {
    let (stem, extension) = match name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => (stem, extension),
        _ => (name, ""),
    };
    let slug = dashed(stem);
    let slug = if slug.is_empty() {
        "image".to_string()
    } else {
        slug
    };
    let extension: String = extension
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let file = if extension.is_empty() {
        slug.clone()
    } else {
        format!("{slug}.{extension}")
    };
    (slug, file)
}

/// Lowercase ASCII letters, digits and `_`, every other run of characters one `-`, none at
/// either end.
fn dashed(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}
