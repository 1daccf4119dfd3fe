//! A table as aligned columns of plain text: the `text` format's tables and the `[code]`
//! block a `bbcode` table becomes.

use pulldown_cmark::Alignment;
use textwrap::core::display_width;

/// Rows laid out in columns padded to their display width (CJK and emoji count double, a
/// word joiner nothing), ` | ` between them and a `-+-` rule under the header.
#[derive(Debug)]
pub struct Grid<'t> {
    rows: Vec<&'t [String]>,
    aligns: &'t [Alignment],
    /// The first row is the header, ruled off from the rest.
    head: bool,
    widths: Vec<usize>,
}

impl<'t> Grid<'t> {
    /// Measures `rows`; a column is at least one character wide, and there are as many
    /// columns as the longest row or `aligns` has.
    pub fn new(rows: Vec<&'t [String]>, aligns: &'t [Alignment], head: bool) -> Self {
        let columns = rows
            .iter()
            .map(|row| row.len())
            .max()
            .unwrap_or(0)
            .max(aligns.len());
        let mut widths = vec![1; columns];
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(*row) {
                *width = (*width).max(display_width(cell));
            }
        }
        Grid {
            rows,
            aligns,
            head,
            widths,
        }
    }

    /// The display width of a full row: every column and the ` | ` between them.
    pub fn width(&self) -> usize {
        self.widths.iter().sum::<usize>() + 3 * self.widths.len().saturating_sub(1)
    }

    /// One line per row (trailing spaces trimmed), the rule after the header.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = Vec::with_capacity(self.rows.len() + 1);
        for (r, row) in self.rows.iter().enumerate() {
            lines.push(self.row(row));
            if r == 0 && self.head {
                let rule: Vec<String> = self.widths.iter().map(|&w| "-".repeat(w)).collect();
                lines.push(rule.join("-+-"));
            }
        }
        lines
    }

    fn row(&self, cells: &[String]) -> String {
        let padded: Vec<String> = self
            .widths
            .iter()
            .enumerate()
            .map(|(c, &width)| {
                let cell = cells.get(c).map_or("", String::as_str);
                let align = self.aligns.get(c).copied().unwrap_or(Alignment::None);
                pad(cell, width, align)
            })
            .collect();
        padded.join(" | ").trim_end().to_string()
    }
}

fn pad(cell: &str, width: usize, align: Alignment) -> String {
    let room = width.saturating_sub(display_width(cell));
    let (left, right) = match align {
        Alignment::None | Alignment::Left => (0, room),
        Alignment::Right => (room, 0),
        Alignment::Center => (room / 2, room - room / 2),
    };
    format!("{}{cell}{}", " ".repeat(left), " ".repeat(right))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn columns_are_padded_to_display_width_and_aligned() {
        let rows = [row(&["a", "漢字", "c"]), row(&["long", "b"])];
        let aligns = [Alignment::Left, Alignment::Right, Alignment::Center];
        let grid = Grid::new(rows.iter().map(Vec::as_slice).collect(), &aligns, true);
        assert_eq!(grid.width(), 4 + 4 + 1 + 6);
        assert_eq!(
            grid.lines(),
            ["a    | 漢字 | c", "-----+------+--", "long |    b |"]
        );
    }

    #[test]
    fn without_a_header_there_is_no_rule() {
        let rows = [row(&["x"]), row(&["y"])];
        let grid = Grid::new(rows.iter().map(Vec::as_slice).collect(), &[], false);
        assert_eq!(grid.lines(), ["x", "y"]);
    }
}
