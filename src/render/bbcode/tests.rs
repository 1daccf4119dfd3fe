use super::blocks::RULE;
use super::escape::WORD_JOINER;
use super::*;

const WJ: char = WORD_JOINER;

fn bb(md: &str) -> String {
    render(
        &crate::markdown::parse::events(md),
        &RenderOptions::default(),
    )
}

fn bb_with(md: &str, opts: &RenderOptions) -> String {
    render(&crate::markdown::parse::events(md), opts)
}

fn site_opts() -> RenderOptions {
    RenderOptions {
        base_url: Some("https://example.com/blog/post/".into()),
        utm_scope: vec!["https://example.com/".into()],
        utm: vec![("utm_source".into(), "forum".into())],
        ..RenderOptions::default()
    }
}

/// Checks that the tags phpBB knows open and close in nested order, that `[*]` only
/// appears inside a list, and that nothing is parsed inside `[code]`.
fn assert_balanced(bbcode: &str) {
    const NAMES: [&str; 10] = [
        "b", "i", "s", "u", "url", "email", "img", "list", "quote", "size",
    ];
    let mut stack: Vec<String> = Vec::new();
    let mut rest = bbcode;
    while let Some(at) = rest.find('[') {
        rest = &rest[at + 1..];
        let Some(close) = rest.find(']') else { break };
        let tag = &rest[..close];
        let (closing, body) = match tag.strip_prefix('/') {
            Some(name) => (true, name),
            None => (false, tag),
        };
        let name = body.split('=').next().unwrap_or("").to_ascii_lowercase();
        if name == "code" && !closing {
            let end = rest.find("[/code]").expect("unclosed [code]");
            rest = &rest[end + "[/code]".len()..];
            continue;
        }
        if name == "*" && !closing {
            assert_eq!(
                stack.last().map(String::as_str),
                Some("list"),
                "[*] outside a list in {bbcode:?}"
            );
            continue;
        }
        if !NAMES.contains(&name.as_str()) {
            assert!(name != "code", "stray [/code] in {bbcode:?}");
            continue;
        }
        if closing {
            assert_eq!(
                stack.pop(),
                Some(name.clone()),
                "bad [/{name}] in {bbcode:?}"
            );
        } else {
            stack.push(name);
        }
        rest = &rest[close + 1..];
    }
    assert!(stack.is_empty(), "unclosed {stack:?} in {bbcode:?}");
}

#[test]
fn headings_are_sized_bold_lines_per_level() {
    assert_eq!(
        bb("# One\n\n## Two\n\n### Three\n\n#### Four\n\n##### Five\n\n###### Six"),
        "[size=150][b]One[/b][/size]\n\n[size=130][b]Two[/b][/size]\n\n\
             [size=115][b]Three[/b][/size]\n\n[b]Four[/b]\n\n[b]Five[/b]\n\n[b]Six[/b]"
    );
}

#[test]
fn heading_shift_moves_levels_and_clamps() {
    let down = RenderOptions {
        heading_shift: 1,
        ..RenderOptions::default()
    };
    assert_eq!(
        bb_with("# One {#one}\n\n###### Six", &down),
        "[size=130][b]One[/b][/size]\n\n[b]Six[/b]"
    );
    let up = RenderOptions {
        heading_shift: -2,
        ..RenderOptions::default()
    };
    assert_eq!(
        bb_with("## Two\n\n### Three", &up),
        "[size=150][b]Two[/b][/size]\n\n[size=150][b]Three[/b][/size]"
    );
}

#[test]
fn emphasis_strong_and_strikethrough() {
    assert_eq!(
        bb("*a* **b** ~~c~~ ***d***"),
        "[i]a[/i] [b]b[/b] [s]c[/s] [i][b]d[/b][/i]"
    );
}

#[test]
fn inline_code_is_plain_escaped_text() {
    assert_eq!(
        bb("Use `[b]x[/b]` and `a*b`."),
        format!("Use [{WJ}b]x[{WJ}/b] and a*b.")
    );
}

#[test]
fn paragraphs_soft_breaks_and_hard_breaks() {
    assert_eq!(
        bb("one\ntwo  \nthree\\\nfour\n\nfive"),
        "one two\nthree\nfour\n\nfive"
    );
}

#[test]
fn curly_quotes_and_dashes_stay_as_typed() {
    assert_eq!(
        bb("\"Leverage\" isn't--quite---free..."),
        "“Leverage” isn’t–quite—free…"
    );
}

