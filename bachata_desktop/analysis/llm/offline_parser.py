"""Free text -> :class:`~bachata_desktop.core.choreography.Request`, with no network at all.

Instructors type requests in English or Spanish ("una rutina sensual para principiantes con
ondas, sin giros", "advanced dominican, lots of footwork, ending in a dip"). This parser is the
always-available path (and Gemini's fallback): keyword tables in both languages, a negation scope
("sin", "without", "avoid", "no", "ni" ...) that turns categories into avoided ones, and, when the
MiniLM text model is installed, similarity of each clause to a small vocabulary of levels, styles,
energies and move families for what the keywords missed. Fields the text does not mention keep
the values of the base request (the wizard's form).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bachata_desktop.core.choreography import Request, Style
from bachata_desktop.core.clip import Energy, Level, RoleFocus

# Keyword tables (accent-free, lower case). Multi-word keys are matched before single words.
LEVEL_WORDS: dict[Level, tuple[str, ...]] = {
    Level.BEGINNER: ("beginner", "beginners", "easy", "simple", "novice", "newbie", "newcomer", "newcomers", "first class",
                     "principiante", "principiantes", "basico", "basica", "facil", "faciles",
                     "sencillo", "sencilla", "inicial", "iniciacion", "novato", "novatos"),
    Level.INTERMEDIATE: ("intermediate", "intermediates", "medium level", "intermedio",
                         "intermedia", "intermedios", "nivel medio"),
    Level.ADVANCED: ("advanced", "hard", "difficult", "challenging", "expert", "experts", "pro",
                     "avanzado", "avanzada", "avanzados", "dificil", "experto", "expertos"),
}
ENERGY_WORDS: dict[Energy, tuple[str, ...]] = {
    Energy.LOW: ("slow", "calm", "chill", "relaxed", "soft", "gentle", "smooth", "low energy",
                 "lento", "lenta", "tranquilo", "tranquila", "suave", "relajado", "relajada",
                 "baja energia", "poca energia"),
    Energy.MEDIUM: ("moderate", "medium energy", "moderado", "moderada", "energia media"),
    Energy.HIGH: ("energetic", "fast", "high energy", "intense", "powerful", "explosive", "lively",
                  "fiery", "rapido", "rapida", "energico", "energica", "intenso", "intensa",
                  "alta energia", "mucha energia", "potente", "fuerte", "movido", "movida"),
}
STYLE_WORDS: dict[Style, tuple[str, ...]] = {
    Style.SENSUAL: ("sensual", "sensuales", "romantic", "romantica", "romantico", "sexy"),
    Style.DOMINICAN: ("dominican", "dominicana", "dominicano", "dominicanos", "bachata dominicana"),
    Style.MODERNA: ("moderna", "moderno", "modern", "urban", "urbana", "fusion"),
    Style.TRADITIONAL: ("traditional", "tradicional", "classic", "clasica", "clasico",
                        "old school"),
}
ROLE_WORDS: dict[RoleFocus, tuple[str, ...]] = {
    RoleFocus.LEAD: ("lead", "leads", "leader", "leaders", "for the guys", "for men", "lider",
                     "lideres", "guia", "guias", "caballero", "caballeros", "hombres"),
    RoleFocus.FOLLOW: ("follow", "follows", "follower", "followers", "ladies", "lady styling",
                       "for women", "seguidora", "seguidoras", "dama", "damas", "chicas",
                       "mujeres"),
}
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "basic": ("basic step", "basic steps", "basics", "paso basico", "pasos basicos", "basicos"),
    "bodywaves": ("body wave", "body waves", "bodywave", "bodywaves", "wave", "waves", "onda",
                  "ondas", "ondulacion", "ondulaciones", "ola", "olas"),
    "headrolls": ("head roll", "head rolls", "headroll", "headrolls", "hair flip",
                  "giro de cabeza", "giros de cabeza", "movimiento de cabeza", "cabeza"),
    "hiprolls": ("hip roll", "hip rolls", "hiproll", "hiprolls", "hips", "cadera", "caderas",
                 "circulo de cadera", "circulos de cadera"),
    "ladyturn": ("lady turn", "lady turns", "ladies turn", "turn", "turns", "vuelta", "vueltas",
                 "giro de la dama", "vuelta de la dama"),
    "spin": ("spin", "spins", "pirouette", "pirouettes", "twirl", "twirls", "giro", "giros", "spinning"),
    "cross_body_lead": ("cross body lead", "cross body", "cross-body", "cbl", "cruce", "cruces",
                        "cruzado"),
    "hammerlock": ("hammerlock", "hammerlocks", "hammer lock", "candado", "llave"),
    "shadow": ("shadow", "shadows", "shadow position", "sombra", "sombras"),
    "arm_styling": ("arm styling", "arms", "arm", "brazos", "brazo", "estilo de brazos"),
    "footwork": ("footwork", "foot work", "footworks", "feet", "juego de pies", "pies", "zapateo",
                 "pasitos"),
    "golpes": ("golpe", "golpes", "accent", "accents", "hits", "taps", "acentos"),
    "bolero": ("bolero", "boleros"),
    "style": ("styling", "style moves", "estilo", "estilos", "adornos"),
    "intros": ("intro", "intros", "opening", "entrada", "introduccion"),
    # Not "ending"/"final": "ending in a dip" asks for a dip, not for an outro move.
    "outro": ("outro", "outros", "ending move", "closing move", "cierre", "salida"),
}
DIP_WORDS = ("dip", "dips", "caida", "caidas", "drop", "inclinacion")
NEGATIONS = ("without", "avoid", "avoiding", "no", "not", "dont", "don't", "never", "except",
             "skip", "sin", "evitar", "evita", "evitando", "nada de", "ni", "excepto", "menos",
             "nunca")
CLAUSE_BREAKS = re.compile(r"[,.;:!?]|\b(?:and|but|with|plus|y|pero|con|mas|also|then|luego)\b")
# "no ... ni ..." keeps the negation alive across "y"/"and"? No: "and" ends it, "ni"/"or" do not.


def normalise(text: str) -> str:
    """Lower case, accents stripped, apostrophes kept, other punctuation spaced out."""
    t = unicodedata.normalize("NFKD", text.lower())
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    t = t.replace("’", "'")
    return re.sub(r"\s+", " ", t).strip()


def _find(words: Sequence[str], text: str) -> list[tuple[int, int, str]]:
    out = []
    for w in sorted(words, key=len, reverse=True):
        for m in re.finditer(r"(?<![\w'])" + re.escape(w) + r"(?![\w'])", text):
            out.append((m.start(), m.end(), w))
    return out


def _negated_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges governed by a negation word, up to the next clause break."""
    spans = []
    for start, end, _ in _find(NEGATIONS, text):
        brk = CLAUSE_BREAKS.search(text, end)
        spans.append((start, brk.start() if brk else len(text)))
    return spans


