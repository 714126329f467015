"""The real google-genai client against a fake Gemini server on 127.0.0.1.

Every way the answer can go wrong (too slow, HTTP 500, garbage, off-schema, refusal) must still end
in a valid request, parsed offline, with a note that says why. Offline mode makes no call at all.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bachata_desktop.analysis.llm.gemini import GeminiClient, offline_teaching_notes
from bachata_desktop.analysis.llm.offline_parser import OfflineRequestParser
from bachata_desktop.core.choreography import MoveCandidate, Request, Style
from bachata_desktop.core.clip import Energy, Level, RoleFocus

KEY = "test-key-Zq81-not-a-real-key"
MODEL = "gemini-2.5-flash"
GOOD = {"level": "advanced", "energy": "high", "style": "dominican", "role_focus": "lead",
        "include": ["footwork", "golpes"], "avoid": ["spin"], "end_with_dip": True}


def answer(text: str | None, finish: str = "STOP") -> dict:
    cand: dict = {"finishReason": finish, "index": 0}
    if text is not None:
        cand["content"] = {"role": "model", "parts": [{"text": text}]}
    return {"candidates": [cand], "modelVersion": MODEL}


class FakeGemini(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.mode = "good"
        self.requests: list[dict] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: FakeGemini

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
        self.server.requests.append({"path": self.path, "key": self.headers.get("x-goog-api-key"),
                                     "body": json.loads(body or b"{}")})
        mode = self.server.mode
        if mode == "slow":
            time.sleep(3.0)
            mode = "good"
        if mode == "gone":  # what Google answers for a shut-down model id
            name = self.path.split("/models/")[-1].split(":")[0]
            return self._send(404, json.dumps({"error": {
                "code": 404, "status": "NOT_FOUND",
                "message": f"models/{name} is not found for API version v1beta, or is not "
                           "supported for generateContent."}}).encode())
        if mode == "500":
            return self._send(500, json.dumps({"error": {"code": 500, "message": "boom",
                                                         "status": "INTERNAL"}}).encode())
        payload = {
            "good": answer(json.dumps(GOOD)),
            "notes": answer("Prepare on 1.\nTurn on 5."),
            "garbage": answer("{level: advanced, this is not json"),
            "offschema": answer(json.dumps({**GOOD, "level": "wizard"})),
            "refusal": answer(None, finish="SAFETY"),
        }.get(mode)
        if payload is None:  # raw garbage body, not even a JSON envelope
            return self._send(200, b"<html>proxy error</html>", "text/html")
        self._send(200, json.dumps(payload).encode())

    def _send(self, code: int, data: bytes, ctype: str = "application/json") -> None:
        try:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)


@pytest.fixture()
def server():
    srv = FakeGemini()
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture(autouse=True)
def _env(monkeypatch, caplog):
    monkeypatch.delenv("BACHATA_OFFLINE", raising=False)
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    caplog.set_level(logging.DEBUG)
    yield
    assert KEY not in caplog.text, "the API key leaked into the logs"


def client(server: FakeGemini, timeout_s: float = 5.0) -> GeminiClient:
    return GeminiClient(api_key=KEY, model=MODEL, base_url=server.url, timeout_s=timeout_s,
                        fallback=OfflineRequestParser(use_embeddings=False))


TEXT = "una rutina sensual para principiantes con ondas, sin giros"


def assert_offline(req: Request, why: str) -> None:
    assert isinstance(req, Request)
    assert req.source == "offline"
    assert req.level is Level.BEGINNER and req.style is Style.SENSUAL
    assert "bodywaves" in req.include and "spin" in req.avoid
    assert any(why in n and "offline parser" in n for n in req.notes), req.notes


def test_good_json_is_parsed(server):
    base = Request(level=Level.BEGINNER, seed=4)
    req = client(server).parse_request("advanced dominican with footwork, no spins", base)
    assert req.source == "gemini"
    assert (req.level, req.energy, req.style, req.role_focus) == (
        Level.ADVANCED, Energy.HIGH, Style.DOMINICAN, RoleFocus.LEAD)
    assert req.include == ("footwork", "golpes") and req.avoid == ("spin",) and req.end_with_dip
    assert req.seed == 4 and any("Gemini" in n for n in req.notes)
    (sent,) = server.requests
    assert re.fullmatch(rf"/v1(beta)?/models/{MODEL}:generateContent", sent["path"])
    assert sent["key"] == KEY
    cfg = sent["body"]["generationConfig"]
    assert cfg["responseMimeType"] == "application/json"
    assert "level" in json.dumps(cfg.get("responseSchema") or cfg.get("responseJsonSchema"))


def test_slow_answer_past_timeout_falls_back(server):
    server.mode = "slow"
    t0 = time.monotonic()
    req = client(server, timeout_s=1.0).parse_request(TEXT)
    assert time.monotonic() - t0 < 2.9  # gave up before the server answered
    assert_offline(req, "did not answer within 1 s")


@pytest.mark.parametrize(("mode", "why"), [
    ("500", "HTTP 500"), ("garbage", "malformed JSON"), ("html", "Gemini"),
    ("offschema", "outside the schema"), ("refusal", "refused"),
])
def test_bad_answers_fall_back(server, mode, why):
    server.mode = mode
    req = client(server).parse_request(TEXT)
    assert_offline(req, why)
    assert len(server.requests) == 1


def test_offline_mode_makes_no_call(server, monkeypatch):
    monkeypatch.setenv("BACHATA_OFFLINE", "1")
    req = client(server).parse_request(TEXT)
    assert_offline(req, "BACHATA_OFFLINE=1")
    assert server.requests == []


def test_no_key_makes_no_call(server):
    c = GeminiClient(api_key=None, base_url=server.url,
                     fallback=OfflineRequestParser(use_embeddings=False))
    req = c.parse_request(TEXT)
    assert_offline(req, "no Gemini API key")
    assert server.requests == []


def test_key_from_environment(server, monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", KEY)
    c = GeminiClient(base_url=server.url, fallback=OfflineRequestParser(use_embeddings=False))
    assert c.parse_request("advanced").source == "gemini"
    assert server.requests[0]["key"] == KEY


def test_teaching_notes(server):
    move = MoveCandidate(clip_id=1, name="lady turn right", category="ladyturn", counts=8)
    server.mode = "notes"
    assert client(server).teaching_notes(move) == "Prepare on 1.\nTurn on 5."
    assert "lady turn right" in server.requests[0]["body"]["contents"][0]["parts"][0]["text"].lower()
    server.mode = "500"
    notes = client(server).teaching_notes(move)
    assert notes == offline_teaching_notes(move) and "(offline notes)" in notes


def test_offline_notes_follow_the_moves_holds_and_read_its_name() -> None:
    """The family tip never contradicts the move's own holds, and no raw id is printed."""
    from bachata_desktop.core.clip import Clip, Hold

    intro = Clip(id=1, clip_key="intro3", name="intro3", category="intros", media_path="x.mp4",
                 content_hash="h", start_hold=Hold.CLOSED, end_hold=Hold.CLOSED,
                 extra={"unset": ["energy"]})
    notes = offline_teaching_notes(intro)
    assert "intro3" not in notes and notes.startswith("Intro 3 (Intros): beginner level, 8 counts.")
    assert "Start in closed hold and stay in it." in notes
    assert "open position" not in notes and "start hold" not in notes
    assert "energy" not in notes.splitlines()[0]  # not set: not claimed
    opened = intro.with_(start_hold=Hold.OPEN, end_hold=Hold.CLOSED)
    assert "Start in open position and finish in closed hold." in offline_teaching_notes(opened)