#[test]
fn fenced_code_block_is_verbatim() {
    assert_eq!(
        bb("Before\n\n```rust\nlet a = [b]; // **x** <y> &amp;\n\n  indented\n```\n\nAfter"),
        "Before\n\n[code]\nlet a = [b]; // **x** <y> &amp;\n\n  indented\n[/code]\n\nAfter"
    );
}

#[test]
fn indented_code_block_is_verbatim() {
    assert_eq!(
        bb("Para\n\n    indented [i]\n    line two\n"),
        "Para\n\n[code]\nindented [i]\nline two\n[/code]"
    );
}

#[test]
fn code_end_tag_inside_code_block_is_neutralised() {
    assert_eq!(
        bb("```\na [/code] b [/CODE] c [code]\n```"),
        format!("[code]\na [{WJ}/code] b [{WJ}/CODE] c [code]\n[/code]")
    );
}

#[test]
fn links_keep_text_and_drop_title() {
    assert_eq!(
        bb("See [the *docs*](https://e.com/a \"Title\")."),
        "See [url=https://e.com/a]the [i]docs[/i][/url]."
    );
}

#[test]
fn autolinks_use_the_short_forms() {
    assert_eq!(
        bb("<https://e.com/x> and <me@e.com>"),
        "[url]https://e.com/x[/url] and [email]me@e.com[/email]"
    );
}

#[test]
fn mailto_links_become_email_tags() {
    assert_eq!(
        bb("[Write me](mailto:me@e.com) or [ask](mailto:me@e.com?subject=Hi)"),
        "[email=me@e.com]Write me[/email] or [url=mailto:me@e.com?subject=Hi]ask[/url]"
    );
}

#[test]
fn relative_links_resolve_and_get_utm() {
    assert_eq!(
        bb_with("[About](/about) and <https://example.com/x>", &site_opts()),
        "[url=https://example.com/about?utm_source=forum]About[/url] and \
             [url=https://example.com/x?utm_source=forum]https://example.com/x[/url]"
    );
}

#[test]
fn fragment_links_point_into_the_canonical_page_or_become_text() {
    assert_eq!(
        bb_with("[below](#details)", &site_opts()),
        "[url=https://example.com/blog/post/?utm_source=forum#details]below[/url]"
    );
    assert_eq!(bb("[below](#details)"), "below");
}

#[test]
fn brackets_in_urls_are_percent_encoded() {
    assert_eq!(
        bb("[x](<https://e.com/a]b[c d>) ![i](https://e.com/[x].png)"),
        "[url=https://e.com/a%5Db%5Bc%20d]x[/url] [img]https://e.com/%5Bx%5D.png[/img]"
    );
}

#[test]
fn values_from_outside_the_body_cannot_end_or_open_a_tag() {
    assert_eq!(
        escape_value("https://e.com/x]y[url=javascript:alert(1)] \"z\""),
        "https://e.com/x%5Dy%5Burl=javascript:alert(1)%5D%20%22z%22"
    );
    assert_eq!(
        escape_value("Site [img]x[/img]"),
        format!("Site [{WJ}img]x[{WJ}/img]")
    );
    assert_eq!(escape_value("javascript:alert(1)"), "javascript:alert(1)");
}

#[test]
fn links_to_anything_but_the_web_or_mail_are_left_as_text() {
    let (out, dropped) = guard_links(
        "[url=javascript:alert(1)]a[/url] [URL]vbscript:x[/URL] [img]data:x[/img] \
             [url= JaVa\tScRiPt:y]b[/url] [url=ftp://e.com/f]c[/url]",
    );
    assert_eq!(
        out,
        format!(
            "[{WJ}url=javascript:alert(1)]a[/url] [{WJ}URL]vbscript:x[/URL] [{WJ}img]data:x[/img] \
                 [{WJ}url= JaVa\tScRiPt:y]b[/url] [{WJ}url=ftp://e.com/f]c[/url]"
        )
    );
    assert_eq!(
        dropped,
        [
            "javascript:alert(1)",
            "vbscript:x",
            "data:x",
            " JaVa\tScRiPt:y",
            "ftp://e.com/f"
        ]
    );
    let fine = "[url=https://e.com/]a[/url] [url]http://e.com[/url] [img]https://e.com/i.png[/img] \
                    [url=mailto:me@e.com?subject=Hi]m[/url] [url=/about]rel[/url] [url=x [b]";
    assert_eq!(guard_links(fine), (fine.to_string(), Vec::new()));
    assert_eq!(
        guard_links("[img]mailto:me@e.com[/img]").1,
        ["mailto:me@e.com"]
    );
}

