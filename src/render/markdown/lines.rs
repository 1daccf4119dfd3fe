//! Lines and containers: the prefix stack every block writes its lines through.

use super::Writer;
use super::index::count_bullets;

/// How a list's items are marked: a bullet character, or numbers with their delimiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ListMarker {
    Bullet(char),
    Ordered(char),
}

/// A container on the prefix stack: the root, a list, a list item, a quote, a footnote.
#[derive(Debug)]
pub(super) struct Level {
    /// Written before this container's first line (`- `, `1. `, `> `, `[^1]: `).
    pub(super) first: String,
    /// Written before every later line.
    pub(super) rest: String,
    pub(super) first_written: bool,
    /// Blocks directly inside are separated by a line break only, never a blank line.
    pub(super) tight: bool,
    /// Whether any line has been written inside; the next block then needs a separator.
    pub(super) has_content: bool,
    /// The marker of a list that was the last block here, so a following list differs.
    pub(super) prev_list: Option<ListMarker>,
    /// A list item: its first line may be left empty.
    pub(super) item: bool,
}

impl Level {
    pub(super) fn new(first: String, rest: String, tight: bool) -> Self {
        Level {
            first_written: first.is_empty(),
            first,
            rest,
            tight,
            has_content: false,
            prev_list: None,
            item: false,
        }
    }
}

impl Writer<'_> {
    /// Starts a block in the innermost container, owing a blank line when the container
    /// already has content and is not tight.
    pub(super) fn block_start(&mut self) {
        self.close_implicit();
        let depth = self.levels.len();
        if let Some(level) = self.levels.last_mut() {
            level.prev_list = None;
            if level.has_content && !level.tight {
                self.pending_blank = Some(depth);
            }
        }
    }

    pub(super) fn container_start(&mut self, first: String, rest: &str, tight: bool) {
        self.block_start();
        self.push_level(Level::new(first, rest.to_string(), tight));
    }

    pub(super) fn container_end(&mut self) {
        self.close_implicit();
        // An empty item or quote still needs its marker to exist.
        if self.levels.last().is_some_and(|l| !l.first_written) {
            self.emit_line("");
        }
        self.pop_level();
    }

    pub(super) fn push_level(&mut self, level: Level) {
        if !level.first_written {
            count_bullets(&mut self.waiting, &level.first, true);
        }
        self.levels.push(level);
    }

    /// Leaves a container; the root stays.
    pub(super) fn pop_level(&mut self) {
        if self.levels.len() > 1
            && let Some(level) = self.levels.pop()
            && !level.first_written
        {
            count_bullets(&mut self.waiting, &level.first, false);
        }
    }

    /// The prefix the next line would get, without claiming any first-line prefix.
    pub(super) fn next_prefix(&self) -> String {
        self.levels
            .iter()
            .map(|l| if l.first_written { &l.rest } else { &l.first })
            .map(String::as_str)
            .collect()
    }

    pub(super) fn emit_line(&mut self, content: &str) {
        // Spaces after a list marker belong to the marker; leading spaces of an item's
        // first line (raw HTML) survive only on the line after a bare marker.
        if content.starts_with([' ', '\t'])
            && self.levels.iter().any(|l| l.item && !l.first_written)
        {
            self.emit_line("");
        }
        if let Some(depth) = self.pending_blank.take() {
            let prefix: String = self.levels[..depth.min(self.levels.len())]
                .iter()
                .map(|l| l.rest.as_str())
                .collect();
            self.out.push_str(prefix.trim_end());
            self.out.push('\n');
        }
        let start = self.out.len();
        for level in &mut self.levels {
            if level.first_written {
                self.out.push_str(&level.rest);
            } else {
                self.out.push_str(&level.first);
                level.first_written = true;
                count_bullets(&mut self.waiting, &level.first, false);
            }
            level.has_content = true;
        }
        self.out.push_str(content);
        if content.is_empty() {
            // Prefixes such as `> ` or list indentation would leave trailing spaces.
            let kept = start + self.out[start..].trim_end().len();
            self.out.truncate(kept);
        }
        self.out.push('\n');
    }

    /// Emits raw content line by line; a final newline does not make an extra line.
    pub(super) fn emit_verbatim(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        let text = text.strip_suffix('\n').unwrap_or(text);
        for line in text.split('\n') {
            self.emit_line(line);
        }
    }
}
