#!/usr/bin/env python3
"""newsletter.html of every fixture loaded in headless chromium (Debian's), at a 1024 px
viewport: it asks for nothing from outside, runs no script, and its content is at most
600 px wide.

Requests: every request the page makes is intercepted (DevTools Fetch domain) and failed
before it is sent, and recorded; the resolver answers "not found" for every host besides,
so nothing leaves the machine. The one kind allowed is an image the post itself has (its
Markdown `![…](…)`, resolved against the canonical URL): an email shows the writer's images,
and a mail client fetches them. A stylesheet, font, background, tracking pixel or frame the
template adds, or any other request, fails the check. URLs the page names for later
(`loading=lazy`, srcset, CSS not yet applied) are read from the DOM as well.

Scripts: chromium's script parser is watched while the page loads (Debugger.scriptParsed),
and the DOM is searched for <script>, on* attributes, javascript: URLs and frames, which a
mail client would strip or refuse.

Width: the union of the boxes a reader sees (text, images, rules, anything with a background
or border) must be ≤ 600 px wide, and the page must not scroll sideways.
"""

import re
import sys
import time
import urllib.parse

import cdp
import common
import tools

TITLE = "chromium: newsletter.html requests nothing, runs nothing, fits in 600 px"
VIEWPORT = (1024, 768)
MAX_WIDTH = 600

MEASURE = r"""
(() => {
  const rects = [];
  const add = (r, what) => { if (r.width > 0 && r.height > 0) rects.push([r.left, r.right, what]); };
  const name = el => el.tagName.toLowerCase() + (el.textContent.trim() ? ` “${el.textContent.trim().slice(0, 40)}”` : "");
  const walker = document.createTreeWalker(document.body || document.documentElement, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim() || !node.parentElement) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) add(r, "text in " + name(node.parentElement));
  }
  for (const el of document.querySelectorAll("body *")) {
    const cs = getComputedStyle(el);
    if (cs.display === "none" || cs.visibility === "hidden") continue;
    const replaced = /^(img|svg|video|canvas|iframe|object|embed|input|hr|picture)$/i.test(el.tagName);
    const background = cs.backgroundImage !== "none" || !/^(transparent|rgba\(0, 0, 0, 0\))$/.test(cs.backgroundColor);
    const border = ["Top", "Right", "Bottom", "Left"].some(s => parseFloat(cs["border" + s + "Width"]) > 0 && cs["border" + s + "Style"] !== "none");
    if (replaced || background || border) add(el.getBoundingClientRect(), name(el));
  }
  const left = Math.min(...rects.map(r => r[0])), right = Math.max(...rects.map(r => r[1]));
  const wide = rects.filter(r => r[1] > left + 600.5).map(r => `${r[2]} (${Math.round(r[0])}–${Math.round(r[1])} px)`);
  const urls = [];
  const take = (el, attr) => { const v = el.getAttribute(attr); if (v) urls.push([el.tagName.toLowerCase() + "[" + attr + "]", v]); };
  for (const el of document.querySelectorAll("img, source, input[type=image], video, audio, track, iframe, frame, embed, script")) { take(el, "src"); take(el, "srcset"); take(el, "poster"); }
  for (const el of document.querySelectorAll("link[href]")) take(el, "href");
  for (const el of document.querySelectorAll("object[data]")) take(el, "data");
  for (const el of document.querySelectorAll("[background]")) take(el, "background");
  for (const el of document.querySelectorAll("[style]")) for (const m of el.getAttribute("style").matchAll(/url\(\s*['"]?([^'")]+)/g)) urls.push([el.tagName.toLowerCase() + "[style]", m[1]]);
  for (const el of document.querySelectorAll("style")) for (const m of el.textContent.matchAll(/(?:url\(\s*['"]?|@import\s+['"])([^'")]+)/g)) urls.push(["style", m[1]]);
  const handlers = [];
  for (const el of document.querySelectorAll("*")) for (const a of el.attributes) {
    if (/^on/i.test(a.name)) handlers.push(`${el.tagName.toLowerCase()}[${a.name}]`);
    if (/^\s*(javascript|vbscript):/i.test(a.value) && /^(href|src|action|formaction|data|xlink:href)$/i.test(a.name)) handlers.push(`${el.tagName.toLowerCase()}[${a.name}=${a.value.slice(0, 30)}]`);
  }
  return {
    width: rects.length ? right - left : 0, left, right, wide,
    scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
    scripts: document.querySelectorAll("script").length,
    frames: document.querySelectorAll("iframe, frame, object, embed").length,
    handlers, urls,
  };
})()
"""


