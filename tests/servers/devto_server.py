#!/usr/bin/env python3
"""A small Forem (dev.to) for the tests of `repurpose publish`: the article routes of the Forem
API v1 as its reference and Forem's own validations answer them, with faults.

    SERVER_API_KEY=KEY python3 tests/servers/devto_server.py [--port P] [--username ana]

It prints `listening 127.0.0.1:PORT` once ready and stops when stdin reaches end of file.
Control routes (/__faults, /__state, /__site) are described in article_service.py.
`/__state` holds `articles`. `/__site` takes `{"action": "delete_article", "id": N}` (the
writer deletes it on the site) and `{"action": "edit_article", "id": N, "title"?,
"body_markdown"?, "published"?}` (an edit or a publication by hand).

What it follows (https://developers.forem.com/api/v1, Forem's app/models/article.rb and
app/controllers/api/v1/articles_controller.rb where the reference says nothing):
- Requests carry `api-key` (and `Accept: application/vnd.forem.api-v1+json`); a missing or
  wrong key is 401 `{"error": "unauthorized", "status": 401}`.
- `GET /api/users/me` → the user (`type_of: user`, `id`, `username`, `name`).
- `POST /api/articles` with `{"article": {title, body_markdown, published, tags,
  canonical_url, description}}` → 201, `Location` the article's URL, the article (`id`,
  `slug`, `path`, `url`, `published`, `body_markdown` as sent, `tag_list` a string and `tags`
  a list, as the show serializer writes them). Refusals are 422 `{"error": "<messages as
  one sentence>", "status": 422}`: a blank title, a title over 128 characters, a description
  over 170, more than 4 tags ("Tag list exceed the maximum of 4 tags"), a tag that is not
  letters and digits or is over 30 characters. Tags are stored lowercased.
- `PUT /api/articles/{id}` with the same fields → 200, the article; fields left out are left
  as they are (`published` too). Another user's or a missing article: 404.
- `GET /api/articles/me/all?page=P&per_page=N` → the user's articles, drafts included, with
  `body_markdown`, newest first; `per_page` defaults to 30, at most 1000; a page past the end
  is `[]`.
- `GET /api/articles/{id}` → a published article; a draft or a missing one is 404
  `{"error": "not found", "status": 404}`.
- Rate limits: 429 `{"error": "Rate limit reached, try again in N seconds", "status": 429}`
  with `Retry-After: N` (Forem's RateLimitChecker: article creation is limited per user).
"""

import argparse
import os
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from article_service import DROP, Reply, Service, serve, slow  # noqa: E402

MAX_TAGS = 4
MAX_TAG = 30
MAX_TITLE = 128
MAX_DESCRIPTION = 170
PER_PAGE = 30
MAX_PER_PAGE = 1000

UNAUTHORIZED = Reply(401, {"error": "unauthorized", "status": 401})
NOT_FOUND = Reply(404, {"error": "not found", "status": 404})


def now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parameterize(title):
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def refused(messages):
    return Reply(422, {"error": to_sentence(messages), "status": 422})


def to_sentence(items):
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def rate_limited(seconds):
    return Reply(
        429,
        {"error": f"Rate limit reached, try again in {seconds} seconds", "status": 429},
        {"Retry-After": seconds},
    )


def tag_list(tags):
    """Forem takes `tags` as a list or as one comma-separated string."""
    if tags is None:
        return None
    if isinstance(tags, str):
        tags = tags.split(",")
    return [str(t).strip().lower() for t in tags if str(t).strip()]