@dataclass(frozen=True)
class _Hit:
    field: str
    value: str
    word: str
    negated: bool
    start: int
    end: int


def _keyword_hits(text: str) -> list[_Hit]:
    neg = _negated_spans(text)
    taken: list[tuple[int, int]] = []
    hits: list[_Hit] = []

    def add(field: str, value: str, words: Sequence[str]) -> None:
        for s, e, w in _find(words, text):
            hits.append(_Hit(field, value, w, any(a <= s < b for a, b in neg), s, e))

    for cat, words in CATEGORY_WORDS.items():
        add("category", cat, words)
    add("dip", "dip", DIP_WORDS)
    for lvl, words in LEVEL_WORDS.items():
        add("level", lvl.value, words)
    for en, words in ENERGY_WORDS.items():
        add("energy", en.value, words)
    for st, words in STYLE_WORDS.items():
        add("style", st.value, words)
    for role, words in ROLE_WORDS.items():
        add("role", role.value, words)
    # Longest match wins where keywords overlap ("giro de cabeza" over "giro", "body wave" ...).
    hits.sort(key=lambda h: (-(h.end - h.start), h.start))
    kept: list[_Hit] = []
    for h in hits:
        if any(h.start < e and s < h.end for s, e in taken):
            continue
        taken.append((h.start, h.end))
        kept.append(h)
    return sorted(kept, key=lambda h: h.start)


