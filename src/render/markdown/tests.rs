use super::*;
use crate::markdown::matching_end;
use crate::markdown::parse::events;
use pretty_assertions::assert_eq;
use pulldown_cmark::{CowStr, LinkType};

fn md(src: &str) -> String {
    render(&events(src), &RenderOptions::default())
}

fn own(s: &str) -> CowStr<'static> {
    CowStr::Boxed(s.into())
}

/// Removes the differences the writer is allowed to make: link syntax (inline,
/// reference, autolink), indented vs fenced code, footnote labels (numbered) and the
/// place of footnote definitions (moved to the end), soft breaks vs spaces, how text
/// and raw HTML are split into events, empty text events, and the newlines an HTML
/// block at the very end loses with the body's. Strings are boxed so the diff shows
/// them as text.
fn normalise(original: &[Event<'static>]) -> Vec<Event<'static>> {
    let (main, notes) = split_footnotes(original, None);
    let number = |label: &str| {
        notes
            .number(label)
            .map_or_else(|| label.to_string(), |n| n.to_string())
    };
    let mut flat: Vec<Event<'static>> = main.into_iter().cloned().collect();
    for &(n, _, body) in &notes.defs {
        flat.push(Event::Start(Tag::FootnoteDefinition(own(&n.to_string()))));
        flat.extend(body.iter().cloned());
        flat.push(Event::End(TagEnd::FootnoteDefinition));
    }
    let mut out: Vec<Event<'static>> = Vec::new();
    for event in flat {
        let event = match event {
            Event::SoftBreak => Event::Text(own(" ")),
            Event::Text(t) if t.is_empty() => continue,
            Event::Text(t) => Event::Text(own(&t)),
            Event::Code(t) => Event::Code(own(&t)),
            Event::Html(t) => Event::Html(own(&t)),
            Event::InlineHtml(t) => Event::InlineHtml(own(&t)),
            Event::FootnoteReference(l) => Event::FootnoteReference(own(&number(&l))),
            Event::Start(tag) => Event::Start(normalise_tag(tag)),
            other => other,
        };
        match (out.last_mut(), event) {
            (Some(Event::Text(prev)), Event::Text(next)) => {
                *prev = own(&format!("{prev}{next}"));
            }
            (Some(Event::Html(prev)), Event::Html(next)) => {
                *prev = own(&format!("{prev}{next}"));
            }
            (_, event) => out.push(event),
        }
    }
    // The body has no trailing newlines, so an HTML block that ends it loses its own.
    if let Some(Event::Html(last)) = out.iter_mut().rev().find(|e| matches!(e, Event::Html(_))) {
        *last = own(last.trim_end_matches('\n'));
    }
    out
}

fn normalise_tag(tag: Tag<'static>) -> Tag<'static> {
    match tag {
        Tag::Heading {
            level,
            id,
            classes,
            attrs,
        } => Tag::Heading {
            level,
            id: id.map(|id| own(&id)),
            classes: classes.iter().map(|c| own(c)).collect(),
            attrs: attrs
                .iter()
                .map(|(k, v)| (own(k), v.as_ref().map(|v| own(v))))
                .collect(),
        },
        Tag::CodeBlock(CodeBlockKind::Indented) => Tag::CodeBlock(CodeBlockKind::Fenced(own(""))),
        Tag::CodeBlock(CodeBlockKind::Fenced(info)) => {
            Tag::CodeBlock(CodeBlockKind::Fenced(own(&info)))
        }
        Tag::Link {
            link_type,
            dest_url,
            title,
            id: _,
        } => Tag::Link {
            link_type: LinkType::Inline,
            dest_url: match link_type {
                LinkType::Email => own(&format!("mailto:{dest_url}")),
                _ => own(&dest_url),
            },
            title: own(&title),
            id: own(""),
        },
        Tag::Image {
            link_type: _,
            dest_url,
            title,
            id: _,
        } => Tag::Image {
            link_type: LinkType::Inline,
            dest_url: own(&dest_url),
            title: own(&title),
            id: own(""),
        },
        other => other,
    }
}

/// Parses `src`, writes it, parses the output and compares; then checks that writing
/// the re-parsed events gives the same text again.
#[track_caller]
fn assert_round_trip(src: &str) {
    let opts = RenderOptions::default();
    let original = events(src);
    let written = render(&original, &opts);
    let reread = events(&written);
    assert_eq!(
        normalise(&original),
        normalise(&reread),
        "\n--- source:\n{src}\n--- written:\n{written}\n"
    );
    assert_eq!(render(&reread, &opts), written, "output is not stable");
}

const HEADINGS: &str = "\
# One
## Two ##
### Three
#### Four
##### Five
###### Six

Setext one
==========

Setext *two*
with a soft break
---

# With attributes {#intro .lead .wide data-x=1 flag}

## C# and F# ##

# Ends in hash \\#

# Only hashes \\###

# Looks like attributes {a\\}

#
";

const INLINE: &str = "\
Plain *emphasis*, _underscored_, **strong**, __also strong__, ~~struck~~ and ~single~.

Nested: ***both***, **bold _inner_ bold**, *em __strong__ em*, *_double em_*, **__double strong__**.

Adjacent: *a*_b_ and _a_*b*c and **a**_b_ and mid*word*emphasis and snake_case_name.

Code: `plain`, ``one ` tick``, ` `` `, `` `edge` ``, `  spaced  `, ` `.

Quotes and dashes: “curly” ‘single’ -- --- ... and escaped \\' \\\" \\-\\- \\.\\.\\.

Smart punctuation: \"quoted\" and 'single' and it's and -- and ... all curled.

Hard break with spaces  
and with backslash\\
and  
\\# not a heading after a break\\
\\- not a list after a break\\
1\\. not ordered after a break\\
    leading spaces after a break are dropped

Entities: &amp; &lt;tag&gt; &copy; &#35; &#x41; AT&T &amp;copy; a&#42;b.
";

const LINKS: &str = "\
[inline](https://example.com/a \"Title\") and [bare](/relative/path) and [empty]().

[parens](https://en.wikipedia.org/wiki/Rust_(programming_language)) and [unbalanced](<https://x.y/a)b>) and [spaced](<a b.html>).

[title quotes](https://x.y \"say \\\"hi\\\" & \\\\ bye\") and [single title](https://x.y 'it\\'s').

[ref link][ref] and [collapsed][] and [shortcut].

[ref]: https://example.com/ref \"Ref title\"
[collapsed]: https://example.com/collapsed
[shortcut]: https://example.com/shortcut

Autolinks: <https://example.com/auto?q=1&r=2> and <mailto:a@b.c> and <a@b.c> and [https://example.com](https://example.com).

Images: ![alt *text*](img.png \"Image title\") and ![](empty-alt.png) and [![nested](i.png)](https://x.y).

Escapes in URLs: [a](https://x.y/a\\\\b) and [b](https://x.y/?a=1&amp;b=2) and [c](https://x.y/&copy;).

A bang before a link![x](y) and a footnote-ish [^nope] and a ref-ish [nope].
";

const LISTS: &str = "\
- tight one
- tight two
  - nested tight
  - nested *two*
    1. deep ordered
    2. deep two
- tight three

* loose one

* loose two

  second paragraph

* loose three

7. seven
8. eight
9. nine
10. ten

1) paren one
2) paren two

- [ ] open task
- [x] done task
- plain item

1. [ ] ordered task

- a list

+ right after another list

1. an ordered list

1) right after another ordered list

Tight items holding blocks:

- item with code
  ```rust
  let x = 1;
  ```
- item with quote
  > quoted
- item with heading
  # inside
- item with a rule
  ***
- ***
- item with html
  <div>
  </div>
- item with a table
  | a | b |
  |---|---|
  | 1 | 2 |
-
- empty item above

10. wide marker
    - nested under it
    ```
    code under it
    ```
11. next

Loose list:

- loose item

  - nested tight in loose
  - still tight

- after
";

const QUOTES: &str = "\
> Outer quote
> with lazy
continuation.
>
> > Nested quote
> > > Deeper
>
> - list in quote
> - second
>
> ```
> code in quote
>
> with a blank line
> ```
>
>     indented code in quote

> Another quote right after.

>
";

const CODE: &str = "\
```rust
fn main() {
    println!(\"hi\");
}
```

    indented code
      keeps its indent

    after a blank line

````markdown
```
inner fence
```
````

~~~ info `with` backticks
tilde fenced
~~~

```a\\_b &amp; c
info with escapes
```

```

blank first line and trailing blank

```

```
```
";

const TABLES: &str = "\
| Left | Center | Right | None |
|:-----|:------:|------:|------|
| a | *b* | `c` | [d](https://x.y) |
| pipe \\| in text | `code \\| pipe` | [l](https://x.y/a\\|b) | \\\\ |
| short |

Text before.

| only header |
|-------------|

- | in | list |
  |----|------|
  | x  | y    |
";

const FOOTNOTES: &str = "\
Second referenced first[^second], then first[^first], then second again[^second].

> Quoted with a note[^quoted].

[^first]: The first note.

    With a second paragraph.

    ```
    and code
    ```

[^second]: The second note, with its own reference[^nested].
[^nested]: Nested note.
[^quoted]: - a list
    - in a note
[^unused]: Never referenced.
";

const HTML: &str = "\
<div class=\"box\">
*not emphasis inside html*
</div>

<!-- a comment

with a blank line -->

Text with <span class=\"x\">inline html</span> and <br/> inside.

<custom-element>

</custom-element>

<script>
let x = \"<p>\";

</script>
";

const HOSTILE: &str = "\
\\*not emphasis\\*

\\# not a heading

1986\\. A great year

1986\\) Also not a list

\\- not a list

\\+ not a list

\\> not a quote

\\<not-html>

\\[not a link\\](x)

\\![not an image\\](x)

C:\\\\Users\\\\backslash\\\\ and a trailing backslash\\\\

\\`not code\\` and \\~\\~not struck\\~\\~ and \\_\\_not strong\\_\\_

&#32;leading space and trailing space&#32;

&#9;leading tab

\\=== not a setext underline

Paragraph
\\---

\\--- not a rule

\\*\\*\\*

\\| not | a | table |
\\|---|---|---|

[^1\\]: not a footnote

\\[ref\\]: /not-a-definition

- \\- item that starts with a dash
- \\# item that starts with a hash
- 2\\. item that starts with a number
- \\[ \\] not a task

> \\> quote that starts with a gt

# heading with \\*stars\\* and \\`ticks\\` and trailing \\#

| \\- cell | 1\\. cell |
|---|---|
| \\*x\\* | \\# y |

Edge: &lt;https://not.an.autolink&gt; and 1 < 2 > 0 and a & b and !important.
";

#[test]
fn headings_of_every_level_round_trip_with_attributes() {
    assert_round_trip(HEADINGS);
}

#[test]
fn inline_markup_round_trips() {
    assert_round_trip(INLINE);
}

#[test]
fn links_images_and_autolinks_round_trip() {
    assert_round_trip(LINKS);
}

#[test]
fn lists_round_trip_keeping_tightness_numbers_and_tasks() {
    assert_round_trip(LISTS);
}

#[test]
fn nested_quotes_with_lists_and_code_round_trip() {
    assert_round_trip(QUOTES);
}

#[test]
fn code_blocks_round_trip() {
    assert_round_trip(CODE);
}

#[test]
fn tables_round_trip() {
    assert_round_trip(TABLES);
}

#[test]
fn footnotes_referenced_out_of_order_round_trip() {
    assert_round_trip(FOOTNOTES);
}

#[test]
fn raw_html_round_trips() {
    assert_round_trip(HTML);
}

#[test]
fn hostile_text_stays_text() {
    assert_round_trip(HOSTILE);
}

#[test]
fn whole_corpus_round_trips_as_one_document() {
    let all = [
        HEADINGS, INLINE, LINKS, LISTS, QUOTES, CODE, TABLES, FOOTNOTES, HTML, HOSTILE,
    ]
    .join("\n\n");
    assert_round_trip(&all);
}

/// A fixed-seed generator of hostile documents: fragments that are markup, look like
/// markup or must be escaped, in random containers. Cheap to run, and it found most of
/// the layout and escaping rules above.
#[test]
fn generated_documents_round_trip() {
    const FRAGMENTS: [&str; 64] = [
        "*a*",
        "_b_",
        "**c**",
        "__d__",
        "`e`",
        "``f`g``",
        "[h](i)",
        "[j](k \"t\")",
        "<http://g.h>",
        "<m@n.o>",
        "\\*",
        "x",
        "y",
        " ",
        "-",
        "+",
        "=",
        "#",
        "1.",
        "2)",
        "!",
        "[",
        "]",
        "<",
        ">",
        "&amp;",
        "&",
        "'",
        "\"",
        "--",
        "...",
        "~~s~~",
        "~",
        "_",
        "\\\\",
        "\\",
        "|",
        "{",
        "}",
        "a_b",
        "***",
        "[^1]",
        ":",
        "(",
        ")",
        "<b>",
        "</b>",
        "  \n",
        "\\\n",
        "\n",
        "é",
        "中",
        "’",
        "![im](p.png)",
        "*",
        "**",
        "`",
        "&#32;",
        "0",
        "9",
        ".",
        "{#id}",
        "\t",
        "    ",
    ];
    const CONTAINERS: [&str; 19] = [
        "", "", "", "> ", "- ", "* ", "1. ", "3) ", "# ", "## ", "| ", "    ", "[^1]: ", "- [ ] ",
        "> - ", "- > ", "  ", "```\n", "<div>\n",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut pick = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        usize::try_from(seed % n as u64).unwrap_or(0)
    };
    for _ in 0..3000 {
        let mut doc = String::new();
        for _ in 0..=pick(4) {
            doc.push_str(CONTAINERS[pick(CONTAINERS.len())]);
            for _ in 0..=pick(6) {
                doc.push_str(FRAGMENTS[pick(FRAGMENTS.len())]);
            }
            doc.push_str(if pick(2) == 0 { "\n" } else { "\n\n" });
        }
        if pick(3) == 0 {
            doc.push_str("\n[^1]: note\n");
        }
        assert_round_trip(&doc);
    }
}

// ----- exact output -----

#[test]
fn paragraphs_become_one_line_separated_by_one_blank_line() {
    assert_eq!(
        md("\n\nOne\nparagraph\n\n\n\nTwo\n\n"),
        "One paragraph\n\nTwo"
    );
}

#[test]
fn hard_breaks_become_backslash_newline() {
    assert_eq!(md("one  \ntwo\\\nthree"), "one\\\ntwo\\\nthree");
}

#[test]
fn headings_are_atx_and_keep_their_attributes() {
    assert_eq!(
        md("Title {#intro .lead data-x=1}\n===\n\n### Sub ###"),
        "# Title {#intro .lead data-x=1}\n\n### Sub"
    );
}

#[test]
fn a_heading_with_a_hard_break_stays_setext() {
    assert_eq!(md("One\\\ntwo\n---"), "One\\\ntwo\n---");
}

#[test]
fn heading_shift_moves_levels_within_one_to_six() {
    let events = events("# A\n\n##### B\n\n###### C");
    let down = RenderOptions {
        heading_shift: 1,
        ..RenderOptions::default()
    };
    assert_eq!(render(&events, &down), "## A\n\n###### B\n\n###### C");
    let up = RenderOptions {
        heading_shift: -2,
        ..RenderOptions::default()
    };
    assert_eq!(render(&events, &up), "# A\n\n### B\n\n#### C");
}

#[test]
fn inline_markup_is_normalised() {
    assert_eq!(
        md("_em_ __strong__ ~strike~ ***both*** **_strong em_**"),
        "*em* **strong** ~~strike~~ ***both*** **_strong em_**"
    );
}

#[test]
fn touching_emphasis_alternates_delimiters() {
    assert_eq!(md("*a*_b_ and _a_*b*c"), "*a*_b_ and _a_*b*c");
    assert_eq!(md("*_nested_*"), "*_nested_*");
}

#[test]
fn code_spans_get_a_fence_longer_than_any_backtick_run() {
    assert_eq!(md("`plain`"), "`plain`");
    assert_eq!(md("``a ` b``"), "``a ` b``");
    assert_eq!(md("``` `` ```"), "``` `` ```");
    assert_eq!(md("`` `tick` ``"), "`` `tick` ``");
}

#[test]
fn links_use_angle_brackets_only_when_needed() {
    assert_eq!(
        md("[a](https://x.y/p_(q) \"T \\\"q\\\"\") [b](<my page.html>) [c](<x)y>)"),
        "[a](https://x.y/p_(q) \"T \\\"q\\\"\") [b](<my page.html>) [c](<x)y>)"
    );
}

#[test]
fn links_showing_their_own_url_become_autolinks() {
    assert_eq!(
        md("<https://x.y/a> [https://x.y/b](https://x.y/b) <me@x.y> [other](https://x.y)"),
        "<https://x.y/a> <https://x.y/b> <me@x.y> [other](https://x.y)"
    );
}

#[test]
fn images_keep_alt_markup_and_title() {
    assert_eq!(
        md("![An *alt*](/i.png \"Title\")"),
        "![An *alt*](/i.png \"Title\")"
    );
}

#[test]
fn unsafe_urls_leave_only_the_text() {
    assert_eq!(
        md("[click *me*](javascript:alert(1)) and ![pic](data:image/png;base64,xx)."),
        "click *me* and pic."
    );
    assert_eq!(md("<javascript:alert(1)>"), "javascript:alert(1)");
}

#[test]
fn urls_are_resolved_and_tagged_through_the_options() {
    let opts = RenderOptions {
        base_url: Some("https://example.com/blog/post/".into()),
        utm_scope: vec!["https://example.com/".into()],
        utm: vec![("utm_source".into(), "article".into())],
        ..RenderOptions::default()
    };
    assert_eq!(
        render(&events("[next](../next/) ![i](i.png)"), &opts),
        // Images load, nobody follows them: no utm parameters, as in the HTML formats.
        "[next](https://example.com/blog/next/?utm_source=article) \
             ![i](https://example.com/blog/post/i.png)"
    );
    // The shown URL no longer matches the target, so it stays an inline link.
    assert_eq!(
        render(&events("<https://example.com/x>"), &opts),
        "[https://example.com/x](https://example.com/x?utm_source=article)"
    );
}

#[test]
fn lists_keep_numbers_tightness_and_tasks() {
    assert_eq!(md("3) a\n4) b"), "3. a\n4. b");
    assert_eq!(md("* a\n\n* b"), "- a\n\n- b");
    assert_eq!(md("- [ ] todo\n- [x] done"), "- [ ] todo\n- [x] done");
    assert_eq!(md("1. a\n   - b\n10. c"), "1. a\n   - b\n2. c");
    assert_eq!(
        md("9. nine\n10. ten\n    continued\n\n    more"),
        "9. nine\n\n10. ten continued\n\n    more"
    );
}

#[test]
fn adjacent_lists_alternate_markers() {
    assert_eq!(
        md("- a\n\n+ b\n\n- c\n\n1. d\n\n1) e"),
        "- a\n\n* b\n\n- c\n\n1. d\n\n1) e"
    );
}

#[test]
fn block_quotes_nest_and_mark_blank_lines() {
    assert_eq!(
        md("> a\n>\n> > b\n> - c\n> - d"),
        "> a\n>\n> > b\n>\n> - c\n> - d"
    );
}

#[test]
fn code_blocks_are_fenced_long_enough() {
    assert_eq!(md("    indented\n"), "```\nindented\n```");
    assert_eq!(
        md("````md\n```\ninner\n```\n````"),
        "````md\n```\ninner\n```\n````"
    );
    assert_eq!(md("~~~ a`b\nx\n~~~"), "~~~a`b\nx\n~~~");
}

#[test]
fn rules_avoid_the_list_bullet() {
    assert_eq!(md("***\n\n- ***"), "---\n\n- ***");
}

#[test]
fn tables_are_aligned_pipe_tables() {
    assert_eq!(
        md("|a|b|c|\n|:-|:-:|-:|\n|1|x\\|y|`p\\|q`|"),
        "| a   | b    | c      |\n\
             | :-- | :--: | -----: |\n\
             | 1   | x\\|y | `p\\|q` |"
    );
}

#[test]
fn footnotes_are_numbered_by_first_reference_and_listed_last() {
    assert_eq!(
        md("[^b]: Beta.\n\nA[^a] and B[^b].\n\n[^a]: Alpha.\n\n    More alpha."),
        "A[^1] and B[^2].\n\n[^1]: Alpha.\n\n    More alpha.\n\n[^2]: Beta."
    );
}

#[test]
fn raw_html_passes_through_as_blocks_and_inline() {
    assert_eq!(
        md("<div>\n*raw*\n</div>\nText <b>bold</b>."),
        "<div>\n*raw*\n</div>\nText <b>bold</b>."
    );
    assert_eq!(
        md("<!-- note -->\nText after"),
        "<!-- note -->\n\nText after"
    );
}

#[test]
fn text_that_looks_like_markup_is_escaped() {
    assert_eq!(md("\\*not emphasis\\*"), "\\*not emphasis\\*");
    assert_eq!(md("\\# not a heading"), "\\# not a heading");
    assert_eq!(md("1986\\. A great year"), "1986\\. A great year");
    assert_eq!(md("\\- not a list"), "\\- not a list");
    assert_eq!(md("\\<not-html>"), "\\<not-html>");
    assert_eq!(md("\\[not a link\\](x)"), "\\[not a link\\](x)");
    assert_eq!(md(r"C:\\Users\\me"), r"C:\\Users\\me");
    assert_eq!(
        md("&lt;b&gt; &amp;amp; snake_case"),
        "\\<b> \\&amp; snake_case"
    );
}

#[test]
fn smart_punctuation_stays_unicode_and_straight_quotes_stay_straight() {
    assert_eq!(md("\"Hi\" -- it's..."), "“Hi” – it’s…");
    assert_eq!(md("\\\"Hi\\\" \\-\\- \\.\\.\\."), "\\\"Hi\\\" \\-- \\.\\..");
}

#[test]
fn significant_spaces_become_character_references() {
    assert_eq!(md("&#32;lead and trail&#32;"), "&#32;lead and trail&#32;");
    assert_eq!(md("*&#32;x*"), "*&#32;x*");
}

#[test]
fn a_slice_without_its_footnote_definitions_shows_the_label_as_text() {
    let all = events("Intro[^n].\n\nBody[^n].\n\n[^n]: Note.");
    let first_paragraph = &all[..matching_end(&all, 0) + 1];
    assert_eq!(
        render(first_paragraph, &RenderOptions::default()),
        "Intro\\[^n\\]."
    );
}

#[test]
fn a_slice_keeps_the_whole_bodys_footnote_numbers() {
    let all = events("A[^a].\n\n## S\n\nB[^b] and A[^a].\n\n[^b]: Beta.\n[^a]: Alpha.");
    let opts = RenderOptions {
        note_numbers: super::super::NoteNumbers::of(&all),
        ..RenderOptions::default()
    };
    let second = all
        .iter()
        .position(|e| matches!(e, Event::Start(Tag::Heading { .. })))
        .unwrap();
    let paragraph = &all[second + 3..matching_end(&all, second + 3) + 1];
    // Its definitions elsewhere, the references keep their numbers in the whole body.
    assert_eq!(render(paragraph, &opts), "B[^2] and A[^1].");
    // The definitions alone, numbered the same, whatever order they were written in.
    let defs_at = all
        .iter()
        .position(|e| matches!(e, Event::Start(Tag::FootnoteDefinition(_))))
        .unwrap();
    assert_eq!(
        render(&all[defs_at..], &opts),
        "[^1]: Alpha.\n\n[^2]: Beta."
    );
}

#[test]
fn the_article_example_round_trips() {
    let article = "\
# Leverage and Networking

> Dek — one sentence promising the reader what they will take away. (replace)

Simply put, “leverage” is the ability to accomplish more by use of a tool.

## 1. When you have strong enough relationships

<!-- expand to ~450 words:
  - Example: a time someone acted for you before you asked.
-->

---

*Expanded from “Leverage and Networking”, first published at
<https://example.com/blog/leverage-and-networking/>.*
";
    assert_round_trip(article);
    assert_eq!(
        md(article),
        "\
# Leverage and Networking

> Dek — one sentence promising the reader what they will take away. (replace)

Simply put, “leverage” is the ability to accomplish more by use of a tool.

## 1. When you have strong enough relationships

<!-- expand to ~450 words:
  - Example: a time someone acted for you before you asked.
-->

---

*Expanded from “Leverage and Networking”, first published at \
<https://example.com/blog/leverage-and-networking/>.*"
    );
}

#[test]
fn degradations_are_what_the_output_shows() {
    for raw_html in [RawHtml::Keep, RawHtml::Sanitize, RawHtml::Text] {
        let opts = RenderOptions {
            raw_html,
            ..RenderOptions::default()
        };
        degradations_hold(&opts);
    }
}

fn degradations_hold(opts: &RenderOptions) {
    for construct in Construct::ALL {
        let out = render(&events(construct.sample()), opts);
        let kept = match construct {
            Construct::Table => out.contains("| a   | b   |"),
            Construct::HtmlBlock => out.contains("<div class=\"box\">"),
            Construct::InlineHtml => out.contains("<kbd>Ctrl</kbd>"),
            // As raw HTML, or (`raw_html: text`) as a Markdown hard break.
            Construct::LineBreakTag => out.contains("one<br>two") || out.contains("one\\\ntwo"),
            Construct::CodeSpan => out.contains("`run()`"),
            Construct::Strikethrough => out.contains("~~free~~"),
            Construct::Image { alt: true } => out.contains("![A chart]("),
            Construct::Image { alt: false } => out.contains("![]("),
            Construct::HeadingAttributes => out.contains("{#setup .wide}"),
            Construct::HeadingCustomAttributes => out.contains("{#setup .wide data-x=1}"),
            Construct::ListStart => out.starts_with("7. seven"),
        };
        assert_eq!(
            degradation(opts.raw_html, construct).is_none(),
            kept,
            "{construct:?} with {:?} renders as:\n{out}",
            opts.raw_html
        );
    }
}

#[test]
fn items_numbered_past_nine_digits_stay_items() {
    // CommonMark reads nine digits at most as an item's number: the item after
    // 999,999,999 written as `1000000000.` was text, and the fence in it raw HTML.
    let src = "999999999) the\n\n0) ~~~~a`b\n   <script>alert(1)</script>\n   ~~~~\n";
    let out = md(src);
    assert_eq!(
        out,
        "999999999. the\n\n999999999. ~~~a`b\n           <script>alert(1)</script>\n           ~~~"
    );
    assert_round_trip(src);
}
