//! BBCode to HTML, for showing the forum venue the way a forum would.
//!
//! Knows the tags our BBCode renderer and the built-in forum template write — `[b] [i] [s]
//! [u] [size=N] [url] [email] [img] [quote] [code] [list] [list=1] [*]` — and nothing else:
//! any other bracket, a tag with a value it does not accept (`[url=javascript:…]`, a relative
//! `[img]`) or a closing tag with nothing open stays literal text, as phpBB leaves it. All
//! text is HTML-escaped; the output is always balanced HTML.

use crate::render::escape_html;

/// The HTML a forum would show for `bbcode`.
pub fn to_html(bbcode: &str) -> String {
    let mut c = Converter::default();
    c.run(bbcode);
    c.finish()
}

/// A tag the converter knows, as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag<'a> {
    Open(Name, Option<&'a str>),
    Close(Name),
    Item,
}

/// The tag names known; everything else is text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Name {
    B,
    I,
    S,
    U,
    Size,
    Url,
    Email,
    Img,
    Quote,
    Code,
    List,
}

impl Name {
    fn from(name: &str) -> Option<Name> {
        Some(match name.to_ascii_lowercase().as_str() {
            "b" => Name::B,
            "i" => Name::I,
            "s" => Name::S,
            "u" => Name::U,
            "size" => Name::Size,
            "url" => Name::Url,
            "email" => Name::Email,
            "img" => Name::Img,
            "quote" => Name::Quote,
            "code" => Name::Code,
            "list" => Name::List,
            _ => return None,
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            Name::B => "b",
            Name::I => "i",
            Name::S => "s",
            Name::U => "u",
            Name::Size => "size",
            Name::Url => "url",
            Name::Email => "email",
            Name::Img => "img",
            Name::Quote => "quote",
            Name::Code => "code",
            Name::List => "list",
        }
    }
}

/// Reads a tag at the start of `s` (which starts with `[`): the tag and its length. The
/// brackets may not span a line, and the name must be one we know.
fn parse_tag(s: &str) -> Option<(Tag<'_>, usize)> {
    let end = s.find(']')?;
    let inner = &s[1..end];
    if inner.contains(['[', '\n']) {
        return None;
    }
    let tag = if inner == "*" {
        Tag::Item
    } else if let Some(name) = inner.strip_prefix('/') {
        Tag::Close(Name::from(name)?)
    } else {
        match inner.split_once('=') {
            Some((name, value)) => Tag::Open(Name::from(name)?, Some(value)),
            None => Tag::Open(Name::from(inner)?, None),
        }
    };
    Some((tag, end + 1))
}

/// An element open in the output, with the HTML that closes it.
#[derive(Debug)]
struct Open {
    name: Option<Name>,
    close: &'static str,
    /// A list item (`[*]`), closed by the next item or its list's end.
    item: bool,
}

#[derive(Debug, Default)]
struct Converter {
    out: String,
    open: Vec<Open>,
    /// A block was just opened or closed: the line breaks right after it are the forum's
    /// layout, not the writer's, and are dropped.
    after_block: bool,
}

impl Converter {
    fn run(&mut self, bbcode: &str) {
        let mut rest = bbcode;
        while let Some(at) = rest.find('[') {
            self.text(&rest[..at]);
            rest = &rest[at..];
            let taken = match parse_tag(rest) {
                Some((tag, len)) => self.tag(tag, len, rest),
                None => None,
            };
            match taken {
                Some(len) => rest = &rest[len..],
                None => {
                    self.text("[");
                    rest = &rest[1..];
                }
            }
        }
        self.text(rest);
    }

    fn finish(mut self) -> String {
        while let Some(open) = self.open.pop() {
            self.out.push_str(open.close);
        }
        self.out
    }

