//! Sizes of the rendered outputs against the templates' `max_chars` / `max_words` and,
//! for email HTML, against the point where Gmail clips a message.
//!
//! Characters are Unicode scalar values (Rust's `char`s, what phpBB's `utf8_strlen` and most
//! forum limits count), over the whole output file as written. Words are counted in the text
//! a reader sees: HTML tags and BBCode tags left out, a word being a run of non-space that
//! holds a letter or a digit (so `-`, `|` or `* * *` are not words).

use serde::Serialize;

use crate::markdown::strip_html;
use crate::render::Format;
use crate::venue::Rendered;

use super::{Diagnostic, Level, Target};

/// Gmail clips a message whose HTML is larger than about 102 KB, hiding the rest behind
/// "View entire message" (and with it tracking pixels and unsubscribe links). Counted as
/// 102,000 bytes, the lower reading of "102 KB".
pub const GMAIL_CLIP_BYTES: usize = 102_000;

/// A note when an output passes this share of a limit.
const NEAR_PERCENT: usize = 90;

/// One rendered output's size and its template's limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Measure {
    /// The venue.
    pub venue: String,
    /// The output file name.
    pub file: String,
    /// Its body format.
    pub format: &'static str,
    /// Bytes of the file (UTF-8).
    pub bytes: usize,
    /// Characters: Unicode scalar values.
    pub chars: usize,
    /// Words in the text a reader sees.
    pub words: usize,
    /// The template's `max_chars`.
    pub max_chars: Option<usize>,
    /// The template's `max_words`.
    pub max_words: Option<usize>,
}

impl Measure {
    /// Measures every output that rendered, in target order.
    pub(super) fn all(targets: &[Target<'_>], outputs: &[Rendered]) -> Vec<Measure> {
        targets
            .iter()
            .filter_map(|t| {
                let rendered = find(outputs, t)?;
                let text = String::from_utf8_lossy(&rendered.bytes);
                Some(Measure {
                    venue: t.venue.name.clone(),
                    file: t.output.file.clone(),
                    format: t.output.format.name(),
                    bytes: rendered.bytes.len(),
                    chars: count_chars(&text),
                    words: count_words(&text, t.output.format),
                    max_chars: t.output.file_max_chars(),
                    max_words: t.output.header.max_words,
                })
            })
            .collect()
    }
}

/// Characters as the limits count them: Unicode scalar values.
pub fn count_chars(text: &str) -> usize {
    text.chars().count()
}

/// Words a reader sees in an output of `format`: markup left out, runs of non-space that
/// hold a letter or a digit.
pub fn count_words(text: &str, format: Format) -> usize {
    let visible = match format {
        Format::Html | Format::Email => strip_html(text),
        Format::Bbcode => strip_bbcode(text),
        Format::Text | Format::Markdown => text.to_string(),
    };
    visible
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// BBCode with its tags (`[b]`, `[/url]`, `[url=…]`, `[*]`) removed. Text the renderer
/// neutralised (`[` then a word joiner) is not a tag and stays.
fn strip_bbcode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name = after.strip_prefix('/').unwrap_or(after);
        let is_tag = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '*');
        match after.find([']', '[', '\n']) {
            Some(close) if is_tag && after.as_bytes()[close] == b']' => {
                // A tag ends a word, as the forum shows it.
                out.push(' ');
                rest = &after[close + 1..];
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The rendered output of a target, when it rendered.
fn find<'r>(outputs: &'r [Rendered], target: &Target<'_>) -> Option<&'r Rendered> {
    outputs
        .iter()
        .find(|r| r.venue == target.venue.name && r.file == target.output.file)
}

/// Limits passed (warnings) or nearly reached (notes). Only what a limit needs is counted,
/// so `build` pays nothing for outputs without one.
pub(super) fn diagnose(targets: &[Target<'_>], outputs: &[Rendered]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for target in targets {
        let Some(rendered) = find(outputs, target) else {
            continue;
        };
        let header = &target.output.header;
        let file = &target.output.file;
        // Outputs are UTF-8 text; no copy is made.
        let text = || String::from_utf8_lossy(&rendered.bytes);
        let template = target.output.origin_name();
        // Where the limit was set: the configuration's venue settings, else the header.
        let source = |key: &str| {
            if header.configured.contains(&key) {
                format!("`venues.{}.{key}` in the configuration", target.venue.name)
            } else {
                format!("`{key}` in {template}")
            }
        };
        let mut limit = |count: usize, max: usize, unit: &str, key: &str| {
            let message = if count > max {
                format!(
                    "{file} is {count} {unit}, over its limit of {max} ({})",
                    source(key)
                )
            } else if max > 0 && count * 100 >= max * NEAR_PERCENT {
                format!(
                    "{file} is {count} {unit}, {}% of its limit of {max} ({})",
                    count * 100 / max,
                    source(key)
                )
            } else {
                return;
            };
            out.push(Diagnostic {
                level: if count > max {
                    Level::Warning
                } else {
                    Level::Note
                },
                code: "length",
                line: None,
                venue: Some(target.venue.name.clone()),
                file: Some(file.clone()),
                message,
            });
        };
        if let Some(max) = target.output.file_max_chars() {
            limit(count_chars(&text()), max, "characters", "max_chars");
        }
        if let Some(max) = header.max_words {
            limit(
                count_words(&text(), target.output.format),
                max,
                "words",
                "max_words",
            );
        }
        if target.output.format == Format::Email {
            out.extend(gmail(target, rendered.bytes.len()));
        }
    }
    out
}

/// Email HTML near or over the size at which Gmail clips it.
fn gmail(target: &Target<'_>, bytes: usize) -> Option<Diagnostic> {
    let kb = |n: usize| format!("{:.1} KB", n as f64 / 1000.0);
    let file = &target.output.file;
    let (level, message) = if bytes > GMAIL_CLIP_BYTES {
        (
            Level::Warning,
            format!(
                "{file} is {} of HTML: Gmail clips messages over about 102 KB behind \"View entire message\"",
                kb(bytes)
            ),
        )
    } else if bytes * 100 >= GMAIL_CLIP_BYTES * NEAR_PERCENT {
        (
            Level::Note,
            format!(
                "{file} is {} of HTML, close to the 102 KB at which Gmail clips a message (the rest of the email counts too)",
                kb(bytes)
            ),
        )
    } else {
        return None;
    };
    Some(Diagnostic {
        level,
        code: "gmail-clip",
        line: None,
        venue: Some(target.venue.name.clone()),
        file: Some(file.clone()),
        message,
    })
}
