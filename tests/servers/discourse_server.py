#!/usr/bin/env python3
"""A small Discourse for the tests of `repurpose publish`: the routes repurpose calls, as the
Discourse API reference and Discourse's own behaviour answer them, with faults.

    SERVER_API_KEY=KEY python3 tests/servers/discourse_server.py [--port P] [--username ana]

It prints `listening 127.0.0.1:PORT` once ready and stops when stdin reaches end of file.
Control routes (/__faults, /__state, /__site) are described in article_service.py.
`/__state` holds `topics` and `posts`. `/__site` takes `{"action": "delete_topic",
"topic_id": N}` (a moderator deletes it: its posts answer 404, its external id stays taken,
as on Discourse) and `{"action": "edit_post", "post_id": N, "raw": …}` (an edit by hand).

What it follows (the Discourse API reference, https://docs.discourse.org/, and Discourse's
source where the reference says nothing):
- Every request carries `Api-Key` and `Api-Username` headers; a wrong key or username is
  403 `{"errors": ["You are not permitted to view the requested resource. The API username
  or key is invalid."], "error_type": "invalid_access"}`.
- `GET /session/current.json` → `{"current_user": {id, username, …}}`; `GET /u/{name}.json`.
- `GET /categories.json` → `{"category_list": {"categories": [{id, name, slug, …}]}}`.
- `POST /posts.json` with `title`, `raw`, `category`, `external_id` (createTopicPostPM)
  creates a topic and answers its first post (`id`, `topic_id`, `topic_slug`,
  `post_number: 1`, `raw`, …). Refusals are 422 `{"action": "create_post", "errors": […]}`
  as PostsController answers them: title shorter than 15 characters
  (`min_topic_title_length`), body shorter than 20 (`min_first_post_length`), a title a
  live topic already has (`allow_duplicate_topic_titles` off: "Title has already been
  used"), an external id another topic (even a deleted one) holds ("External has already
  been taken"; the topics table keeps it unique), longer than 50 characters or not
  `[A-Za-z0-9_-]`. Discourse trims trailing white space from `raw` and capitalises a
  title's first letter (`title_prettify`): the stored text differs from the sent text.
- `GET /t/external_id/{id}.json` → 301 to `/t/{slug}/{topic_id}.json?page=` (pull request
  discourse/discourse#15825), 404 when no topic has it.
- `GET /t/{id}.json` and `/t/{slug}/{id}.json` → the topic with `post_stream.posts`
  (the first post's `id`, `post_number`, `cooked`) and `post_stream.stream`.
- `GET /posts/{id}.json` → the post with `raw`, `topic_id`, `topic_slug`, `deleted_at`.
- `PUT /posts/{id}.json` with `{"post": {"raw", "edit_reason"}}` → `{"post": {…}}`.
- `PUT /t/-/{topic_id}.json` with `title` → `{"basic_topic": {id, title, slug, …}}`.
- Not found: 404 `{"errors": ["The requested URL or resource could not be found."],
  "error_type": "not_found"}`.
- Rate limits: 429 `{"errors": ["You’ve performed this action too many times. Please wait
  N seconds before trying again."], "error_type": "rate_limit", "extras": {"wait_seconds":
  N, "time_left": "N seconds"}}` with `Retry-After: N` (meta.discourse.org, "Available
  settings for global rate limits and throttling").
- `POST /uploads.json`, multipart/form-data with `type` (or `upload_type`; 400 without
  either), `file` (or `files[]`) and `synchronous` (the API reference's "Creates an upload";
  discourse_api's `upload_file` sends `type: composer, synchronous: true`), answered as
  UploadsController#create and UploadCreator do: 200 with UploadSerializer's fields (`id`,
  `url` `/uploads/default/original/1X/{sha1}.{ext}`, `original_filename`, `filesize`,
  `width`, `height`, `thumbnail_width`/`_height` (ImageSizer: within 690 × 500),
  `extension`, `short_url` `upload://{base62 of the sha1}.{ext}`, `short_path`,
  `retain_hours`, `human_filesize`, `dominant_color`). A file with the SHA1 of one held is
  that upload again, same id (Discourse dedupes unless secure uploads are on). Refusals are
  422 `{"errors": [...]}` with the messages of server.en.yml: an extension outside
  `authorized_extensions` ("Sorry, the file you are trying to upload is not authorized
  (authorized extensions: …)."), an image whose size cannot be read, one of
  `max_image_megapixels` or more, one of `max_image_size_kb` or more ("Sorry, the image you
  are trying to upload is too big (maximum size is 4 MB), please resize it and try again.").
  The real Discourse first tries to shrink an image over the byte limit (ImageMagick, to 50%
  up to three times) and may turn a large PNG into a JPEG; this server refuses at once and
  changes nothing. Site settings (defaults as Discourse's) are set with `/__site`
  `{"action": "site_settings", "max_image_size_kb": N, …}`; `/__state` holds `uploads`
  (without their bytes).
"""