#[test]
fn a_quoted_or_disguised_script_url_is_left_as_text() {
    let hostile = [
        "[url=\"javascript:alert(1)\"]a[/url]",
        "[URL='javascript:alert(1)']b[/URL]",
        "[url=&quot;javascript:alert(1)&quot;]c[/url]",
        "[url=&#39;javascript:alert(1)&#39;]d[/url]",
        "[url= \" 'JaVaScRiPt:alert(1)' \" ]e[/url]",
        "[url=\u{1}\u{FEFF}javascript:alert(1)]f[/url]",
        "[url=javascript&#58;alert(1)]g[/url]",
        "[url=javascript&colon;alert(1)]h[/url]",
        "[url=&#106;avascript:alert(1)]i[/url]",
        "[url=java\u{0}script:alert(1)]j[/url]",
        "[url]\"javascript:alert(1)\"[/url]",
        "[url]&quot;vbscript:x&quot;[/url]",
        "[img]'data:image/png;base64,AAAA'[/img]",
        "[img]\"mailto:me@e.com\"[/img]",
    ];
    for tag in hostile {
        let (out, dropped) = guard_links(tag);
        assert_eq!(out, tag.replacen('[', &format!("[{WJ}"), 1), "{tag}");
        assert_eq!(dropped.len(), 1, "{tag}");
    }
    let fine = "[url=\"https://e.com/\"]a[/url] [url='http://e.com']b[/url] \
                    [url=&quot;mailto:me@e.com&quot;]m[/url] [url]'https://e.com/x'[/url] \
                    [img]\"https://e.com/i.png\"[/img] [url=\"/about\"]rel[/url] \
                    [url=/a?b=c&d=e#f:g]q[/url]";
    assert_eq!(guard_links(fine), (fine.to_string(), Vec::new()));
}

#[test]
fn a_url_holding_a_bracket_is_judged_whole() {
    // Past its first `[` (where the guard stops reading most of it), a URL still hides
    // a scheme from a forum that drops the inner tag, or breaks its host.
    for tag in [
        "[url]java[b]script:alert(1)[/url]",
        "[url]x[&#58;[/url]",
        "[url=http://a[b]c[/url]",
        "[url]https:a[b]@[/url]",
        "[img]http://[::1[/img]",
    ] {
        let (out, dropped) = guard_links(tag);
        assert_eq!(out, tag.replacen('[', &format!("[{WJ}"), 1), "{tag}");
        assert_eq!(dropped.len(), 1, "{tag}");
    }
    let fine = "[url]http://[::1]/[/url] [url]http://[::1]:8080[/url] [url=x [b] \
                    [url]https://e.com/[x][/url] [url]https://u[s@e.com/[/url] [url]a[b]/c:d[/url]";
    assert_eq!(guard_links(fine), (fine.to_string(), Vec::new()));
    // A run of tags in a code block names each dropped URL up to its first `[`.
    let run = "[url=x:".repeat(100) + "]";
    let (_, dropped) = guard_links(&run);
    assert_eq!(dropped.len(), 100);
    assert_eq!(dropped[0], "x:…");
    assert_eq!(dropped[99], "x:");
}

#[test]
fn images_use_img_tags() {
    assert_eq!(
        bb("![Alt *text*](https://e.com/i.png \"Title\")"),
        "[img]https://e.com/i.png[/img]"
    );
    assert_eq!(
        bb("[![logo](https://e.com/l.png)](https://e.com/)"),
        "[url=https://e.com/][img]https://e.com/l.png[/img][/url]"
    );
}

#[test]
fn unsafe_links_and_images_become_text() {
    assert_eq!(
        bb("[click *me*](javascript:alert(1)) ![a [b] pic](data:image/png;base64,xx)"),
        format!("click [i]me[/i] a [{WJ}b] pic")
    );
}

#[test]
fn bbcode_in_text_stays_literal() {
    assert_eq!(
        bb("[b]bold[/b] [*] [img]x[/img] [B] [1] [ ] a[b"),
        format!("[{WJ}b]bold[{WJ}/b] [{WJ}*] [{WJ}img]x[{WJ}/img] [{WJ}B] [1] [ ] a[{WJ}b")
    );
}