    /// Handles a tag at the start of `rest`; returns how much of `rest` it consumed, or
    /// `None` when it is to be shown as text.
    fn tag(&mut self, tag: Tag<'_>, len: usize, rest: &str) -> Option<usize> {
        match tag {
            Tag::Item => self.item().then_some(len),
            Tag::Close(name) => self.close(name).then_some(len),
            Tag::Open(name, value) => match (name, value) {
                (Name::Code, None) => self.content(name, len, rest, |c, code| {
                    let code = code.strip_prefix('\n').unwrap_or(code);
                    let code = code.strip_suffix('\n').unwrap_or(code);
                    c.block();
                    c.out.push_str("<pre><code>");
                    escape_html(code, &mut c.out);
                    c.out.push_str("</code></pre>");
                    c.after_block = true;
                    true
                }),
                (Name::Url, None) => self.content(name, len, rest, |c, url| {
                    let Some(href) = web_url(url, &["http", "https", "ftp", "mailto"]) else {
                        return false;
                    };
                    c.inline(&format!("<a href=\"{href}\">"));
                    escape_html(url, &mut c.out);
                    c.out.push_str("</a>");
                    true
                }),
                (Name::Email, None) => self.content(name, len, rest, |c, address| {
                    let Some(href) = email(address) else {
                        return false;
                    };
                    c.inline(&format!("<a href=\"{href}\">"));
                    escape_html(address, &mut c.out);
                    c.out.push_str("</a>");
                    true
                }),
                (Name::Img, None) => self.content(name, len, rest, |c, src| {
                    let Some(src) = web_url(src, &["http", "https"]) else {
                        return false;
                    };
                    c.inline(&format!("<img src=\"{src}\" alt=\"\">"));
                    true
                }),
                _ => self.open(name, value).then_some(len),
            },
        }
    }

    /// A tag whose content is not BBCode (`[code]…[/code]`, `[url]…[/url]`): the content up
    /// to the closing tag goes to `write`, which returns `false` to leave it all as text.
    fn content(
        &mut self,
        name: Name,
        len: usize,
        rest: &str,
        write: impl FnOnce(&mut Self, &str) -> bool,
    ) -> Option<usize> {
        let closing = format!("[/{}]", name.as_str());
        let body = &rest[len..];
        let end = crate::markdown::find_ignore_ascii_case(body, &closing)?;
        write(self, &body[..end]).then_some(len + end + closing.len())
    }

    /// Opens an element; `false` when the value is not one the tag takes.
    fn open(&mut self, name: Name, value: Option<&str>) -> bool {
        let (html, close, block) = match (name, value) {
            (Name::B, None) => ("<strong>".to_string(), "</strong>", false),
            (Name::I, None) => ("<em>".to_string(), "</em>", false),
            (Name::S, None) => ("<s>".to_string(), "</s>", false),
            (Name::U, None) => ("<u>".to_string(), "</u>", false),
            (Name::Size, Some(size)) => match size.trim().parse::<u16>() {
                Ok(size @ 1..=300) => (
                    format!("<span style=\"font-size:{size}%\">"),
                    "</span>",
                    false,
                ),
                _ => return false,
            },
            (Name::Url, Some(url)) => match web_url(url, &["http", "https", "ftp", "mailto"]) {
                Some(href) => (format!("<a href=\"{href}\">"), "</a>", false),
                None => return false,
            },
            (Name::Email, Some(address)) => match email(address) {
                Some(href) => (format!("<a href=\"{href}\">"), "</a>", false),
                None => return false,
            },
            (Name::Quote, None) => ("<blockquote>".to_string(), "</blockquote>", true),
            (Name::Quote, Some(author)) => {
                let mut html = "<blockquote><div class=\"cite\">".to_string();
                escape_html(author.trim().trim_matches('"'), &mut html);
                html.push_str(" wrote:</div>");
                (html, "</blockquote>", true)
            }
            (Name::List, None) => ("<ul>".to_string(), "</ul>", true),
            (Name::List, Some(kind)) => match kind.trim() {
                "1" => ("<ol>".to_string(), "</ol>", true),
                kind @ ("a" | "A" | "i" | "I") => (format!("<ol type=\"{kind}\">"), "</ol>", true),
                _ => return false,
            },
            _ => return false,
        };
        if block {
            self.block();
            self.out.push_str(&html);
            self.after_block = true;
        } else {
            self.inline(&html);
        }
        self.open.push(Open {
            name: Some(name),
            close,
            item: false,
        });
        true
    }

