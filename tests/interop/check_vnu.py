#!/usr/bin/env python3
"""blog.html of every fixture through the Nu Html Checker (vnu): zero errors. So is the
newsletter.html of every post with images of its own (in `out/<slug>/media/`), so the
`<img>`s both venues write for a post's files are checked as HTML. newsletter.html is a
section to paste into an email, not a document: it is checked inside the least document
(doctype, <html lang>, <head> with a <title>, <body>), its line numbers its own.

Warnings are printed, and do not fail: vnu gives them for documents that conform (advice
such as "Section lacks heading"), and the set changes between vnu releases. An error is a
document that does not conform to HTML; a warning is a suggestion about one that does.
"""

import json
import subprocess
import sys

import common
import tools

TITLE = "vnu: blog.html (and newsletter.html with images) conforms to HTML (Nu Html Checker)"

# Errors our HTML renderer could make, put into a real blog.html: the self-test expects vnu
# to report each (by a piece of its message), so a checker that passes everything fails here.
INJECTED = [
    ('<p>a paragraph <div>holding a block</div></p>', "No “p” element in scope"),
    ('<h2 id="twice">One</h2><h2 id="twice">Two</h2>', "Duplicate ID “twice”"),
    ('<p><img src="chart.png"></p>', "must have an “alt” attribute"),
]


# A newsletter.html in the least document, all on the first line so its lines keep their
# numbers (less one).
NEWSLETTER_DOCUMENT = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                       "<title>newsletter</title></head><body>\n{}\n</body></html>\n")


def vnu_version(jar):
    return subprocess.run(["java", "-jar", str(jar), "--version"], capture_output=True,
                          text=True, check=True).stdout.strip()


def validate(jar, files):
    """`{file: [message]}` from one vnu run over all files (one JVM start)."""
    # A 4 MB thread stack, as vnu asks for deep documents; C1 compilation only, which halves
    # the CPU time of a run this short.
    run = subprocess.run(
        ["java", "-Xss4m", "-XX:TieredStopAtLevel=1", "-jar", str(jar), "--format", "json",
         "--stdout", "--exit-zero-always", *map(str, files)],
        capture_output=True, text=True,
    )
    if run.returncode != 0:
        raise RuntimeError(f"vnu failed ({run.returncode}): {run.stderr.strip()}")
    by_file = {str(f): [] for f in files}
    for message in json.loads(run.stdout)["messages"]:
        url = message.get("url", "")
        path = url.removeprefix("file:")
        by_file.setdefault(path, []).append(message)
    return by_file


def is_error(message):
    # "non-document-error" is vnu failing to read the file: as bad as an error.
    return message["type"] in ("error", "non-document-error") or message.get("subType") == "fatal"


def is_warning(message):
    return message["type"] == "info" and message.get("subType") == "warning"


def describe(message, name):
    return f"{name}:{message.get('lastLine', '?')}: {message['message']}"


def run(build, report):
    jar = tools.vnu_jar()
    report.tool(f"the Nu Html Checker {vnu_version(jar)} (npm vnu-jar), on {tools.java_version()}")
    invalid = build.scratch("vnu") / "invalid.html"
    page = build.read(build.posts[0], "blog.html") if build.has_file("blog.html") else \
        "<!DOCTYPE html><html lang=en><head><title>t</title></head><body><main></main></body></html>"
    invalid.write_text(page.replace("</main>", "".join(h for h, _ in INJECTED) + "</main>"),
                       encoding="utf-8")
    files = [(post, build.path(post, "blog.html")) for post in build.posts] \
        if build.has_file("blog.html") else []
    if not files:
        report.skip("blog.html", "no venue writes blog.html")
    if build.has_file("newsletter.html"):
        for post in build.posts:
            if build.path(post, "media").is_dir():
                document = build.scratch("vnu") / f"{post.slug}-newsletter.html"
                document.write_text(NEWSLETTER_DOCUMENT.format(build.read(post, "newsletter.html")),
                                    encoding="utf-8")
                files.append((post, document))
    results = validate(jar, [path for _, path in files] + [invalid])

    for post, path in files:
        name = f"{post.slug}/{path.name.removeprefix(post.slug + '-')}"
        messages = results.get(str(path), [])
        if path.name.endswith("-newsletter.html"):
            for message in messages:
                if isinstance(message.get("lastLine"), int):
                    message["lastLine"] -= 1
        errors = [describe(m, name) for m in messages if is_error(m)]
        warnings = [describe(m, name) for m in messages if is_warning(m)]
        report.expect(name, errors, f"0 errors, {len(warnings)} warning{'s' * (len(warnings) != 1)}")
        for warning in warnings:
            report.note(f"warning (reported, not failed): {warning}")

    found = [m["message"] for m in results.get(str(invalid), []) if is_error(m)]
    missed = [f"vnu did not report: {expected}" for _, expected in INJECTED
              if not any(expected in message for message in found)]
    report.expect("self-test: a blog.html with 3 injected HTML errors", missed,
                  f"vnu reports all {len(INJECTED)} ({len(found)} errors)")


if __name__ == "__main__":
    raise SystemExit(common.run_checks([sys.modules[__name__]]))
