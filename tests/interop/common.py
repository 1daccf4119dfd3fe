"""Shared by the interop checks: the fixtures built once, the venues, what a check reports."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import tools

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

# The site configuration the integration tests build the fixtures with (tests/cli/harness.rs),
# so relative links and images have a canonical URL to resolve against.
SITE_CONFIG = "site:\n  url: https://example.com/blog\n  title: Example\n  author: Site Author\n"


class Report:
    """One check's lines on stdout, and its tally: every file or self-test is passed or failed."""

    def __init__(self, title):
        self.title = title
        self.passed = 0
        self.failed = 0
        self.not_run = []
        self.seconds = 0.0
        print(f"== {title}", flush=True)

    def tool(self, line):
        """The program and version this check runs."""
        print(f"   using {line}", flush=True)

    def ok(self, subject, detail=""):
        self.passed += 1
        print(f"   ok    {subject}{': ' + detail if detail else ''}", flush=True)

    def fail(self, subject, detail):
        self.failed += 1
        lines = detail.splitlines() or [""]
        print(f"   FAIL  {subject}: {lines[0]}", flush=True)
        for line in lines[1:]:
            print(f"          {line}", flush=True)

    def note(self, line):
        """A finding that does not fail the check (a validator's warning, say)."""
        print(f"          {line}", flush=True)

    def skip(self, subject, reason):
        """A check that cannot run yet because the venue it reads does not exist."""
        self.not_run.append(subject)
        print(f"   NOT RUN {subject}: {reason}", flush=True)

    def caught(self, subject, problems, expected):
        """A self-test: ok when one of `problems` contains `expected`."""
        found = [problem for problem in problems if expected in problem]
        if found:
            self.ok(subject, f"caught: {found[0]}")
        else:
            self.fail(subject, f"not caught: expected a problem with “{expected}”, found "
                      + ("; ".join(problems) if problems else "none"))

    def expect(self, subject, problems, detail=""):
        """ok when `problems` is empty, else one failure listing them."""
        if problems:
            self.fail(subject, "\n".join(problems) if len(problems) == 1
                      else f"{len(problems)} problems\n" + "\n".join(problems))
        else:
            self.ok(subject, detail)


class Post:
    """One built fixture: its slug and source file."""

    def __init__(self, slug, source):
        self.slug = slug
        self.source = source

    def __repr__(self):
        return self.slug


