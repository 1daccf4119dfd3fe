//! How deep a post's blocks and inline spans may nest, and what becomes of the levels past
//! that.
//!
//! Every renderer's work and output grow with the depth it writes: a quote or list nested
//! ten million levels on one line of a 20 MB post wrote gigabytes, and browsers stop
//! nesting long before (Chromium's HTML parser at 512 elements). Past `MAX_NESTING` levels
//! the parse is flattened (markdown-it, too, stops at its `maxNesting`, 100 levels by
//! default, though it counts them otherwise and drops what is deeper):
//! - deeper inline spans (emphasis, links, images…) lose their markup and keep their text;
//!   inline HTML among them stays inline HTML, as at any depth;
//! - deeper blocks become plain paragraphs, one for each paragraph, heading, item, table
//!   cell, code block or HTML block, with code and raw HTML blocks as text, never live, a
//!   block's lines parted by soft breaks, and a task's box as `[x]` or `[ ]`;
//! - what must keep working stays: an HTML block that is one comment (a venue or more
//!   marker), and a footnote definition, whose references would otherwise lose their note.

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
    Block(Block),
}

/// A block past the limit, being flattened.
#[derive(Debug, Default)]
struct Block {
    /// Whether a paragraph is open. One opens at the first text after a block's start or
    /// end, so a block without text leaves nothing.
    open: bool,
    /// Whether a line ended since the last text, which a soft break marks.
    parted: bool,
    /// The HTML block being read: kept as a block if it is one comment (a venue or more
    /// marker, say), written as text if not.
    html: Option<HtmlBlock>,
    /// The level of the footnote definition kept open, if one is: a definition stays a
    /// definition, so the references to it keep their note.
    note: Option<usize>,
    /// Inside a code block, whose text is code.
    code: bool,
}

/// An HTML block past the limit, read whole before it is known what it becomes.
#[derive(Debug)]
struct HtmlBlock {
    level: usize,
    text: String,
    at: Range<usize>,
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
        if self.flat.is_none() {
            match &event {
                Event::Start(tag) if opens_level(&tag.to_end()) => {
                    if self.depth < MAX_NESTING {
                        self.depth += 1;
                    } else {
                        // This start is the first of the run, flattened below.
                        self.first.get_or_insert(range.start);
                        self.flat = Some(match is_inline(&tag.to_end()) {
                            true => Flat::Inline,
                            false => Flat::Block(Block::default()),
                        });
                    }
                }
                Event::End(end) if opens_level(end) => self.depth -= 1,
                _ => {}
            }
        }
        match &mut self.flat {
            None => emit(event, range),
            Some(Flat::Inline) => match event {
                Event::Start(_) => self.over += 1,
                Event::End(_) => {
                    self.over -= 1;
                    if self.over == 0 {
                        self.flat = None;
                    }
                }
                event => emit(event, range),
            },
            Some(Flat::Block(block)) => {
                block.step(&mut self.over, event, range, &mut emit);
                if self.over == 0 {
                    self.flat = None;
                }
            }
        }
    }
}

