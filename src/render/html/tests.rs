use super::*;
use crate::markdown::parse::events;
use crate::markdown::{Anchors, matching_end};
use pretty_assertions::assert_eq;

use super::style::{A, CODE, H2, H6, IMG, LIST, PRE, PRE_CODE, TD, TH};

fn web(md: &str) -> String {
    render(&events(md), &RenderOptions::default(), Flavor::Web)
}

fn web_with(md: &str, opts: &RenderOptions) -> String {
    render(&events(md), opts, Flavor::Web)
}

/// What the newsletter caller passes: a base URL and utm parameters for its own site.
fn email_opts() -> RenderOptions {
    RenderOptions {
        base_url: Some("https://example.com/posts/hello/".into()),
        utm_scope: vec!["https://example.com/".into()],
        utm: vec![
            ("utm_source".into(), "newsletter".into()),
            ("utm_medium".into(), "email".into()),
        ],
        ..RenderOptions::default()
    }
}

fn email(md: &str) -> String {
    render(&events(md), &email_opts(), Flavor::Email)
}

// Headings

#[test]
fn web_headings_are_shifted_and_get_slug_ids() {
    let opts = RenderOptions {
        heading_shift: 1,
        ..RenderOptions::default()
    };
    assert_eq!(
        web_with("# Title\n\n## Sub *part*\n\n###### Deep", &opts),
        "<h2 id=\"title\">Title</h2>\n\
             <h3 id=\"sub-part\">Sub <em>part</em></h3>\n\
             <h6 id=\"deep\">Deep</h6>"
    );
}

#[test]
fn web_heading_keeps_explicit_id_classes_and_attributes_escaped() {
    assert_eq!(
        web("# Hello {#intro .lead .big data-x=a\"b id=dup}"),
        "<h1 id=\"intro\" class=\"lead big\" data-x=\"a&quot;b\">Hello</h1>"
    );
}

#[test]
fn web_heading_keeps_only_id_and_class_unless_raw_html_is_kept() {
    let md = "## Hello {#a&b .c\"d autofocus onfocus=alert(1) class=e'f}";
    for raw_html in [RawHtml::Sanitize, RawHtml::Text] {
        let opts = RenderOptions {
            raw_html,
            ..RenderOptions::default()
        };
        assert_eq!(
            web_with(md, &opts),
            "<h2 id=\"a&amp;b\" class=\"c&quot;d e&#39;f\">Hello</h2>",
            "{raw_html:?}"
        );
    }
    assert!(web(md).contains(" autofocus=\"\" onfocus=\"alert(1)\""));
}

#[test]
fn web_duplicate_heading_titles_get_unique_ids() {
    assert_eq!(
        web("# Intro\n\n## Intro\n\n### Intro {#intro-1}\n\n# Intro"),
        "<h1 id=\"intro\">Intro</h1>\n\
             <h2 id=\"intro-1\">Intro</h2>\n\
             <h3 id=\"intro-1-1\">Intro</h3>\n\
             <h1 id=\"intro-2\">Intro</h1>"
    );
}

#[test]
fn web_heading_ids_match_anchors_over_the_whole_body() {
    let events = events("# A\n\nx[^n]\n\n[^n]: Note.\n\n    # not a heading\n\n# B\n\n# A");
    let mut anchors = Anchors::default();
    let expected: Vec<String> = ["a", "b", "a"]
        .iter()
        .map(|t| anchors.anchor(None, t))
        .collect();
    let html = render(&events, &RenderOptions::default(), Flavor::Web);
    for id in expected {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id} in {html}");
    }
}

#[test]
fn email_headings_are_styled_without_ids_or_attributes() {
    let opts = RenderOptions {
        heading_shift: 1,
        ..email_opts()
    };
    assert_eq!(
        render(
            &events("# Title {#t .c onclick=x}\n\n###### Deep"),
            &opts,
            Flavor::Email
        ),
        format!("<h2 style=\"{H2}\">Title</h2>\n<h6 style=\"{H6}\">Deep</h6>")
    );
}

// Inline markup

#[test]
fn web_emphasis_strong_strike_and_inline_code() {
    assert_eq!(
        web("*a* **b** ~~c~~ `<d> & e`"),
        "<p><em>a</em> <strong>b</strong> <del>c</del> <code>&lt;d&gt; &amp; e</code></p>"
    );
}

