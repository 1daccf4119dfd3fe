#!/usr/bin/env python3
"""A local stand-in for a Mastodon instance's REST API, for repurpose's tests.

It follows Mastodon's published API reference where repurpose uses it:
  https://docs.joinmastodon.org/methods/statuses/  (create, get, source, context, edit)
  https://docs.joinmastodon.org/methods/instance/  (GET /api/v2/instance, /api/v1/instance)
  https://docs.joinmastodon.org/methods/accounts/  (verify_credentials, :id/statuses)
  https://docs.joinmastodon.org/api/rate-limits/   (X-RateLimit-* on every answer)
  https://docs.joinmastodon.org/methods/statuses/#create, header `Idempotency-Key`
  https://docs.joinmastodon.org/methods/media/     (POST /api/v2/media: 200, or 202 with
                                                   `url` null while processing; GET
                                                   /api/v1/media/:id: 206 until processed)
  https://docs.joinmastodon.org/entities/MediaAttachment/
  https://docs.joinmastodon.org/entities/Instance/ (configuration.media_attachments)
and Mastodon's own StatusLengthValidator (app/validators/status_length_validator.rb): a
status counts grapheme clusters, every http(s) URL as `characters_reserved_per_url` (23)
whatever its length, and a remote mention `@user@domain` as `@user`.
Media as Mastodon's PostStatusService and UpdateStatusService check them: at most
`max_media_attachments` (4) ids a status ("Cannot attach more than 4 files"), each the
account's own and attached to no other status ("Media ID not found or already attached to
another post"), processed ("Cannot attach files that have not finished processing. Try
again in a moment!"); an edit keeps only the attachments it names. An image over
`image_size_limit` is refused as Mastodon's model validation refuses it (422, "Validation
failed: File must be less than 16 MB, File file size must be less than 16 MB", as in
mastodon/mastodon#32983).

Usage: mastodon_server.py [--port N] [--token T] [--max-characters N] [--no-v2]
                          [--image-size-limit BYTES]
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
                    {"upload_error_500_on": N}  the N-th media upload answers 500,
                                             storing nothing
                    {"upload_drop_after_store_on": N}  stores the N-th upload, then closes
                                             without answering
                    {"media_processing": N}  uploads answer 202 (url null) and the first N
                                             GET /api/v1/media/:id of each answer 206
                    Several keys may be given at once; uploads are counted apart.
  POST /__instance  JSON {"max_characters": N, "characters_reserved_per_url": N, "v2": bool,
                    "configuration": bool (false: /api/v1/instance without it),
                    "image_size_limit": BYTES}
  POST /__media     JSON {} : an attachment of another account (a processed image), answers it
  GET  /__state     {"statuses": [...with their text], "media": [...with size, sha256,
                    filename, mime_type, account_id, status_id], "requests": [...],
                    "creates": N, "uploads": N}
                    (a request's Authorization is logged as `Bearer ***`, never the token)
"""

import argparse
import hashlib
import html
import json
import re
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from email.parser import BytesParser
from email.policy import HTTP
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

OTHER_ACCOUNT_ID = "109000000000000002"

# configuration.media_attachments as mastodon.social answers it (Mastodon 4.3): the image
# types and limits; `image_size_limit` can be changed for tests.
SUPPORTED_MIME_TYPES = [
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/heic",
    "image/heif",
    "image/webp",
    "image/avif",
    "video/webm",
    "video/mp4",
    "video/quicktime",
    "video/ogg",
    "audio/wave",
    "audio/wav",
    "audio/x-wav",
    "audio/x-pn-wave",
    "audio/vnd.wave",
    "audio/ogg",
    "audio/vorbis",
    "audio/mpeg",
    "audio/mp3",
    "audio/webm",
    "audio/flac",
    "audio/aac",
    "audio/m4a",
    "audio/x-m4a",
    "audio/mp4",
    "audio/3gpp",
    "video/x-ms-asf",
]
IMAGE_SIZE_LIMIT = 16 * 1024 * 1024
IMAGE_MATRIX_LIMIT = 8294400  # 3840 × 2160
DESCRIPTION_LIMIT = 1500
MAX_MEDIA = 4