#[test]
fn url_tag_in_text_cannot_become_a_link() {
    assert_eq!(
        bb("[url=javascript:alert(1)]x[/url]"),
        format!("[{WJ}url=javascript:alert(1)]x[{WJ}/url]")
    );
}

#[test]
fn tag_split_across_events_stays_literal() {
    assert_eq!(bb("`[`b]x"), format!("[{WJ}b]x"));
    assert_eq!(bb("`[/`b]x"), format!("[/{WJ}b]x"));
}

#[test]
fn nested_lists_stay_nested() {
    assert_eq!(
        bb("- a\n  - b\n  - c\n- d"),
        "[list]\n[*]a\n[list]\n[*]b\n[*]c\n[/list]\n[*]d\n[/list]"
    );
}

#[test]
fn ordered_list_starting_at_one_uses_list_1() {
    assert_eq!(
        bb("Intro\n\n1. a\n2. b\n\nOutro"),
        "Intro\n\n[list=1]\n[*]a\n[*]b\n[/list]\n\nOutro"
    );
}

#[test]
fn ordered_list_starting_at_seven_keeps_numbers() {
    assert_eq!(
        bb("7. a\n8. b\n9. c"),
        "[list]\n[*]7. a\n[*]8. b\n[*]9. c\n[/list]"
    );
}

#[test]
fn task_items_get_boxes() {
    assert_eq!(
        bb("- [ ] todo\n- [x] done\n- plain"),
        "[list]\n[*]☐ todo\n[*]☑ done\n[*]plain\n[/list]"
    );
}

#[test]
fn loose_list_items_keep_paragraphs_inside_the_item() {
    assert_eq!(
        bb("- one\n\n  more\n\n- two\n\n  - [x] sub\n"),
        "[list]\n[*]one\n\nmore\n[*]two\n\n[list]\n[*]☑ sub\n[/list]\n[/list]"
    );
}

#[test]
fn nested_quotes_stay_nested() {
    assert_eq!(
        bb("> outer\n>\n> > inner\n>\n> after\n\nout"),
        "[quote]\nouter\n\n[quote]\ninner\n[/quote]\n\nafter\n[/quote]\n\nout"
    );
}

#[test]
fn rule_is_a_line_of_box_drawing() {
    assert_eq!(bb("a\n\n---\n\nb"), format!("a\n\n{RULE}\n\nb"));
}

#[test]
fn table_is_an_aligned_code_block() {
    let md = "| Name | Qty | Note |\n|:-----|----:|:----:|\n| Apple | 3 | ok |\n\
                  | Kiwi *fruit* | 12 | [b] |\n| 東京 | `1` | |\n";
    assert_eq!(
        bb(md),
        format!(
            "[code]\n\
                 Name       | Qty | Note\n\
                 -----------+-----+-----\n\
                 Apple      |   3 |  ok\n\
                 Kiwi fruit |  12 | [{WJ}b]\n\
                 東京       |   1 |\n\
                 [/code]"
        )
    );
}

#[test]
fn footnotes_are_numbered_by_reference_and_listed_after_a_rule() {
    let md = "A[^b] and B[^a].\n\n[^a]: Alpha *note*.\n\n    Second para.\n\n[^b]: Beta [b].\n";
    assert_eq!(
        bb(md),
        format!("A¹ and B².\n\n{RULE}\n¹ Beta [{WJ}b].\n² Alpha [i]note[/i]. Second para.")
    );
}

#[test]
fn footnote_reference_without_its_definition_in_the_slice_is_dropped() {
    let events = crate::markdown::parse::events("Text[^n].\n\n[^n]: Note.\n");
    let end = crate::markdown::matching_end(&events, 0);
    assert_eq!(render(&events[..=end], &RenderOptions::default()), "Text.");
}

#[test]
fn a_section_slice_renders_without_leading_separators() {
    let events = crate::markdown::parse::events("# Title\n\nIntro\n\n## Part\n\n- a\n- b\n");
    let part = events
        .iter()
        .position(|e| matches!(e, Event::Start(Tag::Heading { .. })) && e != &events[0])
        .expect("second heading");
    assert_eq!(
        render(&events[part..], &RenderOptions::default()),
        "[size=130][b]Part[/b][/size]\n\n[list]\n[*]a\n[*]b\n[/list]"
    );
}

