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
"""

import argparse
import html
import os
import re
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

    def state(self):
        return {
            "topics": [self.topics[k] for k in sorted(self.topics)],
            "posts": [self.posts[k] for k in sorted(self.posts)],
        }

    def site(self, action, args):
        with self.lock:
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
        self.log(
            {
                "method": request.method,
                "path": request.path,
                "api_key": access,
                "api_username": user,
                "accept": request.headers.get("accept"),
                "body": request.body if request.method != "GET" else None,
            }
        )
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
