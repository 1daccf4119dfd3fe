//! Paragraphs, headings, rules, code, raw HTML blocks, quotes and the notes at the end.

use pulldown_cmark::{BlockQuoteKind, Event};
use textwrap::core::display_width;

use crate::markdown::{alert_label, html_paragraphs, superscript};

use super::TextWriter;
use super::inline::inner_lines;
use super::lines::fill;

impl TextWriter<'_> {
    pub(super) fn end_block(&mut self) {
        self.flush_inline();
        self.need_blank = true;
    }

    /// Writes the pending inline text, if any, as one wrapped paragraph.
    pub(super) fn flush_inline(&mut self) {
        self.skipping.reset();
        // Wrapped straight from the buffer, which the next paragraph reuses: `fill` skips
        // the runs of spaces `clean_inline` collapses, so only the blank lines at either end
        // are left to drop (a cleaned copy and a new buffer each paragraph cost 1.7% of
        // `build`'s instructions, two thirds of what the wrapping costs).
        let text = inner_lines(&self.inline);
        if !text.is_empty() {
            let lines = fill(text, self.avail(), "", "");
            self.emit(&lines);
        }
        self.inline.clear();
    }

    fn write_paragraph(&mut self, text: &str) {
        let lines = fill(text, self.avail(), "", "");
        self.emit(&lines);
    }

    pub(super) fn end_heading(&mut self) {
        let level = self.heading.take().unwrap_or(6);
        let text = inner_lines(&self.inline);
        if !text.is_empty() {
            let avail = self.avail();
            let mut lines = fill(text, avail, "", "");
            let underline = match level {
                1 => Some('='),
                2 => Some('-'),
                _ => None,
            };
            if let Some(ch) = underline {
                let width = lines.iter().map(|l| display_width(l)).max().unwrap_or(0);
                lines.push(ch.to_string().repeat(width.min(avail)));
            }
            self.emit(&lines);
        }
        self.inline.clear();
        self.need_blank = true;
    }

    pub(super) fn rule(&mut self) {
        self.flush_inline();
        let pad = self.avail().saturating_sub(5) / 2;
        self.emit(&[format!("{}* * *", " ".repeat(pad))]);
        self.need_blank = true;
    }

    pub(super) fn end_code(&mut self) {
        if let Some(code) = self.code.take() {
            let lines: Vec<String> = code.lines().map(|line| format!("    {line}")).collect();
            self.emit(&lines);
        }
        self.need_blank = true;
    }

    pub(super) fn end_html(&mut self) {
        if let Some(raw) = self.html.take() {
            for paragraph in html_paragraphs(&raw) {
                self.write_paragraph(&paragraph);
                self.need_blank = true;
            }
        }
    }

    pub(super) fn start_quote(&mut self, kind: Option<BlockQuoteKind>) {
        self.flush_inline();
        self.push_container("> ".into(), "> ".into());
        if let Some(kind) = kind {
            self.emit(&[format!("{}:", alert_label(kind))]);
        }
    }

    pub(super) fn write_notes(&mut self) {
        let notes = self.notes;
        if notes.defs.is_empty() {
            return;
        }
        self.need_blank = true;
        self.emit(&["Notes".into(), "-----".into()]);
        self.need_blank = true;
        let width = notes
            .defs
            .iter()
            .map(|(n, ..)| display_width(&superscript(*n)))
            .max()
            .unwrap_or(1);
        let spaced = notes
            .defs
            .iter()
            .any(|(_, _, body)| top_level_blocks(body) > 1);
        for (i, (n, _, body)) in notes.defs.iter().enumerate() {
            if i > 0 {
                self.need_blank = spaced;
            }
            let mark = superscript(*n);
            let pad = " ".repeat(width - display_width(&mark));
            self.push_container(format!("{pad}{mark} "), " ".repeat(width + 1));
            let body: Vec<&Event<'static>> = body.iter().collect();
            self.run(&body);
            self.flush_inline();
            self.close_container();
        }
        self.need_blank = true;
    }
}

/// How many blocks a footnote definition holds at its top level.
fn top_level_blocks(body: &[Event<'_>]) -> usize {
    let mut depth = 0usize;
    let mut blocks = 0;
    for event in body {
        if let Event::Start(_) = event {
            if depth == 0 {
                blocks += 1;
            }
            depth += 1;
        } else if let Event::End(_) = event {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && matches!(event, Event::Rule) {
            blocks += 1;
        }
    }
    blocks
}