#[test]
fn raw_html_block_is_reduced_to_text_without_script() {
    let md = "<div>\n<p>Hello <b>[b]</b> &amp; bye</p>\n</div>\n\n\
                  <script>\nalert(1)\n</script>\n\nafter";
    assert_eq!(bb(md), format!("Hello [{WJ}b] & bye\n\nafter"));
}

#[test]
fn inline_html_is_reduced_to_text_without_script() {
    assert_eq!(
        bb("a <span>x</span> <script>alert(\"[b]\")</script>b<br>c"),
        "a x b\nc"
    );
}

#[test]
fn extensions_our_parse_leaves_off_still_render() {
    use pulldown_cmark::{Options, Parser};
    let md = "---\ntitle: x\n---\n\nTerm\n: Definition\n\n> [!WARNING]\n> Careful\n\n\
                  Water is H ~2~ O, x ^2^ and $a+b$\n";
    let options = Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_GFM
        | Options::ENABLE_MATH
        | Options::ENABLE_SUPERSCRIPT
        | Options::ENABLE_SUBSCRIPT;
    let events: Vec<Event<'static>> = Parser::new_ext(md, options)
        .map(Event::into_static)
        .collect();
    assert_eq!(
        render(&events, &RenderOptions::default()),
        "[b]Term[/b]\nDefinition\n\n[quote]\n[b]Warning[/b]\nCareful\n[/quote]\n\n\
             Water is H 2 O, x 2 and $a+b$"
    );
}

#[test]
fn big_mixed_document_has_balanced_tags() {
    let md = "# Title\n\nIntro with **bold *nested*** and [a link](https://e.com) and \
                  `[/code]` and [b]fake[/b] [url=javascript:x]y[/url].\n\n\
                  > Quote with a list:\n>\n> 1. one\n> 2. two\n>    - deep ![img](https://e.com/i.png)\n>\n\
                  > > Inner [x](javascript:void(0))\n\n\
                  3. three\n\n   loose\n4. four\n\n\
                  - [ ] task\n- [x] ~~done~~\n\n\
                  ```\n[/code] [b] [url]\n```\n\n\
                  | a | b |\n|---|:-:|\n| [i] | [/code] |\n\n\
                  ---\n\n<div>raw <i>html</i></div>\n\nNote[^1] and <em>inline</em>.\n\n\
                  [^1]: The **note** with <https://e.com/n>.\n";
    let out = bb(md);
    assert_balanced(&out);
    assert!(!out.starts_with('\n') && !out.ends_with('\n'), "{out:?}");
    assert!(!out.contains("\n\n\n"), "{out:?}");
}

#[test]
fn balance_checker_catches_mistakes() {
    let bad = std::panic::catch_unwind(|| assert_balanced("[b][i]x[/b][/i]"));
    assert!(bad.is_err());
    let stray = std::panic::catch_unwind(|| assert_balanced("[*]x"));
    assert!(stray.is_err());
    assert_balanced(&format!("[code][b][/code][{WJ}b]"));
}

#[test]
fn degradations_are_what_the_output_shows() {
    for construct in Construct::ALL {
        let out = bb(construct.sample());
        let kept = match construct {
            Construct::Table => out.contains("[table]"),
            Construct::HtmlBlock => out.contains("<div"),
            Construct::InlineHtml => out.contains("<kbd>"),
            Construct::LineBreakTag => out.contains("one\ntwo"),
            // Monospace needs a tag phpBB does not have by default.
            Construct::CodeSpan => out.contains("[code]") || out.contains("[c]"),
            Construct::Strikethrough => out.contains("[s]free[/s]"),
            Construct::Image { alt: true } => out.contains("A chart"),
            Construct::Image { alt: false } => out.contains("[img]https://example.com/c.png[/img]"),
            Construct::HeadingAttributes | Construct::HeadingCustomAttributes => {
                out.contains("setup") || out.contains("wide") || out.contains("data-x")
            }
            Construct::ListStart => out.contains("[list="),
        };
        assert_eq!(
            degradation(construct).is_none(),
            kept,
            "{construct:?} renders as:\n{out}"
        );
    }
    assert_eq!(
        bb(Construct::Table.sample()),
        "[code]\na | b\n--+--\n1 | 2\n[/code]"
    );
}
