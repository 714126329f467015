"""Item 10 of issue 16: the Gemini client never carries the API key across a redirect.

The real google-genai client talks to a fake server on 127.0.0.1 that answers 307 to a second
server on "localhost" (another host as far as HTTP is concerned); the second must see nothing.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bachata_desktop.analysis.llm.gemini import GeminiClient
from bachata_desktop.analysis.llm.offline_parser import OfflineRequestParser

KEY = "test-key-redirect-Zq81-not-real"


class Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, location: str | None) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.location = location
        self.seen: list[tuple[str, str | None]] = []


class Handler(BaseHTTPRequestHandler):
    server: Recorder

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
        self.server.seen.append((self.path, self.headers.get("x-goog-api-key")))
        if self.server.location:
            self.send_response(307)
            self.send_header("Location", self.server.location + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b'{"candidates": []}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _serve(srv: Recorder) -> threading.Thread:
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    return th


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    monkeypatch.delenv("BACHATA_OFFLINE", raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")


def test_key_is_not_sent_to_the_host_a_redirect_names() -> None:
    other = Recorder(None)
    first = Recorder(f"http://localhost:{other.server_address[1]}")
    _serve(other), _serve(first)
    try:
        gc = GeminiClient(api_key=KEY, base_url=f"http://127.0.0.1:{first.server_address[1]}",
                          timeout_s=5.0, fallback=OfflineRequestParser(use_embeddings=False))
        req = gc.parse_request("una rutina sensual para principiantes")
    finally:
        for s in (first, other):
            s.shutdown()
            s.server_close()
    assert first.seen and first.seen[0][1] == KEY        # the configured server got the call
    assert other.seen == []                               # the redirect target got nothing
    assert req.source == "offline"
    assert any("307" in n for n in req.notes), req.notes
