#!/usr/bin/env python3
"""forum.bbcode of every fixture through an independent BBCode parser (PyPI's `bbcode`).

Its tags balance, and the text a forum shows is the blog body's text, word for word, modulo
whitespace. Both sides are turned into HTML by their own program (the BBCode by the parser,
the blog by repurpose) and read with one HTML text reader, so the words are compared as a
reader sees them. Only the differences the venues mean to have are normalised; each is
listed below with why. The self-tests change one thing in a real forum post (a dropped
sentence, a changed word, a lost closing tag) and expect the check to fail on it.
"""

import difflib
import html.parser
import importlib.metadata
import re
import sys

import bbcode

import common

TITLE = "bbcode: forum.bbcode balances and says what the blog says"

# Superscript digits: the forum's footnote markers (the blog's are <sup> links, left out).
SUPERSCRIPTS = str.maketrans("", "", "⁰¹²³⁴⁵⁶⁷⁸⁹")
# Tokens of only table rules and separators: the forum draws tables as aligned [code] text
# (`a | b`, `--+--`) and thematic breaks and the notes' rule as `────`, where the blog has
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
                # The blog's task-list checkbox; the forum writes the same mark as text.
                self.parts.append("☑" if "checked" in attrs else "☐")
            if tag == "li":
                # A bullet item may carry its number as text (the forum shows a numbered
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
    # "Originally published at": the forum's link back to the blog; the blog is the original.
    footer = FOOTER.search(source)
    if canonical:
        if not footer:
            problems.append("no closing `Originally published at` link to the canonical URL")
        elif footer.group(1) != canonical:
            problems.append(f"`Originally published at` links to {footer.group(1)}, "
                            f"the blog's canonical URL is {canonical}")
    if footer:
        source = source[:footer.start()]
    # The closing question, lifted out of the body and set in bold after it (the forum's
    # header says lift_question); checked against the question repurpose found.
    if facts.get("question"):
        question = QUESTION.search(source)
        shown = question.group(1).replace("\u2060", "") if question else None
        if shown != facts["question"]:
            problems.append(f"the closing question is {shown!r}, expected {facts['question']!r}")
        if question:
            source = source[:question.start()]
    reader = TextReader()
    # U+2060 WORD JOINER: put after `[` so text that looks like BBCode is not read as tags;
    # invisible to readers.
    reader.feed(p.format(source).replace("\u2060", ""))
    reader.close()
    return reader.words(), reader.images, problems


def blog_side(page, facts):
    """(words, images, canonical URL) of the blog page's article, as the forum should say it."""
    article = page[page.index("<article"):page.rindex("</article>")]

    def drop(tag, attrs):
        classes = attrs.get("class", "").split()
        # The byline (author, date, reading time) and the tag list: page metadata the forum
        # post does not repeat. Footnote reference links and back links: markers, not words.
        return ("byline" in classes or tag == "footer" or "footnote-ref" in classes
                or "footnote-back" in classes)

    reader = TextReader(drop)
    reader.feed(article)
    reader.close()
    words = reader.words()
    question = words_of(facts.get("question") or "")
    # A question lifted from the closing paragraph is at the end of the blog's body, before
    # its notes; the forum shows it after them (checked in forum_side), so it is taken out here.
    for at in range(len(words) - len(question), -1, -1):
        if question and words[at:at + len(question)] == question:
            del words[at:at + len(question)]
            break
    canonical = re.search(r'<link rel="canonical" href="([^"]*)"', page)
    return words, reader.images, canonical.group(1) if canonical else None


def differences(expected, found, limit=3):
    """The first changed word runs, with a few words around each."""
    out = []
    matcher = difflib.SequenceMatcher(a=expected, b=found, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        before = " ".join(expected[max(0, a1 - 5):a1])
        out.append(f"after “…{before}”: blog has “{' '.join(expected[a1:a2])}”, "
                   f"forum has “{' '.join(found[b1:b2])}”")
        if len(out) == limit:
            break
    return out


def compare(p, forum, page, facts):
    """Every problem of one forum post against its blog page."""
    problems = unbalanced(p, forum)
    blog_words, blog_images, canonical = blog_side(page, facts)
    forum_words, forum_images, venue_problems = forum_side(p, forum, facts, canonical)
    problems += venue_problems
    problems += differences(blog_words, forum_words)
    if blog_images != forum_images:
        problems.append(f"images: blog {blog_images}, forum {forum_images}")
    return problems, len(blog_words)


def run(build, report):
    p = parser()
    report.tool(f"PyPI bbcode {importlib.metadata.version('bbcode')} (its Parser and tokenizer), "
                f"Python's html.parser, Python {sys.version.split()[0]}")
    if not (build.has_file("forum.bbcode") and build.has_file("blog.html")):
        report.skip("forum.bbcode", "needs the forum and blog venues")
        return
    for post in build.posts:
        problems, words = compare(p, build.read(post, "forum.bbcode"),
                                  build.read(post, "blog.html"), build.facts(post))
        report.expect(f"{post.slug}/forum.bbcode", problems,
                      f"tags balance; same {words} words as the blog")
    self_test(build, report, p)


def self_test(build, report, p):
    """Real forum posts with one thing broken: the comparison must fail on each."""
    # The longest fixture (small-audiences), whose paragraphs open with plain sentences.
    post = max(build.fixtures, key=lambda post: len(build.read(post, "forum.bbcode")))
    forum = build.read(post, "forum.bbcode")
    sentence = re.search(r"\n\n([A-Z][^\[\n]*?[.!?]) ", forum)
    word = re.search(r"\n\n[^\[\n]*?\b([a-z]{5,})\b", forum)
    cases = [
        (post, "a sentence dropped", forum.replace(sentence.group(1) + " ", "", 1), "blog has"),
        (post, "a word changed", forum[:word.start(1)] + "zzzz" + forum[word.end(1):],
         "forum has “zzzz"),
    ]
    # A fixture with italics in its body (every-construct): its first [/i] lost.
    post = next(post for post in build.fixtures if "[/i]" in build.read(post, "forum.bbcode"))
    forum = build.read(post, "forum.bbcode")
    cases.append((post, "an [/i] lost", forum.replace("[/i]", "", 1), "[i] never closed"))
    for post, name, broken, expected in cases:
        problems, _ = compare(p, broken, build.read(post, "blog.html"), build.facts(post))
        report.caught(f"self-test: {post.slug}/forum.bbcode with {name}", problems, expected)


if __name__ == "__main__":
    raise SystemExit(common.run_checks([sys.modules[__name__]]))