import argparse
import hashlib
import html
import os
import re
import struct
import sys
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from article_service import DROP, Reply, Service, serve, slow  # noqa: E402

MIN_TITLE = 15
MAX_TITLE = 255
MIN_BODY = 20
MAX_EXTERNAL_ID = 50

INVALID_ACCESS = Reply(
    403,
    {
        "errors": [
            "You are not permitted to view the requested resource. "
            "The API username or key is invalid."
        ],
        "error_type": "invalid_access",
    },
)
NOT_FOUND = Reply(
    404,
    {
        "errors": ["The requested URL or resource could not be found."],
        "error_type": "not_found",
    },
)


def now():
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def slugify(title):
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug or "topic"


def prettify(title):
    title = " ".join(title.split())
    return title[:1].upper() + title[1:]


def rate_limited(seconds):
    return Reply(
        429,
        {
            "errors": [
                "You’ve performed this action too many times. "
                f"Please wait {seconds} seconds before trying again."
            ],
            "error_type": "rate_limit",
            "extras": {"wait_seconds": seconds, "time_left": f"{seconds} seconds"},
        },
        {"Retry-After": seconds},
    )


def create_refused(errors):
    return Reply(422, {"action": "create_post", "errors": errors})


def upload_refused(message):
    return Reply(422, {"errors": [message]})


# Discourse's site settings for uploads, with their defaults (config/site_settings.yml).
UPLOAD_SETTINGS = {
    "max_image_size_kb": 4096,
    "max_image_megapixels": 40,
    "authorized_extensions": "jpg|jpeg|png|gif|heic|heif|webp|avif",
    # ImageSizer's bounds for the thumbnail size an upload is shown at.
    "max_image_width": 690,
    "max_image_height": 500,
}
IMAGE_EXTENSIONS = {"jpg", "jpeg", "png", "gif", "webp", "avif", "heic", "heif", "svg"}
BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def base62(number):
    digits = ""
    while number:
        number, digit = divmod(number, 62)
        digits = BASE62[digit] + digits
    return digits or "0"


def human_size(size):
    """ActiveSupport's number_to_human_size: three significant digits, no trailing zeros."""
    if size < 1024:
        return f"{size} Byte" if size == 1 else f"{size} Bytes"
    units = ["KB", "MB", "GB", "TB"]
    exponent = 0
    value = size / 1024
    while value >= 1024 and exponent < len(units) - 1:
        value /= 1024
        exponent += 1
    text = f"{float(f'{value:.3g}'):f}".rstrip("0").rstrip(".")
    return f"{text} {units[exponent]}"


def form_data(content_type, raw):
    """The fields and files of a multipart/form-data body: ({name: text}, {name: (filename,
    bytes)}); both empty when the body is not one."""
    match = re.search(r'boundary="?([^";]+)"?', content_type or "")
    if not (content_type or "").startswith("multipart/form-data") or not match:
        return {}, {}
    fields, files = {}, {}
    delimiter = b"--" + match.group(1).encode()
    for part in raw.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break
        head, _, body = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        body = body.removesuffix(b"\r\n")
        disposition = next(
            (
                line.split(b":", 1)[1].decode("utf-8", "replace")
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-disposition:")
            ),
            "",
        )
        name = re.search(r'\bname="([^"]*)"', disposition)
        filename = re.search(r'\bfilename="([^"]*)"', disposition)
        if not name:
            continue
        if filename:
            files[name.group(1)] = (filename.group(1), body)
        else:
            fields[name.group(1)] = body.decode("utf-8", "replace")
    return fields, files