def test_a_model_the_service_no_longer_has_is_named_with_what_to_do(server):
    server.mode = "gone"
    c = GeminiClient(api_key=KEY, model="gemini-1.0-ultra", base_url=server.url,
                     fallback=OfflineRequestParser(use_embeddings=False))
    req = c.parse_request(TEXT)
    assert_offline(req, "has no model 'gemini-1.0-ultra'")
    note = req.notes[-1]
    assert "gemini_model" in note and "gemini-2.5-flash" in note and "\n" not in note


def test_the_model_id_comes_from_the_settings(server, monkeypatch, tmp_path):
    from bachata_desktop.paths import app_paths
    from bachata_desktop.services.generate import understand_request
    from bachata_desktop.store.settings import AppSettings, save_settings

    monkeypatch.setenv("GEMINI_API_KEY", KEY)
    monkeypatch.setenv("BACHATA_GEMINI_BASE_URL", server.url)
    settings_file = app_paths().settings_file
    save_settings(AppSettings(gemini_model="gemini-9.9-test"), settings_file)
    assert understand_request("advanced dominican").source == "gemini"
    assert "/models/gemini-9.9-test:" in server.requests[-1]["path"]
    # The old default, shut down by Google, is replaced by the current one.
    save_settings(AppSettings(gemini_model="gemini-2.0-flash"), settings_file)
    understand_request("advanced dominican")
    assert "/models/gemini-2.5-flash:" in server.requests[-1]["path"]
    assert AppSettings().gemini_model == "gemini-2.5-flash"