#[test]
fn email_emphasis_strong_strike_and_inline_code_are_styled() {
    assert_eq!(
        email("*a* **b** ~~c~~ `<d>`"),
        format!(
            "<p style=\"{P}\"><em style=\"{EM}\">a</em> <strong style=\"{STRONG}\">b</strong> \
                 <del style=\"{DEL}\">c</del> <code style=\"{CODE}\">&lt;d&gt;</code></p>"
        )
    );
}

#[test]
fn web_text_is_escaped() {
    assert_eq!(
        web("Use &lt;b&gt; for bold & a < b > c"),
        "<p>Use &lt;b&gt; for bold &amp; a &lt; b &gt; c</p>"
    );
}

#[test]
fn email_text_is_escaped() {
    assert_eq!(
        email("Use &lt;b&gt; & more"),
        format!("<p style=\"{P}\">Use &lt;b&gt; &amp; more</p>")
    );
}

#[test]
fn soft_breaks_stay_newlines_and_hard_breaks_become_br() {
    assert_eq!(web("a\nb  \nc"), "<p>a\nb<br>\nc</p>");
    assert_eq!(email("a\\\nb"), format!("<p style=\"{P}\">a<br>\nb</p>"));
}

// Code blocks

#[test]
fn web_fenced_and_indented_code_is_escaped() {
    assert_eq!(
        web("```rust ignore\nif a < b && c {}\n```\n\n    x <y> &z\n"),
        "<pre><code class=\"language-rust\">if a &lt; b &amp;&amp; c {}\n</code></pre>\n\
             <pre><code>x &lt;y&gt; &amp;z\n</code></pre>"
    );
}

#[test]
fn email_code_blocks_wrap_and_have_no_class() {
    assert_eq!(
        email("```rust\na < b & c\n```"),
        format!("<pre style=\"{PRE}\"><code style=\"{PRE_CODE}\">a &lt; b &amp; c\n</code></pre>")
    );
    assert!(PRE.contains("white-space:pre-wrap"));
}

// Links and images

#[test]
fn web_links_keep_title_and_escape_href() {
    assert_eq!(
        web("[site](https://example.com/a?b=1&c=2 \"The <site> & 'co'\")"),
        "<p><a href=\"https://example.com/a?b=1&amp;c=2\" \
             title=\"The &lt;site&gt; &amp; &#39;co&#39;\">site</a></p>"
    );
    assert_eq!(
        web("[x](<https://e.com/a b\"c>)"),
        "<p><a href=\"https://e.com/a%20b%22c\">x</a></p>"
    );
}

#[test]
fn web_autolinks_for_urls_and_emails() {
    assert_eq!(
        web("<https://example.com/x> and <me@example.com>"),
        "<p><a href=\"https://example.com/x\">https://example.com/x</a> and \
             <a href=\"mailto:me@example.com\">me@example.com</a></p>"
    );
}

#[test]
fn email_links_are_absolute_styled_and_tagged_in_scope() {
    assert_eq!(
        email("[next](../next/ \"Next\") <me@example.com> [out](https://other.org/)"),
        format!(
            "<p style=\"{P}\"><a href=\"https://example.com/posts/next/?utm_source=newsletter&amp;utm_medium=email\" \
                 title=\"Next\" style=\"{A}\">next</a> \
                 <a href=\"mailto:me@example.com\" style=\"{A}\">me@example.com</a> \
                 <a href=\"https://other.org/\" style=\"{A}\">out</a></p>"
        )
    );
}

#[test]
fn web_images_have_plain_alt_title_and_lazy_loading() {
    assert_eq!(
        web("![A *fancy* <b>cat</b> `x`](cat.png \"Cat\") ![](dot.png)"),
        "<p><img src=\"cat.png\" alt=\"A fancy cat x\" title=\"Cat\" loading=\"lazy\"> \
             <img src=\"dot.png\" alt=\"\" loading=\"lazy\"></p>"
    );
}

#[test]
fn email_images_are_absolute_block_and_sized_without_utm() {
    assert_eq!(
        email("![A *fancy* cat](cat.png \"Cat\")\n\n![](https://cdn.org/x.png)"),
        format!(
            "<p style=\"{P}\"><img src=\"https://example.com/posts/hello/cat.png\" \
                 alt=\"A fancy cat\" width=\"560\" style=\"{IMG}\"></p>\n\
                 <p style=\"{P}\"><img src=\"https://cdn.org/x.png\" alt=\"\" width=\"560\" style=\"{IMG}\"></p>"
        )
    );
}

