#!/usr/bin/env python3
"""The Markdown venues (article.md; discourse.md and hugo.md once they exist) read by a
second CommonMark implementation (PyPI's markdown-it-py) into the post's heading outline.

The post's own outline comes from the source fixture parsed by the same library, normalised
as repurpose does (a level-1 heading that opens the body and is the title is the title; the
top level becomes 2), then placed the way each venue's template says: see `expected_*`.
"""

import importlib.metadata
import re
import sys

import common

TITLE = "commonmark: Markdown venues keep the post's headings (markdown-it-py)"

# Output file → how its template places the post's headings, and whether the programs that
# read it take a trailing `{#id .class}` on a heading as attributes. Hugo (Goldmark), Zola
# and Jekyll (kramdown) do; CommonMark itself, Discourse and GitHub show it as text.
VENUES = {
    "article.md": ("article", False),
    "discourse.md": ("body", False),
    "hugo.md": ("body", True),
}

# The post format's heading attributes (`## Title {#id .class}`): repurpose reads them as
# attributes, the CommonMark preset as text; they are not part of the title.
ATTRIBUTES = re.compile(r"\s*\{[^{}]*\}\s*$")


def inline_text(token):
    parts = []
    for child in token.children or []:
        if child.type in ("text", "text_special", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(inline_text(child))
    return "".join(parts)


def outline(md, markdown, nesting=False):
    """`[(level, title)]` of a Markdown document, its front matter set apart first; with
    `nesting`, `[(level, title, nested)]`, nested being inside a quote or list."""
    _, body = common.split_front_matter(markdown)
    tokens = md.parse(body)
    return [(int(t.tag[1]), common.squash(inline_text(tokens[i + 1])))
            + ((t.level > 0,) if nesting else ())
            for i, t in enumerate(tokens) if t.type == "heading_open"]


def post_outline(md, source, title):
    """The post's headings as repurpose sees them: `[(level, title, nested)]`, top level 2."""
    headings = [(level, ATTRIBUTES.sub("", text), nested)
                for level, text, nested in outline(md, source, nesting=True)]
    _, body = common.split_front_matter(source)
    first = md.parse(body)[:1]
    if headings and first and first[0].type == "heading_open" and first[0].tag == "h1" \
            and common.same_text(headings[0][1], title):
        headings = headings[1:]
    if not headings:
        return []
    top = min(level for level, _, _ in headings)
    return [(level - top + 2, text, nested) for level, text, nested in headings]


def main_list_items(md, source):
    """The items' text of the post's main list: its first top-level numbered list of two or
    more items, else its first such bulleted list (README: "main points")."""
    _, body = common.split_front_matter(source)
    tokens = md.parse(body)
    lists = {"ordered_list_open": [], "bullet_list_open": []}
    for i, token in enumerate(tokens):
        if token.type in lists and token.level == 0:
            items, depth, text = [], 0, None
            for t in tokens[i:]:
                if t.type == "list_item_open":
                    depth += 1
                    if depth == 1:
                        text = []
                elif t.type == "list_item_close":
                    depth -= 1
                    if depth == 0:
                        items.append(common.squash(" ".join(text)))
                elif t.type == "inline" and text is not None:
                    text.append(inline_text(t))
                elif t.type == token.type.replace("open", "close") and t.level == 0:
                    break
            if len(items) >= 2:
                lists[token.type].append(items)
    found = lists["ordered_list_open"] or lists["bullet_list_open"]
    return found[0] if found else []


def expected_article(md, source, facts, offset):
    """templates/article.md.tera: `# title`; one `## N. title` per main point (a top-level
    heading, or an item of the main list when the post has none); the post's deeper headings
    inside the sections, shifted by the header's heading_offset; `## Conclusion` when the post
    has an outro or a closing question. A section from a list item is `## N. …` here; its
    title is checked in `compare`. A heading inside a quote or list is no main point."""
    expected = [(1, facts["title"])]
    headings = post_outline(md, source, facts["title"])
    if headings:
        n = 0
        for level, text, nested in headings:
            if level == 2 and not nested:
                n += 1
                expected.append((2, f"{n}. {text}"))
            else:
                expected.append((level + offset, text))
    else:
        for n, _ in enumerate(main_list_items(md, source), 1):
            expected.append((2, f"{n}. …"))
    if facts.get("outro") or facts.get("question"):
        expected.append((2, "Conclusion"))
    return expected


def expected_body(md, source, facts, offset):
    """A venue whose template prints the body: the post's headings shifted by its header's
    heading_offset, after the title as a level-1 heading when the template prints one."""
    return [(level + offset, text) for level, text, _ in post_outline(md, source, facts["title"])]


def compare(md, kind, markdown, source, facts, offset, attributes=False):
    found = outline(md, markdown)
    if attributes:
        found = [(level, ATTRIBUTES.sub("", text)) for level, text in found]
    if kind == "article":
        expected = expected_article(md, source, facts, offset)
    else:
        expected = expected_body(md, source, facts, offset)
        if found and found[0][0] == 1 and common.same_text(found[0][1], facts["title"]):
            expected = [(1, facts["title"])] + expected
    problems = []
    items = main_list_items(md, source) if kind == "article" else []
    for at in range(max(len(expected), len(found))):
        want = expected[at] if at < len(expected) else None
        got = found[at] if at < len(found) else None
        if want and got and want[0] == got[0] and want[1].endswith("…") \
                and got[1].startswith(want[1][:-1]):
            # A section from a list item: its title is the item's bold lead-in or first
            # sentence (long ones cut at a clause), so the item's text starts with it.
            title = got[1][len(want[1]) - 1:].rstrip(".:;,!?")
            item = items[int(want[1].split(".")[0]) - 1]
            if not common.fold_typography(item).startswith(common.fold_typography(title)):
                problems.append(f"heading {at + 1}: “{got[1]}” is not how main point "
                                f"“{item[:60]}…” starts")
            continue
        if not (want and got and want[0] == got[0] and common.same_text(want[1], got[1])):
            problems.append(f"heading {at + 1}: expected {show(want)}, found {show(got)}")
    return problems, found


def show(heading):
    return "nothing" if heading is None else f"h{heading[0]} “{heading[1]}”"


def run(build, report):
    md = common.markdown_parser()
    report.tool(f"PyPI markdown-it-py {importlib.metadata.version('markdown-it-py')} "
                f"(CommonMark preset, with tables and strikethrough)")
    for file, (kind, attributes) in VENUES.items():
        if not build.has_file(file):
            report.skip(file, f"no venue writes {file}; checked once `repurpose venues` lists one")
            continue
        offset = common.template_header_int(file, "heading_offset")
        for post in build.posts:
            source = post.source.read_text(encoding="utf-8")
            problems, found = compare(md, kind, build.read(post, file), source,
                                      build.facts(post), offset, attributes)
            report.expect(f"{post.slug}/{file}", problems, summary(found))
    if build.has_file("article.md"):
        self_test(build, report, md)
    self_test_body(build, report, md)


def summary(found):
    levels = ", ".join(f"h{level}" for level, _ in found)
    return f"{len(found)} headings, as the post's outline places them{': ' + levels if found else ''}"


def self_test(build, report, md):
    # A fixture with a level-3 heading (plain-notes).
    post = next(p for p in build.fixtures
                if any(level == 3 for level, _, _ in post_outline(
                    md, p.source.read_text(encoding="utf-8"), build.facts(p)["title"])))
    article = build.read(post, "article.md")
    source = post.source.read_text(encoding="utf-8")
    facts = build.facts(post)
    cases = [
        # A sub-heading one level too deep.
        ("a heading demoted", re.sub(r"^### ", "#### ", article, count=1, flags=re.M), "found h4"),
        # `##1.` is a paragraph to CommonMark (a heading needs a space after the #s).
        ("a heading without its space", re.sub(r"^## 1\. ", "##1. ", article, count=1, flags=re.M),
         "expected h2 “1. "),
        ("a section dropped", re.sub(r"^## 2\. .*$", "", article, count=1, flags=re.M),
         "expected h2 “2. "),
    ]
    for name, broken, expected in cases:
        problems, _ = compare(md, "article", broken, source, facts, 0)
        report.caught(f"self-test: {post.slug}/article.md with {name}", problems, expected)


def self_test_body(build, report, md):
    """The rule discourse.md and hugo.md are held to, on the hugo venue's stand-in
    (tests/interop/templates/hugo-sample.md.tera), so it is known to work before they exist."""
    folder = build.build_own("hugo-sample")
    for post in build.fixtures:
        markdown = (folder / post.slug / "hugo-sample.md").read_text(encoding="utf-8")
        source = post.source.read_text(encoding="utf-8")
        problems, found = compare(md, "body", markdown, source, build.facts(post), 0, True)
        report.expect(f"self-test: stand-in hugo.md of {post.slug}", problems, summary(found))
        if any(level == 3 for level, _ in found):
            broken = re.sub(r"^### ", "## ", markdown, count=1, flags=re.M)
            problems, _ = compare(md, "body", broken, source, build.facts(post), 0, True)
            report.caught(f"self-test: stand-in hugo.md of {post.slug} with a heading promoted",
                          problems, "found h2")


if __name__ == "__main__":
    raise SystemExit(common.run_checks([sys.modules[__name__]]))
