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

import images
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
        # The fixtures' images beside them (images/), and the image post's, made here.
        for folder in (ROOT / "fixtures").iterdir():
            if folder.is_dir():
                shutil.copytree(folder, posts / folder.name)
        images.make(posts)
        (self.dir / "repurpose.yaml").write_text(SITE_CONFIG, encoding="utf-8")
        self.out = self.dir / "out"
        # INTEROP_TEMPLATES=DIR checks a templates folder of your own (added to the built-ins,
        # as `build -t DIR` does), e.g. a new venue before it is built in.
        self.templates = os.environ.get("INTEROP_TEMPLATES")
        user = ["-t", str(Path(self.templates).resolve())] if self.templates else []
        self.repurpose("build", "posts", "-q", *user)
        self.own_out = None
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

    def build_own(self):
        """The posts built once more, into `own/<slug>/` apart from `out` (which holds only
        what users get), with the checks' own templates (tests/interop/templates/) added to
        the run's, and for every venue a `<venue>.facts.json`: the post as repurpose derived
        it for that venue. Returns the `own` folder.

        A post may set its title, question or canonical URL per venue and show content only
        in some venues, so each venue has its own facts, and a check compares a venue's
        output only with files of the same venue (its templates share the venue's edition of
        the post). The facts template copies the venue's header keys that change what
        `post` holds (FACTS_KEYS). Every file the venues write must come out here as in
        `out`, so the added templates are known to change nothing users get.
        """
        if self.own_out:
            return self.own_out
        folder = self.dir / "own-templates"
        folder.mkdir()
        for source in ([Path(self.templates)] if self.templates else []) + [HERE / "templates"]:
            for path in sorted(source.glob("*.tera")):
                shutil.copy(path, folder / path.name)
        listed = json.loads(self.repurpose("venues", "--json", "-t", str(folder)))
        for venue in listed:
            # The venue's files users get; only the checks' own venues have none.
            files = self.venues.get(venue["name"], venue)["files"]
            keys = facts_keys(venue["name"], files, folder)
            (folder / f"{venue['name']}.facts.json.tera").write_text(
                "{#---\ndescription: What repurpose derived from a post for this venue, for the "
                "interop checks\nbody: markdown\n" + "".join(f"{k}: {v}\n" for k, v in keys)
                + "---#}\n" + FACTS_TEMPLATE, encoding="utf-8")
        self.repurpose("build", "posts", "-q", "-o", "own", "-t", str(folder))
        own = self.dir / "own"
        for post in self.posts:
            for name in (name for venue in self.venues.values() for name in venue["files"]):
                ours, theirs = self.path(post, name), own / post.slug / name
                same = (ours.is_file() == theirs.is_file()
                        and (not ours.is_file() or ours.read_bytes() == theirs.read_bytes()))
                if not same:
                    sys.exit(f"{post.slug}/{name} differs when built with the checks' own "
                             f"templates ({HERE / 'templates'}): they must add files, not "
                             "change a venue's")
        self.own_out = own
        return own

    def own_path(self, post, name):
        """A file of the checks' own build (see `build_own`), e.g. `forum.html`."""
        return self.build_own() / post.slug / name

    def has_file(self, name):
        """Whether a venue writes the output file `name` (e.g. `hugo.md`)."""
        return any(name in venue["files"] for venue in self.venues.values())

    def path(self, post, name):
        return self.out / post.slug / name

    def read(self, post, name):
        return self.path(post, name).read_text(encoding="utf-8")

    def facts(self, post, venue):
        """What repurpose derived from `post` for `venue`: its `post` as JSON (title,
        question, outline, outro, canonical_url, …)."""
        path = self.own_path(post, f"{venue}.facts.json")
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


# Header keys that change what a template's `post` holds, not only how its body is written:
# the facts of a venue are derived with the venue's own values of these.
FACTS_KEYS = ("lift_question", "excerpt_words")


# The facts template's text after its header. repurpose derives only what a template names,
# so the comment names every part the checks may read.
FACTS_TEMPLATE = """{#- Names post.excerpt, post.summary, post.question, post.intro, post.sections and
    post.outro, so that repurpose derives each of them for the venue. -#}
{{ post | json_encode(pretty=true) }}
"""


def template_text(file_name, folders=()):
    """The template that writes `file_name`, as the checks' build uses it: in one of
    `folders` or $INTEROP_TEMPLATES when it has the file, else the built-in (templates/)."""
    own = [Path(os.environ["INTEROP_TEMPLATES"])] if os.environ.get("INTEROP_TEMPLATES") else []
    for folder in list(folders) + own + [ROOT / "templates"]:
        path = Path(folder) / f"{file_name}.tera"
        if path.is_file():
            return path, path.read_text(encoding="utf-8")
    return None, ""


def template_header(text):
    """A template header's top-level keys and their values as written (a value spanning
    several lines, such as `utm`, keeps its indented lines), comments left out."""
    match = re.match(r"\{#-?---\n(.*?)\n---#\}", text, re.S)
    header = {}
    key = None
    for line in (match.group(1).splitlines() if match else []):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        top = re.match(r"^(\w+):\s*(.*?)\s*(?:\s#.*)?$", line)
        if top:
            key = top.group(1)
            header[key] = top.group(2)
        elif key:
            header[key] += "\n" + line.rstrip()
    return header


def template_header_int(file_name, key, default=0):
    """An integer key of a venue template's header, e.g. `heading_offset` of hugo.md."""
    found = re.fullmatch(r"-?\d+", template_header(template_text(file_name)[1]).get(key, ""))
    return int(found.group(0)) if found else default


def facts_keys(venue, files, folder):
    """`[(key, value)]` of FACTS_KEYS as the templates of `venue` that write `files` (in
    `folder`, else built in) set them; SystemExit when they disagree, since the venue's
    facts could then be either."""
    values = {}
    for name in files:
        header = template_header(template_text(name, [folder])[1])
        values[name] = tuple((k, header[k]) for k in FACTS_KEYS if k in header)
    if len(set(values.values())) > 1:
        sys.exit(f"the templates of venue {venue} set {', '.join(FACTS_KEYS)} apart "
                 f"({values}); the interop checks derive one set of facts per venue")
    return next(iter(values.values()), ())


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
