//! `multipart/form-data` bodies (RFC 7578), the form a file upload takes on the services
//! whose upload API is an HTML form's (Mastodon's media, Discourse's uploads): text fields
//! and file parts, one boundary that occurs in none of them.

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

/// A form being filled in: `Form::new().text(..).file(..).finish()`.
#[derive(Debug, Default, Clone)]
pub struct Form {
    parts: Vec<Part>,
}

#[derive(Debug, Clone)]
struct Part {
    /// The part's headers, each line ending in CRLF.
    head: String,
    body: Vec<u8>,
}

/// A finished form: the body to send and the `Content-Type` that names its boundary.
#[derive(Debug, Clone)]
pub struct Body {
    /// `multipart/form-data; boundary=…`.
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Form {
    /// An empty form.
    pub fn new() -> Form {
        Form::default()
    }

    /// Adds a text field.
    #[must_use]
    pub fn text(mut self, name: &str, value: &str) -> Form {
        self.parts.push(Part {
            head: format!(
                "Content-Disposition: form-data; name=\"{}\"\r\n",
                quoted(name)
            ),
            body: value.as_bytes().to_vec(),
        });
        self
    }

    /// Adds a file: its field name, the file name the service is told, its MIME type and
    /// its bytes.
    #[must_use]
    pub fn file(mut self, name: &str, filename: &str, mime: &str, bytes: &[u8]) -> Form {
        // A MIME type is a token: a line break in it would start a header of its own.
        let mime: String = mime.chars().filter(|c| !c.is_control()).collect();
        self.parts.push(Part {
            head: format!(
                "Content-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {mime}\r\n",
                quoted(name),
                quoted(filename)
            ),
            body: bytes.to_vec(),
        });
        self
    }

    /// The body, with a boundary found in none of the parts.
    pub fn finish(self) -> Body {
        let boundary = self.boundary();
        let size = self
            .parts
            .iter()
            .map(|p| p.head.len() + p.body.len() + boundary.len() + 8)
            .sum::<usize>();
        let mut bytes = Vec::with_capacity(size + boundary.len() + 6);
        for part in &self.parts {
            bytes.extend_from_slice(format!("--{boundary}\r\n{}\r\n", part.head).as_bytes());
            bytes.extend_from_slice(&part.body);
            bytes.extend_from_slice(b"\r\n");
        }
        bytes.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        Body {
            content_type: format!("multipart/form-data; boundary={boundary}"),
            bytes,
        }
    }

    /// A boundary drawn from the parts' own hash, so the same form is always the same body
    /// (tests can compare it), and drawn again in the unlikely case a part holds it.
    fn boundary(&self) -> String {
        let mut hasher = Sha256::new();
        for part in &self.parts {
            hasher.update(part.head.as_bytes());
            hasher.update(&part.body);
        }
        let seed = hasher.finalize();
        let drawn = (0u32..).map(|round| {
            let digest = Sha256::new()
                .chain_update(seed)
                .chain_update(round.to_le_bytes())
                .finalize();
            let mut boundary = String::from("repurpose-");
            for byte in &digest[..12] {
                let _ = write!(boundary, "{byte:02x}");
            }
            boundary
        });
        self.first_absent(drawn)
    }

    /// The first of `boundaries` that no part holds.
    fn first_absent(&self, mut boundaries: impl Iterator<Item = String>) -> String {
        boundaries
            .find(|boundary| {
                !self
                    .parts
                    .iter()
                    .any(|p| contains(&p.body, boundary.as_bytes()))
            })
            .unwrap_or_default()
    }
}

/// A name or file name inside the header's quotes, escaped the way browsers do (the HTML
/// standard's form-data encoding): `"` and line breaks as percent escapes.
fn quoted(value: &str) -> String {
    value
        .replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_with_a_field_and_a_file_reads_back_part_by_part() {
        let image = b"\x89PNG\r\n\x1a\n\0\xffbinary";
        let body = Form::new()
            .text("description", "A chart, growing")
            .file("file", "chart.png", "image/png", image)
            .finish();
        let boundary = body
            .content_type
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap();
        let mut expected = Vec::new();
        expected.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\nA chart, growing\r\n\
                 --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"chart.png\"\r\nContent-Type: image/png\r\n\r\n"
            )
            .as_bytes(),
        );
        expected.extend_from_slice(image);
        expected.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        assert_eq!(body.bytes, expected);
    }

    #[test]
    fn the_boundary_is_in_no_part_and_the_same_for_the_same_form() {
        let form = Form::new().text("a", "1");
        assert_eq!(
            form.clone().finish().content_type,
            form.clone().finish().content_type
        );
        let holding = Form::new().file("f", "x", "text/plain", b"..--repurpose-1..");
        let drawn = ["repurpose-1", "repurpose-2"].map(String::from);
        assert_eq!(holding.first_absent(drawn.into_iter()), "repurpose-2");
    }

    #[test]
    fn quotes_and_line_breaks_in_names_cannot_forge_a_header() {
        let body = Form::new()
            .file(
                "file",
                "a\"b\r\nX-Evil: 1.png",
                "image/png\r\nX-Evil: 2",
                b"x",
            )
            .finish();
        let text = String::from_utf8_lossy(&body.bytes);
        assert!(
            text.contains("filename=\"a%22b%0D%0AX-Evil: 1.png\""),
            "{text}"
        );
        assert!(!text.contains("\r\nX-Evil"), "{text}");
    }
}