class Load:
    """What one page did while it loaded, and what its DOM says."""

    def __init__(self):
        self.requests = []  # (resource type, url)
        self.scripts = []  # script urls (inline scripts: the page's own url)
        self.facts = {}


def load(browser, path):
    """Loads a file in a new tab; a Load."""
    url = path.as_uri()
    target, session = browser.page(*VIEWPORT)
    for domain in ("Network", "Debugger", "Page"):
        browser.call(f"{domain}.enable", {}, session)
    browser.call("Fetch.enable", {"patterns": [{"urlPattern": "*"}]}, session)
    result = Load()
    seen = set()

    def record(kind, request_url):
        if request_url != url and not request_url.startswith(("data:", "about:")) \
                and request_url not in seen:
            seen.add(request_url)
            result.requests.append((kind, request_url))

    navigation = browser.send("Page.navigate", {"url": url}, session)
    deadline = time.monotonic() + 20
    loaded_at = None
    while True:
        # After the load event, a short quiet time for what the page asks for late (what it
        # names but never asks for, such as a lazy image, is read from the DOM below).
        until = min(deadline, loaded_at + 0.1) if loaded_at else deadline
        event = browser.next_event(session, until)
        if event is None:
            break
        method, params = event["method"], event.get("params", {})
        if method == "Fetch.requestPaused":
            request_url = params["request"]["url"]
            if request_url == url:
                browser.send("Fetch.continueRequest", {"requestId": params["requestId"]}, session)
            else:
                record(params.get("resourceType", "Other"), request_url)
                browser.send("Fetch.failRequest", {"requestId": params["requestId"],
                                                   "errorReason": "BlockedByClient"}, session)
        elif method == "Network.requestWillBeSent":
            record(params.get("type", "Other"), params["request"]["url"])
        elif method == "Debugger.scriptParsed" and params.get("url"):
            # Only scripts of the page: ours (Runtime.evaluate, below) have no URL.
            result.scripts.append(params["url"])
        elif method == "Page.loadEventFired":
            loaded_at = time.monotonic()
    browser.reply(navigation)
    if loaded_at is None:
        raise RuntimeError(f"{path.name} did not finish loading in 20 s")
    evaluated = browser.call("Runtime.evaluate", {"expression": MEASURE, "returnByValue": True},
                             session)
    if "exceptionDetails" in evaluated:
        raise RuntimeError(f"measuring {path.name}: {evaluated['exceptionDetails']}")
    result.facts = evaluated["result"]["value"]
    browser.call("Target.closeTarget", {"targetId": target})
    return result


def post_images(source, canonical):
    """The absolute URLs of the post's own images, as a venue with a canonical URL shows them."""
    _, body = common.split_front_matter(source)
    urls = set()
    for token in common.markdown_parser().parse(body):
        for child in token.children or []:
            if child.type == "image":
                urls.add(urllib.parse.urljoin(canonical or "", child.attrs.get("src", "")))
    return urls


