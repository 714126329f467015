"""The offline request parser: English and Spanish keywords, negation, and MiniLM similarity."""

from __future__ import annotations

import numpy as np
import pytest

from bachata_desktop.analysis.llm.offline_parser import OfflineRequestParser, normalise
from bachata_desktop.analysis.text import embedder as emb
from bachata_desktop.core.choreography import Request, Span, Style
from bachata_desktop.core.clip import Energy, Level, RoleFocus


@pytest.fixture(scope="module")
def kw() -> OfflineRequestParser:
    return OfflineRequestParser(use_embeddings=False)


needs_model = pytest.mark.skipif(not emb.is_available(),
                                 reason="text model IR absent: run python packaging/convert_text_model.py")


def test_normalise_strips_accents():
    assert normalise("  Rápido  y ENÉRGICO, sin Giros ") == "rapido y energico, sin giros"


def test_english_request(kw):
    r = kw.parse("A sensual intermediate routine with lots of body waves, ending in a dip")
    assert r.level is Level.INTERMEDIATE and r.style is Style.SENSUAL
    assert r.include == ("bodywaves",) and r.avoid == () and r.end_with_dip
    assert r.source == "offline" and r.notes and "body waves" in r.notes[-1]


def test_spanish_request(kw):
    r = kw.parse("Una rutina sensual para principiantes con muchas ondas, sin giros ni vueltas")
    assert r.level is Level.BEGINNER and r.style is Style.SENSUAL
    assert r.include == ("bodywaves",)
    assert set(r.avoid) == {"spin", "ladyturn"}


@pytest.mark.parametrize(("text", "level", "energy", "style", "role"), [
    ("advanced dominican, fast and energetic", Level.ADVANCED, Energy.HIGH, Style.DOMINICAN, None),
    ("algo lento y tranquilo, bachata tradicional", None, Energy.LOW, Style.TRADITIONAL, None),
    ("nivel avanzado, moderna, para las damas", Level.ADVANCED, None, Style.MODERNA,
     RoleFocus.FOLLOW),
    ("easy footwork drills for the leaders", Level.BEGINNER, None, None, RoleFocus.LEAD),
    ("bachata dominicana difícil y rápida", Level.ADVANCED, Energy.HIGH, Style.DOMINICAN, None),
])
def test_fields_en_es(kw, text, level, energy, style, role):
    r = kw.parse(text)
    if level:
        assert r.level is level
    if energy:
        assert r.energy is energy
    if style:
        assert r.style is style
    if role:
        assert r.role_focus is role


@pytest.mark.parametrize(("text", "include", "avoid"), [
    ("no spins, lots of hip rolls and head rolls", {"hiprolls", "headrolls"}, {"spin"}),
    ("avoid hammerlocks and add a cross body lead", {"cross_body_lead"}, {"hammerlock"}),
    ("without shadow or dips", set(), {"shadow"}),
    ("evitar la sombra, con golpes y bolero", {"golpes", "bolero"}, {"shadow"}),
    ("quiero giros de cabeza pero nada de caderas", {"headrolls"}, {"hiprolls"}),
])
def test_include_and_avoid(kw, text, include, avoid):
    r = kw.parse(text)
    assert set(r.include) == include
    assert set(r.avoid) == avoid
    assert not set(r.include) & set(r.avoid)


def test_dip_negated(kw):
    assert not kw.parse("without dips please").end_with_dip
    assert kw.parse("terminar con una caída").end_with_dip


def test_text_keeps_form_values_it_does_not_mention(kw):
    base = Request(level=Level.ADVANCED, energy=Energy.HIGH, style=Style.MODERNA,
                   include=("spin",), span=Span(first_phrase=2, last_phrase=9), seed=11)
    r = kw.parse("con ondas", base)
    assert (r.level, r.energy, r.style, r.seed, r.span) == (
        Level.ADVANCED, Energy.HIGH, Style.MODERNA, 11, base.span)
    assert r.include == ("spin", "bodywaves")
    # Text that asks to avoid a family the form included moves it to avoid.
    assert kw.parse("sin giros", base).avoid == ("spin",)
    assert "spin" not in kw.parse("sin giros", base).include


def test_nothing_recognised_says_so(kw):
    r = kw.parse("qwerty zxcv")
    assert r == r.with_()  # still a valid request
    assert "nothing" in r.notes[-1]
    assert kw.parse("").notes == ()


@needs_model
def test_text_embedder_is_normalised_and_semantic():
    e = emb.TextEmbedder.shared()
    v = e.encode(["body waves", "rolling the torso like a wave", "fast footwork"])
    assert v.shape == (3, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2]
    assert e.encode([]).shape == (0, 384)


@needs_model
def test_minilm_similarity_fills_what_keywords_miss():
    p = OfflineRequestParser()
    r = p.parse("lots of fancy rotations for experienced dancers")
    assert r.level is Level.ADVANCED
    assert "similar" in r.notes[-1]
    r2 = p.parse("rolling the torso")
    assert "bodywaves" in r2.include
    # Unrelated text stays unrecognised rather than guessed.
    assert p.parse("qwerty zxcv").include == ()
