//! The line writer: container prefixes, wrapping at the width left, and line ends.

use std::mem;

use textwrap::core::display_width;

use super::{GLUE, TextWriter};

/// An open block that prefixes every line written inside it.
pub(super) struct Container {
    pub(super) first: String,
    pub(super) rest: String,
    /// Whether a line has been written inside, so the next one takes `rest`.
    pub(super) started: bool,
}

impl TextWriter<'_> {
    pub(super) fn push_container(&mut self, first: String, rest: String) {
        self.prefix_width += display_width(&rest);
        self.containers.push(Container {
            first,
            rest,
            started: false,
        });
    }

    /// Closes the innermost container; one that wrote nothing still shows its marker.
    pub(super) fn close_container(&mut self) {
        if self
            .containers
            .last()
            .is_some_and(|c| !c.started && !c.first.trim().is_empty())
        {
            self.emit(&[String::new()]);
        }
        if let Some(closed) = self.containers.pop() {
            self.prefix_width = self
                .prefix_width
                .saturating_sub(display_width(&closed.rest));
        }
    }

    /// Columns left for content inside the open containers.
    pub(super) fn avail(&self) -> usize {
        self.opts.wrap.saturating_sub(self.prefix_width).max(1)
    }

    /// Writes content lines inside the open containers, after a blank line if one is due,
    /// each without the whitespace that ends it.
    pub(super) fn emit(&mut self, content: &[String]) {
        if content.is_empty() {
            return;
        }
        if self.need_blank && self.wrote {
            // Only containers already begun continue through the gap.
            let blank: String = self
                .containers
                .iter()
                .take_while(|c| c.started)
                .map(|c| c.rest.as_str())
                .collect();
            self.line(&blank, "");
        }
        self.need_blank = false;
        if self.containers.is_empty() {
            for line in content {
                self.line("", line);
            }
            return;
        }
        let first: String = self
            .containers
            .iter()
            .map(|c| if c.started { &c.rest } else { &c.first }.as_str())
            .collect();
        let rest: String = self.containers.iter().map(|c| c.rest.as_str()).collect();
        for (i, line) in content.iter().enumerate() {
            self.line(if i == 0 { &first } else { &rest }, line);
        }
        for container in &mut self.containers {
            container.started = true;
        }
    }

    /// Writes a line, its prefix then its text, without the whitespace that ends it.
    fn line(&mut self, prefix: &str, text: &str) {
        if self.wrote {
            self.out.push('\n');
        }
        let start = self.out.len();
        self.out.push_str(prefix);
        self.out.push_str(text);
        self.out
            .truncate(start + self.out[start..].trim_end().len());
        self.wrote = true;
    }
}

/// Removes trailing whitespace without a new allocation.
fn trim_end_in_place(line: &mut String) {
    line.truncate(line.trim_end().len());
}

/// Wraps `text` at `width` columns, breaking only between words (at ASCII spaces: a
/// no-break space holds); `\n` starts a new line. `first` indents the first line, `rest`
/// the others. First fit, as `fmt` and mail clients wrap: predictable, and written here
/// because textwrap's general machinery (optimal fit, word splitting) was most of the text
/// format's cost; a word longer than the width stands alone on its line.
pub(super) fn fill(text: &str, width: usize, first: &str, rest: &str) -> Vec<String> {
    // Few paragraphs hold a reference number: their lines alone are looked at for its glue.
    let glued = text.contains(GLUE);
    // About as many lines as the text has widths of bytes, rather than a list regrown.
    let mut lines: Vec<String> = Vec::with_capacity(text.len() / width.max(1) + 1);
    for source in text.split('\n') {
        let indent = if lines.is_empty() { first } else { rest };
        let mut avail = width.saturating_sub(width_of(indent));
        let mut line = new_line(indent, width);
        let mut used = 0;
        let mut words = 0;
        for word in source.split(' ').filter(|w| !w.is_empty()) {
            let w = width_of(word);
            if words > 0 && used + 1 + w > avail {
                let full = mem::replace(&mut line, new_line(rest, width));
                lines.push(finish_line(full, glued));
                avail = width.saturating_sub(width_of(rest));
                used = 0;
                words = 0;
            }
            if words > 0 {
                line.push(' ');
                used += 1;
            }
            line.push_str(word);
            used += w;
            words += 1;
        }
        lines.push(finish_line(line, glued));
    }
    lines
}

/// A line begun with `indent`, with room for a whole line of ASCII text: grown word by word
/// from its indent, a line was reallocated four or five times, 1.5% of `build`'s CPU.
fn new_line(indent: &str, width: usize) -> String {
    let mut line = String::with_capacity(indent.len() + width + 1);
    line.push_str(indent);
    line
}

/// A wrapped line as written: the glue that held reference numbers to their word becomes a
/// space again (where the text was `glued`), and no line ends in spaces.
fn finish_line(mut line: String, glued: bool) -> String {
    trim_end_in_place(&mut line);
    if glued && line.contains(GLUE) {
        line.replace(GLUE, " ")
    } else {
        line
    }
}

/// Display width, with a shortcut for ASCII (one column a byte).
fn width_of(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        display_width(text)
    }
}
