//! Events made portable for Markdown that has no footnotes or shows raw HTML as typed
//! (Reddit, Discourse without its footnote plugin): a pass before the markdown writer,
//! which then escapes and lays out the result like any other text.
//!
//! - `footnotes: list`: each reference becomes a superscript number (`¹`), and the notes a
//!   numbered list after a rule at the end, in the order `split_footnotes` numbers them.
//! - `raw_html: text` (and `sanitize`, since a cleaned block cannot be trusted to stay one
//!   HTML block in Markdown): HTML blocks become paragraphs of their text, inline tags are
//!   dropped, and the content of `<script>` and `<style>` with them; heading attributes
//!   (`{#id .class}`) are dropped too, since such Markdown shows them as typed.

use pulldown_cmark::{Event, Tag, TagEnd};

use super::{FootnoteStyle, RawHtml, RenderOptions};
use crate::markdown::{
    ScriptSkip, html_paragraphs, is_inline, opens_element, split_footnotes, strip_html, superscript,
};

/// The events rewritten for `opts`, or `None` when the markdown writer can take them as
/// they are (native footnotes, raw HTML kept).
pub fn prepare(events: &[Event<'static>], opts: &RenderOptions) -> Option<Vec<Event<'static>>> {
    let notes_as_list = opts.footnotes == FootnoteStyle::List;
    let html_as_text = opts.raw_html != RawHtml::Keep;
    if !notes_as_list && !html_as_text {
        return None;
    }
    let mut pass = Pass {
        html_as_text,
        out: Vec::with_capacity(events.len() + 8),
        html_block: None,
        parted: false,
        skip: ScriptSkip::default(),
    };
    if !notes_as_list {
        pass.run(events.iter(), |_| None);
        return Some(pass.out);
    }
    let (main, notes) = split_footnotes(events, opts.note_numbers.as_ref());
    let number = |label: &str| notes.number(label);
    pass.run(main.into_iter(), number);
    if notes.defs.is_empty() {
        return Some(pass.out);
    }
    // A note of one paragraph is a tight item; one note of several blocks makes the whole
    // list loose, as Markdown cannot mix the two.
    let loose = notes
        .defs
        .iter()
        .any(|(_, _, body)| single_paragraph(body).is_none());
    pass.out.push(Event::Rule);
    pass.out.push(Event::Start(Tag::List(Some(1))));
    for &(_, _, body) in &notes.defs {
        pass.out.push(Event::Start(Tag::Item));
        match single_paragraph(body).filter(|_| !loose) {
            Some(inner) => pass.run(inner.iter(), number),
            None => pass.run(body.iter(), number),
        }
        pass.close_html_block();
        pass.out.push(Event::End(TagEnd::Item));
    }
    pass.out.push(Event::End(TagEnd::List(true)));
    Some(pass.out)
}

/// Whether `prepare` could rewrite anything in `events` or any piece of them: a footnote,
/// raw HTML, a heading's `{#id .class}`. When it could not, the markdown format renders
/// the same bytes whatever `footnotes` and `raw_html` say.
pub fn rewrites_any(events: &[Event<'static>]) -> bool {
    events.iter().any(|event| match event {
        Event::FootnoteReference(_)
        | Event::Start(Tag::FootnoteDefinition(_) | Tag::HtmlBlock)
        | Event::Html(_)
        | Event::InlineHtml(_) => true,
        Event::Start(Tag::Heading {
            id, classes, attrs, ..
        }) => id.is_some() || !classes.is_empty() || !attrs.is_empty(),
        _ => false,
    })
}

/// Whether `event` is inline content: text or the start of an inline tag.
fn is_inline_content(event: &Event<'_>) -> bool {
    match event {
        Event::Start(tag) => is_inline(&tag.to_end()),
        Event::Text(_)
        | Event::Code(_)
        | Event::InlineMath(_)
        | Event::InlineHtml(_)
        | Event::FootnoteReference(_) => true,
        _ => false,
    }
}

/// Whether `event` ends inline content that nothing parts from what may follow: text, or
/// the end of an inline tag (a break parts already).
fn ends_inline(event: &Event<'_>) -> bool {
    match event {
        Event::End(tag) => is_inline(tag),
        Event::Text(_) | Event::Code(_) | Event::InlineMath(_) | Event::FootnoteReference(_) => {
            true
        }
        _ => false,
    }
}

/// The inline events of a note that is exactly one paragraph.
fn single_paragraph<'e>(body: &'e [Event<'static>]) -> Option<&'e [Event<'static>]> {
    match body {
        [
            Event::Start(Tag::Paragraph),
            inner @ ..,
            Event::End(TagEnd::Paragraph),
        ] if !inner
            .iter()
            .any(|e| matches!(e, Event::End(TagEnd::Paragraph))) =>
        {
            Some(inner)
        }
        _ => None,
    }
}

struct Pass {
    html_as_text: bool,
    out: Vec<Event<'static>>,
    /// The text of the HTML block being read.
    html_block: Option<String>,
    /// An HTML block that left no text stood right after inline content: the inline
    /// content that follows, if any, must stay apart from it.
    parted: bool,
    skip: ScriptSkip,
}

impl Pass {
    fn run<'e>(
        &mut self,
        events: impl Iterator<Item = &'e Event<'static>>,
        number: impl Fn(&str) -> Option<usize>,
    ) {
        for event in events {
            // In a tight list item, `first` / `<!-- c -->` / `second` are two runs of text
            // the comment parted; without it they would run together as `firstsecond`.
            // A space parts them as the browser shows them, on one line.
            if std::mem::take(&mut self.parted) && is_inline_content(event) {
                self.out.push(Event::SoftBreak);
            }
            match event {
                Event::FootnoteReference(label) => match number(label) {
                    Some(n) => self.out.push(Event::Text(superscript(n).into())),
                    None => self.out.push(event.clone()),
                },
                Event::Start(Tag::HtmlBlock) if self.html_as_text => {
                    self.html_block = Some(String::new());
                }
                Event::Html(html) if self.html_as_text => match &mut self.html_block {
                    Some(block) => block.push_str(html),
                    None => self.paragraphs(html),
                },
                Event::End(TagEnd::HtmlBlock) if self.html_as_text => self.close_html_block(),
                Event::InlineHtml(html) if self.html_as_text => self.inline_html(html),
                // Markdown without HTML has no `{#id .class}` either: the forum would show it.
                Event::Start(Tag::Heading { level, .. }) if self.html_as_text => {
                    self.out.push(Event::Start(Tag::Heading {
                        level: *level,
                        id: None,
                        classes: Vec::new(),
                        attrs: Vec::new(),
                    }));
                }
                Event::Text(_) if self.skip.active() => {}
                Event::End(tag) => {
                    if !is_inline(tag) {
                        self.skip.reset();
                    }
                    self.out.push(event.clone());
                }
                _ => self.out.push(event.clone()),
            }
        }
    }

    fn close_html_block(&mut self) {
        if let Some(block) = self.html_block.take() {
            let before = self.out.len();
            self.paragraphs(&block);
            self.parted = self.out.len() == before && self.out.last().is_some_and(ends_inline);
        }
    }

    /// Raw HTML as the paragraphs of text a browser would show.
    fn paragraphs(&mut self, html: &str) {
        for paragraph in html_paragraphs(html) {
            self.out.push(Event::Start(Tag::Paragraph));
            self.out.push(Event::Text(paragraph.into()));
            self.out.push(Event::End(TagEnd::Paragraph));
        }
    }

    fn inline_html(&mut self, html: &str) {
        if self.skip.feed(html) {
            return;
        }
        if opens_element(&html.to_ascii_lowercase(), "br") {
            self.out.push(Event::HardBreak);
            return;
        }
        let text = strip_html(html);
        if !text.is_empty() {
            self.out.push(Event::Text(text.into()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Format;

    fn markdown(md: &str, footnotes: FootnoteStyle, raw_html: RawHtml) -> String {
        let opts = RenderOptions {
            footnotes,
            raw_html,
            ..RenderOptions::default()
        };
        Format::Markdown.render(&crate::markdown::parse::events(md), &opts)
    }

    #[test]
    fn block_tags_on_one_line_still_part_paragraphs() {
        let md = "<div><p>One</p><p>Two</p></div>\n\n<details><summary>Why?</summary>Because.</details>\n";
        assert_eq!(
            markdown(md, FootnoteStyle::Native, RawHtml::Text),
            "One\n\nTwo\n\nWhy?\n\nBecause."
        );
    }

    #[test]
    fn footnotes_become_superscripts_and_a_numbered_list_after_a_rule() {
        let md =
            "Later[^b], first[^a], again[^b] and [^missing].\n\n[^a]: Alpha *note*.\n[^b]: Beta.\n";
        assert_eq!(
            markdown(md, FootnoteStyle::List, RawHtml::Keep),
            "Later¹, first², again¹ and \\[^missing\\].\n\n---\n\n1. Beta.\n2. Alpha *note*."
        );
    }

    #[test]
    fn a_note_of_several_blocks_makes_the_list_loose() {
        let md = "A[^1] b[^2].\n\n[^1]: One.\n\n    Two, same note.\n\n[^2]: Three.\n";
        assert_eq!(
            markdown(md, FootnoteStyle::List, RawHtml::Keep),
            "A¹ b².\n\n---\n\n1. One.\n\n   Two, same note.\n\n2. Three."
        );
    }

    #[test]
    fn references_inside_notes_are_superscripts_too() {
        let md = "X[^1].\n\n[^1]: See[^2].\n[^2]: Deep.\n";
        assert_eq!(
            markdown(md, FootnoteStyle::List, RawHtml::Keep),
            "X¹.\n\n---\n\n1. See².\n2. Deep."
        );
    }

    #[test]
    fn an_html_block_in_a_list_item_leaves_the_list_after_it_a_list() {
        // pulldown-cmark gives the block's indent as a text event inside it (the parse
        // makes it part of the block's HTML); written as a paragraph of its own, it took
        // the `0.` line after it as its text, and the code block in that list came out as
        // a live `<script>`.
        let md = "- [ ] - the\n    ===\n    \n    <script>\n    alert(1)\n    </script>\n  \n  0. ````\n     <b>x</b>\n     ````\n";
        let out = markdown(md, FootnoteStyle::Native, RawHtml::Text);
        assert_eq!(
            out,
            "- [ ] - the\n  ===\n\n  0. ```\n     <b>x</b>\n     ```"
        );
        let events: Vec<Event<'_>> =
            pulldown_cmark::Parser::new_ext(&out, crate::markdown::parse::options()).collect();
        assert!(events.contains(&Event::Start(Tag::List(Some(0)))));
        assert!(
            !events
                .iter()
                .any(|e| matches!(e, Event::Html(_) | Event::InlineHtml(_)))
        );
    }

    #[test]
    fn a_list_after_dropped_html_in_a_tight_item_stays_a_list() {
        // The block that let the list start (it cannot interrupt the item's text) is
        // dropped: written tight, the list read back as more of the text, and its code
        // block's content as live HTML. The item's list is written loose instead.
        for (md, list) in [
            (
                "- a\n  <!-- c -->\n  0. ````\n     <script>alert(1)</script>\n     ````\n",
                Tag::List(Some(0)),
            ),
            (
                "- a\n  <script>x</script>\n  2. `x`<b>y</b>\n",
                Tag::List(Some(2)),
            ),
            ("- a\n  <!-- c -->\n  -\n  - b\n", Tag::List(None)),
        ] {
            let out = markdown(md, FootnoteStyle::Native, RawHtml::Text);
            let events: Vec<Event<'_>> =
                pulldown_cmark::Parser::new_ext(&out, crate::markdown::parse::options()).collect();
            let lists = events
                .iter()
                .filter(|e| matches!(e, Event::Start(Tag::List(_))))
                .count();
            assert_eq!(lists, 2, "{md:?} came out as {out:?}");
            assert!(events.contains(&Event::Start(list)), "{out:?}");
            assert!(
                !events
                    .iter()
                    .any(|e| matches!(e, Event::Html(_) | Event::InlineHtml(_))),
                "{out:?}"
            );
        }
    }

    #[test]
    fn text_a_dropped_html_block_parted_stays_apart() {
        // Tight: the comment parted two runs of the item's text, shown on one line.
        assert_eq!(
            markdown(
                "- first\n  <!-- c -->\n  second\n",
                FootnoteStyle::Native,
                RawHtml::Text
            ),
            "- first second"
        );
        assert_eq!(
            markdown(
                "- *a*\n  <script>x</script>\n  `b`\n",
                FootnoteStyle::Native,
                RawHtml::Text
            ),
            "- *a* `b`"
        );
        // Paragraphs are apart already; nothing follows the last comment.
        assert_eq!(
            markdown(
                "first\n\n<!-- c -->\n\nsecond\n",
                FootnoteStyle::Native,
                RawHtml::Text
            ),
            "first\n\nsecond"
        );
        assert_eq!(
            markdown(
                "- first\n  <!-- c -->\n- b\n",
                FootnoteStyle::Native,
                RawHtml::Text
            ),
            "- first\n- b"
        );
    }

    #[test]
    fn raw_html_becomes_escaped_text_without_scripts() {
        let md = "Keep <b>bold *words*</b><script>alert(1)</script> here<br>next.\n\n<div class=\"x\">\n<p>Block <em>one</em>.</p>\n\n<p>*Two*</p>\n<script>evil()</script>\n</div>\n\nAfter.";
        assert_eq!(
            markdown(md, FootnoteStyle::Native, RawHtml::Text),
            "Keep bold *words* here\\\nnext.\n\nBlock one.\n\n\\*Two\\*\n\nAfter."
        );
        assert_eq!(
            markdown(md, FootnoteStyle::Native, RawHtml::Sanitize),
            markdown(md, FootnoteStyle::Native, RawHtml::Text)
        );
    }

    #[test]
    fn nothing_changes_with_native_footnotes_and_raw_html_kept() {
        let events = crate::markdown::parse::events("A[^1] <b>b</b>.\n\n[^1]: N.\n");
        assert!(prepare(&events, &RenderOptions::default()).is_none());
        assert_eq!(
            markdown(
                "A[^1] <b>b</b>.\n\n[^1]: N.\n",
                FootnoteStyle::Native,
                RawHtml::Keep
            ),
            "A[^1] <b>b</b>.\n\n[^1]: N."
        );
    }

    #[test]
    fn what_the_pass_cannot_rewrite_renders_the_same_whatever_the_settings() {
        let untouched = [
            "# Title\n\nA *b* `c` [d](https://e.org) <https://f.org> 1 < 2 & 3.\n\n> q\n\n- x\n- y\n",
            "## Heading\n\n```html\n<div>code, not HTML</div>\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        ];
        for md in untouched {
            let events = crate::markdown::parse::events(md);
            assert!(!rewrites_any(&events), "{md}");
            let native = markdown(md, FootnoteStyle::Native, RawHtml::Keep);
            assert_eq!(markdown(md, FootnoteStyle::List, RawHtml::Text), native);
            assert_eq!(markdown(md, FootnoteStyle::List, RawHtml::Sanitize), native);
        }
        for md in [
            "A[^1].\n\n[^1]: N.\n",
            "A <b>b</b>.\n",
            "<div>x</div>\n",
            "# Title {#id}\n",
            "# Title {.class}\n",
        ] {
            assert!(rewrites_any(&crate::markdown::parse::events(md)), "{md}");
        }
    }
}
