//! Raw HTML, reduced to text without scripts or styles.

use crate::markdown::{opens_element, strip_html};

use super::Writer;

impl Writer<'_, '_> {
    pub(super) fn end_html_block(&mut self) {
        let raw = self.html.take().unwrap_or_default();
        let text = tidy_lines(&strip_html(&raw));
        if !text.is_empty() {
            self.start_block();
            self.text(&text);
        }
    }

    pub(super) fn html(&mut self, html: &str) {
        match &mut self.html {
            Some(block) => block.push_str(html),
            None => self.inline_html(html),
        }
    }

    /// Inline HTML arrives tag by tag, so the text between `<script>` and `</script>` comes
    /// as ordinary text events and is skipped here rather than by `strip_html`.
    pub(super) fn inline_html(&mut self, html: &str) {
        if self.skip_inline.feed(html) {
            return;
        }
        let lower = html.to_ascii_lowercase();
        if opens_element(&lower, "br") {
            self.markup("\n");
            return;
        }
        let text = strip_html(html);
        if !text.is_empty() {
            self.text(&text);
        }
    }
}

/// Text left by raw HTML: lines trimmed, runs of blank lines reduced to one.
fn tidy_lines(text: &str) -> String {
    let mut out = String::new();
    let mut blank = false;
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        out.push_str(line);
        blank = false;
    }
    out
}
