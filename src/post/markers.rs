//! The writer's markers in a post's body — HTML comments, which other Markdown tools render
//! as nothing: `<!-- venue: forum, newsletter -->` … `<!-- /venue -->` around what only some
//! venues show (`!forum`: every venue but the forum), and `<!-- more -->` where the excerpt
//! ends. They are found once, after the parse; each venue's events are then cut from the
//! same list, and no marker is left in any of them.

use pulldown_cmark::{Event, Tag, TagEnd};

use crate::error::Located;
use crate::markdown::parse::Lines;
use crate::markdown::{is_inline, matching_end};

/// The venues a venue-only block is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    /// The venue names written.
    names: Vec<String>,
    /// `!name`: every venue but these.
    negated: bool,
}

impl Selector {
    /// Whether `venue` shows the block.
    pub fn shows(&self, venue: &str) -> bool {
        self.names.iter().any(|n| n == venue) != self.negated
    }
}

/// What one marker comment says.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// `<!-- venue: … -->`; `close` is the index of its `<!-- /venue -->` among the marks.
    Open { selector: Selector, close: usize },
    /// `<!-- /venue -->`
    Close,
    /// `<!-- more -->`
    More,
}

/// A marker where it sat: between `events[at - 1]` and `events[at]` of the marker-free list.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mark {
    at: usize,
    kind: Kind,
    /// Its line in the post file.
    line: usize,
    /// The element it sits in (0: the top level), so a block's two ends can be matched.
    parent: u32,
    /// Whether it is on a line of its own (an HTML block), not inside a paragraph's text:
    /// the text on either side of it is on other lines, apart.
    block: bool,
}

/// A post body's markers and its events without them, to cut each venue's events from.
#[derive(Debug, Clone, PartialEq)]
pub struct Markers {
    /// The body's events with every marker taken out (an HTML block holding one split
    /// around it).
    events: Vec<Event<'static>>,
    lines: Lines,
    /// In body order.
    marks: Vec<Mark>,
}

/// One venue's events, cut from the markers' list.
#[derive(Debug, Clone, PartialEq)]
pub struct Cut {
    /// What the venue renders.
    pub events: Vec<Event<'static>>,
    /// Their lines, for `check`.
    pub lines: Lines,
    /// Where the first `<!-- more -->` the venue shows sits in `events`, when text comes
    /// before it.
    pub excerpt_at: Option<usize>,
    /// The line of a `<!-- more -->` with no text before it, which sets no excerpt.
    pub empty_more: Option<usize>,
}

