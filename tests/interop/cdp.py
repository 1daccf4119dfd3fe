"""A headless chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe):
the standard library only, no port opened, no driver to match to the browser's version."""

import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time

# The flags this machine kind documents for headless chromium; the background-networking
# ones keep it from calling Google's services. The resolver rule answers every host name
# with "not found", so whatever a page asks for never leaves the machine, even if the
# interception below missed it.
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]


class Chromium:
    """One browser process; `page()` opens a tab with a DevTools session on it."""

    def __init__(self, binary, timeout=30):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="repurpose-interop-chromium-")
        commands_read, self._commands = os.pipe()
        self._replies, replies_write = os.pipe()

        def pipes_as_3_and_4():
            # The protocol's pipe: chromium reads commands on fd 3, writes replies on fd 4.
            read, write = os.dup(commands_read), os.dup(replies_write)
            os.dup2(read, 3)
            os.dup2(write, 4)

        self.log = open(os.path.join(self.profile, "chromium.log"), "w+", encoding="utf-8")
        self.process = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={self.profile}", "--remote-debugging-pipe",
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
            preexec_fn=pipes_as_3_and_4, close_fds=False,
        )
        os.close(commands_read)
        os.close(replies_write)
        self._next = 0
        self._waiting = {}
        self._lock = threading.Lock()
        self.events = {}  # session id -> queue of events
        threading.Thread(target=self._read, daemon=True).start()
        try:
            self.version = self.call("Browser.getVersion")["product"]
        except RuntimeError as e:
            self.log.seek(0)
            said = self.log.read().strip()[-2000:]
            self.close()
            raise RuntimeError(f"{binary} did not start: {e}\n{said}") from None

    def _read(self):
        buffer = b""
        with os.fdopen(self._replies, "rb", buffering=0) as replies:
            while True:
                chunk = replies.read(65536)
                if not chunk:
                    break
                buffer += chunk
                while b"\0" in buffer:
                    raw, buffer = buffer.split(b"\0", 1)
                    message = json.loads(raw)
                    if "id" in message:
                        with self._lock:
                            box = self._waiting.pop(message["id"], None)
                        if box is not None:
                            box.put(message)
                    else:
                        self.events.setdefault(message.get("sessionId"), queue.Queue()).put(message)
        for box in list(self._waiting.values()):
            box.put({"error": {"message": "chromium closed the DevTools pipe"}})

    def send(self, method, params=None, session=None):
        """Sends one command; `reply(box)` waits for its answer. For a command that only
        answers once events have been handled (a navigation whose request is intercepted)."""
        with self._lock:
            self._next += 1
            number = self._next
            box = self._waiting[number] = queue.Queue()
        message = {"id": number, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        box.method = method
        return box

    def call(self, method, params=None, session=None):
        """Sends one command and waits for its reply; RuntimeError on a protocol error."""
        return self.reply(self.send(method, params, session))

    def reply(self, box):
        method = box.method
        try:
            reply = box.get(timeout=self.timeout)
        except queue.Empty:
            raise RuntimeError(f"chromium did not answer {method} in {self.timeout}s") from None
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    def page(self, width, height):
        """A new tab at `width`×`height` CSS pixels; its session id."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.events.setdefault(session, queue.Queue())
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
                  session)
        return target, session

    def next_event(self, session, deadline):
        """The session's next event, or None once `deadline` (time.monotonic) has passed."""
        try:
            return self.events[session].get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return None

    def close(self):
        if self.process.poll() is None:
            self.timeout = 5
            try:
                self.call("Browser.close")
            except RuntimeError:
                pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._commands)
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()
