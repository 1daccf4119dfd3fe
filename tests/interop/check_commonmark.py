#!/usr/bin/env python3
"""The Markdown venues (article.md, discourse.md, hugo.md) read by a second CommonMark
implementation (PyPI's markdown-it-py) into the post's heading outline, as that venue has it.

The venue's own outline comes from the source fixture as the venue reads it — its venue-only
blocks (`<!-- venue: … -->` … `<!-- /venue -->`) kept or left out here, by the rules
docs/per-venue.md gives, not by asking repurpose — parsed by the same library,
normalised as repurpose does (a level-1 heading that opens the body and is the venue's title
is the title; the top level becomes 2), then placed the way each venue's template says: see
`expected_*`. On fixtures/per-venue.md the heading "How I got here" is in a `!forum,
!newsletter` block: article.md, discourse.md and hugo.md must show it, and the forum's
Markdown edition (forum.md, a template of the checks' own) must not.
"""

import importlib.metadata
import re
import sys

import common

TITLE = "commonmark: Markdown venues keep the post's headings (markdown-it-py)"

# Output file → how its template places the post's headings, and whether the programs that
# read it take a trailing `{#id .class}` on a heading as attributes. Hugo (Goldmark), Zola
# and Jekyll (kramdown) do; CommonMark itself, Discourse and GitHub show it as text. The
# file's venue is the part of its name before the first dot.
VENUES = {
    "article.md": ("article", False),
    "discourse.md": ("body", False),
    "hugo.md": ("body", True),
}

# The comments of a venue-only block: on a line of their own around blocks, or both inside
# one line around text (docs/per-venue.md).
BLOCK_OPEN = re.compile(r"^[ \t]*<!--[ \t]*venue:[ \t]*(.*?)[ \t]*-->[ \t]*$")
BLOCK_CLOSE = re.compile(r"^[ \t]*<!--[ \t]*/venue[ \t]*-->[ \t]*$")
INLINE_BLOCK = re.compile(r"<!--[ \t]*venue:[ \t]*(.*?)[ \t]*-->(.*?)<!--[ \t]*/venue[ \t]*-->")


def venue_of(file):
    return file.split(".", 1)[0]


def shows(names, venue):
    """Whether a block for `names` (`forum, blog`, or `!forum, !newsletter`) shows in `venue`;
    every block shows in venue `None`."""
    if venue is None:
        return True
    names = [name.strip() for name in names.split(",") if name.strip()]
    if names and all(name.startswith("!") for name in names):
        return venue not in {name[1:].strip() for name in names}
    return venue in names


def venue_source(md, source, venue):
    """The post as `venue` reads it (every block kept for `None`): the front matter as it is, and in the body each
    venue-only block kept (without its comments) or left out. A comment inside code is code.
    An inline block is read within its line: headings, which this check compares, are one
    line. The comment lines become blank lines, which end a paragraph as the comments do."""
    _, body = common.split_front_matter(source)
    code = set()
    for token in md.parse(body):
        if token.type in ("fence", "code_block") and token.map:
            code.update(range(*token.map))
    lines, shown = [], True
    for at, line in enumerate(body.split("\n")):
        if at in code:
            lines.append(line if shown else None)
        elif BLOCK_OPEN.match(line):
            shown = shows(BLOCK_OPEN.match(line).group(1), venue)
            lines.append("")
        elif BLOCK_CLOSE.match(line):
            shown = True
            lines.append("")
        elif shown:
            lines.append(INLINE_BLOCK.sub(
                lambda m: m.group(2) if shows(m.group(1), venue) else "", line))
    text = source.lstrip("\ufeff")
    return text[:len(text) - len(body)] + "\n".join(line for line in lines if line is not None)

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
    more items, else its first such bulleted list (docs/post.md: "main points")."""
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
            problems, found, hidden = check_file(md, build, post, file, build.read(post, file),
                                                 kind, offset, attributes)
            report.expect(f"{post.slug}/{file}", problems, summary(found, hidden))
    if build.has_file("article.md"):
        self_test(build, report, md)
    self_test_body(build, report, md)
    self_test_venue(build, report, md)


def check_file(md, build, post, file, markdown, kind, offset=0, attributes=False):
    """(problems, headings found, headings of the post the venue does not show) of `markdown`,
    the output `file` of `post`, against the outline of the post as `file`'s venue reads it."""
    venue = venue_of(file)
    source = post.source.read_text(encoding="utf-8")
    own = venue_source(md, source, venue)
    facts = build.facts(post, venue)
    problems, found = compare(md, kind, markdown, own, facts, offset, attributes)
    shown = [text for _, text, _ in post_outline(md, own, facts["title"])]
    hidden = [text for _, text, _ in post_outline(md, venue_source(md, source, None),
                                                  facts["title"]) if text not in shown]
    return problems, found, hidden