impl Markers {
    /// Finds the markers in a body's events (`lines` as `parse` gives them; `body_line` is
    /// the body's first line in the file). `None` when there is none, the common case.
    /// Errors name the marker's line in the file.
    pub fn find(
        events: &[Event<'static>],
        lines: &Lines,
        body_line: usize,
    ) -> Result<Option<Markers>, Located> {
        if !events.iter().any(|e| holds_marker(e) || opens_comment(e)) {
            return Ok(None);
        }
        let file_line = |body: usize| body + body_line - 1;
        let mut out = Builder::new(events, lines);
        let mut marks = Vec::new();
        let mut open: Vec<u32> = Vec::new();
        let mut next_id = 0;
        let mut i = 0;
        while i < events.len() {
            let parent = open.last().copied().unwrap_or(0);
            match &events[i] {
                Event::Start(Tag::HtmlBlock) => {
                    let end = matching_end(events, i);
                    let mut line = lines.line_of(i).unwrap_or(1);
                    if !events[i + 1..end].iter().any(holds_marker) {
                        if let Some(at) = marker_over_lines(&events[i + 1..end]) {
                            return Err(Located::new(
                                file_line(line + at),
                                1,
                                "this marker comment spans several lines, which makes it an ordinary comment: write `<!-- venue: … -->`, `<!-- /venue -->` and `<!-- more -->` each on one line",
                            ));
                        }
                        out.copy(i..end + 1);
                        i = end + 1;
                        continue;
                    }
                    // The block's other lines, kept as HTML blocks of their own.
                    let mut rest: Vec<(Event<'static>, usize)> = Vec::new();
                    for event in &events[i + 1..end] {
                        let text = match event {
                            Event::Html(text) => text.as_ref(),
                            _ => "",
                        };
                        match read_line(text) {
                            None => rest.push((event.clone(), line)),
                            Some(Err(message)) => {
                                return Err(Located::new(file_line(line), 1, message));
                            }
                            Some(Ok(kind)) => {
                                out.html_block(std::mem::take(&mut rest));
                                marks.push(Mark {
                                    at: out.len(),
                                    kind,
                                    line: file_line(line),
                                    parent,
                                    block: true,
                                });
                            }
                        }
                        line += text.matches('\n').count();
                    }
                    out.html_block(rest);
                    i = end;
                }
                Event::InlineHtml(text) if holds_marker(&events[i]) => {
                    let line = lines.line_of(i).unwrap_or(1);
                    match read(text) {
                        Some(Ok(kind)) => marks.push(Mark {
                            at: out.len(),
                            kind,
                            line: file_line(line),
                            parent,
                            block: false,
                        }),
                        Some(Err(message)) => {
                            return Err(Located::new(file_line(line), 1, message));
                        }
                        None => out.copy(i..i + 1),
                    }
                }
                Event::Start(_) => {
                    next_id += 1;
                    open.push(next_id);
                    out.copy(i..i + 1);
                }
                Event::End(_) => {
                    open.pop();
                    out.copy(i..i + 1);
                }
                _ => out.copy(i..i + 1),
            }
            i += 1;
        }
        if marks.is_empty() {
            return Ok(None);
        }
        pair_blocks(&mut marks)?;
        let (events, lines) = out.finish();
        Ok(Some(Markers {
            events,
            lines,
            marks,
        }))
    }

    /// Whether the body has venue-only blocks (not just `<!-- more -->`).
    pub fn has_blocks(&self) -> bool {
        self.marks.iter().any(|m| matches!(m.kind, Kind::Close))
    }

    /// Which blocks `venue` shows, in body order.
    pub fn shown(&self, venue: &str) -> Vec<bool> {
        self.selectors().map(|(_, s)| s.shows(venue)).collect()
    }

    /// Each block's opening line and the venue names it writes.
    pub fn venue_names(&self) -> impl Iterator<Item = (usize, &str)> {
        self.selectors()
            .flat_map(|(line, s)| s.names.iter().map(move |n| (line, n.as_str())))
    }

    fn selectors(&self) -> impl Iterator<Item = (usize, &Selector)> {
        self.marks.iter().filter_map(|m| match &m.kind {
            Kind::Open { selector, .. } => Some((m.line, selector)),
            _ => None,
        })
    }

    /// The events of a venue that shows the blocks `shown` says (in body order; blocks past
    /// its end are shown, so `&[]` shows them all): the others cut out, the markers gone,
    /// and what a marker split joined again — the two lists around it, the text around an
    /// inline block.
    pub fn cut(&self, shown: &[bool]) -> Cut {
        let mut out = Builder::new(&self.events, &self.lines);
        let mut from = 0;
        let mut blocks = shown.iter();
        let mut skip_to: Option<usize> = None;
        let mut empty_more = None;
        for (k, mark) in self.marks.iter().enumerate() {
            match skip_to {
                Some(close) if k == close => {
                    skip_to = None;
                    from = mark.at;
                }
                Some(_) => {}
                None => {
                    out.copy(from..mark.at);
                    from = mark.at;
                    if let Kind::Open { close, .. } = &mark.kind {
                        if !blocks.next().copied().unwrap_or(true) {
                            skip_to = Some(*close);
                        }
                    } else if mark.kind == Kind::More
                        && out.excerpt_at.is_none()
                        && empty_more.is_none()
                    {
                        if has_text(out.events()) {
                            out.excerpt_at = Some(out.len());
                        } else {
                            empty_more = Some(mark.line);
                        }
                    }
                }
            }
            out.seam = true;
            out.parted |= mark.block;
        }
        out.copy(from..self.events.len());
        let excerpt_at = out.excerpt_at;
        let (events, lines) = out.finish();
        Cut {
            events,
            lines,
            excerpt_at,
            empty_more,
        }
    }
}

/// Pairs each `<!-- venue: … -->` with its `<!-- /venue -->`: no nesting, no closing
/// without an opening, both in the same element.
fn pair_blocks(marks: &mut [Mark]) -> Result<(), Located> {
    let mut open: Option<usize> = None;
    for k in 0..marks.len() {
        match &marks[k].kind {
            Kind::Open { .. } => {
                if let Some(o) = open {
                    return Err(Located::new(
                        marks[k].line,
                        1,
                        format!(
                            "venue blocks do not nest: this one opens while the block opened on line {} is still open; close that one first with `<!-- /venue -->`",
                            marks[o].line
                        ),
                    ));
                }
                open = Some(k);
            }
            Kind::Close => {
                let Some(o) = open.take() else {
                    return Err(Located::new(
                        marks[k].line,
                        1,
                        "`<!-- /venue -->` closes no block: no `<!-- venue: … -->` is open before it; remove it, or open the block where the venue-only content starts",
                    ));
                };
                if marks[o].parent != marks[k].parent {
                    return Err(Located::new(
                        marks[k].line,
                        1,
                        format!(
                            "`<!-- /venue -->` is not at the level of the `<!-- venue: … -->` it closes (line {}): put both inside one paragraph, or both on lines of their own in the same list item, quote or at the top level",
                            marks[o].line
                        ),
                    ));
                }
                if let Kind::Open { close, .. } = &mut marks[o].kind {
                    *close = k;
                }
            }
            Kind::More => {}
        }
    }
    match open {
        Some(o) => Err(Located::new(
            marks[o].line,
            1,
            "this venue block is never closed: add `<!-- /venue -->` on a line of its own where the venue-only content ends",
        )),
        None => Ok(()),
    }
}

/// Whether an event is raw HTML holding a marker comment (cheap enough to ask of every
/// event: only raw HTML is read).
fn holds_marker(event: &Event<'_>) -> bool {
    match event {
        Event::InlineHtml(text) | Event::Html(text) => comments(text).any(|c| read(c).is_some()),
        _ => false,
    }
}

/// Whether a line of an HTML block opens a comment it does not close.
fn opens_comment(event: &Event<'_>) -> bool {
    match event {
        Event::Html(text) => text
            .rfind("<!--")
            .is_some_and(|at| !text[at..].contains("-->")),
        _ => false,
    }
}

/// In the lines of an HTML block, a marker comment written over several of them: the line
/// (from 0) where it starts.
fn marker_over_lines(lines: &[Event<'_>]) -> Option<usize> {
    if !lines.iter().any(opens_comment) {
        return None;
    }
    let text: String = lines
        .iter()
        .filter_map(|e| match e {
            Event::Html(t) => Some(t.as_ref()),
            _ => None,
        })
        .collect();
    let mut from = 0;
    for comment in comments(&text) {
        let at = from + text[from..].find(comment).unwrap_or(0);
        from = at + comment.len();
        if read(comment).is_some() {
            return Some(text[..at].matches('\n').count());
        }
    }
    None
}

/// The `<!-- … -->` comments in a piece of raw HTML.
fn comments(html: &str) -> impl Iterator<Item = &str> {
    let mut rest = html;
    std::iter::from_fn(move || {
        let start = rest.find("<!--")?;
        let end = rest[start + 4..].find("-->")? + start + 4 + 3;
        let comment = &rest[start..end];
        rest = &rest[end..];
        Some(comment)
    })
}

/// One line of an HTML block: `None` without a marker; the marker when it is alone on the
/// line; an error when it shares the line, which makes the whole line raw HTML.
fn read_line(html: &str) -> Option<Result<Kind, String>> {
    let (comment, kind) = comments(html).find_map(|c| read(c).map(|k| (c, k)))?;
    if html.trim() == comment {
        return Some(kind);
    }
    Some(Err(format!(
        "`{comment}` shares its line with other text or HTML, which makes the whole line raw HTML: put the marker on a line of its own, or after some text inside a paragraph"
    )))
}

/// Reads one comment as a marker; `None` for any other comment. Keywords are read in any
/// case, with or without spaces: `<!--more-->`, `<!-- MORE -->`, `<!--venue:forum-->`.
fn read(comment: &str) -> Option<Result<Kind, String>> {
    let inner = comment
        .trim()
        .strip_prefix("<!--")?
        .strip_suffix("-->")?
        .trim();
    if inner.eq_ignore_ascii_case("more") {
        return Some(Ok(Kind::More));
    }
    if inner.eq_ignore_ascii_case("/venue") {
        return Some(Ok(Kind::Close));
    }
    let rest = strip_prefix_ignore_case(inner, "venue")?;
    let list = rest.trim_start().strip_prefix(':')?;
    Some(selector(list, comment).map(|selector| Kind::Open { selector, close: 0 }))
}

fn strip_prefix_ignore_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    crate::markdown::starts_with_ignore_ascii_case(text, prefix).then(|| &text[prefix.len()..])
}

/// The venue list of `<!-- venue: … -->`: names separated by commas, all plain or all
/// with `!`.
fn selector(list: &str, comment: &str) -> Result<Selector, String> {
    let mut names = Vec::new();
    let mut negated = 0;
    for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let (not, name) = match item.strip_prefix('!') {
            Some(name) => (true, name.trim()),
            None => (false, item),
        };
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(format!(
                "`{comment}`: `{item}` is not a venue name; separate venues with commas, like `<!-- venue: forum, newsletter -->`"
            ));
        }
        negated += usize::from(not);
        names.push(name.to_string());
    }
    if names.is_empty() {
        return Err(format!(
            "`{comment}` names no venue: list the venues that show this content, like `<!-- venue: forum, newsletter -->`, or with `!` those that do not, like `<!-- venue: !forum -->`"
        ));
    }
    if negated != 0 && negated != names.len() {
        return Err(format!(
            "`{comment}` mixes venues with `!venues`: list either the venues that show this content, or with `!` each venue that does not"
        ));
    }
    Ok(Selector {
        names,
        negated: negated > 0,
    })
}

