#!/usr/bin/env python3
"""A real SMTP server on 127.0.0.1 for the tests of `repurpose publish` (aiosmtpd), with faults.

    python3 tests/servers/smtp_server.py --dir DIR [--tls starttls|implicit|none]
        [--auth USER:PASSWORD] [--faults FILE]

It binds 127.0.0.1 on a free port and prints one line, `ready port=PORT`, once it listens. It
exits when its stdin reaches end of file (the test holds the pipe, so a test that dies takes
the server with it) or on SIGTERM. Exit status 3 means aiosmtpd is not installed
(`pip install -r tests/servers/requirements.txt`).

What it writes into DIR:
- NNNN.eml and NNNN.json per accepted message, numbered from 0001 in the order received; the
  .json (the envelope: `number`, `mail_from`, `rcpt_tos`, `login` (the AUTH user or null),
  `tls`) is written last, by rename, so a .json file means the message is whole;
- cert.pem and key.pem: the self-signed certificate made at start (`openssl`);
- events.jsonl: one JSON object a line per fault or refusal the server answered
  (`{"event": "temporary", "address": …, "code": 451}`, `permanent`, `auth_failed`,
  `stalled`, `dropped`), so a test can count the retries a client made (a client that tries
  AUTH PLAIN then LOGIN with a wrong password makes two `auth_failed`);
- stalled: written when a `stall_after` fault fires (it holds the message's number).

The faults file is JSON, read again at every RCPT and DATA, so a test can change it while the
server runs (write it whole, by rename). Every key is optional:

    {"temporary": {"b@example.com": 2},   451 at RCPT for that address that many times, then accept
     "temporary_data": {"d@example.com": 1},  the same, but 451 at the end of DATA
     "permanent": ["c@example.com"],      550 at RCPT for that address, always
     "stall_after": 5,                    the DATA after 5 stored messages is stored, then
                                          never answered (and DIR/stalled is written)
     "drop_after": 7}                     the DATA after 7 stored messages is stored, then the
                                          connection closes without an answer

Addresses compare without regard to case. The counts of `temporary` and `temporary_data` start
again from zero whenever the file's content changes. `stall_after` and `drop_after` each fire
once, at the message that makes the count N+1: a client that reconnects afterwards is served
normally.
"""

import argparse
import asyncio
import json
import os
import signal
import ssl
import subprocess
import sys
import threading
import warnings
from pathlib import Path

try:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
except ImportError as error:  # the Rust support skips the tests on this status
    print(
        f"aiosmtpd is not installed ({error}): pip install -r tests/servers/requirements.txt",
        file=sys.stderr,
    )
    sys.exit(3)

# aiosmtpd 1.4 warns about its own use of Session.login_data at every AUTH.
warnings.filterwarnings("ignore", message="Session.login_data is deprecated")


def write_atomically(path, data):
    """`data` (bytes) at `path`, whole or not at all."""
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, path)


