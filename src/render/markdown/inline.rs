//! Inline runs: the text of a paragraph, heading, cell or term, collected on one line.

use std::borrow::Cow;

use super::Writer;
use super::escape::{TextContext, escape_text, longest_run, protect_heading_end};

/// What an inline run is collected for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum InlineKind {
    Paragraph,
    /// Text directly inside a tight list item: a paragraph without the tag.
    Implicit,
    Heading {
        level: u8,
        attrs: String,
        /// Written as a setext heading, the only form that can hold a hard break or
        /// follow a task marker.
        setext: bool,
    },
    Cell,
    /// A definition list title.
    Term,
}

impl InlineKind {
    /// Whether a line of this run could be read as the start of a block, so its first
    /// characters need block-level escaping. Heading and cell content is inline only.
    fn starts_lines(&self) -> bool {
        match self {
            InlineKind::Paragraph | InlineKind::Implicit | InlineKind::Term => true,
            InlineKind::Heading { setext, .. } => *setext,
            InlineKind::Cell => false,
        }
    }
}

/// The last thing written to an inline run, for escaping decisions at its boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Last {
    /// Nothing yet on this line (run start or after a hard break).
    LineStart,
    Text {
        trailing_space: bool,
    },
    /// An opening delimiter (`*`, `_`, `~`): a neighbouring delimiter must not repeat its
    /// character, and whitespace right after it would stop it opening.
    Opener(char),
    /// A closing delimiter, which a neighbouring delimiter must not repeat either.
    Closer(&'static str),
    /// `[^n]`, which `:` or `(` right after would turn into a definition or a link.
    FootnoteRef,
    /// `[ ] ` or `[x] `, after which the parse strips whitespace.
    TaskMarker,
    Other,
}

#[derive(Debug)]
pub(super) struct Inline {
    pub(super) kind: InlineKind,
    pub(super) buf: String,
    pub(super) last: Last,
}

impl Inline {
    /// A run collected into `buf`, which is cleared: the buffer of the run before.
    pub(super) fn new(kind: InlineKind, mut buf: String) -> Self {
        buf.clear();
        Inline {
            kind,
            buf,
            last: Last::LineStart,
        }
    }

    /// The run's text with its end made safe: the parse strips trailing spaces, so a
    /// space the text really ends with is written as a character reference.
    fn finished_text(mut self) -> String {
        self.protect_trailing_space();
        // A task marker needs its space to stay one; any other trailing space is left over
        // from a soft break.
        if self.last != Last::TaskMarker {
            let kept = self.buf.trim_end_matches(' ').len();
            self.buf.truncate(kept);
        }
        self.buf
    }

    /// Writes a space the text ends with as a character reference, where the parse would
    /// strip it (end of a line) or it would stop a closing delimiter from closing.
    pub(super) fn protect_trailing_space(&mut self) {
        if let Last::Text {
            trailing_space: true,
        } = self.last
            && let Some(c) = self.buf.pop()
        {
            self.buf.push_str(if c == '\t' { "&#9;" } else { "&#32;" });
            self.last = Last::Text {
                trailing_space: false,
            };
        }
    }
}

