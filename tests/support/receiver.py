"""A clinic's webhook receiver for the tests: http.server in a thread on 127.0.0.1.

It records every request (headers and raw body) and answers with the status
codes it is told to, in order (the last one repeats).
"""

import errno
import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORTS = range(8140, 8150)


class Receiver:
    def __init__(self, statuses=(200,), delay: float = 0.0):
        self.statuses = list(statuses)
        self.delay = delay
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.server = _bind(self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/rehab"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.requests.append({"headers": dict(self.headers), "body": body, "path": self.path})
                    status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        return Handler

    def event_ids(self) -> Counter:
        with self.lock:
            return Counter(r["headers"]["X-Rehab-Event-Id"] for r in self.requests)

    def wait_for(self, count: int, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.event_ids()) >= count:
                return True
            time.sleep(0.05)
        return False


def signature_valid(secret: str, request: dict) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), request["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, request["headers"]["X-Rehab-Signature"])


def body_of(request: dict) -> dict:
    return json.loads(request["body"])


def _bind(handler) -> ThreadingHTTPServer:
    for port in PORTS:
        try:
            return ThreadingHTTPServer(("127.0.0.1", port), handler)
        except OSError:
            continue
    raise OSError(errno.EADDRINUSE, "no free port for the test webhook receiver")