    /// `[*]`: closes the item before it in the same list and opens a new one; `false`
    /// outside a list.
    fn item(&mut self) -> bool {
        let Some(at) = self
            .open
            .iter()
            .rposition(|o| o.item || o.name == Some(Name::List))
        else {
            return false;
        };
        self.block();
        let keep = if self.open[at].item { at } else { at + 1 };
        while self.open.len() > keep {
            if let Some(open) = self.open.pop() {
                self.out.push_str(open.close);
            }
        }
        self.out.push_str("<li>");
        self.open.push(Open {
            name: None,
            close: "</li>",
            item: true,
        });
        self.after_block = true;
        true
    }

    /// Closes `name` and whatever was left open inside it; `false` when it is not open.
    fn close(&mut self, name: Name) -> bool {
        let Some(at) = self.open.iter().rposition(|o| o.name == Some(name)) else {
            return false;
        };
        let block = matches!(name, Name::List | Name::Quote);
        if block {
            self.block();
        }
        while self.open.len() > at {
            if let Some(open) = self.open.pop() {
                self.out.push_str(open.close);
            }
        }
        self.after_block = block;
        true
    }

    /// A block element starts or ends here: line breaks just before it are layout.
    fn block(&mut self) {
        while let Some(stripped) = self.out.strip_suffix("<br>\n") {
            let len = stripped.len();
            self.out.truncate(len);
        }
    }

    fn inline(&mut self, html: &str) {
        self.after_block = false;
        self.out.push_str(html);
    }

    fn text(&mut self, text: &str) {
        let text = if self.after_block {
            text.trim_start_matches('\n')
        } else {
            text
        };
        if text.is_empty() {
            return;
        }
        self.after_block = false;
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                self.out.push_str("<br>\n");
            }
            escape_html(line, &mut self.out);
        }
    }
}

/// The URL, escaped for an attribute, when it is absolute with one of `schemes`.
fn web_url(url: &str, schemes: &[&str]) -> Option<String> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    if !schemes.contains(&parsed.scheme()) {
        return None;
    }
    let mut out = String::new();
    escape_html(parsed.as_str(), &mut out);
    Some(out)
}

