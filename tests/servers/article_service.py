"""The plumbing shared by the test servers of the article hosts (discourse_server.py,
devto_server.py): a JSON-over-HTTP server on 127.0.0.1, the faults a test asks for, the state
a test reads back, and an end when the test's pipe on stdin closes.

Control routes, the same on every server (no login needed; never part of the real API):
- `POST /__faults` with a JSON object replaces the faults and starts their count again. Every
  key is optional; N counts the create requests the server got since (rate-limited ones too):
    {"error_500_on": N}                    the N-th create answers 500, storing nothing
    {"drop_after_store_on": N}             the N-th create is stored, then the connection
                                           closes without an answer
    {"rate_limit_on": N, "retry_after": S} the N-th create answers 429 with `Retry-After: S`
                                           (default 1), storing nothing
    {"slow_on": N, "slow_seconds": S}      the N-th create is stored, answered after S s
  The same keys with `update_` in front (`update_error_500_on`, …) count updates instead,
  and with `upload_` in front (`upload_drop_after_store_on`, …) uploads.
- `GET /__state`: everything stored (each server says what) and `requests`, the request log:
  method, path and the headers that matter; a key is logged only as `valid`, `invalid` or
  `missing`, never itself.
- `POST /__site` with `{"action": …}`: what a person does on the site by hand (each server
  says which actions it takes).
"""

import json
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# A route's answer that closes the connection instead (the request was acted on).
DROP = object()

# The requests faults count, each on its own.
KINDS = ("create", "update", "upload")


class Reply:
    """A status, a JSON body and extra headers."""

    def __init__(self, status, body, headers=None):
        self.status = status
        self.body = body
        self.headers = headers or {}


class Service:
    """What a server holds and how it answers. Subclasses define `route(request)` and may
    define `state()` and `site(action, args)`; they hold `self.lock` while they change what
    they store."""

    def __init__(self):
        self.lock = threading.RLock()
        self.faults = {}
        self.counts = dict.fromkeys(KINDS, 0)
        self.requests = []

    def fault(self, kind):
        """The fault for this create, update or upload request, counting it: None, or one
        of ("error_500",), ("drop",), ("rate_limit", seconds), ("slow", seconds)."""
        with self.lock:
            self.counts[kind] += 1
            n = self.counts[kind]
            faults = dict(self.faults)
        prefix = "" if kind == "create" else f"{kind}_"

        def on(key):
            return faults.get(prefix + key) == n

        if on("rate_limit_on"):
            return ("rate_limit", int(faults.get(prefix + "retry_after", 1)))
        if on("error_500_on"):
            return ("error_500",)
        if on("drop_after_store_on"):
            return ("drop",)
        if on("slow_on"):
            return ("slow", float(faults.get(prefix + "slow_seconds", 5)))
        return None

    def log(self, entry):
        with self.lock:
            self.requests.append(entry)

    def state(self):
        return {}

    def site(self, action, args):
        return Reply(400, {"error": f"unknown action {action!r}"})


class Request:
    """One request as a route reads it: `body` is its JSON (None when it is not JSON),
    `raw` its bytes."""

    def __init__(self, method, path, query, headers, body, raw=b""):
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.raw = raw

    def arg(self, name, default=None):
        values = self.query.get(name)
        return values[0] if values else default


def handler_for(service):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):
            print(f"{self.command} {self.path}: {format % args}", file=sys.stderr)

        def do_GET(self):
            self.serve("GET")

        def do_POST(self):
            self.serve("POST")

        def do_PUT(self):
            self.serve("PUT")

        def do_DELETE(self):
            self.serve("DELETE")

        def serve(self, method):
            parsed = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else {}
            except ValueError:
                body = None
            request = Request(
                method,
                parsed.path,
                urllib.parse.parse_qs(parsed.query),
                {k.lower(): v for k, v in self.headers.items()},
                body,
                raw,
            )
            if parsed.path == "/__faults" and method == "POST":
                with service.lock:
                    service.faults = body or {}
                    service.counts = dict.fromkeys(KINDS, 0)
                reply = Reply(200, {"faults": service.faults})
            elif parsed.path == "/__state" and method == "GET":
                with service.lock:
                    state = service.state()
                    state["requests"] = list(service.requests)
                reply = Reply(200, state)
            elif parsed.path == "/__site" and method == "POST":
                body = body or {}
                reply = service.site(body.get("action"), body)
            else:
                reply = service.route(request)
            if reply is DROP:
                self.drop()
                return
            self.answer(reply)

        def drop(self):
            self.close_connection = True
            try:
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

        def answer(self, reply):
            data = json.dumps(reply.body).encode() if reply.body is not None else b""
            self.send_response(reply.status)
            if reply.body is not None:
                self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in reply.headers.items():
                self.send_header(name, str(value))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def serve(service, port=0, on_ready=None):
    """Serves until stdin reaches end of file (the test holds the pipe), printing
    `listening 127.0.0.1:PORT` once ready (after `on_ready(port)`)."""
    server = ThreadingHTTPServer(("127.0.0.1", port), handler_for(service))
    if on_ready:
        on_ready(server.server_address[1])
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    print(f"listening 127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        while sys.stdin.read(1):
            pass
    except KeyboardInterrupt:
        pass
    server.shutdown()


def slow(seconds):
    time.sleep(seconds)
