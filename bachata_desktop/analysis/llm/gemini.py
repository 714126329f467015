"""Gemini (google-genai) for the two things it does better than the offline parser.

It turns a free-text request into the wizard's structured :class:`Request` (JSON output constrained
by a response schema) and writes short teaching notes for a move. It is strictly optional: the app
works offline, so every call has a hard deadline, and any failure (offline mode, no key, network
error, timeout, HTTP error, refusal, malformed or off-schema JSON) falls back to the offline parser
or offline notes, with a visible note saying why. The API key comes from the OS keyring (or
``GEMINI_API_KEY``) and is never logged or written anywhere by this module.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bachata_desktop import paths
from bachata_desktop.analysis.llm.offline_parser import OfflineRequestParser, parse_request
from bachata_desktop.core.choreography import Request, Style
from bachata_desktop.core.clip import (
    CATEGORIES,
    Energy,
    Level,
    RoleFocus,
    category_label,
    move_title,
    unset_fields,
)

log = logging.getLogger(__name__)

DEFAULT_MODEL = "gemini-2.5-flash"  # the setting's default (Settings: gemini_model)
# Ids the app once defaulted to that Google has shut down: a setting still holding one gets the
# current default instead of an HTTP 404 on every request.
RETIRED_MODELS = frozenset({"gemini-2.0-flash", "gemini-1.5-flash", "gemini-pro"})
DEFAULT_TIMEOUT_S = 8.0
KEYRING_SERVICE = "bachata-buddy"
KEYRING_USER = "gemini"
ENV_API_KEY = "GEMINI_API_KEY"
ENV_BASE_URL = "BACHATA_GEMINI_BASE_URL"  # point the real client at another server (tests, proxies)

SYSTEM_PROMPT = (
    "You turn a bachata instructor's request for a choreography into JSON. Levels: beginner, "
    "intermediate, advanced. Energy: low, medium, high, or follow_song when not stated. Styles: "
    "sensual, dominican, moderna, traditional, or any. Role focus: both, lead, follow. Move "
    "families (use only these names): " + ", ".join(CATEGORIES) + ". 'include' lists families the "
    "instructor wants, 'avoid' families they do not want. end_with_dip is true when they ask to end "
    "in a dip. Keep the form's values for anything the text does not mention. The request may be "
    "in English or Spanish."
)


def resolve_model(name: str | None) -> str:
    """The model id to call for a setting's value (empty or retired: the current default)."""
    name = (name or "").strip()
    return DEFAULT_MODEL if not name or name in RETIRED_MODELS else name


class GeminiFailure(Exception):
    """Why a Gemini call gave nothing usable (the message is shown to the user as a note)."""


def get_api_key() -> str | None:
    """``GEMINI_API_KEY`` if set, else the OS keyring entry (service bachata-buddy, user gemini)."""
    env = os.environ.get(ENV_API_KEY, "").strip()
    if env:
        return env
    try:
        import keyring

        value = keyring.get_password(KEYRING_SERVICE, KEYRING_USER)
    except Exception:  # no keyring backend on this machine: treat as "no key"
        return None
    return value.strip() if value and value.strip() else None


def set_api_key(key: str | None) -> None:
    """Store (or, with None/empty, delete) the key in the OS keyring."""
    import keyring

    if key and key.strip():
        keyring.set_password(KEYRING_SERVICE, KEYRING_USER, key.strip())
    else:
        try:
            keyring.delete_password(KEYRING_SERVICE, KEYRING_USER)
        except Exception:  # nothing stored
            pass


def _request_schema() -> Any:
    from google.genai import types

    def enum(values: list[str]) -> Any:
        return types.Schema(type=types.Type.STRING, enum=values)

    cats = types.Schema(type=types.Type.ARRAY, items=enum(list(CATEGORIES)))
    return types.Schema(
        type=types.Type.OBJECT,
        properties={
            "level": enum([v.value for v in Level]),
            "energy": enum([*(v.value for v in Energy), "follow_song"]),
            "style": enum([*(v.value for v in Style), "any"]),
            "role_focus": enum([v.value for v in RoleFocus]),
            "include": cats, "avoid": cats,
            "end_with_dip": types.Schema(type=types.Type.BOOLEAN),
        },
        required=["level", "energy", "style", "role_focus", "include", "avoid", "end_with_dip"],
    )


def request_from_json(data: Any, base: Request, text: str) -> Request:
    """Validate Gemini's JSON against our vocabulary; raise GeminiFailure if it is off-schema."""
    if not isinstance(data, Mapping):
        raise GeminiFailure("answered JSON that is not an object")
    try:
        level = Level(str(data.get("level", base.level.value)))
        e = data.get("energy")
        energy = base.energy if e is None else (None if e == "follow_song" else Energy(str(e)))
        s = data.get("style")
        style = base.style if s is None else (None if s == "any" else Style(str(s)))
        role = RoleFocus(str(data.get("role_focus", base.role_focus.value)))
        lists = []
        for key, default in (("include", base.include), ("avoid", base.avoid)):
            v = data.get(key, list(default))
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                raise GeminiFailure(f"answered a malformed '{key}' list")
            lists.append(tuple(x for x in v if x in CATEGORIES))
        dip = data.get("end_with_dip", base.end_with_dip)
        if not isinstance(dip, bool):
            raise GeminiFailure("answered a malformed 'end_with_dip'")
    except ValueError as exc:
        raise GeminiFailure(f"answered a value outside the schema ({exc})") from exc
    include = tuple(c for c in lists[0] if c not in lists[1])
    return base.with_(level=level, energy=energy, style=style, role_focus=role, include=include,
                      avoid=lists[1], end_with_dip=dip, text=text, source="gemini",
                      notes=(*base.notes, "request understood by Gemini"))


