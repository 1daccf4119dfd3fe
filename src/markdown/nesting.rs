//! How deep a post's blocks and inline spans may nest, and what becomes of the levels past
//! that.
//!
//! Every renderer's work and output grow with the depth it writes: a quote or list nested
//! ten million levels on one line of a 20 MB post wrote gigabytes, and browsers stop
//! nesting long before (Chromium's HTML parser at 512 elements). Past `MAX_NESTING` levels
//! the parse is flattened, as markdown-it does past its `maxNesting` (100 by default):
//! deeper inline spans (emphasis, links, images…) lose their markup and keep their text;
//! deeper blocks become plain paragraphs, one for each paragraph, heading, item, code block
//! or HTML block, holding their text, code and raw HTML as text (raw HTML so deep is never
//! live), and a code or HTML block's lines parted by soft breaks.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use super::is_inline;

/// Levels of nesting kept: a quote, a list (with its items), a table (with its rows and
/// cells), a paragraph or heading, an inline span, each count one.
pub const MAX_NESTING: usize = 100;

/// Whether a tag opens a level of its own. A list's items and a table's head, rows and cells
/// share their list's or table's level, so flattening never leaves an item outside its list
/// or a cell outside its row.
fn opens_level(tag: &TagEnd) -> bool {
    !matches!(
        tag,
        TagEnd::Item
            | TagEnd::TableHead
            | TagEnd::TableRow
            | TagEnd::TableCell
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
    )
}

/// A run of levels past the limit, being flattened.
#[derive(Debug)]
enum Flat {
    /// An inline span: its content is inline too, and stays as it is.
    Inline,
    /// A block: its content becomes plain paragraphs.
    Block {
        /// Whether a paragraph is open. One opens at the first text after a block's start
        /// or end, so a block without text leaves nothing.
        open: bool,
        /// Whether a line ended since the last text, which a soft break marks.
        parted: bool,
    },
}

/// Flattens a parse's events past `MAX_NESTING` levels, one event at a time.
#[derive(Debug, Default)]
pub struct Flatten {
    /// Levels open and kept.
    depth: usize,
    /// Tags open inside the run being flattened.
    over: usize,
    /// The run being flattened, while `over` is not zero.
    flat: Option<Flat>,
    /// Where in the source the first run flattened starts.
    pub first: Option<usize>,
}