def image_size(data):
    """(width, height) of a PNG, GIF, JPEG or WebP, as FastImage reads them; None when the
    bytes are none of those or are cut short."""
    try:
        if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
            return struct.unpack(">II", data[16:24])
        if data[:6] in (b"GIF87a", b"GIF89a"):
            return struct.unpack("<HH", data[6:10])
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            chunk = data[12:16]
            if chunk == b"VP8 ":
                w, h = struct.unpack("<HH", data[26:30])
                return w & 0x3FFF, h & 0x3FFF
            if chunk == b"VP8L":
                bits = int.from_bytes(data[21:25], "little")
                return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
            if chunk == b"VP8X":
                w = int.from_bytes(data[24:27], "little") + 1
                h = int.from_bytes(data[27:30], "little") + 1
                return w, h
            return None
        if data[:2] == b"\xff\xd8":
            i = 2
            while i + 9 < len(data):
                if data[i] != 0xFF:
                    return None
                marker = data[i + 1]
                length = struct.unpack(">H", data[i + 2 : i + 4])[0]
                if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                    h, w = struct.unpack(">HH", data[i + 5 : i + 9])
                    return w, h
                i += 2 + length
    except struct.error:
        return None
    return None


def thumbnail_size(width, height, settings):
    """ImageSizer.resize: the size an image is shown at, within the site's bounds."""
    if not width or not height:
        return None, None
    ratio = min(
        settings["max_image_width"] / width, settings["max_image_height"] / height, 1
    )
    return int(width * ratio), int(height * ratio)


