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

Images: a newsletter's image the post has as a local file points at a copy in
`out/<slug>/media/`, which must be PNG or JPEG and at most 1,200 px wide (read with Pillow),
shown at most 600 px wide. blog.html of every post is opened from the file system, each image
scrolled into view: every `<img>` must load (complete, naturalWidth > 0), and every request the
page makes must be a file:// URL inside its own folder `out/<slug>/` (any other is failed
before it is sent, and fails the check).
"""

import re
import shutil
import sys
import time
import urllib.parse

import cdp
import common
import tools

try:
    from PIL import Image
except ImportError:  # tools.missing() names Pillow, so the run stops before any check
    Image = None

TITLE = ("chromium: newsletter.html requests nothing, runs nothing, fits in 600 px; "
         "blog.html shows its images from its own folder")
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
  const images = [...document.images].map(i => ({
    src: i.getAttribute("src") || "", width: i.getAttribute("width"),
    rendered: i.getBoundingClientRect().width,
  }));
  return {
    images,
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


def media_file(build, post, url):
    """The file in `out/<slug>/media/` an image URL of the post's outputs names (by its last
    path segment, whatever the URL's host: `site.media_url` or `site.url`), or None."""
    name = urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])
    path = build.path(post, "media") / name
    return path if name and path.is_file() else None


def newsletter_image_problems(build, post, loaded, base, remote):
    """What is wrong with a newsletter's `<img>`s: shown over 600 px, or pointing at a media
    file that is not PNG or JPEG or is over 1,200 px wide. `remote`: the post's own images
    on other sites, which are not ours to read. `(problems, files read)`."""
    problems = []
    checked = 0
    for image in loaded.facts["images"]:
        src = image["src"]
        width = image["width"]
        if width is None or not width.strip().isdigit():
            problems.append(f"<img src={src}> has no width in pixels (width={width!r})")
        elif int(width) > MAX_WIDTH:
            problems.append(f"<img src={src}> is shown {width} px wide (over {MAX_WIDTH})")
        if image["rendered"] > MAX_WIDTH + 0.5:
            problems.append(f"<img src={src}> takes {image['rendered']:.0f} px (over {MAX_WIDTH})")
        absolute = urllib.parse.urljoin(base, src)
        path = media_file(build, post, absolute)
        if path is None:
            if absolute not in remote:
                problems.append(f"<img src={src}> names no file in {post.slug}/media/")
            continue
        checked += 1
        try:
            with Image.open(path) as opened:
                kind, pixels = opened.format, opened.size
        except OSError as e:
            svg = path.read_bytes().lstrip()[:5] in (b"<svg ", b"<svg>", b"<?xml")
            problems.append(f"<img src={src}>: {post.slug}/media/{path.name} is "
                            + ("SVG, not PNG or JPEG (most mail clients do not show SVG)" if svg
                               else f"not an image Pillow reads ({e}); a newsletter needs PNG "
                               "or JPEG"))
            continue
        if kind not in ("PNG", "JPEG"):
            problems.append(f"<img src={src}>: {post.slug}/media/{path.name} is {kind}, "
                            "not PNG or JPEG")
        if pixels[0] > 2 * MAX_WIDTH:
            problems.append(f"<img src={src}>: {post.slug}/media/{path.name} is {pixels[0]} px "
                            f"wide (over {2 * MAX_WIDTH})")
    return problems, checked


# Waits for every image, each scrolled into view in turn so that `loading=lazy` ones load;
# what each one shows.
SHOW_IMAGES = r"""
(async () => {
  const pause = ms => new Promise(r => setTimeout(r, ms));
  const images = [...document.images];
  for (const image of images) { image.scrollIntoView(); await pause(30); }
  const deadline = Date.now() + 15000;
  while (images.some(i => !i.complete) && Date.now() < deadline) await pause(50);
  return images.map(i => ({ src: i.getAttribute("src") || "", url: i.currentSrc || i.src,
    complete: i.complete, naturalWidth: i.naturalWidth }));
})()
"""


