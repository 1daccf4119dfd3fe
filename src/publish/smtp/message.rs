//! The message for one recipient: text and HTML alternatives and the headers a newsletter
//! needs.

use anyhow::{Context, bail};
use lettre::Message;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use sha2::{Digest, Sha256};

use crate::render::escape_html;

/// One issue of the newsletter, the same for every recipient.
#[derive(Debug, Clone)]
pub struct Letter {
    /// `Name <a@b>` or `a@b`.
    pub from: String,
    pub subject: String,
    /// The body: HTML fragments (the venue's newsletter output), one per post, joined.
    pub html: String,
    pub text: String,
    /// The line a mail client shows after the subject (the summary), hidden in the body.
    pub preheader: String,
    /// Stable for this issue (a hash, say): the first part of every Message-ID, so a message
    /// sent again has the same id. Letters, digits, `-`, `_` and `.` only.
    pub issue_id: String,
    /// The `<html lang>` of the HTML part (the configuration's `language`, `en` when unset).
    pub lang: String,
}

/// One line of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub email: String,
    pub name: Option<String>,
}

/// The message for one recipient: text and HTML alternatives, the headers a newsletter needs
/// (List-Unsubscribe with this recipient's URL, one-click as RFC 8058 asks) and a Message-ID
/// that is the same each time it is built for this issue and recipient. `unsubscribe` is a
/// URL with `{email}` in it.
pub fn message(
    letter: &Letter,
    recipient: &Recipient,
    unsubscribe: &str,
) -> anyhow::Result<Message> {
    let from: Mailbox = letter
        .from
        .parse()
        .with_context(|| format!("the sender `{}` is not an email address", letter.from))?;
    let address = recipient.email.trim().parse().with_context(|| {
        format!(
            "the recipient `{}` is not an email address",
            recipient.email
        )
    })?;
    let to = Mailbox::new(recipient.name.clone(), address);
    if letter.issue_id.is_empty()
        || !letter
            .issue_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        bail!(
            "the issue id `{}` cannot be part of a Message-ID",
            letter.issue_id
        );
    }
    let unsubscribe = unsubscribe_url(unsubscribe, to.email.as_ref())?;
    let message_id = format!(
        "<{}.{}@{}>",
        letter.issue_id,
        recipient_hash(to.email.as_ref()),
        from.email.domain()
    );
    Message::builder()
        .from(from)
        .to(to)
        .subject(letter.subject.clone())
        .message_id(Some(message_id))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{unsubscribe}>"),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".to_string(),
        ))
        .multipart(MultiPart::alternative_plain_html(
            text_part(letter, &unsubscribe),
            html_document(letter, &unsubscribe),
        ))
        .context("could not build the message")
}

/// The template with `{email}` replaced by the percent-encoded address. It must be ASCII:
/// a header cannot carry anything else unencoded.
fn unsubscribe_url(template: &str, email: &str) -> anyhow::Result<String> {
    if !template.contains("{email}") {
        bail!("the unsubscribe URL `{template}` has no `{{email}}` for the recipient's address");
    }
    if let Some(c) = template
        .chars()
        .find(|c| !c.is_ascii_graphic() || matches!(c, '<' | '>' | '"'))
    {
        bail!("the unsubscribe URL `{template}` holds `{c}`; percent-encode it");
    }
    Ok(template.replace("{email}", &percent_encode(email)))
}