@dataclass
class GeminiClient:
    """google-genai behind a deadline; every public method falls back instead of raising."""

    api_key: str | None = None
    model: str | None = DEFAULT_MODEL  # from the setting; None/retired -> DEFAULT_MODEL
    base_url: str | None = None
    timeout_s: float = DEFAULT_TIMEOUT_S
    fallback: OfflineRequestParser | None = None

    def __post_init__(self) -> None:
        self.model = resolve_model(self.model)

    def _key(self) -> str | None:
        return self.api_key or get_api_key()

    def unavailable_reason(self) -> str | None:
        """Why no call would be made (offline mode or no key), else None."""
        if paths.is_offline():
            return "offline mode (BACHATA_OFFLINE=1)"
        if not self._key():
            return "no Gemini API key is set"
        return None

    def _call(self, contents: str, config: dict[str, Any]) -> str:
        """One generate_content call under a hard deadline; returns the answer's text."""
        key = self._key()
        assert key is not None
        box: dict[str, Any] = {}

        def work() -> None:
            try:
                from google import genai
                from google.genai import types

                # Never follow a redirect: it would carry the API key header to whatever host
                # the answer names. A 3xx then fails the call, which falls back offline.
                http = types.HttpOptions(
                    base_url=self.base_url or os.environ.get(ENV_BASE_URL) or None,
                    timeout=int(self.timeout_s * 1000),
                    client_args={"follow_redirects": False},
                    async_client_args={"follow_redirects": False})
                client = genai.Client(api_key=key, http_options=http)
                resp = client.models.generate_content(
                    model=self.model, contents=contents,
                    config=types.GenerateContentConfig(**config))
                box["resp"] = resp
            except BaseException as exc:  # reported below, scrubbed of the key
                box["error"] = exc

        th = threading.Thread(target=work, name="gemini-call", daemon=True)
        th.start()
        th.join(self.timeout_s + 1.0)
        if th.is_alive():
            raise GeminiFailure(f"did not answer within {self.timeout_s:g} s")
        if "error" in box:
            raise GeminiFailure(self._describe(box["error"], key))
        resp = box["resp"]
        try:
            text = resp.text
        except Exception:  # a blocked answer can make .text raise
            text = None
        if not text:
            reason = ""
            try:
                fb = resp.prompt_feedback
                reason = str(fb.block_reason) if fb and fb.block_reason else ""
                if not reason and resp.candidates:
                    reason = str(resp.candidates[0].finish_reason or "")
            except Exception:
                pass
            raise GeminiFailure("refused or gave an empty answer" + (f" ({reason})" if reason
                                                                    else ""))
        return str(text)

    def _describe(self, exc: BaseException, key: str) -> str:
        name = type(exc).__name__
        code = getattr(exc, "code", None)
        if "Timeout" in name or isinstance(exc, TimeoutError):
            msg = f"did not answer within {self.timeout_s:g} s"
        elif isinstance(code, int) and _model_gone(code, exc):
            msg = (f"has no model '{self.model}' (HTTP {code}; retired or misspelt): set a current "
                   f"one in the settings' gemini_model, e.g. {DEFAULT_MODEL}")
        elif isinstance(code, int):
            msg = f"answered HTTP {code}"
        elif "Connect" in name or isinstance(exc, OSError):
            msg = "could not be reached"
        else:
            msg = f"failed ({name})"
        return msg.replace(key, "***")

    def parse_request(self, text: str, base: Request | None = None) -> Request:
        """Gemini's reading of ``text`` (fields not mentioned keep ``base``); offline on failure."""
        base = base or Request()
        reason = self.unavailable_reason()
        if reason is None:
            form = {"level": base.level.value,
                    "energy": base.energy.value if base.energy else "follow_song",
                    "style": base.style.value if base.style else "any",
                    "role_focus": base.role_focus.value, "include": list(base.include),
                    "avoid": list(base.avoid), "end_with_dip": base.end_with_dip}
            contents = f"Form values: {json.dumps(form)}\nInstructor's request: {text}"
            config = {"system_instruction": SYSTEM_PROMPT, "temperature": 0.1,
                      "response_mime_type": "application/json",
                      "response_schema": _request_schema(), "max_output_tokens": 512}
            try:
                raw = self._call(contents, config)
                try:
                    data = json.loads(raw)
                except ValueError as exc:
                    raise GeminiFailure("answered malformed JSON") from exc
                return request_from_json(data, base, text)
            except GeminiFailure as exc:
                reason = f"Gemini {exc}"
        log.info("request parsed offline: %s", reason)
        parsed = (self.fallback.parse(text, base) if self.fallback is not None
                  else parse_request(text, base))
        return parsed.with_note(f"{reason}: used the offline parser")

    def teaching_notes(self, move: Any) -> str:
        """A few sentences an instructor can read out; offline notes (marked so) on failure."""
        desc = " ".join(x for x in (_move_description(move) + ".", _hold_line(move)) if x)
        if self.unavailable_reason() is None:
            prompt = ("Write 3 to 5 short teaching notes (plain text, one per line, no markdown) for "
                      f"this bachata move, for an instructor teaching a class: {desc}")
            try:
                return self._call(prompt, {"temperature": 0.4, "max_output_tokens": 400}).strip()
            except GeminiFailure as exc:
                log.info("teaching notes offline: Gemini %s", exc)
        return offline_teaching_notes(move)