impl Flatten {
    /// Passes `event` on to `emit` as it stands, or as it reads once flattened.
    pub fn step<'a>(
        &mut self,
        event: Event<'a>,
        range: Range<usize>,
        mut emit: impl FnMut(Event<'a>, Range<usize>),
    ) {
        let Some(flat) = &mut self.flat else {
            match &event {
                Event::Start(tag) => {
                    let end = tag.to_end();
                    if opens_level(&end) {
                        if self.depth == MAX_NESTING {
                            self.first.get_or_insert(range.start);
                            self.over = 1;
                            self.flat = Some(match is_inline(&end) {
                                true => Flat::Inline,
                                false => Flat::Block {
                                    open: false,
                                    parted: false,
                                },
                            });
                            return;
                        }
                        self.depth += 1;
                    }
                }
                Event::End(end) if opens_level(end) => self.depth -= 1,
                _ => {}
            }
            return emit(event, range);
        };
        match (flat, event) {
            (flat, Event::Start(tag)) => {
                self.over += 1;
                if let Flat::Block { open, .. } = flat
                    && !is_inline(&tag.to_end())
                {
                    close(open, range, &mut emit);
                }
            }
            (flat, Event::End(end)) => {
                self.over -= 1;
                if let Flat::Block { open, .. } = flat
                    && (!is_inline(&end) || self.over == 0)
                {
                    close(open, range, &mut emit);
                }
                if self.over == 0 {
                    self.flat = None;
                }
            }
            (Flat::Inline, event) => emit(event, range),
            (Flat::Block { open, parted }, event) => {
                let text = match event {
                    Event::Text(t)
                    | Event::Code(t)
                    | Event::Html(t)
                    | Event::InlineHtml(t)
                    | Event::InlineMath(t)
                    | Event::DisplayMath(t) => t,
                    Event::FootnoteReference(label) => {
                        begin(open, parted, &range, &mut emit);
                        return emit(Event::FootnoteReference(label), range);
                    }
                    Event::SoftBreak | Event::HardBreak => {
                        *parted = true;
                        return;
                    }
                    Event::Rule => return close(open, range, &mut emit),
                    Event::TaskListMarker(_) | Event::Start(_) | Event::End(_) => return,
                };
                if !text.contains('\n') {
                    // Spaces that would start a line of the paragraph (a code span's) could
                    // read as indented code there.
                    let text = match !*open || *parted {
                        true if text.starts_with(char::is_whitespace) => {
                            CowStr::from(text.trim_start().to_string())
                        }
                        _ => text,
                    };
                    if !text.is_empty() {
                        begin(open, parted, &range, &mut emit);
                        emit(Event::Text(text), range);
                    }
                    return;
                }
                // Code and raw HTML hold their lines: each becomes a line of the paragraph,
                // without the indent that would mean something at the start of one.
                for (i, line) in text.split('\n').enumerate() {
                    *parted |= i > 0;
                    let line = line.trim();
                    if !line.is_empty() {
                        begin(open, parted, &range, &mut emit);
                        emit(Event::Text(CowStr::from(line.to_string())), range.clone());
                    }
                }
            }
        }
    }
}

/// Opens a paragraph for the text that comes next, or parts it from the line before.
fn begin<'a>(
    open: &mut bool,
    parted: &mut bool,
    range: &Range<usize>,
    emit: &mut impl FnMut(Event<'a>, Range<usize>),
) {
    if !*open {
        emit(Event::Start(Tag::Paragraph), range.clone());
    } else if *parted {
        emit(Event::SoftBreak, range.clone());
    }
    (*open, *parted) = (true, false);
}

/// Closes the open paragraph, if there is one: a block started or ended.
fn close<'a>(open: &mut bool, range: Range<usize>, emit: &mut impl FnMut(Event<'a>, Range<usize>)) {
    if std::mem::take(open) {
        emit(Event::End(TagEnd::Paragraph), range);
    }
}

#[cfg(test)]
mod tests {
    use pulldown_cmark::{Event, Tag, TagEnd};

    use super::MAX_NESTING;
    use crate::markdown::parse::events;

    fn starts(events: &[Event<'_>], is: impl Fn(&Tag<'_>) -> bool) -> usize {
        events
            .iter()
            .filter(|e| matches!(e, Event::Start(t) if is(t)))
            .count()
    }