/// Everything but RFC 3986's unreserved characters as `%XX`, so the address fits in a path
/// or a query alike (`@` → `%40`, `+` → `%2B`).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// 12 hex digits of the address's SHA-256: the address itself stays out of the Message-ID.
fn recipient_hash(email: &str) -> String {
    let digest = Sha256::digest(email.to_lowercase().as_bytes());
    digest[..6]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn text_part(letter: &Letter, unsubscribe: &str) -> String {
    format!(
        "{}\n\n-- \nUnsubscribe: {unsubscribe}\n",
        letter.text.trim_end()
    )
}

fn html_document(letter: &Letter, unsubscribe: &str) -> String {
    let escaped = |text: &str| {
        let mut out = String::with_capacity(text.len());
        escape_html(text, &mut out);
        out
    };
    format!(
        "<!DOCTYPE html>\n\
         <html lang=\"{lang}\">\n\
         <head>\n\
         <meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n\
         </head>\n\
         <body>\n\
         <div style=\"display:none;max-height:0;overflow:hidden;mso-hide:all;\">{preheader}</div>\n\
         {body}\n\
         <p style=\"font-size:12px;color:#666666;\">Not interested any more? \
         <a href=\"{unsubscribe}\">Unsubscribe</a>.</p>\n\
         </body>\n\
         </html>\n",
        lang = escaped(&letter.lang),
        title = escaped(&letter.subject),
        preheader = escaped(&letter.preheader),
        body = letter.html.trim_end(),
        unsubscribe = escaped(unsubscribe),
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn letter() -> Letter {
        Letter {
            from: "The Weekly <news@example.com>".into(),
            subject: "Tea & <biscuits>".into(),
            html: "<h1>Tea</h1>\n<p>Brewed.</p>\n".into(),
            text: "Tea\n\nBrewed.\n".into(),
            preheader: "Why \"tea\" & <cake> go together".into(),
            issue_id: "3f2a9c".into(),
            lang: "en".into(),
        }
    }

    pub(crate) fn ada() -> Recipient {
        Recipient {
            email: "ada+news@example.org".into(),
            name: Some("Ada Lovelace".into()),
        }
    }

    pub(crate) fn bob() -> Recipient {
        Recipient {
            email: "bob@example.org".into(),
            name: None,
        }
    }

    pub(crate) const UNSUBSCRIBE: &str = "https://example.com/unsubscribe?email={email}";

    pub(crate) fn ada_message() -> Message {
        message(&letter(), &ada(), UNSUBSCRIBE).expect("valid")
    }

    /// The message's header block, and each part's decoded body after its own headers.
    pub(crate) fn read(message: &Message) -> (String, Vec<(String, String)>) {
        let formatted = String::from_utf8(message.formatted()).expect("ASCII");
        let (headers, body) = formatted.split_once("\r\n\r\n").expect("a header block");
        let unfolded = headers.replace("\r\n ", " ").replace("\r\n\t", " ");
        let boundary = unfolded
            .split("boundary=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a multipart boundary");
        let parts = body
            .split(&format!("--{boundary}"))
            .filter_map(|part| part.split_once("\r\n\r\n"))
            .map(|(headers, content)| {
                // The line break before the next boundary belongs to the boundary.
                let content = content.strip_suffix("\r\n").unwrap_or(content);
                let decoded = if headers.contains("quoted-printable") {
                    decode_quoted_printable(content)
                } else {
                    content.to_string()
                };
                (headers.to_string(), decoded.replace("\r\n", "\n"))
            })
            .collect();
        (unfolded, parts)
    }

    fn decode_quoted_printable(text: &str) -> String {
        let joined = text.replace("=\r\n", "");
        let mut bytes = Vec::new();
        let mut rest = joined.as_bytes();
        while let Some((&byte, tail)) = rest.split_first() {
            if byte == b'=' && tail.len() >= 2 {
                let hex = std::str::from_utf8(&tail[..2]).expect("hex");
                bytes.push(u8::from_str_radix(hex, 16).expect("hex"));
                rest = &tail[2..];
            } else {
                bytes.push(byte);
                rest = tail;
            }
        }
        String::from_utf8(bytes).expect("UTF-8")
    }

    #[test]
    fn the_message_carries_the_headers_a_newsletter_needs() {
        let message = ada_message();
        let (headers, _) = read(&message);
        for expected in [
            "From: \"The Weekly\" <news@example.com>\r\n",
            "To: \"Ada Lovelace\" <ada+news@example.org>\r\n",
            "Subject: Tea & <biscuits>\r\n",
            "MIME-Version: 1.0\r\n",
            "Content-Type: multipart/alternative;",
            "List-Unsubscribe: <https://example.com/unsubscribe?email=ada%2Bnews%40example.org>\r\n",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
        ] {
            assert!(headers.contains(expected), "{expected} in\n{headers}");
        }
        assert!(headers.contains("\r\nDate: "), "{headers}");
        assert!(
            headers.contains("Message-ID: <3f2a9c.") && headers.contains("@example.com>"),
            "{headers}"
        );
        assert_eq!(
            message.envelope().to(),
            ["ada+news@example.org".parse().expect("address")]
        );
    }

    #[test]
    fn the_text_part_comes_first_and_ends_with_the_unsubscribe_line() {
        let (_, parts) = read(&ada_message());
        assert_eq!(parts.len(), 2, "{parts:?}");
        let (headers, text) = &parts[0];
        assert!(headers.contains("text/plain; charset=utf-8"), "{headers}");
        assert_eq!(
            text,
            "Tea\n\nBrewed.\n\n-- \nUnsubscribe: \
             https://example.com/unsubscribe?email=ada%2Bnews%40example.org\n"
        );
    }

    #[test]
    fn the_html_part_is_a_whole_document_with_a_hidden_preheader() {
        let (_, parts) = read(&ada_message());
        let (headers, html) = &parts[1];
        assert!(headers.contains("text/html; charset=utf-8"), "{headers}");
        assert!(
            html.starts_with(
                "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            ),
            "{html}"
        );
        assert!(html.contains("<meta name=\"viewport\""), "{html}");
        assert!(
            html.contains("<title>Tea &amp; &lt;biscuits&gt;</title>"),
            "{html}"
        );
        let body = html.split_once("<body>\n").expect("a body").1;
        assert!(
            body.starts_with(
                "<div style=\"display:none;max-height:0;overflow:hidden;mso-hide:all;\">\
                 Why &quot;tea&quot; &amp; &lt;cake&gt; go together</div>\n\
                 <h1>Tea</h1>\n<p>Brewed.</p>\n<p "
            ),
            "{body}"
        );
        assert!(
            body.contains(
                "<a href=\"https://example.com/unsubscribe?email=ada%2Bnews%40example.org\">Unsubscribe</a>"
            ),
            "{body}"
        );
        assert!(html.ends_with("</body>\n</html>\n"), "{html}");
    }

    #[test]
    fn the_message_id_is_stable_per_issue_and_recipient() {
        let id = |letter: &Letter, recipient: &Recipient| {
            let message = message(letter, recipient, UNSUBSCRIBE).expect("valid");
            let (headers, _) = read(&message);
            headers
                .lines()
                .find_map(|line| line.strip_prefix("Message-ID: "))
                .expect("a Message-ID")
                .to_string()
        };
        let first = id(&letter(), &ada());
        assert_eq!(first, id(&letter(), &ada()));
        assert_eq!(
            first,
            format!(
                "<3f2a9c.{}@example.com>",
                recipient_hash("ada+news@example.org")
            )
        );
        assert_ne!(first, id(&letter(), &bob()));
        let next_issue = Letter {
            issue_id: "77aa01".into(),
            ..letter()
        };
        assert_ne!(first, id(&next_issue, &ada()));
    }

    #[test]
    fn a_recipient_without_a_name_is_the_bare_address() {
        let (headers, _) = read(&message(&letter(), &bob(), UNSUBSCRIBE).expect("valid"));
        assert!(headers.contains("\r\nTo: bob@example.org\r\n"), "{headers}");
    }

    #[test]
    fn bad_addresses_and_urls_are_named_in_the_error() {
        let nobody = Recipient {
            email: "not an address".into(),
            name: None,
        };
        let err = message(&letter(), &nobody, UNSUBSCRIBE).expect_err("bad recipient");
        assert!(err.to_string().contains("`not an address`"), "{err}");
        let bad_from = Letter {
            from: "The Weekly".into(),
            ..letter()
        };
        let err = message(&bad_from, &ada(), UNSUBSCRIBE).expect_err("bad sender");
        assert!(err.to_string().contains("the sender `The Weekly`"), "{err}");
        let err = message(&letter(), &ada(), "https://example.com/u").expect_err("no {email}");
        assert!(err.to_string().contains("has no `{email}`"), "{err}");
        let err = message(&letter(), &ada(), "https://example.com/u?e={email}&x=a b")
            .expect_err("a space");
        assert!(err.to_string().contains("percent-encode"), "{err}");
        let bad_id = Letter {
            issue_id: "a b".into(),
            ..letter()
        };
        let err = message(&bad_id, &ada(), UNSUBSCRIBE).expect_err("bad issue id");
        assert!(err.to_string().contains("issue id `a b`"), "{err}");
    }
}