def problems_of(loaded, allowed_images, base):
    """What is wrong with a loaded newsletter, and what was allowed (for the report)."""
    problems, allowed = [], []
    for kind, request_url in loaded.requests:
        if kind == "Image" and request_url in allowed_images:
            allowed.append(request_url)
        else:
            problems.append(f"requests {kind.lower()} {request_url}")
    for where, value in loaded.facts["urls"]:
        absolute = urllib.parse.urljoin(base, value.split()[0]) if value.strip() else value
        if absolute in allowed_images or absolute.startswith("data:") or \
                any(absolute == u for _, u in loaded.requests):
            continue
        problems.append(f"names a resource it would load: {where} {value}")
    if loaded.scripts:
        problems.append(f"runs {len(loaded.scripts)} script(s): {', '.join(sorted(set(loaded.scripts)))}")
    facts = loaded.facts
    if facts["scripts"] and not loaded.scripts:
        problems.append(f"has {facts['scripts']} <script> element(s)")
    if facts["handlers"]:
        problems.append(f"has script in attributes: {', '.join(facts['handlers'][:5])}")
    if facts["frames"]:
        problems.append(f"has {facts['frames']} frame or object element(s)")
    if facts["width"] > MAX_WIDTH + 0.5:
        problems.append(f"content is {facts['width']:.0f} px wide (over {MAX_WIDTH}): "
                        + "; ".join(facts["wide"][:3]))
    if facts["scrollWidth"] > facts["innerWidth"]:
        problems.append(f"scrolls sideways: {facts['scrollWidth']} px in a {facts['innerWidth']} px viewport")
    return problems, allowed


def run(build, report):
    binary = tools.chromium()
    if not build.has_file("newsletter.html"):
        report.skip("newsletter.html", "no venue writes newsletter.html")
        return
    with cdp.Chromium(binary) as browser:
        report.tool(f"{browser.version} (Debian chromium, headless, DevTools over a pipe), "
                    f"viewport {VIEWPORT[0]}×{VIEWPORT[1]}")
        for post in build.posts:
            facts = build.facts(post, "newsletter")
            images = post_images(post.source.read_text(encoding="utf-8"), facts["canonical_url"])
            path = build.path(post, "newsletter.html")
            loaded = load(browser, path)
            problems, allowed = problems_of(loaded, images, path.as_uri())
            detail = (f"no requests{' but the post’s own image(s), blocked here: ' + ', '.join(allowed) if allowed else ''}; "
                      f"no scripts; content {loaded.facts['width']:.0f} px wide")
            report.expect(f"{post.slug}/newsletter.html", problems, detail)
        self_test(build, report, browser)


# Changes a template could make, each put into a real newsletter: the check must fail on each.
BROKEN = [
    ("a stylesheet link", lambda h: '<link rel="stylesheet" href="https://cdn.example.net/mail.css">' + h,
     "requests stylesheet https://cdn.example.net/mail.css"),
    ("a tracking pixel", lambda h: h.replace("</td>", '<img src="https://track.example.net/open.gif" width="1" height="1" alt=""></td>', 1),
     "requests image https://track.example.net/open.gif"),
    ("a background image", lambda h: h.replace('<td style="', '<td style="background-image:url(https://img.example.net/bg.png);', 1),
     "requests image https://img.example.net/bg.png"),
    ("a lazy image below the fold", lambda h: h + '<div style="height:3000px"></div><img loading="lazy" src="https://img.example.net/late.png" alt="late">',
     "img[src] https://img.example.net/late.png"),
    ("an inline script", lambda h: h + "<script>document.title = 'ran';</script>", "runs 1 script"),
    ("an event attribute", lambda h: h.replace("<a ", '<a onclick="return false" ', 1), "a[onclick]"),
    ("a 700 px table", lambda h: h.replace("</td>", '<table width="700" style="width:700px"><tr><td>wide</td></tr></table></td>', 1),
     "px wide (over 600)"),
]


def self_test(build, report, browser):
    # The fixture with the most images (every-construct, one), so allowed images are in play.
    post = max(build.fixtures, key=lambda p: len(post_images(p.source.read_text(encoding="utf-8"),
                                                         build.facts(p, "newsletter")["canonical_url"])))
    facts = build.facts(post, "newsletter")
    images = post_images(post.source.read_text(encoding="utf-8"), facts["canonical_url"])
    page = build.read(post, "newsletter.html")
    folder = build.scratch("chromium")
    for name, change, expected in BROKEN:
        path = folder / (re.sub(r"\W+", "-", name) + ".html")
        path.write_text(change(page), encoding="utf-8")
        problems, _ = problems_of(load(browser, path), images, path.as_uri())
        report.caught(f"self-test: {post.slug}/newsletter.html with {name}", problems, expected)


if __name__ == "__main__":
    raise SystemExit(common.run_checks([sys.modules[__name__]]))
