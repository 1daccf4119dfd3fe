#!/usr/bin/env python3
"""A local stand-in for a Mastodon instance's REST API, for repurpose's tests.

It follows Mastodon's published API reference where repurpose uses it:
  https://docs.joinmastodon.org/methods/statuses/  (create, get, source, context, edit)
  https://docs.joinmastodon.org/methods/instance/  (GET /api/v2/instance, /api/v1/instance)
  https://docs.joinmastodon.org/methods/accounts/  (verify_credentials, :id/statuses)
  https://docs.joinmastodon.org/api/rate-limits/   (X-RateLimit-* on every answer)
  https://docs.joinmastodon.org/methods/statuses/#create, header `Idempotency-Key`
and Mastodon's own StatusLengthValidator (app/validators/status_length_validator.rb): a
status counts grapheme clusters, every http(s) URL as `characters_reserved_per_url` (23)
whatever its length, and a remote mention `@user@domain` as `@user`.

Usage: mastodon_server.py [--port N] [--token T] [--max-characters N] [--no-v2]
Prints `listening 127.0.0.1:PORT` once ready. Stops on end of file on stdin or SIGTERM.

Control routes (no token; tests only):
  POST /__faults    JSON, replaces the faults; counts of create requests start again:
                    {"error_500_on": N}      the N-th create answers 500, storing nothing
                    {"drop_after_store_on": N}  stores, then closes without answering
                    {"rate_limit_on": N, "retry_after": S}  429 with Retry-After and
                                             X-RateLimit-Reset, storing nothing
                                             ("retry_after_header": false: without
                                             Retry-After, as Mastodon itself answers)
                    {"slow_on": N, "slow_seconds": S}  stores, answers after S seconds
                    Several keys may be given at once.
  POST /__instance  JSON {"max_characters": N, "characters_reserved_per_url": N, "v2": bool,
                    "configuration": bool (false: /api/v1/instance without it)}
  GET  /__state     {"statuses": [...with their text], "requests": [...], "creates": N}
                    (a request's Authorization is logged as `Bearer ***`, never the token)
"""

import argparse
import html
import json
import re
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import regex

ACCOUNT = {
    "id": "109000000000000001",
    "username": "ana",
    "acct": "ana",
    "display_name": "Ana",
    "locked": False,
    "bot": False,
}

RATE_LIMIT = 300
RATE_WINDOW = timedelta(minutes=5)

# A URL as Mastodon's extractor (twitter-text, extract_url_without_protocol: false) finds
# one: http(s):// not glued to a word, a host with a dot and a top-level domain of letters,
# then URL characters; trailing punctuation is not part of it.
URL_START = regex.compile(r"(?<![A-Za-z0-9@＠$#＃])https?://", regex.IGNORECASE)
HOST = regex.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}(?::[0-9]+)?", regex.IGNORECASE
)
PATH_CHARS = regex.compile(
    r"[A-Za-z0-9!*';:=+,.$/%#\[\]\-_~|&@?()\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\p{Cyrillic}]*"
)
URL_END = regex.compile(r"[A-Za-z0-9=_#/+\-&\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\p{Cyrillic}]")
MENTION = regex.compile(r"(?<![=/\w])@([a-z0-9_]+)(?:@[\w.-]+[\w]+)?", regex.IGNORECASE)


def urls(text):
    """(start, end) of each URL in `text`."""
    found = []
    at = 0
    while True:
        start = URL_START.search(text, at)
        if not start:
            return found
        host = HOST.match(text, start.end())
        if not host:
            at = start.end()
            continue
        end = PATH_CHARS.match(text, host.end()).end()
        # Trailing punctuation ends the sentence, not the URL; a `)` stays when it closes a
        # `(` of the URL.
        while end > host.end():
            last = text[end - 1]
            part = text[start.start() : end]
            if last == ")" and part.count("(") >= part.count(")"):
                break
            if URL_END.match(last):
                break
            end -= 1
        found.append((start.start(), end))
        at = end


def countable_length(text, per_url):
    """The length Mastodon checks against `max_characters`."""
    pieces = []
    at = 0
    for start, end in urls(text):
        pieces.append(text[at:start])
        pieces.append("x" * per_url)
        at = end
    pieces.append(text[at:])
    countable = MENTION.sub(r"@\1", "".join(pieces))
    return len(regex.findall(r"\X", countable))


