#!/usr/bin/env python3
"""A fault-injecting HTTP proxy in front of the real Bluesky PDS, for the tests of `repurpose`.

    python3 tests/servers/fault_proxy.py UPSTREAM [PORT]

UPSTREAM is the PDS's root (`http://127.0.0.1:PDS_PORT`). The proxy binds 127.0.0.1 on PORT (0,
the default, takes a free one) and prints one line, `listening 127.0.0.1:PORT`, once it listens.
It exits when its stdin reaches end of file (the test holds the pipe, so a test that dies takes
the proxy with it) or on SIGTERM.

What is real and what is not: every answer a client gets comes from the real PDS
(`@atproto/pds`, tests/servers/pds/start.js), forwarded byte for byte, except the faults
below, which the PDS cannot be made to produce on demand and which only this proxy makes. The
PDS's own refusals (a post over 300 graphemes, a wrong password, an expired token, a record key
used twice, its own 429 when rate limits are on) are the PDS's, never the proxy's.

Faults apply to `com.atproto.repo.createRecord` requests only, counted from 1 since the faults
were last set, by `POST /__faults` with a JSON object (every key optional; the object replaces
the faults set before):

    {"error_500_on": N}                    the N-th create answers 500 with XRPC's error body
                                           (`InternalServerError`), NOT forwarded: nothing stored
    {"drop_after_store_on": N}             the N-th create is forwarded (the PDS stores it), then
                                           the connection closes without an answer
    {"rate_limit_on": N, "retry_after": S} the N-th create answers 429 with `Retry-After: S` and
                                           the PDS's RateLimit-* headers, NOT forwarded
    {"slow_on": N, "slow_seconds": S}      the N-th create is forwarded (stored), and its answer
                                           held back S seconds
    {"expired_token_on": N}                the N-th create answers what the PDS answers when the
                                           access token has expired (400, `ExpiredToken`, from
                                           its auth-verifier.js), NOT forwarded: access tokens
                                           live two hours, too long to wait for in a test

Uploads (`com.atproto.repo.uploadBlob`) are counted apart, from 1 since the faults were last
set, with faults of their own:

    {"upload_error_500_on": N}             the N-th upload answers 500 (`InternalServerError`),
                                           NOT forwarded: nothing stored
    {"upload_drop_after_store_on": N}      the N-th upload is forwarded (the PDS keeps the
                                           blob), then the connection closes without an answer

`GET /__state` answers `{"creates": COUNT, "uploads": COUNT, "requests": [...]}`: one entry per request forwarded
or faulted, in order (`method`, `path` without the query, `nsid`, `status` (0 for a dropped
connection), `fault` or null, `authorized`: whether a bearer token came with it, never the
token). What the PDS stores is read from the PDS itself (`com.atproto.repo.listRecords`).
"""

import http.client
import json
import signal
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CREATE = "com.atproto.repo.createRecord"
UPLOAD = "com.atproto.repo.uploadBlob"
# Headers that belong to one connection, never forwarded either way.
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "content-length",
    "host",
}


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.faults = {}
        self.creates = 0
        self.uploads = 0
        self.requests = []

    def set_faults(self, faults):
        with self.lock:
            self.faults = faults
            self.creates = 0
            self.uploads = 0

    def next_upload(self):
        """The fault for the next upload, if one is set for it (named as for a create)."""
        with self.lock:
            self.uploads += 1
            n = self.uploads
            faults = self.faults
        for name in ("error_500_on", "drop_after_store_on"):
            if faults.get("upload_" + name) == n:
                return name, faults
        return None, faults

    def next_create(self):
        """The fault for the next create request, if one is set for it."""
        with self.lock:
            self.creates += 1
            n = self.creates
            faults = self.faults
        for name in (
            "error_500_on",
            "drop_after_store_on",
            "rate_limit_on",
            "slow_on",
            "expired_token_on",
        ):
            if faults.get(name) == n:
                return name, faults
        return None, faults

    def log(self, entry):
        with self.lock:
            self.requests.append(entry)

    def snapshot(self):
        with self.lock:
            return {
                "creates": self.creates,
                "uploads": self.uploads,
                "faults": self.faults,
                "requests": list(self.requests),
            }


def make_handler(upstream, state):
    target = urllib.parse.urlsplit(upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # requests carry tokens: nothing is logged
            pass

        def do_GET(self):
            self.handle_any("GET")

        def do_POST(self):
            self.handle_any("POST")

        def handle_any(self, method):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = urllib.parse.urlsplit(self.path).path
            if path == "/__faults" and method == "POST":
                try:
                    faults = json.loads(body or b"{}")
                except ValueError as error:
                    return self.answer(400, {"error": f"not JSON: {error}"})
                state.set_faults(faults if isinstance(faults, dict) else {})
                return self.answer(200, {"ok": True})
            if path == "/__state" and method == "GET":
                return self.answer(200, state.snapshot())

            nsid = path[len("/xrpc/"):] if path.startswith("/xrpc/") else ""
            if nsid == CREATE:
                fault, faults = state.next_create()
            elif nsid == UPLOAD:
                fault, faults = state.next_upload()
            else:
                fault, faults = None, {}
            entry = {
                "method": method,
                "path": path,
                "nsid": nsid,
                "fault": fault,
                "authorized": self.headers.get("Authorization", "").startswith("Bearer "),
            }
            if fault == "error_500_on":
                entry["status"] = 500
                state.log(entry)
                return self.answer(
                    500, {"error": "InternalServerError", "message": "Internal Server Error (injected)"}
                )
            if fault == "expired_token_on":
                entry["status"] = 400
                state.log(entry)
                return self.answer(400, {"error": "ExpiredToken", "message": "Token has expired"})
            if fault == "rate_limit_on":
                wait = int(faults.get("retry_after", 1))
                entry["status"] = 429
                state.log(entry)
                reset = int(time.time()) + wait
                return self.answer(
                    429,
                    {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                    [
                        ("Retry-After", str(wait)),
                        ("RateLimit-Limit", "5000"),
                        ("RateLimit-Remaining", "0"),
                        ("RateLimit-Reset", str(reset)),
                        ("RateLimit-Policy", "5000;w=3600"),
                    ],
                )

            status, headers, answer = self.forward(method, body)
            entry["status"] = status
            if fault == "drop_after_store_on":
                entry["status"] = 0
                state.log(entry)
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            if fault == "slow_on":
                time.sleep(float(faults.get("slow_seconds", 1)))
            state.log(entry)
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def forward(self, method, body):
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
            headers = {
                name: value for name, value in self.headers.items() if name.lower() not in HOP_BY_HOP
            }
            if body or method == "POST":
                headers["Content-Length"] = str(len(body))
            try:
                connection.request(method, self.path, body=body, headers=headers)
                response = connection.getresponse()
                answer = response.read()
                kept = [(n, v) for n, v in response.getheaders() if n.lower() not in HOP_BY_HOP]
                return response.status, kept, answer
            finally:
                connection.close()

        def answer(self, status, value, headers=()):
            data = json.dumps(value).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            for name, header in headers:
                self.send_header(name, header)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def main():
    if len(sys.argv) not in (2, 3):
        print("usage: fault_proxy.py UPSTREAM [PORT]", file=sys.stderr)
        sys.exit(2)
    upstream = sys.argv[1].rstrip("/")
    port = int(sys.argv[2]) if len(sys.argv) == 3 else 0
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(upstream, State()))
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"listening 127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        sys.stdin.read()  # until EOF: the test that started the proxy is gone
    except KeyboardInterrupt:
        pass
    server.shutdown()


if __name__ == "__main__":
    main()
