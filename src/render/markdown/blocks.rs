//! Leaf and container blocks: headings, quotes, lists, notes, rules, code and raw HTML.

use pulldown_cmark::{BlockQuoteKind, CowStr, HeadingLevel, MetadataBlockKind};

use crate::markdown::shifted_level;
use crate::render::lists::Numbering;

use super::escape::{escape_info, longest_leading_run};
use super::index::BULLETS;
use super::inline::InlineKind;
use super::lines::{Level, ListMarker};
use super::{Events, Writer};

/// The largest item number CommonMark reads (nine digits).
const MAX_ITEM_NUMBER: u64 = 999_999_999;

#[derive(Debug)]
pub(super) struct List {
    pub(super) marker: ListMarker,
    pub(super) numbers: Numbering,
    pub(super) tight: bool,
}

impl List {
    fn next_marker(&mut self) -> String {
        match self.marker {
            ListMarker::Bullet(c) => c.to_string(),
            // CommonMark reads nine digits at most as an item's number, and only the first
            // item's sets the list's numbering: an item past 999,999,999 keeps that number,
            // where ten digits would make it text (and a fence in it, raw HTML).
            ListMarker::Ordered(delim) => {
                format!("{}{delim}", self.numbers.next_number().min(MAX_ITEM_NUMBER))
            }
        }
    }
}

/// Block content written verbatim: code, raw HTML, metadata.
#[derive(Debug)]
pub(super) enum RawKind {
    Code(Option<String>),
    Html,
    Metadata(MetadataBlockKind),
}

#[derive(Debug)]
pub(super) struct Raw {
    pub(super) kind: RawKind,
    pub(super) text: String,
}

impl Writer<'_> {
    pub(super) fn heading_start(
        &mut self,
        level: HeadingLevel,
        id: Option<&str>,
        classes: &[CowStr<'static>],
        attrs: &[(CowStr<'static>, Option<CowStr<'static>>)],
        needs_setext: bool,
    ) {
        let mut parts: Vec<String> = Vec::new();
        parts.extend(id.map(|id| format!("#{id}")));
        parts.extend(classes.iter().map(|c| format!(".{c}")));
        parts.extend(attrs.iter().map(|(key, value)| match value {
            Some(value) => format!("{key}={value}"),
            None => key.to_string(),
        }));
        let attrs = if parts.is_empty() {
            String::new()
        } else {
            format!("{{{}}}", parts.join(" "))
        };
        let level = shifted_level(level, self.opts.heading_shift);
        self.open_inline(InlineKind::Heading {
            level,
            attrs,
            setext: needs_setext && level <= 2,
        });
    }

    pub(super) fn block_quote_start(&mut self, kind: Option<BlockQuoteKind>) {
        self.container_start("> ".into(), "> ", false);
        let alert = kind.map(|kind| match kind {
            BlockQuoteKind::Note => "[!NOTE]",
            BlockQuoteKind::Tip => "[!TIP]",
            BlockQuoteKind::Important => "[!IMPORTANT]",
            BlockQuoteKind::Warning => "[!WARNING]",
            BlockQuoteKind::Caution => "[!CAUTION]",
        });
        if let Some(alert) = alert {
            self.emit_line(alert);
        }
    }

    pub(super) fn list_start(&mut self, start: Option<u64>, tight: bool) {
        let prev = self.levels.last().and_then(|l| l.prev_list);
        self.block_start();
        // Bullets still waiting on this line: `- - -` (nested empty items) is a rule.
        let bullet = BULLETS
            .into_iter()
            .zip(self.waiting)
            .find(|&(c, waiting)| prev != Some(ListMarker::Bullet(c)) && waiting == 0)
            .map_or('+', |(c, _)| c);
        let marker = match start {
            None => ListMarker::Bullet(bullet),
            Some(_) if prev == Some(ListMarker::Ordered('.')) => ListMarker::Ordered(')'),
            Some(_) => ListMarker::Ordered('.'),
        };
        self.lists.push(List {
            marker,
            numbers: Numbering::starting_at(start.unwrap_or(1)),
            tight,
        });
        self.push_level(Level::new(String::new(), String::new(), tight));
    }

    pub(super) fn list_end(&mut self) {
        self.close_implicit();
        self.pop_level();
        let marker = self.lists.pop().map(|list| list.marker);
        if let Some(level) = self.levels.last_mut() {
            level.prev_list = marker;
        }
    }

    pub(super) fn item_start(&mut self) {
        let (marker, tight) = match self.lists.last_mut() {
            Some(list) => (list.next_marker(), list.tight),
            None => ("-".to_string(), true),
        };
        let indent = " ".repeat(marker.len() + 1);
        self.container_start(format!("{marker} "), &indent, tight);
        if let Some(level) = self.levels.last_mut() {
            level.item = true;
        }
    }

    pub(super) fn footnote_definition(&mut self, number: &str, body: &Events<'_>) {
        self.container_start(format!("[^{number}]: "), "    ", false);
        self.run(body);
        self.container_end();
    }

    pub(super) fn rule(&mut self) {
        self.block_start();
        // `---` right under text in a tight container would make that text a heading, and
        // a rule drawn with a list's own bullet character would read as more bullets.
        let after_text = self.levels.last().is_some_and(|l| l.tight && l.has_content);
        let prefix = self.next_prefix();
        let c = ['-', '*', '_']
            .into_iter()
            .find(|&c| !(prefix.contains(c) || (c == '-' && after_text)))
            .unwrap_or('_');
        self.emit_line(&c.to_string().repeat(3));
    }

    pub(super) fn raw_start(&mut self, kind: RawKind) {
        self.block_start();
        self.raw = Some(Raw {
            kind,
            text: String::new(),
        });
    }

    pub(super) fn html(&mut self, html: &str) {
        match &mut self.raw {
            Some(raw) => raw.text.push_str(html),
            None => {
                // Block HTML outside an `HtmlBlock` (a hand-made slice): still its own block.
                self.block_start();
                self.emit_verbatim(html);
            }
        }
    }

    pub(super) fn raw_end(&mut self) {
        let Some(raw) = self.raw.take() else {
            return;
        };
        match raw.kind {
            RawKind::Code(info) => self.code_block(info.as_deref().unwrap_or(""), &raw.text),
            RawKind::Html => self.emit_verbatim(&raw.text),
            RawKind::Metadata(kind) => {
                let fence = match kind {
                    MetadataBlockKind::YamlStyle => "---",
                    MetadataBlockKind::PlusesStyle => "+++",
                };
                self.emit_line(fence);
                self.emit_verbatim(&raw.text);
                self.emit_line(fence);
            }
        }
    }

    fn code_block(&mut self, info: &str, code: &str) {
        // A backtick fence's info string may not contain backticks; a tilde fence's may.
        let c = if info.contains('`') { '~' } else { '`' };
        let longest = code
            .lines()
            .map(|line| longest_leading_run(line.trim_start(), c))
            .max()
            .unwrap_or(0);
        let fence = c.to_string().repeat((longest + 1).max(3));
        self.emit_line(&format!("{fence}{}", escape_info(info)));
        self.emit_verbatim(code);
        self.emit_line(&fence);
    }
}