def load_blog(browser, path):
    """Opens blog.html from the file system and shows every image. Each request inside the
    page's folder goes on; any other is failed before it is sent. `(requests, images)`:
    every URL the page asked for, and what each `<img>` shows."""
    url = path.as_uri()
    folder = path.parent.as_uri() + "/"
    target, session = browser.page(*VIEWPORT)
    for domain in ("Network", "Page"):
        browser.call(f"{domain}.enable", {}, session)
    browser.call("Fetch.enable", {"patterns": [{"urlPattern": "*"}]}, session)
    requests = []
    loaded = []

    def handle(event):
        method, params = event["method"], event.get("params", {})
        if method == "Fetch.requestPaused":
            request_url = params["request"]["url"]
            record(request_url)
            if request_url.startswith(folder):
                browser.send("Fetch.continueRequest", {"requestId": params["requestId"]},
                             session)
            else:
                browser.send("Fetch.failRequest", {"requestId": params["requestId"],
                                                   "errorReason": "BlockedByClient"}, session)
        elif method == "Network.requestWillBeSent":
            record(params["request"]["url"])
        elif method == "Page.loadEventFired":
            loaded.append(time.monotonic())
        elif method == "Page.javascriptDialogOpening":
            # A post's own raw HTML may script the blog (every-construct's alert): the
            # dialog would hold the page's loading forever.
            browser.send("Page.handleJavaScriptDialog", {"accept": True}, session)

    def record(request_url):
        if request_url != url and not request_url.startswith(("data:", "about:")) \
                and request_url not in requests:
            requests.append(request_url)

    def pump(done, limit=30):
        """Handles events until `done()`; RuntimeError after `limit` seconds."""
        deadline = time.monotonic() + limit
        while not done():
            if time.monotonic() > deadline:
                raise RuntimeError(f"{path.name} did not settle in {limit} s")
            event = browser.next_event(session, time.monotonic() + 0.05)
            if event is not None:
                handle(event)

    def quiet(seconds):
        """Handles events until none came for `seconds`."""
        while True:
            event = browser.next_event(session, time.monotonic() + seconds)
            if event is None:
                return
            handle(event)

    navigation = browser.send("Page.navigate", {"url": url}, session)
    pump(lambda: bool(loaded))
    browser.reply(navigation)
    shown = browser.send("Runtime.evaluate", {"expression": SHOW_IMAGES, "returnByValue": True,
                                              "awaitPromise": True}, session)
    pump(lambda: not shown.empty())
    evaluated = browser.reply(shown)
    quiet(0.2)
    if "exceptionDetails" in evaluated:
        raise RuntimeError(f"showing the images of {path.name}: {evaluated['exceptionDetails']}")
    browser.call("Target.closeTarget", {"targetId": target})
    return requests, evaluated["result"]["value"]


def blog_problems(path, requests, images, remote=frozenset()):
    """What is wrong with a loaded blog.html: an image not shown, a request outside its
    folder. `remote`: the post's own images on other sites (its Markdown names them), which
    the page may ask for (they are failed here) and cannot show here."""
    folder = path.parent.as_uri() + "/"
    problems = [f"requests {request} (outside {path.parent.name}/)" for request in requests
                if not request.startswith(folder) and request not in remote]
    for image in images:
        if image["url"] in remote:
            continue
        if not (image["complete"] and image["naturalWidth"] > 0):
            problems.append(f"<img src={image['src']}> does not show ({image['url']})")
    return problems


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
            remote = set(images)
            # The post's local images, as the newsletter names its copies of them.
            images |= {url for url in (urllib.parse.urljoin(path.as_uri(), image["src"])
                                       for image in loaded.facts["images"])
                       if media_file(build, post, url)}
            problems, allowed = problems_of(loaded, images, path.as_uri())
            sized, count = newsletter_image_problems(build, post, loaded, path.as_uri(), remote)
            detail = (f"no requests{' but the post’s own image(s), blocked here: ' + ', '.join(allowed) if allowed else ''}; "
                      f"no scripts; content {loaded.facts['width']:.0f} px wide"
                      f"{f'; {count} image(s) of its media/, PNG or JPEG, ≤ 1200 px wide, shown ≤ 600 px' if count else ''}")
            report.expect(f"{post.slug}/newsletter.html", problems + sized, detail)
        if build.has_file("blog.html"):
            for post in build.posts:
                path = build.path(post, "blog.html")
                requests, shown = load_blog(browser, path)
                remote = post_images(post.source.read_text(encoding="utf-8"), "")
                remote = {url for url in remote if url.startswith(("http:", "https:"))}
                ours = [image for image in shown if image["url"] not in remote]
                elsewhere = [url for url in requests if url in remote]
                report.expect(f"{post.slug}/blog.html", blog_problems(path, requests, shown, remote),
                              f"{len(ours)} image(s) of its own, each shown; "
                              f"{len(requests) - len(elsewhere)} request(s), each inside {post.slug}/"
                              + (f"; the post’s own image(s) elsewhere, blocked here: "
                                 f"{', '.join(elsewhere)}" if elsewhere else ""))
        else:
            report.skip("blog.html", "no venue writes blog.html")
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
    if build.has_file("blog.html"):
        blog_self_test(build, report, browser)


# Changes that break a blog page's images or make it ask the network: the check must fail
# on each.
BROKEN_BLOG = [
    ("an image that is not there", lambda h: h.replace('src="media/', 'src="media/missing-', 1),
     "does not show"),
    ("a stylesheet from elsewhere", lambda h: h.replace(
        "<head>", '<head><link rel="stylesheet" href="https://cdn.example.net/blog.css">', 1),
     "requests https://cdn.example.net/blog.css"),
    ("an image outside its folder", lambda h: h.replace(
        "</main>", '<img src="../elsewhere.png" alt="elsewhere"></main>', 1),
     "elsewhere.png (outside"),
]


def blog_self_test(build, report, browser):
    """On a copy of the folder of the post whose blog.html has the most images."""
    post = max(build.posts, key=lambda p: build.read(p, "blog.html").count("<img "))
    folder = build.scratch("chromium") / "blog" / post.slug
    shutil.copytree(build.path(post, "blog.html").parent, folder)
    page = build.read(post, "blog.html")
    for name, change, expected in BROKEN_BLOG:
        path = folder / (re.sub(r"\W+", "-", name) + ".html")
        path.write_text(change(page), encoding="utf-8")
        requests, shown = load_blog(browser, path)
        report.caught(f"self-test: {post.slug}/blog.html with {name}",
                      blog_problems(path, requests, shown), expected)


if __name__ == "__main__":
    raise SystemExit(common.run_checks([sys.modules[__name__]]))