    fn depth(events: &[Event<'_>]) -> usize {
        let (mut depth, mut max) = (0usize, 0usize);
        for event in events {
            match event {
                Event::Start(_) => {
                    depth += 1;
                    max = max.max(depth);
                }
                Event::End(_) => depth -= 1,
                _ => {}
            }
        }
        max
    }

    #[test]
    fn quotes_past_the_limit_become_one_paragraph_of_their_text() {
        let md = format!("{}deepest point, is it?\n", "> ".repeat(150));
        let events = events(&md);
        assert_eq!(
            starts(&events, |t| matches!(t, Tag::BlockQuote(_))),
            MAX_NESTING
        );
        // The deepest quote kept holds the paragraph its text became.
        let at = events
            .iter()
            .position(|e| matches!(e, Event::Text(_)))
            .expect("the text is kept");
        assert_eq!(events[at], Event::Text("deepest point, is it?".into()));
        assert_eq!(events[at - 1], Event::Start(Tag::Paragraph));
        assert_eq!(events[at + 1], Event::End(TagEnd::Paragraph));
        assert_eq!(depth(&events), MAX_NESTING + 1);
    }

    #[test]
    fn a_list_and_its_items_count_one_level() {
        let md = format!("{}x\n", "- ".repeat(MAX_NESTING + 5));
        let events = events(&md);
        assert_eq!(starts(&events, |t| matches!(t, Tag::List(_))), MAX_NESTING);
        assert_eq!(starts(&events, |t| matches!(t, Tag::Item)), MAX_NESTING);
        // Every item is inside its list: the events nest as they must.
        let (mut lists, mut items) = (0usize, 0usize);
        for event in &events {
            match event {
                Event::Start(Tag::List(_)) => lists += 1,
                Event::Start(Tag::Item) => {
                    items += 1;
                    assert_eq!(items, lists);
                }
                _ => {}
            }
        }
        assert!(events.contains(&Event::Text("x".into())));
    }

    #[test]
    fn inline_spans_past_the_limit_keep_their_text_without_markup() {
        let n = 150;
        let md = format!("{}x{}\n", "*a ".repeat(n), " b*".repeat(n));
        let events = events(&md);
        // A paragraph's level and the spans inside it.
        assert_eq!(
            starts(&events, |t| matches!(t, Tag::Emphasis)),
            MAX_NESTING - 1
        );
        let text: String = events
            .iter()
            .filter_map(|e| match e {
                Event::Text(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        assert_eq!(text, format!("{}x{}", "a ".repeat(n), " b".repeat(n)));
        // What the limit flattened merged into one run of text.
        let texts = events
            .iter()
            .filter(|e| matches!(e, Event::Text(_)))
            .count();
        assert_eq!(texts, 2 * (MAX_NESTING - 1) - 1);
    }

    #[test]
    fn deep_code_and_html_are_plain_lines_never_markup() {
        let quotes = "> ".repeat(MAX_NESTING);
        let md = format!(
            "{quotes}```\n{quotes}let x = 1;\n{quotes}<script>y</script>\n{quotes}```\n{quotes}\n{quotes}<div>\n{quotes}<script>z</script>\n{quotes}</div>\n"
        );
        let events = events(&md);
        assert_eq!(starts(&events, |t| matches!(t, Tag::CodeBlock(_))), 0);
        assert_eq!(starts(&events, |t| matches!(t, Tag::HtmlBlock)), 0);
        assert!(
            !events
                .iter()
                .any(|e| matches!(e, Event::Html(_) | Event::InlineHtml(_)))
        );
        let texts: Vec<&str> = events
            .iter()
            .filter_map(|e| match e {
                Event::Text(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        assert_eq!(
            texts,
            [
                "let x = 1;",
                "<script>y</script>",
                "<div>",
                "<script>z</script>",
                "</div>"
            ]
        );
        // Each line and block is parted from the next, so no two lines run together.
        let breaks = events.iter().filter(|e| **e == Event::SoftBreak).count();
        assert_eq!(breaks, texts.len() - 2);
    }

    #[test]
    fn a_flattened_line_never_starts_with_spaces() {
        let quotes = "> ".repeat(MAX_NESTING);
        // A paragraph's level is one past the quotes: its code span is flattened.
        let events = events(&format!("{quotes}`    x` and `  y`\n"));
        let texts: Vec<&Event<'_>> = events
            .iter()
            .filter(|e| matches!(e, Event::Text(_)))
            .collect();
        assert_eq!(texts, [&Event::Text("x and   y".into())]);
    }

    #[test]
    fn posts_within_the_limit_are_untouched() {
        let md = "> - *a **b [c](u)** d*\n>\n> | x |\n> |---|\n> | `y` |\n";
        let direct: Vec<Event<'_>> =
            pulldown_cmark::Parser::new_ext(md, crate::markdown::parse::options()).collect();
        let all = |_: &Tag<'_>| true;
        assert_eq!(starts(&events(md), all), starts(&direct, all));
    }
}
