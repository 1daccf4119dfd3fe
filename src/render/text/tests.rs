use super::*;
use crate::markdown::matching_end;
use pretty_assertions::assert_eq;
use textwrap::core::display_width;

use crate::render::LinkStyle;

fn opts(wrap: usize) -> RenderOptions {
    RenderOptions {
        wrap,
        ..RenderOptions::default()
    }
}

/// Renders `md` and checks the layout promises every output keeps.
fn render_md(md: &str, opts: &RenderOptions) -> String {
    let events = crate::markdown::parse::events(md);
    let out = render(&events, opts);
    assert_layout(&out, opts.wrap, &events);
    out
}

fn text(md: &str, wrap: usize) -> String {
    render_md(md, &opts(wrap))
}

/// No blank line at either end or twice in a row, no trailing spaces, and no line wider
/// than `wrap` unless it is a code line or a single unbreakable word after its prefix.
fn assert_layout(out: &str, wrap: usize, events: &[Event<'_>]) {
    assert!(!out.starts_with('\n'), "leading blank line:\n{out}");
    assert!(!out.ends_with('\n'), "trailing newline:\n{out}");
    assert!(!out.contains("\n\n\n"), "double blank line:\n{out}");
    let code = code_lines(events);
    for line in out.lines() {
        assert_eq!(line, line.trim_end(), "trailing space");
        if display_width(line) <= wrap {
            continue;
        }
        let is_code = code.iter().any(|c| line.ends_with(c.as_str()));
        assert!(
            is_code || is_one_word(line),
            "line wider than {wrap}: {line:?}"
        );
    }
}

fn code_lines(events: &[Event<'_>]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut in_code = false;
    for event in events {
        if let Event::Start(Tag::CodeBlock(_)) = event {
            in_code = true;
        } else if let Event::End(TagEnd::CodeBlock) = event {
            in_code = false;
        } else if let (true, Event::Text(t)) = (in_code, event) {
            lines.extend(
                t.lines()
                    .map(|l| l.trim_end().to_string())
                    .filter(|l| !l.is_empty()),
            );
        }
    }
    lines
}

fn is_one_word(line: &str) -> bool {
    let is_prefix = |w: &&str| {
        matches!(*w, ">" | "[" | "]" | "[x]" | "•" | "◦" | "▪")
            || w.strip_suffix('.')
                .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
            || w.strip_prefix('[')
                .and_then(|n| n.strip_suffix(']'))
                .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
            || w.chars().all(|c| SUPERSCRIPT_DIGITS.contains(&c))
    };
    line.split_whitespace().skip_while(is_prefix).count() == 1
}

#[test]
fn paragraphs_wrap_at_width() {
    assert_eq!(
        text(
            "The quick brown fox jumps over the lazy dog and keeps on running far away.",
            24
        ),
        "The quick brown fox\njumps over the lazy dog\nand keeps on running far\naway."
    );
}

#[test]
fn soft_breaks_are_spaces_and_hard_breaks_start_lines() {
    assert_eq!(
        text(
            "One\ntwo three  \nfour five six seven eight nine ten\\\neleven",
            20
        ),
        "One two three\nfour five six seven\neight nine ten\neleven"
    );
}

#[test]
fn headings_are_underlined_by_level() {
    assert_eq!(
        text(
            "# Big title\n\n## Section\n\n### Minor\n\n#### Tiny\n\nText.",
            72
        ),
        "BIG TITLE\n=========\n\nSection\n-------\n\nMinor\n\nTiny\n\nText."
    );
}

#[test]
fn top_headings_keep_urls_in_their_case() {
    assert_eq!(
        text("# Read <https://example.com/Path>", 72),
        "READ https://example.com/Path\n============================="
    );
}

#[test]
fn heading_shift_changes_the_heading_style() {
    let down = RenderOptions {
        heading_shift: 1,
        ..opts(72)
    };
    assert_eq!(render_md("# Big\n\n## Small", &down), "Big\n---\n\nSmall");
    let up = RenderOptions {
        heading_shift: -1,
        ..opts(72)
    };
    assert_eq!(render_md("## Up", &up), "UP\n==");
}

#[test]
fn long_headings_wrap_with_the_underline_under_the_longest_line() {
    assert_eq!(
        text("## A heading that is long enough to wrap", 20),
        "A heading that is\nlong enough to wrap\n-------------------"
    );
}

#[test]
fn emphasis_strong_strike_and_code_are_plain_text() {
    assert_eq!(
        text("Some *em*, **strong**, ~~gone~~ and `code()`.", 72),
        "Some em, strong, gone and code()."
    );
}

#[test]
fn code_blocks_are_indented_and_never_wrapped() {
    let md = "Before:\n\n```rust\nfn main() { println!(\"far past twenty\"); }\n\n    nested\n```\n\n    indented   code\n\nAfter.";
    assert_eq!(
        text(md, 20),
        "Before:\n\n    fn main() { println!(\"far past twenty\"); }\n\n        nested\n\n    indented   code\n\nAfter."
    );
}

#[test]
fn links_become_numbered_references() {
    let md = "Read [the guide](https://example.com/guide), then [the FAQ](https://example.com/faq) and [the guide again](https://example.com/guide).";
    assert_eq!(
        text(md, 72),
        "Read the guide [1], then the FAQ [2] and the guide again [1].\n\n[1] https://example.com/guide\n[2] https://example.com/faq"
    );
}

#[test]
fn reference_numbers_stay_with_their_word_when_wrapping() {
    assert_eq!(
        text("Read about [the guide](https://example.com/) now.", 20),
        "Read about the\nguide [1] now.\n\n[1] https://example.com/"
    );
}

#[test]
fn inline_style_puts_urls_in_parentheses() {
    let inline = RenderOptions {
        links: LinkStyle::Inline,
        ..opts(72)
    };
    let md =
        "See [the guide](https://example.com/guide) and ![A chart](https://example.com/c.png).";
    assert_eq!(
        render_md(md, &inline),
        "See the guide (https://example.com/guide) and [Image: A chart]\n(https://example.com/c.png)."
    );
}

#[test]
fn autolinks_show_the_url_or_address_once() {
    let md = "Visit <https://example.com/> or <me@example.com> or [https://example.com/x](https://example.com/x).";
    let expected = "Visit https://example.com/ or me@example.com or https://example.com/x.";
    assert_eq!(text(md, 72), expected);
    let inline = RenderOptions {
        links: LinkStyle::Inline,
        ..opts(72)
    };
    assert_eq!(render_md(md, &inline), expected);
}

#[test]
fn images_show_alt_text_and_a_reference() {
    let md = "![A chart](https://example.com/chart.png)\n\nAnd ![](https://example.com/x.png) here, [linked](https://example.com/chart.png).";
    assert_eq!(
        text(md, 72),
        "[Image: A chart] [1]\n\nAnd [Image] [2] here, linked [1].\n\n[1] https://example.com/chart.png\n[2] https://example.com/x.png"
    );
}

/// An image in another's alt text gives its text to the outer one, as in HTML's `alt`:
/// written whole at every level, nested images once took minutes (the alt text copied
/// again per level).
#[test]
fn an_image_inside_alt_text_adds_only_its_text() {
    let md = "![a ![b [c](https://e.com/l) ![d](https://e.com/d.png)](https://e.com/i.png) e](https://e.com/o.png)";
    assert_eq!(
        text(md, 72),
        "[Image: a b c d e] [1]\n\n[1] https://e.com/o.png"
    );
}

#[test]
fn unsafe_links_and_images_keep_only_their_text() {
    let md =
        "[Click](javascript:alert(1)) and ![Pic](data:image/png;base64,xx) and <javascript:go()>.";
    assert_eq!(text(md, 72), "Click and [Image: Pic] and javascript:go().");
}

#[test]
fn relative_and_fragment_links_resolve_against_the_base_url() {
    let md = "[Other post](../other/) and [below](#setup).";
    let based = RenderOptions {
        base_url: Some("https://example.com/blog/post/".into()),
        utm_scope: vec!["https://example.com/".into()],
        utm: vec![("utm_source".into(), "newsletter".into())],
        ..opts(72)
    };
    assert_eq!(
        render_md(md, &based),
        "Other post [1] and below [2].\n\n[1] https://example.com/blog/other/?utm_source=newsletter\n[2] https://example.com/blog/post/?utm_source=newsletter#setup"
    );
    // Without a page to point at, a fragment leads nowhere.
    assert_eq!(text(md, 72), "Other post [1] and below.\n\n[1] ../other/");
}

#[test]
fn nested_lists_indent_under_the_parent_text() {
    let md = "- Fruit\n  - Apple\n  - Pear\n    1. Small\n    2. Large\n- Vegetables";
    assert_eq!(
        text(md, 72),
        "  • Fruit\n    ◦ Apple\n    ◦ Pear\n      1. Small\n      2. Large\n  • Vegetables"
    );
}

#[test]
fn ordered_lists_keep_their_start_and_right_align_numbers() {
    assert_eq!(text("3. Three\n4. Four", 72), "  3. Three\n  4. Four");
    assert_eq!(
        text("9. Nine\n10. Ten\n11. Eleven", 72),
        "   9. Nine\n  10. Ten\n  11. Eleven"
    );
}

#[test]
fn task_lists_show_checkboxes_after_the_marker() {
    assert_eq!(
        text("- [ ] Pick a title\n- [x] Write the draft", 72),
        "  • [ ] Pick a title\n  • [x] Write the draft"
    );
    assert_eq!(
        text(
            "- [ ] Write the draft of the post for the forum\n- [x] Pick a title",
            30
        ),
        "  • [ ] Write the draft of the\n        post for the forum\n\n  • [x] Pick a title"
    );
}

#[test]
fn loose_lists_are_spaced_and_tight_lists_are_not() {
    assert_eq!(
        text("- a\n- b\n\nPara\n\n- c\n\n- d\n\n  More d.", 72),
        "  • a\n  • b\n\nPara\n\n  • c\n\n  • d\n\n    More d."
    );
}

#[test]
fn tight_lists_of_wrapped_items_are_spaced() {
    assert_eq!(
        text("1. A short one.\n2. A longer item that has to wrap.", 24),
        "  1. A short one.\n\n  2. A longer item that\n     has to wrap."
    );
}

#[test]
fn empty_list_items_keep_their_marker() {
    assert_eq!(text("1. a\n2.\n3. c", 72), "  1. a\n  2.\n  3. c");
}

#[test]
fn nested_quotes_are_prefixed_and_wrapped() {
    let md = "> Outer quote text that is long enough to wrap.\n>\n> > Inner quote text that also wraps.\n\nAfter.";
    assert_eq!(
        text(md, 24),
        "> Outer quote text that\n> is long enough to\n> wrap.\n>\n> > Inner quote text\n> > that also wraps.\n\nAfter."
    );
}

#[test]
fn rules_are_centred_stars() {
    assert_eq!(
        text("Above\n\n---\n\nBelow", 20),
        "Above\n\n       * * *\n\nBelow"
    );
}

#[test]
fn tables_that_fit_are_aligned_columns() {
    let md =
        "| Item | Qty | Note |\n|:-----|----:|:----:|\n| Apple | 3 | red |\n| Banana | 12 | ripe |";
    assert_eq!(
        text(md, 72),
        "Item   | Qty | Note\n-------+-----+-----\nApple  |   3 | red\nBanana |  12 | ripe"
    );
}

#[test]
fn tables_too_wide_become_header_value_blocks() {
    let md = "| Name | Description |\n|---|---|\n| Leverage | The ability to accomplish more by use of a tool |\n| Reach | How many people see it |";
    assert_eq!(
        text(md, 30),
        "Name:        Leverage\nDescription: The ability to\n             accomplish more\n             by use of a tool\n\nName:        Reach\nDescription: How many people\n             see it"
    );
}

#[test]
fn footnotes_are_numbered_by_reference_and_listed_before_links() {
    let md = "Alpha[^second] and beta[^first], see [docs](https://example.com/docs).\n\n[^first]: The first note, with [a link](https://example.com/note) in it.\n[^second]: The second note.";
    assert_eq!(
        text(md, 30),
        "Alpha¹ and beta², see\ndocs [1].\n\nNotes\n-----\n\n¹ The second note.\n² The first note, with a\n  link [2] in it.\n\n[1] https://example.com/docs\n[2] https://example.com/note"
    );
}

#[test]
fn raw_html_is_reduced_to_text_without_scripts() {
    let md = "<div class=\"note\">\n<p>Kept <b>text</b></p><p>Second</p>\n<script>alert('x')</script>\n</div>\n\nInline <em>html</em> here<script>steal()</script> and<br>after.";
    assert_eq!(
        text(md, 72),
        "Kept text\n\nSecond\n\nInline html here and\nafter."
    );
}

#[test]
fn a_long_url_overflows_on_its_own_line() {
    let url = "https://example.com/a/really/long/path/that/never/breaks";
    assert_eq!(
        text(&format!("See {url} for more.\n\n- Item {url}"), 30),
        format!("See\n{url}\nfor more.\n\n  • Item\n    {url}")
    );
}

#[test]
fn a_slice_of_blocks_renders_alone() {
    let events = crate::markdown::parse::events("First.\n\nSecond [x](https://e.com/).\n\nThird.");
    let start = 3;
    let end = matching_end(&events, start);
    assert_eq!(
        render(&events[start..=end], &opts(72)),
        "Second x [1].\n\n[1] https://e.com/"
    );
    assert_eq!(render(&[], &opts(72)), "");
}

#[test]
fn other_extensions_render_sensibly() {
    use pulldown_cmark::{Options, Parser};
    let md = "---\ntitle: Hidden\n---\n\nTerm\n: Its definition.\n\nLevel ^2^, base ~10~, ^high^ and $e=mc^2$.\n\n> [!NOTE]\n> Mind this.";
    let options = Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_SUPERSCRIPT
        | Options::ENABLE_SUBSCRIPT
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_MATH
        | Options::ENABLE_GFM;
    let events: Vec<Event<'static>> = Parser::new_ext(md, options)
        .map(Event::into_static)
        .collect();
    let out = render(&events, &opts(72));
    assert_layout(&out, 72, &events);
    assert_eq!(
        out,
        "Term\n    Its definition.\n\nLevel ², base ₁₀, high and e=mc^2.\n\n> Note:\n> Mind this."
    );
}

#[test]
fn seed_like_post_reads_like_the_newsletter_example() {
    let md = "Fellow Ryze member Walter Paul Bebirian and I were having an interesting discussion about the concept of “leverage” and how it applies to networking.\n\nSimply put, \"leverage\" is the ability to accomplish more by use of a tool than we could through our own direct effort. I have an idea of three ways that this can apply to networking:\n\n  1. When you have strong enough relationships that people take action on your behalf proactively, rather than just responding reactively, that's leverage. Your relationship with them leverages their entire network — that’s when it’s leverage.\n  2. Any time you interact in a public forum rather than one-on-one, that's leverage. The same conversation exposes you to dozens of other people.\n  3. You can also leverage your writing by repurposing it for other venues -- forums, blogs... That's leverage too.\n\nWhat's your idea of how to apply the concept of leverage to networking? Hit reply and tell me.";
    assert_eq!(
        text(md, 72),
        "\
Fellow Ryze member Walter Paul Bebirian and I were having an interesting
discussion about the concept of “leverage” and how it applies to
networking.

Simply put, “leverage” is the ability to accomplish more by use of a
tool than we could through our own direct effort. I have an idea of
three ways that this can apply to networking:

  1. When you have strong enough relationships that people take action
     on your behalf proactively, rather than just responding reactively,
     that’s leverage. Your relationship with them leverages their entire
     network — that’s when it’s leverage.

  2. Any time you interact in a public forum rather than one-on-one,
     that’s leverage. The same conversation exposes you to dozens of
     other people.

  3. You can also leverage your writing by repurposing it for other
     venues – forums, blogs… That’s leverage too.

What’s your idea of how to apply the concept of leverage to networking?
Hit reply and tell me."
    );
}

#[test]
fn degradations_are_what_the_output_shows() {
    for construct in Construct::ALL {
        let out = text(construct.sample(), 72);
        let kept = match construct {
            // Plain text has no table; the columns are checked below.
            Construct::Table => false,
            Construct::HtmlBlock => out.contains("<div"),
            Construct::InlineHtml => out.contains("<kbd>"),
            Construct::LineBreakTag => out.contains("one\ntwo"),
            Construct::CodeSpan => out.contains("run()"),
            Construct::Strikethrough => out.contains("~~free~~"),
            Construct::Image { alt } => {
                out.contains(if alt { "[Image: A chart]" } else { "[Image]" })
                    && out.contains("https://example.com/c.png")
            }
            Construct::HeadingAttributes | Construct::HeadingCustomAttributes => {
                out.contains("setup") || out.contains("wide") || out.contains("data-x")
            }
            Construct::ListStart => out.contains("7. seven"),
        };
        assert_eq!(
            degradation(construct).is_none(),
            kept,
            "{construct:?} renders as:\n{out}"
        );
    }
    assert_eq!(text(Construct::Table.sample(), 72), "a | b\n--+--\n1 | 2");
}

#[test]
fn wrapping_the_buffer_as_collected_matches_wrapping_it_cleaned() {
    use super::inline::{clean_inline, inner_lines};
    use super::lines::fill;
    let raws = [
        "",
        " ",
        "\n \n",
        "  one  two \n\n three four five six\n  \n",
        "\n  \nword\n \n",
        "a\n \nb",
        " lead  and\ttrail  ",
        "x\n\n\n",
        " one…\n \n",
        "\n…two",
    ];
    for raw in raws {
        let cleaned = clean_inline(raw);
        assert_eq!(inner_lines(raw).is_empty(), cleaned.is_empty(), "{raw:?}");
        assert_eq!(
            fill(inner_lines(raw), 8, "", ""),
            fill(&cleaned, 8, "", ""),
            "{raw:?}"
        );
    }
}

#[test]
fn the_body_and_its_end_matter_are_each_trimmed_of_blank_lines() {
    let split = |md: &str| render_split(&crate::markdown::parse::events(md), &opts(72));
    // A link alone: the body is its text and number, the end matter its URL.
    assert_eq!(
        split("[a link](https://example.com/a)"),
        (
            "a link [1]".to_string(),
            "[1] https://example.com/a".to_string()
        )
    );
    // A code block of blank lines is no text at all; the note is the end matter.
    assert_eq!(
        split("```\n\n\n```\n\nA word[^n].\n\n[^n]: The note.\n"),
        (
            "A word¹.".to_string(),
            "Notes\n-----\n\n¹ The note.".to_string()
        )
    );
    // Nothing at all.
    assert_eq!(split(""), (String::new(), String::new()));
    // Only a quote with an empty line: its marker, and no end matter.
    assert_eq!(split(">\n"), (">".to_string(), String::new()));
}
