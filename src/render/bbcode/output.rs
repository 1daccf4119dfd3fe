//! Output and separators: the separator a block owes is written only when content follows.

use super::escape::escape_text;
use super::{Container, Sep, Writer};

impl Writer<'_, '_> {
    /// Writes the owed separator: content is about to follow.
    pub(super) fn flush(&mut self) {
        let sep = std::mem::replace(&mut self.sep, Sep::None);
        match sep {
            Sep::None => {}
            Sep::Space => self.out.push(' '),
            Sep::Line => self.out.push('\n'),
            Sep::Blank => self.out.push_str("\n\n"),
        }
        self.fresh = false;
    }

    /// Writes BBCode we generate ourselves: never escaped.
    pub(super) fn markup(&mut self, s: &str) {
        self.flush();
        self.out.push_str(s);
    }

    /// Writes text from the post: escaped, or kept verbatim inside a code block.
    pub(super) fn text(&mut self, text: &str) {
        if let Some(code) = &mut self.code {
            code.push_str(text);
            return;
        }
        if self.skip_inline.active() {
            return;
        }
        self.flush();
        escape_text(text, &mut self.out);
    }

    /// A block begins: it owes the separator of the container it is in, unless it is the
    /// container's first content.
    pub(super) fn start_block(&mut self) {
        self.skip_inline.reset();
        if !self.fresh {
            self.sep = self.block_sep();
        }
    }

    fn block_sep(&self) -> Sep {
        match self.containers.last() {
            None if self.one_line => Sep::Space,
            None | Some(Container::Quote | Container::Item { tight: false }) => Sep::Blank,
            Some(
                Container::Item { tight: true }
                | Container::List { .. }
                | Container::DefinitionList
                | Container::Definition,
            ) => Sep::Line,
        }
    }

    /// The next content starts on its own line, with no blank line before it (`[*]`,
    /// closing tags).
    pub(super) fn own_line(&mut self) {
        self.sep = if self.out.is_empty() {
            Sep::None
        } else {
            Sep::Line
        };
    }

    pub(super) fn close_container(&mut self, closer: &str) {
        self.containers.pop();
        self.own_line();
        self.markup(closer);
    }
}