/// Whether events hold text a reader sees outside headings (an excerpt needs some).
fn has_text(events: &[Event<'_>]) -> bool {
    let mut in_heading = false;
    events.iter().any(|e| match e {
        Event::Start(Tag::Heading { .. }) => {
            in_heading = true;
            false
        }
        Event::End(TagEnd::Heading(_)) => {
            in_heading = false;
            false
        }
        Event::Text(t) | Event::Code(t) => !in_heading && !t.trim().is_empty(),
        _ => false,
    })
}

/// Builds an event list from runs of another, keeping the lines `check` reports with.
struct Builder<'s> {
    source: &'s [Event<'static>],
    lines: &'s [(u32, u32)],
    /// The first entry of `lines` not yet copied or passed.
    next_line: usize,
    out: Vec<Event<'static>>,
    out_lines: Vec<(u32, u32)>,
    /// A marker or a cut block sits at the end of `out`: what it split is joined when
    /// copying resumes (only then is it known what comes next).
    seam: bool,
    /// A marker on a line of its own is in the seam: text on either side of it was on
    /// another line, so joined text keeps a space between.
    parted: bool,
    /// Where a `<!-- more -->` sits in `out`.
    excerpt_at: Option<usize>,
}

impl<'s> Builder<'s> {
    fn new(source: &'s [Event<'static>], lines: &'s Lines) -> Self {
        Builder {
            source,
            lines: lines.entries(),
            next_line: 0,
            out: Vec::with_capacity(source.len()),
            out_lines: Vec::new(),
            seam: false,
            parted: false,
            excerpt_at: None,
        }
    }

    fn len(&self) -> usize {
        self.out.len()
    }

    fn events(&self) -> &[Event<'static>] {
        &self.out
    }

    /// Appends `source[range]`, joined to what comes before across a seam; ranges come in
    /// increasing order.
    fn copy(&mut self, range: std::ops::Range<usize>) {
        let mut range = range;
        if self.seam && !range.is_empty() {
            self.seam = false;
            range.start = self.join(range.start);
            self.parted = false;
        }
        let (start, end) = (to_u32(range.start), to_u32(range.end));
        while let Some(&(index, line)) = self.lines.get(self.next_line) {
            if index >= end {
                break;
            }
            if index >= start {
                self.out_lines
                    .push((to_u32(self.out.len()) + index - start, line));
            }
            self.next_line += 1;
        }
        self.out.extend_from_slice(&self.source[range]);
    }

    /// Appends an event of its own, with its body line when `check` may report on it.
    fn push(&mut self, event: Event<'static>, line: Option<usize>) {
        if let Some(line) = line {
            self.out_lines.push((to_u32(self.out.len()), to_u32(line)));
        }
        self.out.push(event);
    }

    fn pop(&mut self) -> Option<Event<'static>> {
        let event = self.out.pop()?;
        if self
            .out_lines
            .last()
            .is_some_and(|&(i, _)| i == to_u32(self.out.len()))
        {
            self.out_lines.pop();
        }
        // A `<!-- more -->` after the event now sits where it was.
        if self.excerpt_at.is_some_and(|at| at > self.out.len()) {
            self.excerpt_at = Some(self.out.len());
        }
        Some(event)
    }

    /// Replaces the last event (a text run) in place.
    fn replace_last(&mut self, event: Event<'static>) {
        if let Some(last) = self.out.last_mut() {
            *last = event;
        }
    }

    /// The lines of an HTML block (each with its body line) as a block of their own.
    fn html_block(&mut self, lines: Vec<(Event<'static>, usize)>) {
        let Some(&(_, first)) = lines.first() else {
            return;
        };
        self.push(Event::Start(Tag::HtmlBlock), Some(first));
        for (event, _) in lines {
            self.push(event, None);
        }
        self.push(Event::End(TagEnd::HtmlBlock), None);
    }

    /// Joins what a marker or a cut block split, where the output continues with
    /// `source[at..]`; returns where copying resumes. Two lists of the same kind become
    /// one; text runs merge (one space between them, or the one a marker on a line of its
    /// own stood for) unless a `<!-- more -->` cuts them;
    /// a paragraph left empty goes.
    fn join(&mut self, at: usize) -> usize {
        let next = self.source.get(at);
        let more_here = self.excerpt_at == Some(self.out.len());
        match (self.out.last(), next) {
            (Some(Event::End(TagEnd::List(ordered))), Some(Event::Start(Tag::List(start))))
                if *ordered == start.is_some() =>
            {
                self.pop();
                at + 1
            }
            (Some(Event::Text(before)), Some(Event::Text(after))) if !more_here => {
                let after = if before.ends_with(char::is_whitespace) {
                    after.trim_start()
                } else {
                    after.as_ref()
                };
                let apart = self.parted
                    && !before.is_empty()
                    && !before.ends_with(char::is_whitespace)
                    && !after.starts_with(char::is_whitespace);
                let gap = if apart { " " } else { "" };
                let joined = format!("{before}{gap}{after}");
                self.replace_last(Event::Text(joined.into()));
                at + 1
            }
            (Some(Event::Start(Tag::Paragraph)), Some(Event::End(TagEnd::Paragraph))) => {
                self.pop();
                at + 1
            }
            (Some(Event::Start(tag)), Some(Event::Text(after))) if !is_inline(&tag.to_end()) => {
                let trimmed = after.trim_start().to_string();
                self.push(Event::Text(trimmed.into()), None);
                at + 1
            }
            (Some(Event::Text(before)), Some(Event::End(tag))) if !is_inline(tag) => {
                let trimmed = before.trim_end().to_string();
                self.replace_last(Event::Text(trimmed.into()));
                at
            }
            _ => at,
        }
    }

    fn finish(self) -> (Vec<Event<'static>>, Lines) {
        (self.out, Lines::from_entries(self.out_lines))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::plain_text;

    fn markers(md: &str) -> Result<Option<Markers>, Located> {
        let crate::markdown::parse::Parsed { events, lines, .. } =
            crate::markdown::parse::parse(md);
        Markers::find(&events, &lines, 1)
    }

    /// The plain text `venue` reads of `md`.
    fn text_for(md: &str, venue: &str) -> String {
        let m = markers(md).unwrap().unwrap();
        plain_text(&m.cut(&m.shown(venue)).events)
    }

    #[test]
    fn a_post_without_markers_has_none() {
        assert_eq!(
            markers("Text <!-- a comment --> here.\n\n<!-- x -->\n"),
            Ok(None)
        );
    }

    #[test]
    fn blocks_show_in_the_venues_they_list_and_no_marker_is_left() {
        let md = "Everyone.\n<!-- venue: forum, newsletter -->\nForum and newsletter.\n<!-- /venue -->\n\n<!-- venue: !forum, !blog -->\n- not forum\n- not blog\n<!-- /venue -->\nEnd.\n";
        assert_eq!(
            text_for(md, "forum"),
            "Everyone. Forum and newsletter. End."
        );
        assert_eq!(
            text_for(md, "newsletter"),
            "Everyone. Forum and newsletter. not forum not blog End."
        );
        assert_eq!(text_for(md, "blog"), "Everyone. End.");
        assert_eq!(text_for(md, "article"), "Everyone. not forum not blog End.");
        let m = markers(md).unwrap().unwrap();
        let all = m.cut(&[true, true]);
        assert!(
            !all.events.iter().any(|e| matches!(
                e,
                Event::Html(_) | Event::InlineHtml(_) | Event::Start(Tag::HtmlBlock)
            )),
            "{:?}",
            all.events
        );
    }

    #[test]
    fn blocks_at_the_start_and_end_of_the_body() {
        let md = "<!-- venue: blog -->\n## Blog only\n\nFirst.\n<!-- /venue -->\nMiddle.\n<!-- venue: forum -->\nLast.\n<!-- /venue -->\n";
        assert_eq!(text_for(md, "blog"), "Blog only First. Middle.");
        assert_eq!(text_for(md, "forum"), "Middle. Last.");
    }

    #[test]
    fn inline_blocks_cut_inside_a_paragraph() {
        let md = "Read this <!-- venue: blog -->*only on the blog*<!-- /venue --> and more.\n";
        assert_eq!(text_for(md, "blog"), "Read this only on the blog and more.");
        let m = markers(md).unwrap().unwrap();
        let cut = m.cut(&m.shown("forum"));
        assert_eq!(
            cut.events,
            crate::markdown::parse::events("Read this and more.\n"),
            "one text run, one space"
        );
        let md = "Ends here<!-- venue: !forum --> for all but the forum<!-- /venue -->.\n";
        assert_eq!(text_for(md, "forum"), "Ends here.");
    }

    #[test]
    fn text_on_either_side_of_a_marker_line_stays_apart() {
        let md = "- first\n  <!-- venue: forum -->\n  second\n  <!-- /venue -->\n  third\n\nA <!-- venue: blog -->b<!-- /venue -->c.\n";
        let m = markers(md).unwrap().unwrap();
        let texts = |venue: &str| -> Vec<String> {
            m.cut(&m.shown(venue))
                .events
                .iter()
                .filter_map(|e| match e {
                    Event::Text(t) => Some(t.to_string()),
                    _ => None,
                })
                .collect()
        };
        // Inline markers stand for nothing: `b` and `c` touch where the text has them touch.
        assert_eq!(texts("forum"), ["first second third", "A c."]);
        assert_eq!(texts("blog"), ["first third", "A bc."]);
    }

    #[test]
    fn lists_split_by_markers_are_joined() {
        let md = "1. one\n<!-- venue: forum -->\n2. two, forum only\n<!-- /venue -->\n3. three\n";
        let m = markers(md).unwrap().unwrap();
        for venue in ["forum", "blog"] {
            let events = m.cut(&m.shown(venue)).events;
            let lists = events
                .iter()
                .filter(|e| matches!(e, Event::Start(Tag::List(_))))
                .count();
            assert_eq!(lists, 1, "{venue}: {events:?}");
        }
        assert_eq!(text_for(md, "blog"), "one three");
    }

    #[test]
    fn a_marker_inside_an_html_block_splits_it() {
        let md = "<!-- venue: blog -->\n<div class=\"x\">\nhi\n</div>\n<!-- /venue -->\n";
        let m = markers(md).unwrap().unwrap();
        let blog = m.cut(&m.shown("blog"));
        let html: String = blog
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Html(h) => Some(h.as_ref()),
                _ => None,
            })
            .collect();
        assert_eq!(html, "<div class=\"x\">\nhi\n</div>\n");
        assert_eq!(
            blog.lines.line_of(0),
            Some(2),
            "the split block keeps its line"
        );
        assert!(m.cut(&m.shown("forum")).events.is_empty());
    }

    #[test]
    fn more_marks_where_the_excerpt_ends() {
        let md = "First.\n\nSecond.\n<!--MORE-->\nThird.\n";
        let m = markers(md).unwrap().unwrap();
        assert!(!m.has_blocks());
        let cut = m.cut(&[]);
        assert_eq!(plain_text(&cut.events), "First. Second. Third.");
        assert_eq!(
            plain_text(&cut.events[..cut.excerpt_at.unwrap()]),
            "First. Second."
        );
        let cut = markers("<!-- more -->\nText.\n").unwrap().unwrap().cut(&[]);
        assert_eq!((cut.excerpt_at, cut.empty_more), (None, Some(1)));
    }

    #[test]
    fn a_more_in_a_block_counts_only_where_the_block_shows() {
        let md = "One.\n<!-- venue: blog -->\nTwo.\n<!-- more -->\n<!-- /venue -->\nThree.\n<!-- more -->\nFour.\n";
        let m = markers(md).unwrap().unwrap();
        let excerpt = |venue: &str| {
            let cut = m.cut(&m.shown(venue));
            plain_text(&cut.events[..cut.excerpt_at.unwrap()])
        };
        assert_eq!(excerpt("blog"), "One. Two.");
        assert_eq!(excerpt("forum"), "One. Three.");
    }

    #[test]
    fn markers_side_by_side_join_only_what_ends_up_adjacent() {
        // Found by the robustness test: a block closing where the next, hidden, one opens.
        let md = "- a\n<!-- venue: blog -->\n- b\n<!-- /venue -->\n<!-- venue: forum -->\n- c\n<!-- /venue -->\n<!-- more -->\n- d\n";
        let m = markers(md).unwrap().unwrap();
        for (venue, text, excerpt) in [
            ("blog", "a b d", "a b"),
            ("forum", "a c d", "a c"),
            ("article", "a d", "a"),
        ] {
            let cut = m.cut(&m.shown(venue));
            assert_eq!(plain_text(&cut.events), text, "{venue}");
            let at = cut.excerpt_at.unwrap();
            let before = crate::post::structure::excerpt_before(&cut.events, at);
            assert_eq!(plain_text(&before), excerpt, "{venue}");
            assert_eq!(
                cut.events
                    .iter()
                    .filter(|e| matches!(e, Event::Start(Tag::List(_))))
                    .count(),
                1,
                "{venue}: one list"
            );
        }
    }

    #[test]
    fn an_inline_more_cuts_its_paragraph() {
        let md = "Teaser text <!-- more -->and the rest.\n\nMore.\n";
        let cut = markers(md).unwrap().unwrap().cut(&[]);
        assert_eq!(plain_text(&cut.events), "Teaser text and the rest. More.");
        let before = crate::post::structure::excerpt_before(&cut.events, cut.excerpt_at.unwrap());
        assert_eq!(before, crate::markdown::parse::events("Teaser text\n"));
    }

    #[test]
    fn errors_name_the_line_and_say_how_to_fix_it() {
        let err = |md: &str| markers(md).unwrap_err();
        let e = err("A.\n<!-- venue: forum -->\nB.\n");
        assert_eq!(e.line, 2);
        assert!(e.message.contains("never closed"), "{}", e.message);
        let e = err("A.\n\n<!-- /venue -->\n");
        assert_eq!(e.line, 3);
        assert!(e.message.contains("closes no block"), "{}", e.message);
        let e = err("<!-- venue: a -->\n<!-- venue: b -->\nx\n<!-- /venue -->\n<!-- /venue -->\n");
        assert_eq!(e.line, 2);
        assert!(e.message.contains("do not nest"), "{}", e.message);
        assert!(e.message.contains("line 1"), "{}", e.message);
        let e = err("Text <!-- venue: a -->here.\n\nMore<!-- /venue -->.\n");
        assert_eq!(e.line, 3);
        assert!(e.message.contains("not at the level"), "{}", e.message);
        let e = err("<!-- venue: a -->Same line.\n");
        assert!(e.message.contains("shares its line"), "{}", e.message);
        let e = err("<!-- venue: -->\nx\n<!-- /venue -->\n");
        assert!(e.message.contains("names no venue"), "{}", e.message);
        let e = err("<!-- venue: forum, !blog -->\nx\n<!-- /venue -->\n");
        assert!(e.message.contains("mixes venues"), "{}", e.message);
        let e = err("<!-- venue: forum blog -->\nx\n<!-- /venue -->\n");
        assert!(
            e.message.contains("separate venues with commas"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_marker_over_several_lines_is_an_error_and_other_comments_are_left_alone() {
        let e = markers("A.\n\n<!--\n  venue: forum\n-->\nB.\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("spans several lines"), "{}", e.message);
        assert_eq!(markers("A.\n\n<!--\n  a note\n-->\n").unwrap(), None);
        assert_eq!(markers("Text <!-- a\nnote --> more.\n").unwrap(), None);
        // Inline, a comment may wrap: it is still one marker.
        assert_eq!(
            text_for(
                "Text <!-- venue:\nblog -->here<!-- /venue --> end.\n",
                "forum"
            ),
            "Text end."
        );
    }

    #[test]
    fn lines_are_body_lines_moved_into_the_file() {
        let crate::markdown::parse::Parsed { events, lines, .. } =
            crate::markdown::parse::parse("x\n\n<!-- venue: a -->\n");
        let e = Markers::find(&events, &lines, 5).unwrap_err();
        assert_eq!(e.line, 7);
    }

    #[test]
    fn check_lines_follow_the_cut() {
        let md = "<!-- venue: blog -->\n| a |\n|---|\n| 1 |\n<!-- /venue -->\n\nSome `code`.\n";
        let m = markers(md).unwrap().unwrap();
        let forum = m.cut(&m.shown("forum"));
        let code = forum
            .events
            .iter()
            .position(|e| matches!(e, Event::Code(_)))
            .unwrap();
        assert_eq!(forum.lines.line_of(code), Some(7));
        assert!(
            !forum
                .events
                .iter()
                .any(|e| matches!(e, Event::Start(Tag::Table(_)))),
            "the table is the blog's"
        );
    }
}