def human_size(size):
    """Rails' number_to_human_size, as Mastodon's validation messages write a limit."""
    units = ["Bytes", "KB", "MB", "GB"]
    value = float(size)
    unit = 0
    while value >= 1024 and unit < len(units) - 1:
        value /= 1024
        unit += 1
    if unit == 0:
        return f"{int(value)} Bytes"
    text = f"{value:.3g}"
    return f"{text} {units[unit]}"


def form_parts(content_type, raw):
    """The fields of a multipart/form-data body: name -> (filename, content type, bytes)."""
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw
    )
    if not message.is_multipart():
        return None
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name is None:
            continue
        fields[name] = (part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
    return fields


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


def png_size(data):
    """A PNG's width and height from its IHDR chunk; (None, None) for anything else."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return None, None


def now():
    return datetime.now(timezone.utc)


def stamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


MEDIA_FIELDS = (
    "id",
    "type",
    "url",
    "preview_url",
    "remote_url",
    "text_url",
    "meta",
    "description",
    "blurhash",
)


class State:
    def __init__(self, token, max_characters, v2, image_size_limit=IMAGE_SIZE_LIMIT):
        self.lock = threading.Lock()
        self.image_size_limit = image_size_limit
        self.media = {}  # id -> stored attachment (with "account_id", "status_id", "gets")
        self.media_order = []
        self.uploads = 0  # uploads since the faults were set
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

    def public_media(self, media):
        shown = {k: v for k, v in media.items() if k in MEDIA_FIELDS}
        if media["gets"] > 0:
            shown["url"] = None
        return shown

    def public(self, status):
        shown = {k: v for k, v in status.items() if k not in ("text", "history", "media_ids")}
        shown["media_attachments"] = [
            self.public_media(self.media[i]) for i in status.get("media_ids", [])
        ]
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
        if kind == "multipart/form-data":
            return form_parts(self.headers.get("Content-Type"), raw)
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
                    "uploads": self.state.uploads,
                    "faults": self.state.faults,
                    "media": [
                        {k: v for k, v in self.state.media[i].items() if k != "gets"}
                        for i in self.state.media_order
                    ],
                }
            return self.answer(200, body)
        if parts[:3] == ["api", "v1", "media"] and len(parts) == 4:
            if not self.authorized():
                return
            return self.show_media(parts[3])
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
                self.state.uploads = 0
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
                if "image_size_limit" in body:
                    self.state.image_size_limit = int(body["image_size_limit"])
            return self.answer(200, self.instance_v2())
        if path == "/__media":
            return self.foreign_media()
        if path == "/api/v1/statuses":
            return self.create(body)
        if path == "/api/v2/media":
            return self.upload(body)
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
        media_ids, refused = self.media_for(body.get("media_ids"), None)
        if refused:
            return self.error(422, refused)
        if not isinstance(text, str) or (not text.strip() and not media_ids):
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
                "media_ids": media_ids,
            }
            for media_id in media_ids:
                state.media[media_id]["status_id"] = status_id
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
        media_ids, refused = self.media_for(body.get("media_ids"), status_id)
        if refused:
            return self.error(422, refused)
        if not isinstance(text, str) or (not text.strip() and not media_ids):
            return self.error(422, "Validation failed: Text can't be blank")
        too_long = self.too_long(text)
        if too_long:
            return self.error(422, too_long)
        attributes = body.get("media_attributes") or []
        with state.lock:
            for attribute in attributes if isinstance(attributes, list) else []:
                media = state.media.get(str(attribute.get("id")))
                if media is not None and str(media["id"]) in media_ids:
                    if "description" in attribute:
                        media["description"] = attribute["description"]
            for media_id in media_ids:
                state.media[media_id]["status_id"] = status_id
            status["media_ids"] = media_ids
            status["history"].append({"text": status["text"], "at": stamp(now())})
            status["text"] = text
            status["content"] = to_html(text)
            status["edited_at"] = stamp(now())
            shown = state.public(status)
        self.answer(200, shown)

    # --- media ----------------------------------------------------------------------

    def media_for(self, ids, editing):
        """The media ids a status asks for, checked as PostStatusService (a new status) or
        UpdateStatusService (`editing`: that status's id) checks them: (ids, None), or
        (None, the error)."""
        if ids in (None, "", []):
            return [], None
        if not isinstance(ids, list):
            ids = [ids]
        ids = [str(i) for i in ids]
        if len(ids) > MAX_MEDIA:
            return None, f"Cannot attach more than {MAX_MEDIA} files"
        with self.state.lock:
            found = [
                i
                for i in ids
                if i in self.state.media
                and self.state.media[i]["account_id"] == ACCOUNT["id"]
                and self.state.media[i]["status_id"] in (None, editing)
            ]
            missing = [i for i in ids if i not in found]
            if missing:
                return None, f"Media {', '.join(missing)} not found or already attached to another post"
            if any(self.state.media[i]["gets"] > 0 for i in found):
                return None, (
                    "Cannot attach files that have not finished processing. "
                    "Try again in a moment!"
                )
        return found, None

    def upload(self, body):
        state = self.state
        if not self.authorized():
            return
        with state.lock:
            state.uploads += 1
            n = state.uploads
            faults = dict(state.faults)
        if faults.get("upload_error_500_on") == n:
            return self.error(500, "We're sorry, but something went wrong on our end.")
        if not isinstance(body, dict) or "file" not in body or not isinstance(body["file"], tuple):
            return self.error(422, "Validation failed: File can't be blank")
        filename, mime, data = body["file"]
        description = body.get("description")
        description = description[2].decode("utf-8") if isinstance(description, tuple) else ""
        if mime not in SUPPORTED_MIME_TYPES:
            return self.error(
                422, "Validation failed: File content type is invalid, File is invalid"
            )
        limit = state.image_size_limit
        if len(data) > limit:
            size = human_size(limit)
            return self.error(
                422,
                f"Validation failed: File must be less than {size}, "
                f"File file size must be less than {size}",
            )
        if len(description) > DESCRIPTION_LIMIT:
            return self.error(
                422,
                "Validation failed: Description is too long (maximum is "
                f"{DESCRIPTION_LIMIT} characters)",
            )
        processing = int(faults.get("media_processing", 0))
        media = self.store_media(filename, mime, data, description, ACCOUNT["id"], processing)
        if faults.get("upload_drop_after_store_on") == n:
            self.close_connection = True
            self.connection.shutdown(2)
            return
        with state.lock:
            shown = state.public_media(media)
        self.answer(202 if processing else 200, shown)

    def store_media(self, filename, mime, data, description, account_id, processing):
        state = self.state
        width, height = png_size(data)
        with state.lock:
            state.next_id += 1
            media_id = str(state.next_id)
            name = re.sub(r"[^A-Za-z0-9._-]", "_", filename or "file")
            url = f"{self.root()}/system/media_attachments/files/{media_id}/original/{name}"
            media = {
                "id": media_id,
                "type": "image",
                "url": url,
                "preview_url": url.replace("/original/", "/small/"),
                "remote_url": None,
                "text_url": None,
                "meta": {"original": {"width": width, "height": height}} if width else {},
                "description": description,
                "blurhash": "UeKUpFxuo~R%0nW;WCnhF6RjaJt757oJodS$",
                "account_id": account_id,
                "status_id": None,
                "filename": filename,
                "mime_type": mime,
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "gets": processing,
            }
            state.media[media_id] = media
            state.media_order.append(media_id)
        return media

    def show_media(self, media_id):
        state = self.state
        with state.lock:
            media = state.media.get(media_id)
            if media is None or media["account_id"] != ACCOUNT["id"]:
                media = None
            elif media["gets"] > 0:
                shown = state.public_media(media)
                media["gets"] -= 1
                status = 206
            else:
                shown = state.public_media(media)
                status = 200
        if media is None:
            return self.error(404, "Record not found")
        self.answer(status, shown)

    def foreign_media(self):
        media = self.store_media("other.png", "image/png", b"other", "", OTHER_ACCOUNT_ID, 0)
        with self.state.lock:
            shown = self.state.public_media(media)
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

    def media_configuration(self):
        return {
            "supported_mime_types": SUPPORTED_MIME_TYPES,
            "description_limit": DESCRIPTION_LIMIT,
            "image_size_limit": self.state.image_size_limit,
            "image_matrix_limit": IMAGE_MATRIX_LIMIT,
            "video_size_limit": 103809024,
            "video_frame_rate_limit": 120,
            "video_matrix_limit": 8294400,
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
                "media_attachments": self.media_configuration(),
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
    parser.add_argument("--image-size-limit", type=int, default=IMAGE_SIZE_LIMIT)
    args = parser.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.state = State(args.token, args.max_characters, not args.no_v2, args.image_size_limit)
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