class Forem(Service):
    def __init__(self, key, username):
        super().__init__()
        self.key = key
        self.username = username
        self.root = "/"
        self.articles = {}
        self.next_id = 1000

    def state(self):
        return {"articles": [self.articles[k] for k in sorted(self.articles)]}

    def site(self, action, args):
        with self.lock:
            article = self.articles.get(args.get("id"))
            if article is None:
                return NOT_FOUND
            if action == "delete_article":
                del self.articles[article["id"]]
                return Reply(200, {"deleted": article["id"]})
            if action == "edit_article":
                for field in ("title", "body_markdown", "published"):
                    if field in args:
                        article[field] = args[field]
                self.settle(article)
                return Reply(200, self.show(article))
        return super().site(action, args)

    def route(self, request):
        key = request.headers.get("api-key")
        access = "missing" if key is None else ("valid" if key == self.key else "invalid")
        self.log(
            {
                "method": request.method,
                "path": request.path,
                "query": {k: v[0] for k, v in request.query.items()},
                "api_key": access,
                "accept": request.headers.get("accept"),
                "body": request.body if request.method != "GET" else None,
            }
        )
        path, method = request.path, request.method
        match = re.fullmatch(r"/api/articles/(\d+)", path)
        if method == "GET" and match:
            # Public: a published article, whoever asks.
            with self.lock:
                article = self.articles.get(int(match.group(1)))
                if article is None or not article["published"]:
                    return NOT_FOUND
                return Reply(200, self.show(article))
        if access != "valid":
            return UNAUTHORIZED
        if method == "GET" and path == "/api/users/me":
            return Reply(
                200,
                {"type_of": "user", "id": 1, "username": self.username, "name": "Ana"},
            )
        if method == "GET" and path == "/api/articles/me/all":
            return self.mine(request)
        if method == "POST" and path == "/api/articles":
            return self.create(request.body)
        if method == "PUT" and match:
            return self.update(int(match.group(1)), request.body)
        return NOT_FOUND

    def mine(self, request):
        try:
            page = max(1, int(request.arg("page", "1")))
            per_page = min(MAX_PER_PAGE, max(1, int(request.arg("per_page", str(PER_PAGE)))))
        except ValueError:
            return Reply(400, {"error": "page and per_page must be numbers", "status": 400})
        with self.lock:
            mine = sorted(self.articles.values(), key=lambda a: a["id"], reverse=True)
            shown = mine[(page - 1) * per_page : page * per_page]
            return Reply(200, [self.index(a) for a in shown])

    def fields(self, body):
        fields = body.get("article") if isinstance(body, dict) else None
        if not isinstance(fields, dict):
            return None, Reply(
                400, {"error": "param is missing or the value is empty: article", "status": 400}
            )
        return fields, None

    def problems(self, article):
        messages = []
        title = article.get("title") or ""
        if not title.strip():
            messages.append("Title can't be blank")
        if len(title) > MAX_TITLE:
            messages.append(f"Title is too long (maximum is {MAX_TITLE} characters)")
        if len(article.get("description") or "") > MAX_DESCRIPTION:
            messages.append(f"Description is too long (maximum is {MAX_DESCRIPTION} characters)")
        tags = article.get("tags") or []
        if len(tags) > MAX_TAGS:
            messages.append(f"Tag list exceed the maximum of {MAX_TAGS} tags")
        for tag in tags:
            if not re.fullmatch(r"[^\W_]+", tag):
                messages.append(
                    f'Tag "{tag}" contains non-alphanumeric or prohibited unicode characters'
                )
            elif len(tag) > MAX_TAG:
                messages.append(f'Tag "{tag}" is too long (maximum is {MAX_TAG} characters)')
        return messages

    def create(self, body):
        fields, bad = self.fields(body)
        if bad:
            return bad
        fault = self.fault("create")
        if fault and fault[0] == "rate_limit":
            return rate_limited(fault[1])
        if fault and fault[0] == "error_500":
            return Reply(500, {"error": "Internal Server Error", "status": 500})
        article = {
            "title": str(fields.get("title") or ""),
            "body_markdown": str(fields.get("body_markdown") or ""),
            "published": bool(fields.get("published", False)),
            "tags": tag_list(fields.get("tags")) or [],
            "canonical_url": fields.get("canonical_url"),
            "description": fields.get("description"),
        }
        problems = self.problems(article)
        if problems:
            return refused(problems)
        with self.lock:
            article["id"] = self.next_id
            self.next_id += 1
            article["created_at"] = now()
            article["edited_at"] = None
            article["published_at"] = None
            self.settle(article)
            self.articles[article["id"]] = article
            answer = self.show(article)
        if fault and fault[0] == "drop":
            return DROP
        if fault and fault[0] == "slow":
            slow(fault[1])
        return Reply(201, answer, {"Location": answer["url"]})

    def update(self, article_id, body):
        fields, bad = self.fields(body)
        if bad:
            return bad
        fault = self.fault("update")
        if fault and fault[0] == "rate_limit":
            return rate_limited(fault[1])
        if fault and fault[0] == "error_500":
            return Reply(500, {"error": "Internal Server Error", "status": 500})
        with self.lock:
            article = self.articles.get(article_id)
            if article is None:
                return NOT_FOUND
            changed = dict(article)
            for field in ("title", "body_markdown", "canonical_url", "description"):
                if field in fields:
                    changed[field] = fields[field]
            if "published" in fields:
                changed["published"] = bool(fields["published"])
            if "tags" in fields:
                changed["tags"] = tag_list(fields["tags"]) or []
            problems = self.problems(changed)
            if problems:
                return refused(problems)
            changed["edited_at"] = now()
            self.settle(changed)
            self.articles[article_id] = changed
            answer = self.show(changed)
        if fault and fault[0] == "drop":
            return DROP
        if fault and fault[0] == "slow":
            slow(fault[1])
        return Reply(200, answer)

    def settle(self, article):
        """The slug and URL Forem derives: a draft's slug carries `-temp-slug-`, replaced
        when it is published."""
        base = parameterize(article["title"]) or "article"
        if article["published"]:
            article["published_at"] = article.get("published_at") or now()
            if "-temp-slug-" in article.get("slug", "-temp-slug-"):
                # Set once, when first published: a later title edit keeps the URL.
                article["slug"] = f"{base}-{article['id'] % 10000:04x}"
        else:
            article["slug"] = f"{base}-temp-slug-{article['id'] * 7919 % 10000000:07d}"
        article["path"] = f"/{self.username}/{article['slug']}"
        article["url"] = f"{self.root.rstrip('/')}{article['path']}"

    def common(self, article):
        return {
            "type_of": "article",
            "id": article["id"],
            "title": article["title"],
            "description": article["description"] or "",
            "published": article["published"],
            "published_at": article["published_at"],
            "slug": article["slug"],
            "path": article["path"],
            "url": article["url"],
            "canonical_url": article["canonical_url"] or article["url"],
            "created_at": article["created_at"],
            "edited_at": article["edited_at"],
            "body_markdown": article["body_markdown"],
            "user": {"username": self.username, "name": "Ana"},
        }

    def show(self, article):
        shown = self.common(article)
        shown["tag_list"] = ", ".join(article["tags"])
        shown["tags"] = list(article["tags"])
        return shown

    def index(self, article):
        shown = self.common(article)
        shown["tag_list"] = list(article["tags"])
        return shown


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--username", default="ana")
    args = parser.parse_args()
    key = os.environ.get("SERVER_API_KEY")
    if not key:
        sys.exit("SERVER_API_KEY must hold the API key the server accepts")
    service = Forem(key, args.username)

    def ready(port):
        service.root = f"http://127.0.0.1:{port}/"

    serve(service, args.port, on_ready=ready)


if __name__ == "__main__":
    main()