#[test]
fn unsafe_links_and_images_become_text() {
    let md = "[click *me*](javascript:alert(1)) ![pic](data:image/png;base64,xx) \
                  [v](vbscript:x)";
    assert_eq!(web(md), "<p>click <em>me</em> pic v</p>");
    assert_eq!(
        email(md),
        format!("<p style=\"{P}\">click <em style=\"{EM}\">me</em> pic v</p>")
    );
}

#[test]
fn image_inside_link_keeps_both() {
    assert_eq!(
        web("[![logo](l.png)](https://e.com)"),
        "<p><a href=\"https://e.com\"><img src=\"l.png\" alt=\"logo\" loading=\"lazy\"></a></p>"
    );
}

// Lists

#[test]
fn web_nested_tight_lists_put_text_straight_in_li() {
    assert_eq!(
        web("- a\n  - b\n  - c\n- d"),
        "<ul>\n<li>a\n<ul>\n<li>b</li>\n<li>c</li>\n</ul>\n</li>\n<li>d</li>\n</ul>"
    );
}

#[test]
fn web_ordered_lists_say_start_only_when_not_one() {
    assert_eq!(
        web("3. x\n4. y"),
        "<ol start=\"3\">\n<li>x</li>\n<li>y</li>\n</ol>"
    );
    assert_eq!(web("1. x"), "<ol>\n<li>x</li>\n</ol>");
}

#[test]
fn web_loose_lists_wrap_items_in_paragraphs() {
    assert_eq!(
        web("- a\n\n- b"),
        "<ul>\n<li>\n<p>a</p>\n</li>\n<li>\n<p>b</p>\n</li>\n</ul>"
    );
}

#[test]
fn web_task_items_get_disabled_checkboxes() {
    assert_eq!(
        web("- [ ] todo\n- [x] done"),
        "<ul>\n<li><input type=\"checkbox\" disabled> todo</li>\n\
             <li><input type=\"checkbox\" disabled checked> done</li>\n</ul>"
    );
}

#[test]
fn email_lists_are_styled_and_tasks_use_ballot_boxes() {
    assert_eq!(
        email("- [ ] todo\n- [x] done\n  1. sub"),
        format!(
            "<ul style=\"{LIST}\">\n<li style=\"{LI}\">☐ todo</li>\n\
                 <li style=\"{LI}\">☑ done\n<ol style=\"{LIST}\">\n<li style=\"{LI}\">sub</li>\n</ol>\n</li>\n</ul>"
        )
    );
    assert_eq!(
        email("7. a\n\n8. b"),
        format!(
            "<ol start=\"7\" style=\"{LIST}\">\n<li style=\"{LI}\">\n<p style=\"{P}\">a</p>\n</li>\n\
                 <li style=\"{LI}\">\n<p style=\"{P}\">b</p>\n</li>\n</ol>"
        )
    );
}

// Quotes, rules

#[test]
fn web_nested_quotes_and_rules() {
    assert_eq!(
        web("> a\n>\n> > b\n\n---\n\nc"),
        "<blockquote>\n<p>a</p>\n<blockquote>\n<p>b</p>\n</blockquote>\n</blockquote>\n\
             <hr>\n<p>c</p>"
    );
}

#[test]
fn email_quotes_and_rules_are_styled() {
    assert_eq!(
        email("> a\n>\n> > b\n\n***"),
        format!(
            "<blockquote style=\"{BLOCKQUOTE}\">\n<p style=\"{P}\">a</p>\n\
                 <blockquote style=\"{BLOCKQUOTE}\">\n<p style=\"{P}\">b</p>\n</blockquote>\n\
                 </blockquote>\n<hr style=\"{HR}\">"
        )
    );
}

// Tables

#[test]
fn web_tables_have_head_body_and_alignment() {
    assert_eq!(
        web("| a | b | c | d |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |\n| *5* | | | |"),
        "<table>\n<thead>\n\
             <tr><th style=\"text-align:left\">a</th><th style=\"text-align:center\">b</th>\
             <th style=\"text-align:right\">c</th><th>d</th></tr>\n\
             </thead>\n<tbody>\n\
             <tr><td style=\"text-align:left\">1</td><td style=\"text-align:center\">2</td>\
             <td style=\"text-align:right\">3</td><td>4</td></tr>\n\
             <tr><td style=\"text-align:left\"><em>5</em></td><td style=\"text-align:center\"></td>\
             <td style=\"text-align:right\"></td><td></td></tr>\n\
             </tbody>\n</table>"
    );
}