CATEGORY_DESCRIPTIONS: dict[str, str] = {
    "basic": "the basic step, side to side", "bodywaves": "body waves, rolling the torso like a wave",
    "headrolls": "head rolls, circling the head and hair", "hiprolls": "hip rolls, circling the hips",
    "ladyturn": "the lady turns under the arm", "spin": "spins and fast rotations",
    "cross_body_lead": "cross body lead, changing sides",
    "hammerlock": "hammerlock, arm wrapped behind the back",
    "shadow": "shadow position, follower in front facing the same way",
    "arm_styling": "arm styling, expressive arm movements",
    "footwork": "footwork, fancy steps with the feet",
    "golpes": "golpes, accents and hits on the beat",
    "bolero": "bolero, slow romantic steps in a close embrace",
    "style": "styling and personal flourishes", "intros": "an opening move to start the dance",
    "outro": "a closing move to end the dance",
}


def _vocabulary() -> list[tuple[str, str, str]]:
    """(field, value, description) entries the text model compares clauses with."""
    voc = [("level", Level.BEGINNER.value, "easy moves for beginners and newcomers"),
           ("level", Level.INTERMEDIATE.value, "an intermediate level routine"),
           ("level", Level.ADVANCED.value, "a difficult routine for advanced dancers"),
           ("energy", Energy.LOW.value, "slow, calm and relaxed dancing"),
           ("energy", Energy.HIGH.value, "fast, energetic and intense dancing"),
           ("style", Style.SENSUAL.value, "sensual romantic bachata with close connection"),
           ("style", Style.DOMINICAN.value, "dominican bachata with fast footwork"),
           ("style", Style.MODERNA.value, "modern bachata with turn patterns"),
           ("style", Style.TRADITIONAL.value, "traditional classic bachata")]
    voc += [("category", c, d) for c, d in CATEGORY_DESCRIPTIONS.items()]
    return voc


