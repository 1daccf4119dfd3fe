//! Hostile input: whatever a post says, outputs stay inside `--out` and stay well-formed.

use crate::harness::Project;

#[test]
fn hostile_slugs_stay_inside_the_output_folder() {
    let p = Project::new();
    let cases = [
        ("dots.md", "../../escape", "escape"),
        ("slash.md", "/etc/passwd", "etc-passwd"),
        ("backslash.md", "..\\\\..\\\\win", "win"),
        ("absolute.md", "C:/Users/me", "c-users-me"),
        ("device.md", "CON", "con-post"),
        ("nul.md", "a\\0b", "a-b"),
    ];
    for (file, slug, _) in cases {
        p.write(
            &format!("posts/{file}"),
            &format!("---\nslug: \"{slug}\"\n---\nText.\n"),
        );
    }
    p.write(
        "posts/empty-slug.md",
        "---\nslug: \"///\"\ntitle: Fallback Title\n---\nText.\n",
    );
    p.run(&["build", "posts"]).expect_code(0);
    for (_, _, folder) in cases {
        assert!(p.exists(&format!("out/{folder}/blog.html")), "out/{folder}");
    }
    assert!(
        p.exists("out/empty-slug/blog.html"),
        "an empty slug falls back to the file name"
    );
    let mut outside: Vec<String> = std::fs::read_dir(p.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    outside.sort();
    assert_eq!(outside, ["out", "posts"], "nothing written beside out/");
}

#[test]
fn symlinks_inside_out_are_not_followed_out_of_it() {
    let p = Project::new();
    p.write("posts/victim.md", "---\ntitle: Victim\n---\nText.\n");
    p.write("elsewhere/keep.txt", "precious\n");
    std::fs::create_dir_all(p.path().join("out")).unwrap();
    std::os::unix::fs::symlink(p.path().join("elsewhere"), p.path().join("out/victim")).unwrap();
    let run = p.run(&["build", "posts"]).expect_code(1);
    run.expect_stderr_contains(
        "refusing to write into `out/victim`: it is a symbolic link, and outputs never leave `out`",
    );
    let left: Vec<_> = std::fs::read_dir(p.path().join("elsewhere"))
        .unwrap()
        .collect();
    assert_eq!(left.len(), 1, "nothing written through the link");

    // A file inside the post's folder that links elsewhere is not written through either.
    let p = Project::new();
    p.write("posts/victim.md", "---\ntitle: Victim\n---\nText.\n");
    p.write("elsewhere/target.txt", "precious\n");
    std::fs::create_dir_all(p.path().join("out/victim")).unwrap();
    std::os::unix::fs::symlink(
        p.path().join("elsewhere/target.txt"),
        p.path().join("out/victim/forum.bbcode"),
    )
    .unwrap();
    let run = p.run(&["build", "posts"]).expect_code(1);
    run.expect_stderr_contains("it is a symbolic link");
    assert_eq!(p.read("elsewhere/target.txt"), "precious\n");
}

#[test]
fn an_output_folder_that_cannot_be_written_is_named() {
    let p = Project::new();
    p.write("posts/a.md", "Text.\n");
    p.write("out", "I am a file\n");
    let run = p.run(&["build", "posts"]).expect_code(1);
    run.expect_stderr_contains("error: failed to create folder `out`");
    assert_eq!(p.read("out"), "I am a file\n");
}

#[test]
fn front_matter_cannot_inject_into_the_article() {
    let p = Project::new();
    p.write(
        "posts/inject.md",
        "---\ntitle: \"Evil\\n---\\nstatus: published\\n# <script>x</script>\"\n---\nBody text.\n",
    );
    p.run(&["build", "posts"]).expect_code(0);
    let article = p.read("out/inject/article.md");
    let (front, body) = article
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .unwrap();
    let yaml: serde_yaml::Value = serde_yaml::from_str(front).unwrap();
    assert_eq!(yaml["status"], "draft", "{article}");
    assert_eq!(
        yaml["title"],
        "Evil\n---\nstatus: published\n# <script>x</script>"
    );
    let headings: Vec<String> = pulldown_cmark::Parser::new(body)
        .filter_map(|e| match e {
            pulldown_cmark::Event::Start(pulldown_cmark::Tag::Heading { level, .. }) => {
                Some(format!("{level}"))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        headings.iter().filter(|h| *h == "h1").count(),
        1,
        "{article}"
    );
    // The template's own `<!-- expand … -->` comments are the only raw HTML.
    let raw_html = pulldown_cmark::Parser::new(body).any(|e| match e {
        pulldown_cmark::Event::Html(h) | pulldown_cmark::Event::InlineHtml(h) => {
            h.contains("script")
        }
        _ => false,
    });
    assert!(!raw_html, "the title's markup stays text: {body}");
    let blog = p.read("out/inject/blog.html");
    assert!(
        blog.contains(
            "<title>Evil\n---\nstatus: published\n# &lt;script&gt;x&lt;/script&gt;</title>"
        ),
        "{blog}"
    );
}

#[test]
fn newsletter_never_carries_active_markup() {
    let p = Project::new();
    p.write(
        "posts/x.md",
        "---\ntitle: \"<img src=x onerror=alert(1)>\"\nsummary: \"<script>s()</script>\"\n---\n\
         Hi <span onclick=\"a()\">there</span>.\n\n<iframe src=\"https://evil.example\"></iframe>\n\n\
         <form><input></form>\n\n<p style=\"x\" onmouseover=\"b()\">Hover <a href=\"javascript:c()\">me</a></p>\n\n\
         [link](javascript:d()) ![img](data:image/png;base64,xx)\n",
    );
    p.run(&["build", "posts"]).expect_code(0);
    let html = p.read("out/x/newsletter.html");
    let doc = scraper::Html::parse_fragment(&html);
    for element in doc
        .root_element()
        .descendants()
        .filter_map(scraper::ElementRef::wrap)
    {
        let el = element.value();
        assert!(
            ![
                "script", "iframe", "form", "input", "style", "object", "embed"
            ]
            .contains(&el.name()),
            "<{}> in the newsletter:\n{html}",
            el.name()
        );
        for (name, value) in el.attrs() {
            assert!(
                !name.starts_with("on"),
                "{name}= in the newsletter:\n{html}"
            );
            if name == "href" || name == "src" {
                let v = value.to_ascii_lowercase();
                assert!(
                    !v.starts_with("javascript:") && !v.starts_with("data:"),
                    "{name}={value}"
                );
            }
        }
    }
    let html = html.to_lowercase();
    assert!(html.contains("hover"), "the harmless text is kept");
    let forum = p.read("out/x/forum.bbcode");
    assert!(
        !forum.contains("[url=javascript") && !forum.contains("[img]data:"),
        "{forum}"
    );
}

#[test]
fn raw_html_in_the_blog_can_be_turned_off_in_its_header() {
    let p = Project::new();
    p.write(
        "posts/x.md",
        "Text.\n\n<div onclick=\"x()\"><script>y()</script>Kept text</div>\n",
    );
    p.run(&["build", "posts"]).expect_code(0);
    assert!(
        p.read("out/x/blog.html").contains("<script>y()</script>"),
        "kept by default, as CommonMark does"
    );
    let builtin = repurpose::venue::builtin::TEMPLATES
        .iter()
        .find(|(name, _)| *name == "blog.html.tera")
        .unwrap()
        .1;
    p.write(
        "templates/blog.html.tera",
        &builtin.replacen("body: html\n", "body: html\nraw_html: sanitize\n", 1),
    );
    p.run(&["build", "posts"]).expect_code(0);
    let blog = p.read("out/x/blog.html");
    assert!(
        !blog.contains("<script>y()") && !blog.contains("onclick"),
        "{blog}"
    );
    assert!(blog.contains("Kept text"));
}

#[test]
fn heading_attributes_cannot_run_script_where_raw_html_is_not_kept() {
    let p = Project::new();
    p.write(
        "repurpose.yaml",
        "venues:\n  blog:\n    raw_html: sanitize\n",
    );
    p.write(
        "posts/x.md",
        "---\ntitle: T\n---\nIntro.\n\n## Hello {#hi .lead autofocus onfocus=alert(1)}\n\nText.\n",
    );
    p.run(&["build", "posts"]).expect_code(0);
    let blog = p.read("out/x/blog.html");
    assert!(
        !blog.contains("onfocus") && !blog.contains("autofocus"),
        "{blog}"
    );
    assert!(
        blog.contains("<h2 id=\"hi\" class=\"lead\">Hello</h2>"),
        "{blog}"
    );
    let run = p.run(&["check", "posts"]).expect_code(0);
    run.expect_stdout_contains("warning: posts/x.md:6: heading attributes other than id and class dropped in blog: `autofocus`, `onfocus`");
}

#[test]
fn urls_cannot_break_out_of_the_forum_footer() {
    let p = Project::new();
    let hostile = "https://e.com/x]y[url=javascript:alert(1)]click[/url] \
                   [img]https://evil.example/p.png[/img][quote=\"\"]fake[/quote]";
    p.write(
        "posts/x.md",
        &format!(
            "---\ntitle: T\ncanonical_url: \"{}\"\n---\nText with a [link](<https://e.com/a]b>).\n",
            hostile.replace('"', "\\\"")
        ),
    );
    p.run(&["build", "posts"]).expect_code(0);
    let forum = p.read("out/x/forum.bbcode");
    for live in ["[url=javascript", "[img]", "[quote"] {
        assert!(!forum.contains(live), "{live} in:\n{forum}");
    }
    assert!(
        forum.contains(
            "[url=https://e.com/x%5Dy%5Burl=javascript:alert(1)%5Dclick%5B/url%5D%20%5Bimg%5D"
        ),
        "{forum}"
    );
    assert!(
        forum.contains("[url=https://e.com/a%5Db]link[/url]"),
        "{forum}"
    );

    // The preview shows the footer as the one link it is: no injected image or quote.
    p.run(&["preview", "posts/x.md", "--venue", "forum"])
        .expect_code(0);
    let page = scraper::Html::parse_document(&p.read("out/x/index.html"));
    let panel = scraper::Selector::parse("[data-file=\"forum.bbcode\"] .forum").unwrap();
    let panel = page.select(&panel).next().unwrap().html();
    assert!(
        !panel.contains("<img") && !panel.contains("<blockquote"),
        "{panel}"
    );
}

#[test]
fn a_site_url_with_a_query_gets_the_slug_in_its_path() {
    let p = Project::new();
    p.write(
        "repurpose.yaml",
        "site:\n  url: https://e.com/blog?lang=en\n",
    );
    p.write("posts/x.md", "---\ntitle: T\n---\nSee [about](/about).\n");
    p.run(&["build", "posts"]).expect_code(0);
    let forum = p.read("out/x/forum.bbcode");
    assert!(
        forum.contains("[url=https://e.com/blog/x/?lang=en]"),
        "{forum}"
    );
    assert!(
        forum.contains("[url=https://e.com/about]about[/url]"),
        "{forum}"
    );
}

#[test]
fn a_bbcode_template_cannot_link_to_script_from_a_value() {
    let p = Project::new();
    p.write(
        "repurpose.yaml",
        "site:\n  url: https://e.com/\n  title: \"[img]https://evil.example/t.png[/img]\"\n",
    );
    p.write(
        "templates/forum.bbcode.tera",
        "{{ site.title }} [url={{ post.extra.link }}]more[/url] [url]{{ post.extra.link }}[/url]\n\
         [url={{ site.url | utm(source=\"forum\") }}]home[/url]\n\
         {% for h in post.outline %}[url=https://e.com/#{{ h.anchor }}]{{ h.title }}[/url]{% endfor %}\n",
    );
    p.write(
        "posts/x.md",
        "---\ntitle: T\nlink: \"javascript:alert(1)\"\n---\nText.\n\n\
         ## H {#x][img]https://evil.example/p.png[/img]}\n\nMore.\n",
    );
    let run = p.run(&["build", "posts"]).expect_code(0);
    let forum = p.read("out/x/forum.bbcode");
    assert!(
        !forum.contains("[url=javascript")
            && !forum.contains("[url]javascript")
            && !forum.contains("[img]"),
        "{forum}"
    );
    assert!(
        forum.contains("[url=https://e.com/?utm_source=forum]home[/url]"),
        "{forum}"
    );
    run.expect_stderr_contains("warning: posts/x.md: link to `javascript:alert(1)` in forum.bbcode is not an http(s) URL: left as text");
}

#[test]
fn a_quoted_script_url_in_a_bbcode_template_is_left_as_text() {
    let p = Project::new();
    p.write(
        "templates/forum.bbcode.tera",
        "{{ body }}\n[url=\"{{ post.extra.home }}\"]h[/url] [URL='{{ post.extra.home }}']c[/URL] \
         [url={{ post.extra.home }}]d[/url] [url=&quot;{{ post.extra.home }}&quot;]q[/url] \
         [url=\"{{ post.extra.site }}\"]site[/url]\n",
    );
    p.write(
        "posts/x.md",
        "---\ntitle: T\nhome: \"javascript:alert(1)\"\nsite: \"https://e.com/\"\n---\nText.\n",
    );
    let run = p.run(&["build", "posts"]).expect_code(0);
    let forum = p.read("out/x/forum.bbcode");
    for live in [
        "[url=\"javascript",
        "[URL='javascript",
        "[url=javascript",
        "[url=&quot;javascript",
    ] {
        assert!(!forum.contains(live), "{live} in:\n{forum}");
    }
    assert!(
        forum.contains("[url=\"https://e.com/\"]site[/url]"),
        "{forum}"
    );
    for shown in [
        "`\"javascript:alert(1)\"`",
        "`'javascript:alert(1)'`",
        "`javascript:alert(1)`",
        "`&quot;javascript:alert(1)&quot;`",
    ] {
        run.expect_stderr_contains(&format!(
            "warning: posts/x.md: link to {shown} in forum.bbcode is not an http(s) URL: left as text"
        ));
    }
}

/// NUL bytes anywhere in a post (front matter, text, code, links, raw HTML) become U+FFFD
/// when the post is read, as CommonMark asks, so no venue's output carries one.
#[test]
fn nul_bytes_never_reach_an_output() {
    let p = Project::new();
    p.write(
        "posts/zero.md",
        "---\ntitle: \"Ti\0tle\"\nauthor: A\0B\n---\n# Head\0ing\n\nText\0 with *em\0* and \
         [a link\0](https://example.com/a\0b) and `co\0de`.\n\n```\nfenced\0code\n```\n\n\
         <div>raw\0html</div>\n\n- item\0\n\n> quote\0\n\nNote[^n\0].\n\n[^n\0]: Foot\0note.\n\n\
         Is it\0 over?\n",
    );
    p.run(&["build", "posts"]).expect_code(0);
    let mut files = 0;
    for entry in std::fs::read_dir(p.path().join("out/zero")).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        assert!(!bytes.contains(&0), "a NUL byte in {}", path.display());
        files += 1;
    }
    assert!(files >= 8, "every venue built: {files} files");
    assert!(p.read("out/zero/blog.html").contains("Ti\u{fffd}tle"));
}