def to_html(text):
    """The `content` Mastodon shows: paragraphs, line breaks, links."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    out = []
    for paragraph in paragraphs:
        parts = []
        at = 0
        for start, end in urls(paragraph):
            parts.append(html.escape(paragraph[at:start], quote=False))
            url = paragraph[start:end]
            parts.append(
                f'<a href="{html.escape(url)}" rel="nofollow noopener" target="_blank">'
                f"{html.escape(url, quote=False)}</a>"
            )
            at = end
        parts.append(html.escape(paragraph[at:], quote=False))
        out.append("<p>" + "".join(parts).replace("\n", "<br />") + "</p>")
    return "".join(out)


def now():
    return datetime.now(timezone.utc)


def stamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class State:
    def __init__(self, token, max_characters, v2):
        self.lock = threading.Lock()
        self.token = token
        self.max_characters = max_characters
        self.per_url = 23
        self.v2 = v2
        # False: /api/v1/instance says nothing of statuses (a server before Mastodon 3.4).
        self.configuration = True
        self.statuses = {}  # id -> stored status (with "text")
        self.order = []  # ids, oldest first
        self.keys = {}  # (account id, Idempotency-Key) -> status id
        self.requests = []
        self.faults = {}
        self.creates = 0  # create requests since the faults were set
        self.next_id = 110000000000000000
        self.window_end = now() + RATE_WINDOW
        self.remaining = RATE_LIMIT

    def rate_headers(self):
        with self.lock:
            if now() >= self.window_end:
                self.window_end = now() + RATE_WINDOW
                self.remaining = RATE_LIMIT
            self.remaining = max(self.remaining - 1, 0)
            return {
                "X-RateLimit-Limit": str(RATE_LIMIT),
                "X-RateLimit-Remaining": str(self.remaining),
                "X-RateLimit-Reset": stamp(self.window_end),
            }

    def public(self, status):
        shown = {k: v for k, v in status.items() if k not in ("text", "history")}
        shown["replies_count"] = sum(
            1 for s in self.statuses.values() if s["in_reply_to_id"] == status["id"]
        )
        return shown


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Mastodon-test"

    def log_message(self, format, *args):
        sys.stderr.write("%s - %s\n" % (self.address_string(), format % args))

    @property
    def state(self):
        return self.server.state

    # --- plumbing -------------------------------------------------------------------

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if not raw:
            return {}
        if kind == "application/json":
            try:
                body = json.loads(raw.decode("utf-8"))
            except ValueError:
                return None
            return body if isinstance(body, dict) else None
        form = parse_qs(raw.decode("utf-8"), keep_blank_values=True)
        return {k: v[-1] for k, v in form.items()}

    def answer(self, status, body, extra=None):
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        headers = self.state.rate_headers()
        headers.update(extra or {})
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, message, extra=None):
        self.answer(status, {"error": message}, extra)

    def log_request_seen(self, path):
        auth = self.headers.get("Authorization")
        if auth is None:
            shown = None
        elif auth == f"Bearer {self.state.token}":
            shown = "Bearer ***"
        else:
            shown = "Bearer (wrong)"
        entry = {
            "method": self.command,
            "path": path,
            "authorization": shown,
            "idempotency_key": self.headers.get("Idempotency-Key"),
        }
        with self.state.lock:
            self.state.requests.append(entry)

    def authorized(self, required=True):
        """True when the token is right; answers 401 (and returns False) otherwise."""
        auth = self.headers.get("Authorization")
        if auth is None and not required:
            return True
        if auth != f"Bearer {self.state.token}":
            self.error(401, "The access token is invalid")
            return False
        return True

    def route(self):
        url = urlsplit(self.path)
        self.log_request_seen(url.path)
        return url.path.rstrip("/") or "/", parse_qs(url.query)

    # --- methods --------------------------------------------------------------------

    def do_GET(self):
        path, query = self.route()
        parts = path.strip("/").split("/")
        if path == "/__state":
            with self.state.lock:
                body = {
                    "statuses": [self.state.statuses[i] for i in self.state.order],
                    "requests": list(self.state.requests),
                    "creates": self.state.creates,
                    "faults": self.state.faults,
                }
            return self.answer(200, body)
        if path == "/api/v2/instance" and self.state.v2:
            return self.answer(200, self.instance_v2())
        if path == "/api/v1/instance":
            return self.answer(200, self.instance_v1())
        if path == "/api/v1/accounts/verify_credentials":
            if not self.authorized():
                return
            account = dict(ACCOUNT, source={"privacy": "public", "note": ""})
            return self.answer(200, account)
        if parts[:3] == ["api", "v1", "accounts"] and len(parts) == 5 and parts[4] == "statuses":
            if not self.authorized(required=False):
                return
            return self.account_statuses(parts[3], query)
        if parts[:3] == ["api", "v1", "statuses"] and len(parts) in (4, 5):
            status = self.state.statuses.get(parts[3])
            if len(parts) == 4:
                if not self.authorized(required=False):
                    return
                if status is None:
                    return self.error(404, "Record not found")
                return self.answer(200, self.state.public(status))
            if parts[4] == "source":
                if not self.authorized():
                    return
                if status is None:
                    return self.error(404, "Record not found")
                body = {"id": status["id"], "text": status["text"], "spoiler_text": ""}
                return self.answer(200, body)
            if parts[4] == "context":
                if not self.authorized(required=False):
                    return
                if status is None:
                    return self.error(404, "Record not found")
                return self.answer(200, self.context(status))
        self.error(404, "Record not found")

    def do_POST(self):
        path, _ = self.route()
        body = self.read_body()
        if path == "/__faults":
            with self.state.lock:
                self.state.faults = body or {}
                self.state.creates = 0
            return self.answer(200, {"faults": self.state.faults})
        if path == "/__instance":
            body = body or {}
            with self.state.lock:
                if "max_characters" in body:
                    self.state.max_characters = int(body["max_characters"])
                if "characters_reserved_per_url" in body:
                    self.state.per_url = int(body["characters_reserved_per_url"])
                if "v2" in body:
                    self.state.v2 = bool(body["v2"])
                if "configuration" in body:
                    self.state.configuration = bool(body["configuration"])
            return self.answer(200, self.instance_v2())
        if path == "/api/v1/statuses":
            return self.create(body)
        self.error(404, "Record not found")

    def do_PUT(self):
        path, _ = self.route()
        body = self.read_body()
        parts = path.strip("/").split("/")
        if parts[:3] == ["api", "v1", "statuses"] and len(parts) == 4:
            return self.edit(parts[3], body)
        self.error(404, "Record not found")

    # --- statuses -------------------------------------------------------------------

    def create(self, body):
        state = self.state
        if not self.authorized():
            return
        with state.lock:
            state.creates += 1
            n = state.creates
            faults = dict(state.faults)
        if faults.get("rate_limit_on") == n:
            # Mastodon's own 429 (rack-attack) says when in X-RateLimit-Reset; a proxy in
            # front may add Retry-After.
            wait = float(faults.get("retry_after", 1))
            reset = stamp(now() + timedelta(seconds=wait))
            extra = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
            if faults.get("retry_after_header", True):
                extra["Retry-After"] = str(int(wait))
            return self.error(429, "Too many requests", extra)
        if faults.get("error_500_on") == n:
            return self.error(500, "We're sorry, but something went wrong on our end.")
        if body is None:
            return self.error(422, "Validation failed: the request body is not valid JSON")
        key = self.headers.get("Idempotency-Key")
        with state.lock:
            # As Mastodon's PostStatusService: a key seen before returns that status,
            # whatever the body says now, and stores nothing.
            if key and (ACCOUNT["id"], key) in state.keys:
                existing = state.statuses.get(state.keys[(ACCOUNT["id"], key)])
                if existing is not None:
                    shown = state.public(existing)
                else:
                    shown = None
            else:
                shown = None
        if shown is not None:
            return self.answer(200, shown)
        text = body.get("status")
        if not isinstance(text, str) or not text.strip():
            return self.error(422, "Validation failed: Text can't be blank")
        visibility = body.get("visibility") or "public"
        if visibility not in ("public", "unlisted", "private", "direct"):
            return self.error(422, f"'{visibility}' is not a valid visibility")
        parent = body.get("in_reply_to_id")
        if parent in ("", None):
            parent = None
        elif str(parent) not in state.statuses:
            return self.error(404, "Record not found")
        else:
            parent = str(parent)
        too_long = self.too_long(text)
        if too_long:
            return self.error(422, too_long)
        with state.lock:
            state.next_id += 1
            status_id = str(state.next_id)
            status = {
                "id": status_id,
                "created_at": stamp(now()),
                "in_reply_to_id": parent,
                "in_reply_to_account_id": ACCOUNT["id"] if parent else None,
                "sensitive": False,
                "spoiler_text": "",
                "visibility": visibility,
                "language": "en",
                "uri": f"{self.root()}/users/ana/statuses/{status_id}",
                "url": f"{self.root()}/@ana/{status_id}",
                "replies_count": 0,
                "reblogs_count": 0,
                "favourites_count": 0,
                "edited_at": None,
                "content": to_html(text),
                "reblog": None,
                "application": {"name": "repurpose", "website": None},
                "account": ACCOUNT,
                "media_attachments": [],
                "mentions": [],
                "tags": [],
                "emojis": [],
                "card": None,
                "poll": None,
                "text": text,
                "history": [],
            }
            state.statuses[status_id] = status
            state.order.append(status_id)
            if key:
                state.keys[(ACCOUNT["id"], key)] = status_id
            shown = state.public(status)
        if faults.get("drop_after_store_on") == n:
            # Stored, and the answer never comes: the client's request is unanswered.
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if faults.get("slow_on") == n:
            time.sleep(float(faults.get("slow_seconds", 5)))
        try:
            self.answer(200, shown)
        except OSError:
            pass

    def edit(self, status_id, body):
        state = self.state
        if not self.authorized():
            return
        status = state.statuses.get(status_id)
        if status is None or status["account"]["id"] != ACCOUNT["id"]:
            return self.error(404, "Record not found")
        if body is None:
            return self.error(422, "Validation failed: the request body is not valid JSON")
        text = body.get("status")
        if not isinstance(text, str) or not text.strip():
            return self.error(422, "Validation failed: Text can't be blank")
        too_long = self.too_long(text)
        if too_long:
            return self.error(422, too_long)
        with state.lock:
            status["history"].append({"text": status["text"], "at": stamp(now())})
            status["text"] = text
            status["content"] = to_html(text)
            status["edited_at"] = stamp(now())
            shown = state.public(status)
        self.answer(200, shown)

    def too_long(self, text):
        limit = self.state.max_characters
        if countable_length(text, self.state.per_url) > limit:
            return f"Validation failed: Text character limit of {limit} exceeded"
        return None

    def context(self, status):
        statuses = self.state.statuses
        ancestors = []
        parent = status["in_reply_to_id"]
        while parent and parent in statuses:
            ancestors.insert(0, self.state.public(statuses[parent]))
            parent = statuses[parent]["in_reply_to_id"]
        descendants = []

        def walk(of):
            for child_id in self.state.order:
                child = statuses[child_id]
                if child["in_reply_to_id"] == of:
                    descendants.append(self.state.public(child))
                    walk(child_id)

        walk(status["id"])
        return {"ancestors": ancestors, "descendants": descendants}

    def account_statuses(self, account_id, query):
        if account_id != ACCOUNT["id"]:
            return self.error(404, "Record not found")
        exclude_replies = (query.get("exclude_replies") or ["false"])[-1] in ("true", "1")
        try:
            limit = min(int((query.get("limit") or ["20"])[-1]), 40)
        except ValueError:
            limit = 20
        max_id = (query.get("max_id") or [None])[-1]
        found = []
        for status_id in reversed(self.state.order):
            if max_id and int(status_id) >= int(max_id):
                continue
            status = self.state.statuses[status_id]
            if exclude_replies and status["in_reply_to_id"]:
                continue
            found.append(self.state.public(status))
            if len(found) >= limit:
                break
        self.answer(200, found)

    # --- instance -------------------------------------------------------------------

    def root(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def statuses_configuration(self):
        return {
            "max_characters": self.state.max_characters,
            "max_media_attachments": 4,
            "characters_reserved_per_url": self.state.per_url,
        }

    def instance_v2(self):
        host, port = self.server.server_address[:2]
        return {
            "domain": f"{host}:{port}",
            "title": "Mastodon (test)",
            "version": "4.3.0",
            "source_url": "https://github.com/mastodon/mastodon",
            "description": "A local stand-in for repurpose's tests.",
            "configuration": {
                "urls": {"streaming": f"ws://{host}:{port}"},
                "accounts": {"max_featured_tags": 10},
                "statuses": self.statuses_configuration(),
            },
            "registrations": {"enabled": False, "approval_required": False, "message": None},
        }

    def instance_v1(self):
        host, port = self.server.server_address[:2]
        return {
            "uri": f"{host}:{port}",
            "title": "Mastodon (test)",
            "version": "4.3.0",
            "configuration": (
                {"statuses": self.statuses_configuration()} if self.state.configuration else {}
            ),
        }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default="test-token")
    parser.add_argument("--max-characters", type=int, default=500)
    parser.add_argument("--no-v2", action="store_true", help="answer 404 to /api/v2/instance")
    args = parser.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.state = State(args.token, args.max_characters, not args.no_v2)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    print(f"listening 127.0.0.1:{server.server_address[1]}", flush=True)
    # End of file on stdin (the test dropped its handle) stops the server.
    try:
        while sys.stdin.read(4096):
            pass
    except KeyboardInterrupt:
        pass
    server.shutdown()


if __name__ == "__main__":
    main()