#[test]
fn web_header_only_table_has_no_empty_body() {
    assert_eq!(
        web("| a |\n|---|"),
        "<table>\n<thead>\n<tr><th>a</th></tr>\n</thead>\n</table>"
    );
}

#[test]
fn email_tables_collapse_borders_and_style_cells() {
    assert_eq!(
        email("| a | b |\n|--:|---|\n| 1 | 2 |"),
        format!(
            "<table style=\"{TABLE}\">\n<thead>\n\
                 <tr><th style=\"{TH};text-align:right\">a</th><th style=\"{TH}\">b</th></tr>\n\
                 </thead>\n<tbody>\n\
                 <tr><td style=\"{TD};text-align:right\">1</td><td style=\"{TD}\">2</td></tr>\n\
                 </tbody>\n</table>"
        )
    );
    assert!(TABLE.contains("border-collapse:collapse"));
}

// Footnotes

const NOTES: &str = "B[^b] A[^a] again[^b].\n\n[^a]: Alpha.\n[^b]: Beta.\n";

#[test]
fn web_footnotes_number_by_first_reference_with_back_links() {
    assert_eq!(
        web(NOTES),
        "<p>B<sup class=\"footnote-ref\" id=\"fnref-1\"><a href=\"#fn-1\">1</a></sup> \
             A<sup class=\"footnote-ref\" id=\"fnref-2\"><a href=\"#fn-2\">2</a></sup> \
             again<sup class=\"footnote-ref\" id=\"fnref-1-2\"><a href=\"#fn-1\">1</a></sup>.</p>\n\
             <section class=\"footnotes\" aria-label=\"Footnotes\">\n<ol>\n\
             <li id=\"fn-1\">\n<p>Beta. <a href=\"#fnref-1\" class=\"footnote-back\" \
             aria-label=\"Back to reference 1\">↩</a></p>\n</li>\n\
             <li id=\"fn-2\">\n<p>Alpha. <a href=\"#fnref-2\" class=\"footnote-back\" \
             aria-label=\"Back to reference 2\">↩</a></p>\n</li>\n\
             </ol>\n</section>"
    );
}

#[test]
fn web_footnote_back_link_follows_a_final_non_paragraph_and_skips_unreferenced_notes() {
    assert_eq!(
        web("x[^l]\n\n[^l]: Items:\n\n    - one\n\n[^u]: Unused."),
        "<p>x<sup class=\"footnote-ref\" id=\"fnref-1\"><a href=\"#fn-1\">1</a></sup></p>\n\
             <section class=\"footnotes\" aria-label=\"Footnotes\">\n<ol>\n\
             <li id=\"fn-1\">\n<p>Items:</p>\n<ul>\n<li>one</li>\n</ul>\n\
             <a href=\"#fnref-1\" class=\"footnote-back\" aria-label=\"Back to reference 1\">↩</a></li>\n\
             <li id=\"fn-2\">\n<p>Unused.</p>\n</li>\n\
             </ol>\n</section>"
    );
}

#[test]
fn email_footnotes_are_plain_superscripts_and_a_list_after_a_rule() {
    assert_eq!(
        email(NOTES),
        format!(
            "<p style=\"{P}\">B<sup style=\"{SUP}\">1</sup> A<sup style=\"{SUP}\">2</sup> \
                 again<sup style=\"{SUP}\">1</sup>.</p>\n\
                 <hr style=\"{HR}\">\n<ol style=\"{LIST}\">\n\
                 <li style=\"{LI}\">\n<p style=\"{P}\">Beta.</p>\n</li>\n\
                 <li style=\"{LI}\">\n<p style=\"{P}\">Alpha.</p>\n</li>\n</ol>"
        )
    );
}

#[test]
fn reference_without_definition_in_a_slice_stays_source_text() {
    let all = events("See[^n].\n\n[^n]: Note.");
    let end = matching_end(&all, 0);
    assert_eq!(
        render(&all[..=end], &RenderOptions::default(), Flavor::Web),
        "<p>See[^n].</p>"
    );
}

// Raw HTML

#[test]
fn web_keeps_raw_html_block_and_inline_verbatim() {
    assert_eq!(
        web("<div class=\"note\">\n*hi*\n</div>\n\nPress <kbd>Ctrl</kbd> & go."),
        "<div class=\"note\">\n*hi*\n</div>\n<p>Press <kbd>Ctrl</kbd> &amp; go.</p>"
    );
}

