//! Quotes, lists, code, rules and footnotes.

use pulldown_cmark::{BlockQuoteKind, Event};

use crate::markdown::{alert_label, superscript};
use crate::render::lists::Numbering;

use super::escape::neutralise_code_end;
use super::{Container, Sep, Writer};

/// phpBB has no `[hr]` (and custom ones differ from board to board), so a rule is a line of
/// box-drawing characters: plain text that reads as a divider on every forum and in every
/// font, and that no BBCode parser can misread.
pub(super) const RULE: &str = "────────────";

impl Writer<'_, '_> {
    pub(super) fn start_quote(&mut self, kind: Option<BlockQuoteKind>) {
        self.start_block();
        self.markup("[quote]");
        self.containers.push(Container::Quote);
        self.sep = Sep::Line;
        self.fresh = true;
        if let Some(kind) = kind {
            self.markup(&format!("[b]{}[/b]", alert_label(kind)));
            // The label heads the quote's text rather than standing apart from it.
            self.sep = Sep::Line;
            self.fresh = true;
        }
    }

    /// phpBB's `[list=1]` always counts from 1 and has no start attribute, so a list that
    /// starts elsewhere is written as a plain `[list]` whose items carry their own numbers
    /// (`[*]7. …`): the numbers stay right on every board, at the cost of a bullet before
    /// them, and nesting still works (unlike numbered lines outside a list).
    pub(super) fn start_list(&mut self, start: Option<u64>, tight: bool) {
        self.start_block();
        self.markup(if start == Some(1) {
            "[list=1]"
        } else {
            "[list]"
        });
        self.containers.push(Container::List {
            tight,
            renumber: start.filter(|&n| n != 1).map(Numbering::starting_at),
        });
        self.fresh = true;
    }

    pub(super) fn start_item(&mut self) {
        let (tight, number) = match self.containers.last_mut() {
            Some(Container::List { tight, renumber }) => {
                let number = renumber.as_mut().map(Numbering::next_number);
                (*tight, number)
            }
            _ => (true, None),
        };
        self.own_line();
        self.markup("[*]");
        if let Some(n) = number {
            self.markup(&format!("{n}. "));
        }
        self.containers.push(Container::Item { tight });
        self.fresh = true;
    }

    /// Forums don't parse inside `[code]`, so the content goes in verbatim; only its own
    /// closing tag could end the block early.
    pub(super) fn end_code_block(&mut self) {
        let mut content = self.code.take().unwrap_or_default();
        if content.ends_with('\n') {
            content.pop();
        }
        // phpBB drops the line break right after `[code]`, so the opening tag can sit on
        // its own line and the code starts at its first column.
        self.markup("[code]\n");
        self.markup(&neutralise_code_end(&content));
        self.markup("\n[/code]");
    }

    pub(super) fn rule(&mut self) {
        self.start_block();
        self.markup(RULE);
    }

    pub(super) fn footnote_reference(&mut self, label: &str) {
        // In a slice (a section) the definition may lie outside it: with no note to point
        // at, a marker would only be noise, so it is left out.
        if let Some(n) = self.notes.number(label) {
            self.markup(&superscript(n));
        }
    }

    /// The notes, after a rule, one per line: `¹ text`.
    pub(super) fn footnotes(&mut self) {
        let notes = self.notes;
        if notes.defs.is_empty() {
            return;
        }
        self.rule();
        for &(n, _, body) in &notes.defs {
            let events: Vec<&Event<'static>> = body.iter().collect();
            let mut note = Writer::new(self.opts, notes, true);
            note.run(&events);
            self.own_line();
            self.markup(format!("{} {}", superscript(n), note.out).trim_end());
        }
    }
}

/// `[size=…]` is a percentage in phpBB; levels 4–6 are only bold, as a larger size for
/// minor headings would shout.
pub(super) fn heading_tags(level: u8) -> (&'static str, &'static str) {
    match level {
        1 => ("[size=150][b]", "[/b][/size]"),
        2 => ("[size=130][b]", "[/b][/size]"),
        3 => ("[size=115][b]", "[/b][/size]"),
        _ => ("[b]", "[/b]"),
    }
}