class Build:
    """Every fixture built with the built-in venues into a temporary project, as a user would."""

    def __init__(self):
        self.binary = repurpose_binary()
        self.dir = Path(tempfile.mkdtemp(prefix="repurpose-interop-"))
        posts = self.dir / "posts"
        posts.mkdir()
        fixtures = sorted((ROOT / "fixtures").glob("*.md"))
        # The checks' own posts: constructs and long lines the fixtures do not have.
        own = sorted((HERE / "posts").glob("*.md"))
        # INTEROP_POSTS=DIR checks your own posts (its *.md) too.
        extra = os.environ.get("INTEROP_POSTS")
        for path in fixtures + own + (sorted(Path(extra).glob("*.md")) if extra else []):
            shutil.copy(path, posts / path.name)
        (self.dir / "repurpose.yaml").write_text(SITE_CONFIG, encoding="utf-8")
        self.out = self.dir / "out"
        # INTEROP_TEMPLATES=DIR checks a templates folder of your own (added to the built-ins,
        # as `build -t DIR` does), e.g. a new venue before it is built in.
        self.templates = os.environ.get("INTEROP_TEMPLATES")
        user = ["-t", str(Path(self.templates).resolve())] if self.templates else []
        self.repurpose("build", "posts", "-q", *user)
        self.own = set()
        # What repurpose derived from each post (its title, question, outro), through a
        # template of the checks' own.
        self.build_own("facts")
        manifest = json.loads((self.out / "manifest.json").read_text(encoding="utf-8"))
        self.posts = [Post(slug, self.dir / entry["source"])
                      for slug, entry in sorted(manifest["posts"].items())]
        # The self-tests change the fixtures' outputs, whose shape they know.
        names = {path.name for path in fixtures}
        self.fixtures = [post for post in self.posts if post.source.name in names]
        listed = json.loads(self.repurpose("venues", "--json", *user))
        self.venues = {venue["name"]: venue for venue in listed}

    def repurpose(self, *args):
        """Runs repurpose in the project; its stdout, or SystemExit with its stderr."""
        run = subprocess.run([str(self.binary), *args], cwd=self.dir, capture_output=True,
                             text=True, env={**os.environ, "NO_COLOR": "1"})
        if run.returncode != 0:
            sys.exit(f"repurpose {' '.join(args)} failed ({run.returncode}):\n{run.stderr}")
        return run.stdout

    def build_own(self, venue):
        """Builds one of the checks' own templates (tests/interop/templates/) into
        `<venue>/<slug>/`, apart from `out`, which holds only what users get."""
        if venue not in self.own:
            self.repurpose("build", "posts", "-q", "-o", venue, "-t", str(HERE / "templates"),
                           "--venue", venue)
            self.own.add(venue)
        return self.dir / venue

    def has_file(self, name):
        """Whether a venue writes the output file `name` (e.g. `hugo.md`)."""
        return any(name in venue["files"] for venue in self.venues.values())

    def path(self, post, name):
        return self.out / post.slug / name

    def read(self, post, name):
        return self.path(post, name).read_text(encoding="utf-8")

    def facts(self, post):
        path = self.build_own("facts") / post.slug / "facts.json"
        return json.loads(path.read_text(encoding="utf-8"))

    def scratch(self, name):
        """A new folder for a check's own files, removed with the build."""
        folder = self.dir / "scratch" / name
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def repurpose_binary():
    """`$REPURPOSE` when set, else the debug binary, built if needed (`cargo test` built it)."""
    if os.environ.get("REPURPOSE"):
        return Path(os.environ["REPURPOSE"]).resolve()
    subprocess.run(["cargo", "build", "--quiet", "--locked"], cwd=ROOT, check=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    if not target.is_absolute():
        target = ROOT / target
    return target / "debug" / "repurpose"


def template_header_int(file_name, key, default=0):
    """An integer key of a venue template's header, e.g. `heading_offset` of hugo.md: in
    $INTEROP_TEMPLATES when it has the file, else the built-in (templates/)."""
    template = ROOT / "templates" / f"{file_name}.tera"
    if os.environ.get("INTEROP_TEMPLATES"):
        own = Path(os.environ["INTEROP_TEMPLATES"]) / f"{file_name}.tera"
        template = own if own.is_file() else template
    text = template.read_text(encoding="utf-8") if template.is_file() else ""
    header = re.match(r"\{#-?---\n(.*?)\n---#\}", text, re.S)
    found = re.search(rf"^{key}:\s*(-?\d+)", header.group(1), re.M) if header else None
    return int(found.group(1)) if found else default


def split_front_matter(text):
    """`(yaml, body)`: Markdown consumers (Hugo, Jekyll, Zola) read the `---` block apart."""
    text = text.lstrip("\ufeff")
    match = re.match(r"---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|$)", text, re.S)
    if match:
        return match.group(1), text[match.end():]
    return "", text


def squash(text):
    """Whitespace runs as one space, ends trimmed: the checks compare text modulo whitespace."""
    return " ".join(text.split())


# Smart punctuation: the post format turns ' " -- --- ... into typographic characters, and
# Hugo's typographer does the same; folding both sides back to ASCII compares the words.
TYPOGRAPHIC = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'",
                             "–": "--", "—": "---", "…": "..."})


def fold_typography(text):
    return text.translate(TYPOGRAPHIC)


def same_text(a, b):
    """Equal modulo whitespace and smart punctuation."""
    return fold_typography(squash(a)) == fold_typography(squash(b))


def markdown_parser():
    """PyPI markdown-it-py's CommonMark, with the tables and strikethrough of the post format
    (and of GitHub, Discourse and Hugo's Goldmark)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def run_checks(modules, required_venues=()):
    """Builds the fixtures once, runs each module's `run(build, report)`, prints the tally.

    Exit status 1 when a check failed, a tool is missing, or a venue in `required_venues`
    is not listed by `repurpose venues`.
    """
    problems = tools.missing()
    if problems:
        for line in problems:
            print(f"missing: {line}", file=sys.stderr)
        print("a program the checks run is missing: that fails the run, it is never skipped")
        print("interop: 0 passed, 1 failed")
        return 1
    started = time.monotonic()
    build = Build()
    built_in = time.monotonic() - started
    reports = []
    try:
        print(f"built {len(build.posts)} posts with {build.binary} in {built_in:.1f} s, into "
              f"{build.dir}; venues: {', '.join(sorted(build.venues))}", flush=True)
        absent = sorted(set(required_venues) - set(build.venues))
        if absent:
            report = Report("required venues")
            report.fail("repurpose venues", f"does not list {', '.join(absent)}")
            reports.append(report)
        for module in modules:
            report = Report(module.TITLE)
            started = time.monotonic()
            module.run(build, report)
            report.seconds = time.monotonic() - started
            reports.append(report)
    finally:
        if not os.environ.get("INTEROP_KEEP"):
            build.remove()
    ran = [f"{r.title.split(':')[0]} ({r.seconds:.1f} s)" for r in reports if r.passed + r.failed]
    not_run = [f"{r.title.split(':')[0]} {n}" for r in reports for n in r.not_run]
    print(f"\nchecks run: {'; '.join(ran) or 'none'}")
    print(f"not run (their venue does not exist): {'; '.join(not_run) or 'none'}")
    passed = sum(r.passed for r in reports)
    failed = sum(r.failed for r in reports)
    print(f"interop: {passed} passed, {failed} failed")
    return 1 if failed else 0