#[test]
fn email_sanitizes_raw_html_blocks_and_reduces_inline_tags_to_text() {
    assert_eq!(
        email(
            "<div class=\"note\">\n<b>Hi</b> &amp; &lt;bye&gt;\n\n</div>\n\n\
                 Press <kbd onclick=\"x()\">Ctrl</kbd> now<script>alert(1)</script>.\n\n\
                 <script>\nalert(2)\n</script>\n\n\
                 <style>p { color: red }</style>\n\n\
                 <iframe src=\"https://evil.example\"></iframe>\n\n\
                 <form action=\"/x\"><input name=\"q\"></form>"
        ),
        format!(
            "<div style=\"{P}\"><div>\n<b>Hi</b> &amp; &lt;bye&gt;\n</div></div>\n\
                 <p style=\"{P}\">Press Ctrl now.</p>"
        )
    );
}

#[test]
fn sanitized_links_are_absolute_and_never_script_urls() {
    let opts = RenderOptions {
        raw_html: RawHtml::Sanitize,
        base_url: Some("https://example.com/blog/post/".into()),
        ..RenderOptions::default()
    };
    let events = crate::markdown::parse::events(
        "<p><a href=\"../other/\">ok</a> <a href=\"javascript:alert(1)\">bad</a> <img src=\"x.png\" onerror=\"alert(1)\"></p>",
    );
    assert_eq!(
        render(&events, &opts, Flavor::Web),
        "<div><p><a href=\"https://example.com/blog/other/\" rel=\"noopener noreferrer\">ok</a> \
             <a rel=\"noopener noreferrer\">bad</a> <img src=\"https://example.com/blog/post/x.png\"></p></div>"
    );
}

#[test]
fn web_can_reduce_raw_html_to_text() {
    let opts = RenderOptions {
        raw_html: RawHtml::Text,
        ..RenderOptions::default()
    };
    let events =
        crate::markdown::parse::events("<div>\n<b>Hi</b> there\n</div>\n\nA <kbd>key</kbd>.");
    assert_eq!(
        render(&events, &opts, Flavor::Web),
        "<p>Hi there</p>\n<p>A key.</p>"
    );
}

#[test]
fn email_inline_script_split_across_events_drops_its_content() {
    assert_eq!(
        email(
            "a <script>alert(*1* [l](/x) ![i](i.png))</script> *b <style>x{}</style> c* <scripts>d"
        ),
        format!("<p style=\"{P}\">a  <em style=\"{EM}\">b  c</em> d</p>")
    );
}

#[test]
fn email_never_contains_active_markup() {
    let md = "# T {onclick=x}\n\n<script>x()</script>\n\n\
                  <img src=x onerror=\"alert(1)\">\n\n\
                  A <a href=\"javascript:x\" onmouseover=\"y\">l</a> <svg onload=z></svg>\n\n\
                  [a](javascript:x \"t\") ![i](x.png \"<script>\")\n\n\
                  <form><iframe></iframe></form>\n\n<style>*{}</style>";
    let html = email(md);
    let fragment = scraper::Html::parse_fragment(&html);
    let elements = fragment
        .root_element()
        .descendants()
        .filter_map(scraper::ElementRef::wrap);
    for element in elements {
        let element = element.value();
        assert!(
            !matches!(
                element.name(),
                "script" | "style" | "form" | "iframe" | "input"
            ),
            "{} in {html}",
            element.name()
        );
        for (name, _) in element.attrs() {
            assert!(!name.starts_with("on"), "{name} in {html}");
            assert!(!matches!(name, "id" | "class"), "{name} in {html}");
        }
    }
}

// Constructs outside the post's parse options, rendered sensibly all the same.