def _model_gone(code: int, exc: BaseException) -> bool:
    """Google answers 404 NOT_FOUND (or 400 naming the model) for a shut-down or unknown model."""
    text = f"{getattr(exc, 'status', '')} {getattr(exc, 'message', '')} {exc}".lower()
    if code == 404:
        return True
    return code == 400 and "model" in text and any(
        w in text for w in ("not found", "no longer available", "deprecated", "not supported"))


_TIPS: dict[str, str] = {
    "basic": "Keep the weight changes small and on the beat; tap on 4 and 8.",
    "bodywaves": "Lead the wave from the chest down; the follow mirrors, never forced.",
    "headrolls": "Protect the neck: the roll comes from the upper back, eyes follow the hand.",
    "hiprolls": "Knees soft, the roll stays under the ribcage; keep the frame still.",
    "ladyturn": "Prepare on 1-2-3, turn on 5-6-7; the lead's hand circles above her head.",
    "spin": "Spot the head, keep the axis over the supporting foot, finish facing the partner.",
    "cross_body_lead": "The lead opens the lane on 1, the follow passes on 5-6-7.",
    "hammerlock": "Bring the arm down and behind gently; release before any strain.",
    "shadow": "Both face the same way; the lead guides with the hands on her shoulders or hips.",
    "arm_styling": "Arms move from the back, not the wrist; finish each line on a count.",
    "footwork": "Small, clean steps close to the floor; keep the upper body calm.",
    "golpes": "Accent the 4 and the 8 with the hit; the rest stays smooth.",
    "bolero": "Slow and smooth; the turn of the body leads the steps.",
    "style": "Style on top of a solid basic; the connection comes first.",
    "intros": "Establish the basic and the connection first, then build into the move.",
    "outro": "Slow down into the final pose; land the last accent with the music.",
}
# The hold is said once, from the move's own data, so a family tip never contradicts it.
_HOLD_WORDS = {"open": "open position", "closed": "closed hold", "shadow": "shadow position",
               "hammerlock": "a hammerlock", "cross_hand": "cross-hand hold"}


def _value(move: Any, attr: str) -> str:
    v = getattr(move, attr, None)
    return str(getattr(v, "value", v) or "")


def _move_description(move: Any) -> str:
    """"Intro 3 (Intros): beginner level, medium energy, 8 counts" (unknown fields left out)."""
    name = move_title(str(getattr(move, "name", move)))
    cat = getattr(move, "category", None)
    head = f"{name} ({category_label(cat)})" if cat else name
    unset = unset_fields(move) if hasattr(move, "extra") else frozenset()
    parts = []
    for attr, word in (("level", "level"), ("energy", "energy")):
        v = _value(move, attr)
        if v and attr not in unset:
            parts.append(f"{v} {word}")
    counts = getattr(move, "counts", None)
    if counts:
        parts.append(f"{counts} counts")
    return head + (": " + ", ".join(parts) if parts else "")


def _hold_line(move: Any) -> str:
    start, end = _value(move, "start_hold"), _value(move, "end_hold")
    a, b = _HOLD_WORDS.get(start), _HOLD_WORDS.get(end)
    if a and b:
        return f"Start in {a}" + (f" and finish in {b}." if b != a else " and stay in it.")
    if a:
        return f"Start in {a}."
    return f"Finish in {b}." if b else ""


def offline_teaching_notes(move: Any) -> str:
    """Generic notes for a move's family, used when Gemini is off or fails."""
    cat = str(getattr(move, "category", ""))
    lines = [f"{_move_description(move)}."]
    hold = _hold_line(move)
    if hold:
        lines.append(hold)
    lines.append(_TIPS.get(cat, "Break it into counts 1-4 and 5-8, then put it to music."))
    lines.append("Teach it slowly on counts first, then at half speed, then to the song.")
    lines.append("(offline notes)")
    return "\n".join(lines)


def parse_with_fallback(text: str, base: Request | None = None,
                        client_factory: Callable[[], GeminiClient] = GeminiClient) -> Request:
    """Gemini when online and configured, else the offline parser (with a note saying why)."""
    return client_factory().parse_request(text, base)