def make_certificate(directory):
    """A self-signed certificate for localhost and 127.0.0.1: an ssl.SSLContext for a server."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


class Faults:
    """The faults file, read again at every transaction; counts reset when its content changes."""

    def __init__(self, path):
        self.path = path
        self.text = None
        self.faults = {}
        self.refused = {}  # (kind, address) -> how many 451s given since the content changed

    def current(self):
        if self.path is None:
            return {}
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            text = "{}"
        if text != self.text:
            self.text = text
            try:
                self.faults = json.loads(text) if text.strip() else {}
            except json.JSONDecodeError as error:
                print(f"faults file is not JSON, ignored: {error}", file=sys.stderr)
                self.faults = {}
            self.refused = {}
        return self.faults

    def temporary(self, kind, address):
        """True when this address gets one more 451 (`kind` is "temporary" or "temporary_data")."""
        counts = {k.lower(): v for k, v in (self.current().get(kind) or {}).items()}
        key = (kind, address.lower())
        given = self.refused.get(key, 0)
        if given < int(counts.get(address.lower(), 0)):
            self.refused[key] = given + 1
            return True
        return False

    def permanent(self, address):
        return address.lower() in {a.lower() for a in self.current().get("permanent") or []}


class Store:
    """The handler aiosmtpd calls: stores messages, answers the faults."""

    def __init__(self, directory, faults, tls_mode):
        self.directory = directory
        self.faults = faults
        self.tls_mode = tls_mode
        self.stored = sum(1 for p in directory.glob("[0-9][0-9][0-9][0-9]*.json"))

    def event(self, **fields):
        with open(self.directory / "events.jsonl", "a", encoding="utf-8") as log:
            log.write(json.dumps(fields) + "\n")

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.faults.permanent(address):
            self.event(event="permanent", address=address, code=550)
            return "550 5.1.1 Mailbox unavailable (injected fault)"
        if self.faults.temporary("temporary", address):
            self.event(event="temporary", address=address, code=451)
            return "451 4.3.0 Try again later (injected fault)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for address in envelope.rcpt_tos:
            if self.faults.temporary("temporary_data", address):
                self.event(event="temporary_data", address=address, code=451)
                return "451 4.3.0 Try again later (injected fault)"
        faults = self.faults.current()
        before = self.stored
        number = self.store(session, envelope)
        if faults.get("stall_after") is not None and before == int(faults["stall_after"]):
            write_atomically(self.directory / "stalled", f"{number}\n".encode())
            self.event(event="stalled", number=number)
            await asyncio.Future()  # never answers; cancelled when the client goes away
        if faults.get("drop_after") is not None and before == int(faults["drop_after"]):
            self.event(event="dropped", number=number)
            server.transport.abort()
            await asyncio.Future()  # the connection is gone: aiosmtpd cancels this handler
        return "250 2.0.0 Message accepted"

    def store(self, session, envelope):
        self.stored += 1
        number = self.stored
        login = session.auth_data.login if isinstance(session.auth_data, LoginPassword) else None
        if isinstance(login, bytes):
            login = login.decode("utf-8", "replace")
        envelope_json = {
            "number": number,
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "login": login,
            "tls": self.tls_mode == "implicit" or session.ssl is not None,
        }
        stem = f"{number:04d}"
        write_atomically(self.directory / f"{stem}.eml", envelope.original_content)
        write_atomically(
            self.directory / f"{stem}.json", (json.dumps(envelope_json, indent=2) + "\n").encode()
        )
        return number


def authenticator_for(user, password, store):
    def authenticate(server, session, envelope, mechanism, auth_data):
        if (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        ):
            return AuthResult(success=True, auth_data=auth_data)
        store.event(event="auth_failed", mechanism=mechanism, code=535)
        return AuthResult(success=False, handled=False)

    return authenticate


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", required=True, type=Path)
    parser.add_argument("--tls", choices=["starttls", "implicit", "none"], default="starttls")
    parser.add_argument("--auth", metavar="USER:PASSWORD")
    parser.add_argument("--faults", type=Path)
    args = parser.parse_args()

    directory = args.dir
    directory.mkdir(parents=True, exist_ok=True)
    context = make_certificate(directory) if args.tls != "none" else None
    store = Store(directory, Faults(args.faults), args.tls)

    options = {"hostname": "localhost", "decode_data": False}
    if args.tls == "starttls":
        options.update(tls_context=context, require_starttls=True)
    if args.auth:
        user, _, password = args.auth.partition(":")
        options.update(
            auth_required=True,
            authenticator=authenticator_for(user, password, store),
            # Over implicit TLS aiosmtpd does not know the connection is encrypted (it only
            # tracks STARTTLS); the listening socket itself is TLS there.
            auth_require_tls=args.tls == "starttls",
        )

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(
        loop.create_server(
            lambda: SMTP(store, **options),
            host="127.0.0.1",
            port=0,
            ssl=context if args.tls == "implicit" else None,
        )
    )
    port = server.sockets[0].getsockname()[1]

    def stop():
        # Messages are written whole by the loop's own thread, so nothing is half-written here.
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except OSError:  # the test that held the pipes is gone
                pass
        os._exit(0)

    loop.add_signal_handler(signal.SIGTERM, stop)

    def watch_stdin():
        while sys.stdin.buffer.read(4096):
            pass
        loop.call_soon_threadsafe(stop)

    threading.Thread(target=watch_stdin, daemon=True).start()
    print(f"ready port={port}", flush=True)
    loop.run_forever()


if __name__ == "__main__":
    main()
