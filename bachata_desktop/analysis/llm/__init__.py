"""Understanding instructors' free text: the offline parser and the optional Gemini client."""

from __future__ import annotations