class OfflineRequestParser:
    """Keywords (EN/ES) first, then MiniLM similarity for clauses the keywords did not explain.

    ``embedder``: a :class:`~bachata_desktop.analysis.text.embedder.TextEmbedder`, or None to use
    the shared one when the model is installed; ``use_embeddings=False`` keeps keywords only.
    """

    SIMILARITY_THRESHOLD = 0.5  # cosine to the best vocabulary entry of a field...
    MARGIN = 0.06  # ...and clearly ahead of that field's runner-up (measured on MiniLM)

    def __init__(self, embedder: object | None = None, use_embeddings: bool = True) -> None:
        self._embedder = embedder
        self._use_embeddings = use_embeddings
        self._voc: list[tuple[str, str, str]] | None = None
        self._voc_vecs: np.ndarray | None = None

    def _get_embedder(self) -> object | None:
        if not self._use_embeddings:
            return None
        if self._embedder is None:
            from bachata_desktop.analysis.text import embedder as emb

            if not emb.is_available():
                self._use_embeddings = False
                return None
            self._embedder = emb.TextEmbedder.shared()
        return self._embedder

    def _semantic_hits(self, text: str, explained: list[tuple[int, int]]) -> list[_Hit]:
        embedder = self._get_embedder()
        if embedder is None:
            return []
        clauses = []
        pos = 0
        for m in list(CLAUSE_BREAKS.finditer(text)) + [None]:
            end = m.start() if m else len(text)
            seg = text[pos:end]
            s = pos + len(seg) - len(seg.lstrip())
            if seg.strip() and not any(a <= s < b or s <= a < end for a, b in explained):
                words = [w for w in seg.split() if len(w) > 2]
                if words:
                    clauses.append((s, end, seg.strip()))
            pos = m.end() if m else len(text)
        if not clauses:
            return []
        if self._voc is None:
            self._voc = _vocabulary()
            self._voc_vecs = embedder.encode([d for _, _, d in self._voc])  # type: ignore[attr-defined]
        vecs = embedder.encode([c for _, _, c in clauses])  # type: ignore[attr-defined]
        sims = vecs @ self._voc_vecs.T  # type: ignore[union-attr]
        neg = _negated_spans(text)
        hits = []
        fields = np.array([f for f, _, _ in self._voc])
        for (s, e, clause), row in zip(clauses, sims, strict=True):
            for f in dict.fromkeys(fields.tolist()):  # the best entry of each field, if close
                js = np.flatnonzero(fields == f)
                j = int(js[np.argmax(row[js])])
                second = np.partition(row[js], -2)[-2] if len(js) > 1 else -1.0
                need = self.SIMILARITY_THRESHOLD + (0.05 if f == "category" else 0.0)
                if row[j] >= need and row[j] - second >= self.MARGIN:
                    _, v, _ = self._voc[j]
                    hits.append(_Hit(f, v, f"~{clause}", any(a <= s < b for a, b in neg), s, e))
        return hits

    def parse(self, text: str, base: Request | None = None) -> Request:
        """Understand ``text``; fields it does not mention keep ``base``'s values."""
        base = base or Request()
        t = normalise(text or "")
        hits = _keyword_hits(t)
        hits += self._semantic_hits(t, [(h.start, h.end) for h in hits])
        level, energy, style, role = base.level, base.energy, base.style, base.role_focus
        include, avoid = list(base.include), list(base.avoid)
        dip = base.end_with_dip
        said: list[str] = []
        for h in hits:
            how = f"{h.value} ('{h.word.lstrip('~')}'{', similar' if h.word.startswith('~') else ''})"
            if h.field == "category":
                target, other = (avoid, include) if h.negated else (include, avoid)
                if h.value not in target:
                    target.append(h.value)
                if h.value in other:
                    other.remove(h.value)
                said.append(("avoid " if h.negated else "include ") + how)
            elif h.field == "dip":
                dip = not h.negated
                said.append(("no dip " if h.negated else "end with a dip ") + f"('{h.word}')")
            elif h.negated:
                continue  # "not too fast" / "no advanced": ignore rather than guess the opposite
            elif h.field == "level":
                level = Level(h.value)
                said.append("level " + how)
            elif h.field == "energy":
                energy = Energy(h.value)
                said.append("energy " + how)
            elif h.field == "style":
                style = Style(h.value)
                said.append("style " + how)
            elif h.field == "role":
                role = RoleFocus(h.value)
                said.append("role " + how)
        note = ("offline parser understood: " + "; ".join(said)) if said else (
            "offline parser found nothing it recognised in the text" if t else "")
        notes = tuple(n for n in (*base.notes, note) if n)
        return base.with_(level=level, energy=energy, style=style, role_focus=role,
                          include=tuple(include), avoid=tuple(avoid), end_with_dip=dip,
                          text=text or base.text, source="offline", notes=notes)


_default: OfflineRequestParser | None = None


def parse_request(text: str, base: Request | None = None, *, use_embeddings: bool = True
                  ) -> Request:
    """Parse with a process-wide parser (the text model loads once, on first need)."""
    global _default
    if not use_embeddings:
        return OfflineRequestParser(use_embeddings=False).parse(text, base)
    if _default is None:
        _default = OfflineRequestParser()
    return _default.parse(text, base)