class Discourse(Service):
    def __init__(self, key, username):
        super().__init__()
        self.key = key
        self.username = username
        self.categories = [
            {"id": 1, "name": "Uncategorized", "slug": "uncategorized"},
            {"id": 4, "name": "General", "slug": "general"},
            {"id": 7, "name": "Blog posts", "slug": "blog"},
        ]
        self.topics = {}
        self.posts = {}
        self.next_topic = 10
        self.next_post = 100
        self.settings = dict(UPLOAD_SETTINGS)
        self.uploads = {}
        self.next_upload = 30

    def state(self):
        return {
            "topics": [self.topics[k] for k in sorted(self.topics)],
            "posts": [self.posts[k] for k in sorted(self.posts)],
            "uploads": [self.uploads[k] for k in sorted(self.uploads)],
        }

    def site(self, action, args):
        with self.lock:
            if action == "site_settings":
                for key, value in args.items():
                    if key in self.settings:
                        self.settings[key] = value
                return Reply(200, {"settings": self.settings})
            if action == "delete_topic":
                topic = self.topics.get(args.get("topic_id"))
                if topic is None:
                    return NOT_FOUND
                topic["deleted_at"] = now()
                for post in self.posts.values():
                    if post["topic_id"] == topic["id"]:
                        post["deleted_at"] = topic["deleted_at"]
                return Reply(200, {"success": "OK"})
            if action == "topic_by":
                # A topic another user made (by hand, or their own tool) with an external
                # id: Discourse keeps external ids unique across the forum, not per user.
                tid, pid = self.next_topic, self.next_post
                self.next_topic += 1
                self.next_post += 1
                self.topics[tid] = {
                    "id": tid,
                    "title": "Another writer's topic",
                    "slug": "another-writers-topic",
                    "category_id": 4,
                    "external_id": args["external_id"],
                    "deleted_at": None,
                    "created_at": now(),
                }
                raw = "Another writer wrote this topic."
                self.posts[pid] = {
                    "id": pid,
                    "username": args.get("username", "bob"),
                    "created_at": now(),
                    "cooked": cook(raw),
                    "raw": raw,
                    "post_number": 1,
                    "post_type": 1,
                    "topic_id": tid,
                    "topic_slug": "another-writers-topic",
                    "version": 1,
                    "deleted_at": None,
                }
                return Reply(200, {"topic_id": tid, "post_id": pid})
            if action == "edit_post":
                post = self.posts.get(args.get("post_id"))
                if post is None:
                    return NOT_FOUND
                post["raw"] = args.get("raw", "")
                post["cooked"] = cook(post["raw"])
                post["version"] += 1
                return Reply(200, {"post": post})
        return super().site(action, args)

    def route(self, request):
        key = request.headers.get("api-key")
        user = request.headers.get("api-username")
        access = "missing" if key is None else ("valid" if key == self.key else "invalid")
        fields, files = form_data(request.headers.get("content-type"), request.raw)
        entry = {
            "method": request.method,
            "path": request.path,
            "api_key": access,
            "api_username": user,
            "accept": request.headers.get("accept"),
            "body": request.body if request.method != "GET" else None,
        }
        if fields or files:
            # A file is logged by its name and size, never its bytes.
            entry["form"] = fields
            entry["files"] = {
                name: {"filename": filename, "size": len(data)}
                for name, (filename, data) in files.items()
            }
        self.log(entry)
        if access != "valid" or user != self.username:
            return INVALID_ACCESS
        path, method = request.path, request.method
        if method == "GET" and path == "/session/current.json":
            return Reply(200, {"current_user": self.user()})
        if method == "GET" and path == f"/u/{self.username}.json":
            return Reply(200, {"user": self.user()})
        if method == "GET" and path == "/categories.json":
            return Reply(200, {"category_list": {"categories": self.categories}})
        if method == "POST" and path == "/posts.json":
            return self.create(request.body or {})
        if method == "POST" and path == "/uploads.json":
            return self.upload(fields, files)
        match = re.fullmatch(r"/t/external_id/([^/]+)\.json", path)
        if method == "GET" and match:
            return self.by_external_id(match.group(1))
        match = re.fullmatch(r"/t/(?:[^/]+/)?(\d+)\.json", path)
        if method == "GET" and match:
            return self.topic(int(match.group(1)))
        match = re.fullmatch(r"/t/-/(\d+)\.json", path)
        if method == "PUT" and match:
            return self.retitle(int(match.group(1)), request.body or {})
        match = re.fullmatch(r"/posts/(\d+)\.json", path)
        if match and method == "GET":
            with self.lock:
                post = self.posts.get(int(match.group(1)))
                if post is None or post["deleted_at"]:
                    return NOT_FOUND
                return Reply(200, post)
        if match and method == "PUT":
            return self.edit(int(match.group(1)), request.body or {})
        return NOT_FOUND

    def user(self):
        return {"id": 1, "username": self.username, "name": self.username.title()}

    def create(self, body):
        title = str(body.get("title") or "")
        raw = str(body.get("raw") or "").rstrip()
        external_id = body.get("external_id")
        errors = []
        if len(title.strip()) < MIN_TITLE:
            errors.append(f"Title is too short (minimum is {MIN_TITLE} characters)")
        if len(title) > MAX_TITLE:
            errors.append(f"Title is too long (maximum is {MAX_TITLE} characters)")
        if len(raw) < MIN_BODY:
            errors.append(f"Body is too short (minimum is {MIN_BODY} characters)")
        fault = self.fault("create")
        if fault and fault[0] == "rate_limit":
            return rate_limited(fault[1])
        if fault and fault[0] == "error_500":
            return Reply(500, {"status": 500, "error": "Internal Server Error"})
        with self.lock:
            if external_id is not None:
                external_id = str(external_id)
                if len(external_id) > MAX_EXTERNAL_ID:
                    errors.append(
                        f"External is too long (maximum is {MAX_EXTERNAL_ID} characters)"
                    )
                elif not re.fullmatch(r"[\w-]+", external_id, re.ASCII):
                    errors.append("External is invalid")
                elif any(
                    (t["external_id"] or "").lower() == external_id.lower()
                    for t in self.topics.values()
                ):
                    errors.append("External has already been taken")
            stored_title = prettify(title)
            if any(
                t["title"].lower() == stored_title.lower() and not t["deleted_at"]
                for t in self.topics.values()
            ):
                errors.append("Title has already been used")
            category = body.get("category")
            if category is not None and not any(
                str(c["id"]) == str(category) for c in self.categories
            ):
                errors.append("Category can't be blank")
            if errors:
                return create_refused(errors)
            topic_id, post_id = self.next_topic, self.next_post
            self.next_topic += 1
            self.next_post += 1
            self.topics[topic_id] = {
                "id": topic_id,
                "title": stored_title,
                "slug": slugify(stored_title),
                "category_id": int(category) if category is not None else 1,
                "external_id": external_id,
                "deleted_at": None,
                "created_at": now(),
            }
            post = {
                "id": post_id,
                "username": self.username,
                "created_at": now(),
                "cooked": cook(raw),
                "raw": raw,
                "post_number": 1,
                "post_type": 1,
                "topic_id": topic_id,
                "topic_slug": self.topics[topic_id]["slug"],
                "version": 1,
                "deleted_at": None,
            }
            self.posts[post_id] = post
            answer = dict(post)
        if fault and fault[0] == "drop":
            return DROP
        if fault and fault[0] == "slow":
            slow(fault[1])
        return Reply(200, answer)

    def upload(self, fields, files):
        kind = fields.get("upload_type") or fields.get("type")
        if not kind:
            return Reply(
                400,
                {
                    "errors": ["You supplied invalid parameters to the request: type"],
                    "error_type": "invalid_parameters",
                },
            )
        filename, data = files.get("file") or files.get("files[]") or (None, None)
        if data is None:
            return upload_refused("Sorry, you must provide a file to upload.")
        fault = self.fault("upload")
        if fault and fault[0] == "rate_limit":
            return rate_limited(fault[1])
        if fault and fault[0] == "error_500":
            return Reply(500, {"status": 500, "error": "Internal Server Error"})
        with self.lock:
            settings = dict(self.settings)
            extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
            authorized = [e.strip().lower() for e in settings["authorized_extensions"].split("|")]
            if "*" not in authorized and extension not in authorized:
                return upload_refused(
                    "Sorry, the file you are trying to upload is not authorized (authorized "
                    f"extensions: {', '.join(authorized)})."
                )
            width = height = None
            if extension in IMAGE_EXTENSIONS and extension != "svg":
                size = image_size(data)
                if not size or not all(size):
                    return upload_refused(
                        "Sorry, but we couldn't determine the size of the image. Maybe your "
                        "image is corrupted?"
                    )
                width, height = size
                megapixels = settings["max_image_megapixels"]
                if megapixels > 0 and width * height >= megapixels * 1_000_000:
                    return upload_refused(
                        f"Sorry, the image with filename {filename} is too large (maximum "
                        f"dimension is {megapixels} megapixels), please resize it and try again."
                    )
                max_bytes = settings["max_image_size_kb"] * 1024
                if max_bytes > 0 and len(data) >= max_bytes:
                    return upload_refused(
                        "Sorry, the image you are trying to upload is too big (maximum size "
                        f"is {human_size(max_bytes)}), please resize it and try again."
                    )
            sha1 = hashlib.sha1(data).hexdigest()
            held = next((u for u in self.uploads.values() if u["sha1"] == sha1), None)
            if held is None:
                upload_id = self.next_upload
                self.next_upload += 1
                thumbnail_width, thumbnail_height = thumbnail_size(width, height, settings)
                short = f"{base62(int(sha1, 16))}.{extension}"
                held = {
                    "id": upload_id,
                    "url": f"/uploads/default/original/1X/{sha1}.{extension}",
                    "original_filename": filename,
                    "filesize": len(data),
                    "width": width,
                    "height": height,
                    "thumbnail_width": thumbnail_width,
                    "thumbnail_height": thumbnail_height,
                    "extension": extension,
                    "short_url": f"upload://{short}",
                    "short_path": f"/uploads/short-url/{short}",
                    "retain_hours": None,
                    "human_filesize": human_size(len(data)),
                    "dominant_color": None,
                    "sha1": sha1,
                    "type": kind,
                }
                self.uploads[upload_id] = held
            answer = {k: v for k, v in held.items() if k not in ("sha1", "type")}
        if fault and fault[0] == "drop":
            return DROP
        if fault and fault[0] == "slow":
            slow(fault[1])
        return Reply(200, answer)

    def by_external_id(self, external_id):
        with self.lock:
            for topic in self.topics.values():
                if (topic["external_id"] or "").lower() == external_id.lower():
                    location = f"{self.root}t/{topic['slug']}/{topic['id']}.json?page="
                    return Reply(301, None, {"Location": location})
        return NOT_FOUND

    def topic(self, topic_id):
        with self.lock:
            topic = self.topics.get(topic_id)
            if topic is None or topic["deleted_at"]:
                return NOT_FOUND
            posts = [p for p in self.posts.values() if p["topic_id"] == topic_id]
            posts.sort(key=lambda p: p["post_number"])
            shown = [
                {k: v for k, v in p.items() if k != "raw"} for p in posts if not p["deleted_at"]
            ]
            return Reply(
                200,
                {
                    "id": topic_id,
                    "title": topic["title"],
                    "fancy_title": html.escape(topic["title"]),
                    "slug": topic["slug"],
                    "category_id": topic["category_id"],
                    "external_id": topic["external_id"],
                    "posts_count": len(shown),
                    "post_stream": {"posts": shown, "stream": [p["id"] for p in shown]},
                },
            )

    def edit(self, post_id, body):
        fields = body.get("post") if isinstance(body.get("post"), dict) else body
        raw = str(fields.get("raw") or "").rstrip()
        fault = self.fault("update")
        if fault and fault[0] == "rate_limit":
            return rate_limited(fault[1])
        if fault and fault[0] == "error_500":
            return Reply(500, {"status": 500, "error": "Internal Server Error"})
        with self.lock:
            post = self.posts.get(post_id)
            if post is None or post["deleted_at"]:
                return NOT_FOUND
            if len(raw) < MIN_BODY:
                return Reply(
                    422,
                    {
                        "errors": [f"Body is too short (minimum is {MIN_BODY} characters)"],
                        "error_type": "invalid_parameters",
                    },
                )
            if raw != post["raw"]:
                post["raw"] = raw
                post["cooked"] = cook(raw)
                post["version"] += 1
                post["edit_reason"] = fields.get("edit_reason")
            answer = {"post": dict(post)}
        if fault and fault[0] == "drop":
            return DROP
        if fault and fault[0] == "slow":
            slow(fault[1])
        return Reply(200, answer)

    def retitle(self, topic_id, body):
        title = str(body.get("title") or "")
        with self.lock:
            topic = self.topics.get(topic_id)
            if topic is None or topic["deleted_at"]:
                return NOT_FOUND
            if len(title.strip()) < MIN_TITLE:
                return Reply(
                    422,
                    {
                        "errors": [f"Title is too short (minimum is {MIN_TITLE} characters)"],
                        "error_type": "invalid_parameters",
                    },
                )
            topic["title"] = prettify(title)
            topic["slug"] = slugify(topic["title"])
            for post in self.posts.values():
                if post["topic_id"] == topic_id:
                    post["topic_slug"] = topic["slug"]
            return Reply(
                200,
                {
                    "basic_topic": {
                        "id": topic_id,
                        "title": topic["title"],
                        "fancy_title": html.escape(topic["title"]),
                        "slug": topic["slug"],
                        "posts_count": 1,
                    }
                },
            )


def cook(raw):
    return "".join(f"<p>{html.escape(line)}</p>" for line in raw.split("\n\n") if line.strip())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--username", default="ana")
    args = parser.parse_args()
    key = os.environ.get("SERVER_API_KEY")
    if not key:
        sys.exit("SERVER_API_KEY must hold the API key the server accepts")
    service = Discourse(key, args.username)
    service.root = "/"

    def ready(port):
        service.root = f"http://127.0.0.1:{port}/"

    serve(service, args.port, on_ready=ready)


if __name__ == "__main__":
    main()