impl Writer<'_> {
    pub(super) fn open_inline(&mut self, kind: InlineKind) {
        self.block_start();
        self.inline = Some(Inline::new(kind, std::mem::take(&mut self.spare)));
    }

    /// Inline content outside a paragraph (tight list items) opens an implicit one.
    pub(super) fn ensure_inline(&mut self) {
        if self.inline.is_none() {
            self.open_inline(InlineKind::Implicit);
        }
    }

    pub(super) fn close_implicit(&mut self) {
        if self
            .inline
            .as_ref()
            .is_some_and(|run| run.kind == InlineKind::Implicit)
        {
            self.flush_inline();
        }
    }

    pub(super) fn put(&mut self, s: &str, last: Last) {
        self.ensure_inline();
        if let Some(run) = &mut self.inline {
            run.buf.push_str(s);
            run.last = last;
        }
    }

    /// Ends the open inline run and writes it as its block.
    pub(super) fn flush_inline(&mut self) {
        let Some(run) = self.inline.take() else {
            return;
        };
        let kind = run.kind.clone();
        let only_task_marker = run.last == Last::TaskMarker;
        let mut text = run.finished_text();
        match kind {
            InlineKind::Paragraph | InlineKind::Implicit | InlineKind::Term => {
                if !text.is_empty() {
                    self.emit_verbatim(&text);
                }
                // A marker alone on its line belongs to the block below it; a blank line
                // in between would end the item there.
                if only_task_marker && let Some(level) = self.levels.last_mut() {
                    level.has_content = false;
                }
            }
            InlineKind::Heading {
                level,
                attrs,
                setext,
            } => {
                let mut line = if setext {
                    String::new()
                } else {
                    "#".repeat(usize::from(level))
                };
                text = protect_heading_end(text);
                for part in [text.as_str(), attrs.as_str()] {
                    if !part.is_empty() {
                        if !line.is_empty() {
                            line.push(' ');
                        }
                        line.push_str(part);
                    }
                }
                self.emit_verbatim(&line);
                if setext {
                    self.emit_line(if level == 1 { "===" } else { "---" });
                }
            }
            InlineKind::Cell => self.push_cell(&text),
        }
        // Kept for the next run: grown from nothing, each run's buffer was reallocated
        // as often as its text doubled.
        self.spare = text;
    }

    pub(super) fn text(&mut self, text: &str) {
        if let Some(raw) = &mut self.raw {
            raw.text.push_str(text);
            return;
        }
        if text.is_empty() {
            return;
        }
        self.ensure_inline();
        let Some(run) = &self.inline else {
            return;
        };
        let cx = TextContext {
            // Whitespace right inside an emphasis delimiter would stop it delimiting.
            line_start: matches!(
                run.last,
                Last::LineStart | Last::Opener(_) | Last::TaskMarker
            ),
            block_start: run.last == Last::LineStart && run.kind.starts_lines(),
            prev: run.buf.chars().next_back(),
            after_reference: run.last == Last::FootnoteRef,
        };
        if let Some(run) = &mut self.inline {
            escape_text(text, &cx, &mut run.buf);
            run.last = Last::Text {
                trailing_space: run.buf.ends_with([' ', '\t']),
            };
        }
    }

    pub(super) fn code_span(&mut self, code: &str) {
        // Written straight into the run, and copied first only to flatten a line break:
        // most spans are a word or two, and a copy, a fence and a `format!` each cost more.
        let code = if code.contains(['\n', '\r']) {
            Cow::Owned(code.replace(['\n', '\r'], " "))
        } else {
            Cow::Borrowed(code)
        };
        if code.is_empty() {
            return;
        }
        let ticks = longest_run(&code, '`') + 1;
        let pad = !code.trim_matches(' ').is_empty()
            && (code.starts_with([' ', '`']) || code.ends_with([' ', '`']));
        let pad = if pad { " " } else { "" };
        self.ensure_inline();
        if let Some(run) = &mut self.inline {
            let buf = &mut run.buf;
            buf.extend(std::iter::repeat_n('`', ticks));
            buf.push_str(pad);
            buf.push_str(&code);
            buf.push_str(pad);
            buf.extend(std::iter::repeat_n('`', ticks));
            run.last = Last::Other;
        }
    }

    pub(super) fn math(&mut self, fence: &str, math: &str) {
        self.put(&format!("{fence}{math}{fence}"), Last::Other);
    }

    pub(super) fn inline_html(&mut self, html: &str) {
        self.put(html, Last::Other);
    }

    pub(super) fn hard_break(&mut self) {
        let breaks_line = self
            .inline
            .as_ref()
            .is_none_or(|run| run.kind.starts_lines());
        if breaks_line {
            self.put("\\\n", Last::LineStart);
        } else {
            // An ATX heading (level 3 and up) or a table cell cannot hold a line break.
            self.put(" ", Last::Other);
        }
    }

    pub(super) fn footnote_reference(&mut self, label: &str) {
        match self.notes.number(label) {
            Some(n) => {
                self.protect_bang();
                self.put(&format!("[^{n}]"), Last::FootnoteRef);
            }
            // No definition in these events: show the label as text, never a dangling link.
            None => self.text(&format!("[^{label}]")),
        }
    }
}