impl Block {
    /// Flattens one event of the block; `over` counts the tags open in it.
    fn step<'a>(
        &mut self,
        over: &mut usize,
        event: Event<'a>,
        range: Range<usize>,
        emit: &mut impl FnMut(Event<'a>, Range<usize>),
    ) {
        match event {
            Event::Start(tag) => {
                *over += 1;
                if is_inline(&tag.to_end()) {
                    return;
                }
                self.close(&range, emit);
                match tag {
                    Tag::CodeBlock(_) => self.code = true,
                    Tag::HtmlBlock if self.html.is_none() => {
                        self.html = Some(HtmlBlock {
                            level: *over,
                            text: String::new(),
                            at: range,
                        });
                    }
                    Tag::FootnoteDefinition(label) if self.note.is_none() => {
                        self.note = Some(*over);
                        emit(Event::Start(Tag::FootnoteDefinition(label)), range);
                    }
                    _ => {}
                }
            }
            Event::End(end) => {
                let level = std::mem::replace(over, *over - 1);
                if is_inline(&end) {
                    return;
                }
                if let Some(html) = self.html.take_if(|h| h.level == level) {
                    self.end_html(html, emit);
                }
                self.code &= end != TagEnd::CodeBlock;
                self.close(&range, emit);
                if self.note == Some(level) {
                    self.note = None;
                    emit(Event::End(TagEnd::FootnoteDefinition), range);
                }
            }
            Event::Text(text) | Event::Html(text) if self.html.is_some() => {
                if let Some(html) = &mut self.html {
                    html.text.push_str(&text);
                }
            }
            Event::InlineHtml(html) if is_one_comment(&html) => {
                self.begin(&range, emit);
                emit(Event::InlineHtml(html), range);
            }
            Event::Text(text) if !self.code => self.text(text, range, emit),
            // Code and raw HTML made text were never typed as a footnote reference: without
            // their source range, `check` does not take a `[^1]` in them for one.
            Event::Text(text)
            | Event::Code(text)
            | Event::Html(text)
            | Event::InlineHtml(text)
            | Event::InlineMath(text)
            | Event::DisplayMath(text) => self.text(text, range.start..range.start, emit),
            Event::FootnoteReference(label) => {
                self.begin(&range, emit);
                emit(Event::FootnoteReference(label), range);
            }
            Event::TaskListMarker(done) => {
                let mark = if done { "[x]" } else { "[ ]" };
                self.text(CowStr::Borrowed(mark), range, emit);
                self.parted = true;
            }
            Event::SoftBreak | Event::HardBreak => self.parted = true,
            Event::Rule => self.close(&range, emit),
        }
    }

    /// Writes text into the paragraph. Code and raw HTML hold their lines: each becomes a
    /// line of the paragraph, without the indent that would mean something at the start of
    /// one (a code span's spaces could read as indented code there).
    fn text<'a>(
        &mut self,
        text: CowStr<'a>,
        range: Range<usize>,
        emit: &mut impl FnMut(Event<'a>, Range<usize>),
    ) {
        if !text.contains('\n') {
            let text = match !self.open || self.parted {
                true if text.starts_with(char::is_whitespace) => {
                    CowStr::from(text.trim_start().to_string())
                }
                _ => text,
            };
            if !text.is_empty() {
                self.begin(&range, emit);
                emit(Event::Text(text), range);
            }
            return;
        }
        for (i, line) in text.split('\n').enumerate() {
            self.parted |= i > 0;
            let line = line.trim();
            if !line.is_empty() {
                self.begin(&range, emit);
                emit(Event::Text(CowStr::from(line.to_string())), range.clone());
            }
        }
    }

    /// An HTML block read whole: kept as a block when it is one comment, which no browser
    /// shows and which may be a marker; otherwise each line that is one comment is kept as
    /// a block of its own (a marker among other HTML), and the other lines are text.
    fn end_html<'a>(&mut self, html: HtmlBlock, emit: &mut impl FnMut(Event<'a>, Range<usize>)) {
        if is_one_comment(&html.text) {
            return comment_block(html.text, html.at, emit);
        }
        // As text, without its source range: see `step`.
        let at = html.at.start..html.at.start;
        for line in html.text.lines() {
            if is_one_comment(line) {
                self.close(&at, emit);
                comment_block(format!("{}\n", line.trim()), html.at.clone(), emit);
            } else {
                self.parted = true;
                self.text(CowStr::from(line.to_string()), at.clone(), emit);
            }
        }
    }

    /// Opens a paragraph for the text that comes next, or parts it from the line before.
    fn begin<'a>(&mut self, range: &Range<usize>, emit: &mut impl FnMut(Event<'a>, Range<usize>)) {
        if !self.open {
            emit(Event::Start(Tag::Paragraph), range.clone());
        } else if self.parted {
            emit(Event::SoftBreak, range.clone());
        }
        (self.open, self.parted) = (true, false);
    }

    /// Closes the open paragraph, if there is one: a block started or ended.
    fn close<'a>(&mut self, range: &Range<usize>, emit: &mut impl FnMut(Event<'a>, Range<usize>)) {
        if std::mem::take(&mut self.open) {
            emit(Event::End(TagEnd::Paragraph), range.clone());
        }
    }
}

