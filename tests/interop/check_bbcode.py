#!/usr/bin/env python3
"""forum.bbcode of every fixture through an independent BBCode parser (PyPI's `bbcode`).

Its tags balance, and the text a forum shows is, word for word modulo whitespace, the text of
the same venue's edition of the post rendered as HTML: forum.html, which the checks' own
template tests/interop/templates/forum.html.tera adds to the forum venue. A post may give the
forum its own title and question and show it content other venues do not (and hide some they
show), so the forum is compared with the forum, never with the blog. forum.html.tera places
what forum.bbcode.tera places, in its order, and has its header keys (checked here), so the
two files are one edition in two formats. Both sides are turned into HTML by their own
program (the BBCode by the parser, the edition by repurpose) and read with one HTML text
reader, so the words are compared as a reader sees them. Only the differences the two formats
mean to have are normalised; each is listed below with why. The self-tests change one thing
in a real forum post (a dropped sentence, a changed word, a lost closing tag, a forum-only
sentence dropped, another venue's aside added) and expect the check to fail on it.
"""

import difflib
import html.parser
import importlib.metadata
import re
import sys

import bbcode

import common

TITLE = "bbcode: forum.bbcode balances and says what the forum's edition says"

# Superscript digits: the BBCode's footnote markers (the HTML's are <sup> links, left out).
SUPERSCRIPTS = str.maketrans("", "", "⁰¹²³⁴⁵⁶⁷⁸⁹")
# Tokens of only table rules and separators: the BBCode draws tables as aligned [code] text
# (`a | b`, `--+--`) and thematic breaks and the notes' rule as `────`, where the HTML has
# <table> cells and <hr>. Dropped on both sides alike, so a code block stays comparable.
RULE_TOKEN = re.compile(r"^[|+:\-─]+$")
# Elements whose text a reader does not see as the post's words.
NOT_TEXT = {"script", "style", "template"}
# Elements inside a paragraph: no word break at their edges.
INLINE = {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "del", "dfn", "em", "i", "ins", "kbd",
          "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time",
          "u", "var", "font", "img", "input", "br", "wbr"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class TextReader(html.parser.HTMLParser):
    """The words of an HTML fragment as a reader sees them, and its images.

    `drop(tag, attrs)` names elements left out with everything inside them.
    """

    def __init__(self, drop=lambda tag, attrs: False):
        super().__init__(convert_charrefs=True)
        self.drop = drop
        self.parts = []
        self.images = []
        self.stack = []  # (tag, dropped)
        self.strip_number = False

    def dropped(self):
        return any(d for _, d in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        drop = self.drop(tag, attrs) or tag in NOT_TEXT
        if tag not in INLINE:
            self.parts.append(" ")
        if not self.dropped() and not drop:
            if tag == "img":
                self.images.append(attrs.get("src", ""))
            if tag == "input" and attrs.get("type") == "checkbox":
                # The HTML's task-list checkbox; the BBCode writes the same mark as text.
                self.parts.append("☑" if "checked" in attrs else "☐")
            if tag == "li":
                # A bullet item may carry its number as text (the BBCode shows a numbered
                # list that does not start at 1 as bullets with their numbers); a number is a
                # list marker, not a word, on both sides.
                self.strip_number = bool(self.stack) and self.stack[-1][0] == "ul"
        if tag not in VOID:
            self.stack.append((tag, drop))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break
        if tag not in INLINE:
            self.parts.append(" ")

    def handle_data(self, data):
        if self.dropped():
            return
        if self.strip_number and data.strip():
            data = re.sub(r"^\s*\d+\.\s", " ", data)
            self.strip_number = False
        self.parts.append(data)

    def words(self):
        return words_of("".join(self.parts))


def words_of(text):
    return [w for w in text.translate(SUPERSCRIPTS).split() if not RULE_TOKEN.match(w)]


def parser():
    """PyPI's bbcode parser with the tags repurpose's forum venue writes registered."""
    p = bbcode.Parser(replace_links=False, replace_cosmetic=False, newline="\n")
    p.add_simple_formatter("size", "<span>%(value)s</span>")
    p.add_simple_formatter("img", '<img src="%(value)s">', render_embedded=False,
                           replace_links=False, replace_cosmetic=False)
    p.add_simple_formatter("email", "<a>%(value)s</a>", replace_links=False)
    return p


def unbalanced(p, source):
    """Tags opened and not closed, or closed out of order, with their lines."""
    problems = []
    stack = []  # (name, line)
    line = 1
    literal = None  # inside [code], tags are text, as on a forum
    for kind, name, _, text in p.tokenize(source):
        if literal and not (kind == p.TOKEN_TAG_END and name == literal):
            line += text.count("\n")
            continue
        if kind == p.TOKEN_TAG_START:
            if name == "*":
                if stack and stack[-1][0] == "*":
                    stack.pop()  # an item ends where the next begins
                if not stack or stack[-1][0] != "list":
                    problems.append(f"line {line}: [*] outside a [list]")
            if name == "code":
                literal = "code"
            stack.append((name, line))
        elif kind == p.TOKEN_TAG_END:
            literal = None
            if name == "list" and stack and stack[-1][0] == "*":
                stack.pop()  # the last item ends with its list
            if stack and stack[-1][0] == name:
                stack.pop()
            else:
                open_tag = f"[{stack[-1][0]}] of line {stack[-1][1]}" if stack else "no open tag"
                problems.append(f"line {line}: [/{name}] closes {open_tag}")
        line += text.count("\n")
    problems.extend(f"line {at}: [{name}] never closed" for name, at in stack)
    return problems


FOOTER = re.compile(r"\n\n\[size=85\]Originally published at \[url=([^\]]*)\].*?\[/url\]"
                    r"\[/size\]\s*\Z", re.S)
QUESTION = re.compile(r"\n\n\[b\]([^\n]*)\[/b\]\s*\Z")


def forum_side(p, source, facts, canonical):
    """(words, images, problems) of the forum post, its venue-only lines checked and removed."""
    problems = []
    # "Originally published at": the forum's link back to the original, which the HTML
    # edition has as its canonical link instead of a line of text.
    footer = FOOTER.search(source)
    if canonical:
        if not footer:
            problems.append("no closing `Originally published at` link to the canonical URL")
        elif footer.group(1) != canonical:
            problems.append(f"`Originally published at` links to {footer.group(1)}, "
                            f"the forum's canonical URL is {canonical}")
    if footer:
        source = source[:footer.start()]
    # The closing question, lifted out of the body and set in bold after it (lift_question);
    # checked to be the question repurpose found for the forum. Both editions end with it, so
    # its words stay in the comparison.
    if facts.get("question"):
        question = QUESTION.search(source)
        shown = question.group(1).replace("\u2060", "") if question else None
        if shown != facts["question"]:
            problems.append(f"the closing question is {shown!r}, expected {facts['question']!r}")
    reader = TextReader()
    # U+2060 WORD JOINER: put after `[` so text that looks like BBCode is not read as tags;
    # invisible to readers.
    reader.feed(p.format(source).replace("\u2060", ""))
    reader.close()
    return reader.words(), reader.images, problems


def edition_side(page):
    """(words, images, canonical URL) of forum.html's article: what the forum should say."""
    article = page[page.index("<article"):page.rindex("</article>")]

    def drop(tag, attrs):
        # Footnote reference links and back links: markers, not words.
        classes = attrs.get("class", "").split()
        return "footnote-ref" in classes or "footnote-back" in classes

    reader = TextReader(drop)
    reader.feed(article)
    reader.close()
    canonical = re.search(r'<link rel="canonical" href="([^"]*)"', page)
    return reader.words(), reader.images, canonical.group(1) if canonical else None


def differences(expected, found, limit=3):
    """The first changed word runs, with a few words around each."""
    out = []
    matcher = difflib.SequenceMatcher(a=expected, b=found, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        before = " ".join(expected[max(0, a1 - 5):a1])
        out.append(f"after “…{before}”: forum.html has “{' '.join(expected[a1:a2])}”, "
                   f"forum.bbcode has “{' '.join(found[b1:b2])}”")
        if len(out) == limit:
            break
    return out


def compare(p, forum, page, facts):
    """Every problem of one forum post against the forum's HTML edition."""
    problems = unbalanced(p, forum)
    html_words, html_images, canonical = edition_side(page)
    forum_words, forum_images, venue_problems = forum_side(p, forum, facts, canonical)
    problems += venue_problems
    problems += differences(html_words, forum_words)
    if html_images != forum_images:
        problems.append(f"images: forum.html {html_images}, forum.bbcode {forum_images}")
    return problems, len(html_words)


# Header keys that do not change what the two files say: their own words and format, limits.
NOT_CONTENT = {"description", "body", "max_chars", "max_words"}


def header_differences(bbcode_template, html_template):
    """The header keys that change content, where forum.html.tera does not say what the
    forum's BBCode template says."""
    ours = {k: v for k, v in common.template_header(html_template).items() if k not in NOT_CONTENT}
    theirs = {k: v for k, v in common.template_header(bbcode_template).items()
              if k not in NOT_CONTENT}
    return [f"{key}: forum.bbcode's template has {theirs.get(key, '(unset)')!r}, "
            f"forum.html.tera {ours.get(key, '(unset)')!r}"
            for key in sorted(set(ours) | set(theirs)) if ours.get(key) != theirs.get(key)]


def run(build, report):
    p = parser()
    report.tool(f"PyPI bbcode {importlib.metadata.version('bbcode')} (its Parser and tokenizer), "
                f"Python's html.parser, Python {sys.version.split()[0]}")
    if not build.has_file("forum.bbcode"):
        report.skip("forum.bbcode", "needs the forum venue")
        return
    bbcode_template = common.template_text("forum.bbcode")
    html_template = common.template_text("forum.html", [common.HERE / "templates"])
    report.expect(f"{html_template[0].name} has the header of {shown_path(bbcode_template[0])}",
                  header_differences(bbcode_template[1], html_template[1]),
                  "the same keys that change content")
    for post in build.posts:
        problems, words = compare(p, build.read(post, "forum.bbcode"),
                                  build.own_path(post, "forum.html").read_text(encoding="utf-8"),
                                  build.facts(post, "forum"))
        report.expect(f"{post.slug}/forum.bbcode", problems,
                      f"tags balance; same {words} words as the forum's forum.html")
    self_test(build, report, p, html_template[1])


def shown_path(path):
    """`path` relative to the repository when it is in it."""
    return path.relative_to(common.ROOT) if path.is_relative_to(common.ROOT) else path


# fixtures/per-venue.md: a sentence only the forum shows, and an aside only the blog shows.
FORUM_ONLY = "I will collect the answers in a follow-up thread."
BLOG_ONLY = " (the blog has room for asides like this one)"


def self_test(build, report, p, html_template):
    """Real forum posts with one thing broken: the comparison must fail on each."""
    # The longest fixture (small-audiences), whose paragraphs open with plain sentences.
    post = max(build.fixtures, key=lambda post: len(build.read(post, "forum.bbcode")))
    forum = build.read(post, "forum.bbcode")
    sentence = re.search(r"\n\n([A-Z][^\[\n]*?[.!?]) ", forum).group(1)
    word = re.search(r"\n\n[^\[\n]*?\b([a-z]{5,})\b", forum)
    cases = [
        (post, "a sentence dropped", forum.replace(sentence + " ", "", 1),
         f"forum.html has “{common.squash(sentence)}”, forum.bbcode has “”"),
        (post, "a word changed", forum[:word.start(1)] + "zzzz" + forum[word.end(1):],
         "forum.bbcode has “zzzz"),
    ]
    # A fixture with italics in its body (every-construct): its first [/i] lost.
    post = next(post for post in build.fixtures if "[/i]" in build.read(post, "forum.bbcode"))
    forum = build.read(post, "forum.bbcode")
    cases.append((post, "an [/i] lost", forum.replace("[/i]", "", 1), "[i] never closed"))
    # per-venue: what only the forum shows must be there, what it does not show must not.
    post = next(post for post in build.fixtures if post.source.name == "per-venue.md")
    forum = build.read(post, "forum.bbcode")
    cases += [
        (post, "its forum-only sentence dropped", forum.replace(FORUM_ONLY, "", 1)
         if FORUM_ONLY in forum else "(the forum-only sentence is not in forum.bbcode)",
         f"forum.html has “{FORUM_ONLY}”, forum.bbcode has “”"),
        (post, "the blog's aside added", forum.replace("habits,", f"habits{BLOG_ONLY},", 1),
         f"forum.bbcode has “habits{BLOG_ONLY},”"),
    ]
    for post, name, broken, expected in cases:
        problems, _ = compare(p, broken, build.own_path(post, "forum.html").read_text(
            encoding="utf-8"), build.facts(post, "forum"))
        report.caught(f"self-test: {post.slug}/forum.bbcode with {name}", problems, expected)
    # forum.html.tera must follow the forum's header: one key changed is caught (against the
    # built-in forum template, whose lift_question is true).
    broken = html_template.replace("lift_question: true", "lift_question: false", 1)
    built_in = (common.ROOT / "templates" / "forum.bbcode.tera").read_text(encoding="utf-8")
    report.caught("self-test: forum.html.tera with lift_question: false",
                  header_differences(built_in, broken),
                  "lift_question: forum.bbcode's template has 'true', forum.html.tera 'false'")


if __name__ == "__main__":
    raise SystemExit(common.run_checks([sys.modules[__name__]]))