def summary(found, hidden=()):
    levels = ", ".join(f"h{level}" for level, _ in found)
    shown = f"{len(found)} heading{'' if len(found) == 1 else 's'}, as the venue's outline places them{': ' + levels if found else ''}"
    return shown + "".join(f"; not “{text}”, which this venue does not show" for text in hidden)


def self_test(build, report, md):
    # A fixture with a level-3 heading (plain-notes).
    post = next(p for p in build.fixtures
                if any(level == 3 for level, _, _ in post_outline(
                    md, p.source.read_text(encoding="utf-8"), build.facts(p, "article")["title"])))
    article = build.read(post, "article.md")
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
        problems, _, _ = check_file(md, build, post, "article.md", broken, "article")
        report.caught(f"self-test: {post.slug}/article.md with {name}", problems, expected)


def self_test_body(build, report, md):
    """The rule discourse.md and hugo.md are held to, on the hugo venue's stand-in
    (tests/interop/templates/hugo-sample.md.tera), so it is known to work on its own."""
    for post in build.fixtures:
        markdown = build.own_path(post, "hugo-sample.md").read_text(encoding="utf-8")
        problems, found, hidden = check_file(md, build, post, "hugo-sample.md", markdown, "body",
                                             0, True)
        report.expect(f"self-test: stand-in hugo.md of {post.slug}", problems,
                      summary(found, hidden))
        if any(level == 3 for level, _ in found):
            broken = re.sub(r"^### ", "## ", markdown, count=1, flags=re.M)
            problems, _, _ = check_file(md, build, post, "hugo-sample.md", broken, "body", 0, True)
            report.caught(f"self-test: stand-in hugo.md of {post.slug} with a heading promoted",
                          problems, "found h2")


# fixtures/per-venue.md: a heading in a `!forum, !newsletter` block.
NOT_IN_FORUM = "How I got here"


def self_test_venue(build, report, md):
    """Each venue is held to its own outline: the forum's Markdown edition (forum.md, from
    tests/interop/templates/forum.md.tera) must lack the heading the forum does not show, and
    discourse.md must have it."""
    for post in build.fixtures:
        markdown = build.own_path(post, "forum.md").read_text(encoding="utf-8")
        problems, found, hidden = check_file(md, build, post, "forum.md", markdown, "body")
        report.expect(f"self-test: forum.md of {post.slug}", problems, summary(found, hidden))
    post = next(post for post in build.fixtures if post.source.name == "per-venue.md")
    forum = build.own_path(post, "forum.md").read_text(encoding="utf-8")
    section = f"## {NOT_IN_FORUM}\n\nA section the forum does not show.\n\n"
    broken = forum.replace("## What stays the same", section + "## What stays the same", 1)
    problems, _, _ = check_file(md, build, post, "forum.md", broken, "body")
    report.caught(f"self-test: {post.slug}/forum.md with “{NOT_IN_FORUM}”", problems,
                  f"found h2 “{NOT_IN_FORUM}”")
    if build.has_file("discourse.md"):
        discourse = build.read(post, "discourse.md")
        broken = re.sub(rf"^## {NOT_IN_FORUM}$", "", discourse, count=1, flags=re.M)
        problems, _, _ = check_file(md, build, post, "discourse.md", broken, "body")
        report.caught(f"self-test: {post.slug}/discourse.md without “{NOT_IN_FORUM}”", problems,
                      f"expected h2 “{NOT_IN_FORUM}”")


if __name__ == "__main__":
    raise SystemExit(common.run_checks([sys.modules[__name__]]))