/// An HTML block of one comment.
fn comment_block<'a>(
    comment: String,
    at: Range<usize>,
    emit: &mut impl FnMut(Event<'a>, Range<usize>),
) {
    emit(Event::Start(Tag::HtmlBlock), at.clone());
    emit(Event::Html(CowStr::from(comment)), at.clone());
    emit(Event::End(TagEnd::HtmlBlock), at);
}

/// Whether raw HTML is one comment and nothing else, so no browser shows any of it: it
/// starts with `<!--`, and the first `-->` ends it, with no `--!>` (which also ends a
/// comment) before.
fn is_one_comment(html: &str) -> bool {
    let html = html.trim();
    html.starts_with("<!--")
        && html.find("-->") == Some(html.len().saturating_sub(3))
        && !html.contains("--!>")
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

    /// The text of each `Text` event.
    fn texts<'e>(events: &'e [Event<'_>]) -> Vec<&'e str> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::Text(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect()
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
        let texts = texts(&events);
        let text: String = texts.concat();
        assert_eq!(text, format!("{}x{}", "a ".repeat(n), " b".repeat(n)));
        // What the limit flattened merged into one run of text.
        assert_eq!(texts.len(), 2 * (MAX_NESTING - 1) - 1);
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
        let texts = texts(&events);
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
        assert_eq!(texts(&events), ["x and   y"]);
    }

    #[test]
    fn comments_and_footnote_definitions_past_the_limit_stay_what_they_are() {
        let q = "> ".repeat(MAX_NESTING);
        let md = format!(
            "See[^d].\n\n{q}<!-- venue: forum -->\n{q}\n{q}- [x] forum only\n{q}\n{q}<!-- /venue -->\n{q}\n{q}[^d]: The *note*.\n{q}\n{q}<!-- a --!><b>x</b> -->\n{q}\n{q}<div>\n{q}<!-- more -->\n{q}</div>\n"
        );
        let events = events(&md);
        let html: Vec<&Event<'_>> = events
            .iter()
            .filter(|e| matches!(e, Event::Html(_) | Event::InlineHtml(_)))
            .collect();
        assert_eq!(
            html,
            [
                &Event::Html("<!-- venue: forum -->\n".into()),
                &Event::Html("<!-- /venue -->\n".into()),
                &Event::Html("<!-- more -->\n".into())
            ]
        );
        let texts = texts(&events);
        assert_eq!(
            texts,
            [
                "See",
                ".",
                "[x]",
                "forum only",
                "The note.",
                "<!-- a --!><b>x</b> -->",
                "<div>",
                "</div>"
            ]
        );
        let definition = events
            .iter()
            .position(
                |e| matches!(e, Event::Start(Tag::FootnoteDefinition(l)) if l.as_ref() == "d"),
            )
            .expect("the definition is kept");
        assert_eq!(events[definition + 1], Event::Start(Tag::Paragraph));
        assert_eq!(events[definition + 2], Event::Text("The note.".into()));
        assert_eq!(events[definition + 3], Event::End(TagEnd::Paragraph));
        assert_eq!(
            events[definition + 4],
            Event::End(TagEnd::FootnoteDefinition)
        );
    }

    #[test]
    fn a_reference_typed_in_deep_code_is_not_taken_for_one() {
        let q = "> ".repeat(MAX_NESTING);
        let md = format!("{q}```\n{q}x[^1]\n{q}```\n{q}\n{q}<div>[^2]</div>\n{q}\n{q}> y[^3]\n");
        let crate::markdown::parse::Parsed { events, lines, .. } =
            crate::markdown::parse::parse(&md);
        let located: Vec<&Event<'_>> = lines
            .entries()
            .iter()
            .map(|&(i, _)| &events[i as usize])
            .collect();
        // Typed as text, a slip is still reported; in code or HTML it is none.
        assert_eq!(located, [&Event::Text("y[^3]".into())]);
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