/// `mailto:` and the address, escaped for an attribute, when it looks like one.
fn email(address: &str) -> Option<String> {
    let address = address.trim();
    let (user, host) = address.split_once('@')?;
    let plain = |s: &str| !s.is_empty() && !s.contains(|c: char| c.is_whitespace() || c == ':');
    if !plain(user) || !plain(host) {
        return None;
    }
    let mut out = "mailto:".to_string();
    escape_html(address, &mut out);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WJ: char = '\u{2060}';

    #[test]
    fn inline_tags_become_elements() {
        assert_eq!(
            to_html("[b]a[/b] [i]b[/i] [s]c[/s] [u]d[/u] [size=130]e[/size]"),
            "<strong>a</strong> <em>b</em> <s>c</s> <u>d</u> <span style=\"font-size:130%\">e</span>"
        );
    }

    #[test]
    fn line_breaks_become_br_but_not_around_blocks() {
        assert_eq!(
            to_html("one\ntwo\n\n[quote]\nin\n[/quote]\n\nafter"),
            "one<br>\ntwo<blockquote>in</blockquote>after"
        );
    }

    #[test]
    fn lists_and_items() {
        assert_eq!(
            to_html("Intro\n\n[list=1]\n[*]a\n[*]b [b]c\n[list]\n[*]d\n[/list]\n[/list]\n\nOutro"),
            "Intro<ol><li>a</li><li>b <strong>c<ul><li>d</li></ul></strong></li></ol>Outro"
        );
    }

    #[test]
    fn code_is_verbatim_and_escaped() {
        assert_eq!(
            to_html("[code]\n[b]x[/b] <a> &\n[/code]\nafter"),
            "<pre><code>[b]x[/b] &lt;a&gt; &amp;</code></pre>after"
        );
    }

    #[test]
    fn links_emails_and_images() {
        assert_eq!(
            to_html(
                "[url=https://e.com/a?x=1&y=2]A[/url] [url]https://e.com/b[/url] \
                 [email]me@e.com[/email] [img]https://e.com/i.png[/img]"
            ),
            "<a href=\"https://e.com/a?x=1&amp;y=2\">A</a> \
             <a href=\"https://e.com/b\">https://e.com/b</a> \
             <a href=\"mailto:me@e.com\">me@e.com</a> <img src=\"https://e.com/i.png\" alt=\"\">"
        );
    }

    #[test]
    fn script_urls_and_relative_urls_stay_text() {
        for bad in [
            "[url=javascript:alert(1)]x[/url]",
            "[url]javascript:alert(1)[/url]",
            "[url= JavaScript:alert(1)]x[/url]",
            "[img]javascript:alert(1)[/img]",
            "[img]data:image/png;base64,xx[/img]",
            "[img]images/chart.png[/img]",
            "[url=../about/]x[/url]",
            "[email=x\" onclick=\"y]z[/email]",
        ] {
            let html = to_html(bad);
            assert!(
                !html.contains("href") && !html.contains("src"),
                "{bad} → {html}"
            );
            assert!(
                html.starts_with("[url") || html.starts_with("[img") || html.starts_with("[email"),
                "{html}"
            );
        }
    }

    #[test]
    fn html_in_text_is_escaped() {
        assert_eq!(
            to_html("<script>alert(\"x\")</script> & 'q'"),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;"
        );
    }

    #[test]
    fn quotes_in_urls_cannot_leave_the_attribute() {
        let html = to_html("[url=https://e.com/\"onmouseover=\"alert(1)]x[/url]");
        assert!(!html.contains("\"onmouseover"), "{html}");
    }

    #[test]
    fn neutralised_and_unknown_tags_stay_literal() {
        assert_eq!(
            to_html(&format!(
                "[{WJ}b]x[{WJ}/b] [color=red]y[/color] [1] [/b] [*]"
            )),
            format!("[{WJ}b]x[{WJ}/b] [color=red]y[/color] [1] [/b] [*]")
        );
    }

    #[test]
    fn unclosed_tags_are_closed_at_the_end_and_misnested_ones_in_order() {
        assert_eq!(to_html("[b]x [i]y"), "<strong>x <em>y</em></strong>");
        assert_eq!(
            to_html("[b][i]x[/b]y[/i]"),
            "<strong><em>x</em></strong>y[/i]"
        );
    }

    #[test]
    fn content_tags_without_their_end_stay_text() {
        assert_eq!(to_html("[code]x"), "[code]x");
        assert_eq!(to_html("[url]https://e.com"), "[url]https://e.com");
    }

    #[test]
    fn quote_with_author() {
        assert_eq!(
            to_html("[quote=\"Ann <b>\"]hi[/quote]"),
            "<blockquote><div class=\"cite\">Ann &lt;b&gt; wrote:</div>hi</blockquote>"
        );
    }

    #[test]
    fn forum_output_of_the_renderer_converts_to_balanced_html() {
        let post = crate::post::Post::parse(
            std::path::Path::new("p.md"),
            "# T\n\nIntro **b** [x](https://e.com) `[b]`\n\n> q\n>\n> - a\n>   1. b\n\n```\n[/code]\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        )
        .unwrap();
        let bbcode = crate::render::Format::Bbcode
            .render(&post.events, &crate::render::RenderOptions::default());
        let html = to_html(&bbcode);
        let doc = scraper::Html::parse_fragment(&html);
        assert!(doc.errors.is_empty(), "{:?} in {html}", doc.errors);
        assert!(
            html.contains("<blockquote>") && html.contains("<ol><li>b</li></ol>"),
            "{html}"
        );
    }
}