#[test]
fn extension_constructs_render_in_both_flavors() {
    use pulldown_cmark::{Options, Parser};
    let md = "---\ntitle: x\n---\n\nTerm\n: Def\n\nH ^2^ O ~i~ $x<y$\n\n> [!NOTE]\n> n";
    let options = Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_SUPERSCRIPT
        | Options::ENABLE_SUBSCRIPT
        | Options::ENABLE_MATH
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_GFM;
    let events: Vec<Event<'static>> = Parser::new_ext(md, options)
        .map(Event::into_static)
        .collect();
    assert_eq!(
        render(&events, &RenderOptions::default(), Flavor::Web),
        "<dl>\n<dt>Term</dt>\n<dd>Def</dd>\n</dl>\n\
             <p>H <sup>2</sup> O <sub>i</sub> <span class=\"math math-inline\">x&lt;y</span></p>\n\
             <blockquote class=\"markdown-alert-note\">\n<p>n</p>\n</blockquote>"
    );
    assert_eq!(
        render(&events, &RenderOptions::default(), Flavor::Email),
        format!(
            "<dl style=\"{DL}\">\n<dt style=\"{DT}\">Term</dt>\n<dd style=\"{DD}\">Def</dd>\n</dl>\n\
                 <p style=\"{P}\">H <sup style=\"{SUP}\">2</sup> O <sub style=\"{SUB}\">i</sub> \
                 <span style=\"{CODE}\">x&lt;y</span></p>\n\
                 <blockquote style=\"{BLOCKQUOTE}\">\n<p style=\"{P}\">n</p>\n</blockquote>"
        )
    );
}

#[test]
fn empty_input_renders_nothing() {
    assert_eq!(web(""), "");
    assert_eq!(email(""), "");
}

// The page as a browser sees it

#[test]
fn web_mixed_document_is_valid_html5() {
    let md = "# Title {.lead}\n\nIntro with *em*, **strong**, ~~del~~, `code`, a \
                  [link](https://e.com/?a=1&b=2 \"t\"), <https://e.com>, <me@e.com>, \
                  ![img *alt*](i.png \"T\"), <kbd>K</kbd> and a note[^1].  \nNext line.\n\n\
                  ## Title\n\n\
                  - [ ] todo\n- [x] done\n  1. nested\n\n  2. loose\n\n\
                  5. five\n6. six\n\n\
                  > quote\n>\n> > nested\n> - in quote\n\n\
                  ```html\n<p>a & b</p>\n```\n\n    indented <x>\n\n\
                  ---\n\n\
                  | L | C | R |\n|:--|:-:|--:|\n| *a* | `b` | [c](/c) |\n\n\
                  <div class=\"raw\">\n<p>raw</p>\n</div>\n\n\
                  Text & <3 and &lt;b&gt; again[^1] and[^2].\n\n\
                  [^1]: First note.\n\n[^2]: Second:\n\n    ```\n    code\n    ```\n";
    let body = web(md);
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <title>t</title>\n</head>\n<body>\n<article>\n{body}\n</article>\n</body>\n</html>\n"
    );
    let parsed = scraper::Html::parse_document(&page);
    assert!(parsed.errors.is_empty(), "{:?}\n{page}", parsed.errors);
    assert!(!body.starts_with('\n') && !body.ends_with('\n'));
    assert!(!body.contains("\n\n"), "{body}");
}

#[test]
fn degradations_are_what_the_output_shows() {
    let flavors = [
        (Flavor::Web, RawHtml::Keep),
        (Flavor::Web, RawHtml::Sanitize),
        (Flavor::Web, RawHtml::Text),
        (Flavor::Email, RawHtml::Keep),
        (Flavor::Email, RawHtml::Text),
    ];
    for (flavor, raw_html) in flavors {
        let opts = RenderOptions {
            raw_html,
            ..email_opts()
        };
        for construct in Construct::ALL {
            let out = render(&events(construct.sample()), &opts, flavor);
            let kept = match construct {
                Construct::Table => out.contains("<table"),
                Construct::HtmlBlock => out.contains("class=\"box\"") && out.contains("<script>"),
                Construct::InlineHtml => out.contains("<kbd>Ctrl</kbd>"),
                Construct::LineBreakTag => out.contains("one<br>two"),
                Construct::CodeSpan => out.contains("<code"),
                Construct::Strikethrough => out.contains("<del"),
                Construct::Image { alt: true } => out.contains("alt=\"A chart\""),
                Construct::Image { alt: false } => out.contains("<img "),
                Construct::HeadingAttributes => {
                    out.contains("id=\"setup\"") && out.contains("class=\"wide\"")
                }
                Construct::HeadingCustomAttributes => out.contains("data-x=\"1\""),
                Construct::ListStart => out.contains("start=\"7\""),
            };
            assert_eq!(
                degradation(flavor, raw_html, construct).is_none(),
                kept,
                "{flavor:?} {raw_html:?} {construct:?} renders as:\n{out}"
            );
        }
    }
}
