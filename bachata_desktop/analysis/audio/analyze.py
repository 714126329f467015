"""Song analysis end to end: decode, features, tempo, beats, 8-count grid, sections, embedding.

``analyze_song`` is the long-running job behind song import and ``bachata-desktop analyze-song``;
``analyze_clip_audio`` runs the same steps on the short soundtrack of a library clip (its grid and
the embedding that the search fuses with the pose and text embeddings).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from bachata_desktop.analysis.audio.beats import (
    TempoConfig,
    estimate_tempo,
    on_the_bass,
    pulse_envelope,
    refine_to_onsets,
    tempo_from_beats,
    track_beats,
    trim_beats,
)
from bachata_desktop.analysis.audio.decode import ANALYSIS_SR, DEFAULT_MAX_DURATION_S, decode_audio
from bachata_desktop.analysis.audio.embedding import audio_embedding
from bachata_desktop.analysis.audio.features import compute_features
from bachata_desktop.analysis.audio.grid import (
    GridConfig,
    GridResult,
    assign_counts,
    beat_features,
    phrase_margins,
)
from bachata_desktop.analysis.audio.meter import Meter, measure_meter
from bachata_desktop.analysis.audio.sections import find_sections
from bachata_desktop.core.errors import InputError
from bachata_desktop.core.song import (
    ANALYSIS_VERSION,
    Section,
    SectionLabel,
    SongAnalysis,
    build_grid,
)
from bachata_desktop.core.task import NullContext, TaskContext, check_cancelled

SILENCE_DB = -60.0
# below this much audio the bar and the "1" are a guess (a clip of two or three phrases at most)
GUESS_UNDER_S = 8.0
# the "1" of music in three is at most this sure: the 8-count grid is laid over bars of three
NOT_FOUR_CONFIDENCE = 0.2


@dataclass(frozen=True)
class AnalysisConfig:
    tempo: TempoConfig = field(default_factory=TempoConfig)
    grid: GridConfig = field(default_factory=GridConfig)
    sr: int = ANALYSIS_SR
    max_duration_s: float = DEFAULT_MAX_DURATION_S
    min_duration_s: float = 2.0
    # the log-mel flux peaks slightly before a sharp attack (window centring); measured ~12-14 ms
    onset_latency_s: float = 0.012


def _track(feats, pulse: np.ndarray, config: AnalysisConfig, tempo0: float) -> np.ndarray:
    """Beat positions (fractional frames) at about ``tempo0``; empty when no steady beat is found."""
    frames = track_beats(pulse, feats.frame_rate, tempo0, config.tempo.tightness)
    frames = trim_beats(frames, feats.onset, feats.rms_db)
    if frames.size == 0:
        return np.zeros(0)
    return on_the_bass(refine_to_onsets(frames, feats.onset), feats)


def _beats_and_counts(feats, config: AnalysisConfig) -> tuple[float, np.ndarray, GridResult, Meter]:
    """(tempo, beat times, grid, meter); empty arrays when no steady beat is found."""
    pulse = pulse_envelope(feats.onset, feats.onset_low)
    tempo0 = estimate_tempo(pulse, feats.frame_rate, config.tempo)
    fine = _track(feats, pulse, config, tempo0)
    if fine.size == 0:
        return tempo0, np.zeros(0), assign_counts({}, np.zeros(0), config.grid), Meter()
    meter = measure_meter(feats, fine)
    if meter.doubled and not config.tempo.strict:
        # a slow waltz tracked at double speed: its bar spans six tracked beats; the music's beat
        # is every other one (a tapped tempo is the instructor's and is kept)
        half = _track(feats, pulse, config, tempo0 / 2.0)
        if half.size >= 8:
            fine, tempo0 = half, tempo0 / 2.0
    times = np.maximum(fine / feats.frame_rate + config.onset_latency_s, 0.0)
    tempo = tempo_from_beats(times, tempo0)
    in_range = config.tempo.bpm_min * 0.97 <= tempo <= config.tempo.bpm_max * 1.03
    if not (in_range or (meter.doubled and abs(tempo / tempo0 - 1.0) < 0.03)):
        tempo = tempo0
    grid = assign_counts(beat_features(feats, fine), times, config.grid)
    return tempo, times, grid, meter


def _one_confidence(grid: GridResult, meter: Meter) -> float:
    conf = grid.confidence if meter.beats_per_bar == 4 else min(grid.confidence, NOT_FOUR_CONFIDENCE)
    return round(conf, 3)


def analyze_samples(y: np.ndarray, sr: int, ctx: TaskContext | None = None,
                    config: AnalysisConfig | None = None, *, name: str = "the audio",
                    require_beats: bool = True) -> SongAnalysis:
    """Analyse mono float samples already at ``sr`` (the analysis rate)."""
    ctx = ctx or NullContext()
    config = config or AnalysisConfig()
    y = np.asarray(y, dtype=np.float32)
    duration = y.size / float(sr)
    if duration < config.min_duration_s:
        raise InputError(f"{name} is too short to analyse ({duration:.1f} s)")
    ctx.report(0.35, "spectral features")
    feats = compute_features(y, sr)
    check_cancelled(ctx)
    if float(feats.rms_db.max()) < SILENCE_DB:
        raise InputError(f"{name} is silent")
    ctx.report(0.55, "tempo and beats")
    tempo, times, grid, meter = _beats_and_counts(feats, config)
    check_cancelled(ctx)
    if require_beats and times.size < 8:
        raise InputError(f"No steady beat found in {name}")
    beats, downbeats, phrases = build_grid(times, grid.counts)
    ctx.report(0.7, "sections and energy")
    if phrases:
        sections, energy = find_sections(feats, phrases, duration)
    else:
        sections, energy = (Section(0.0, duration, SectionLabel.VERSE, 0.5),), np.zeros(0)
    confs = phrase_margins(grid, times, [s.start for s in sections], [s.end for s in sections])
    if meter.beats_per_bar != 4:
        confs = [min(c, NOT_FOUR_CONFIDENCE) for c in confs]
    sections = tuple(replace(s, confidence=c) for s, c in zip(sections, confs, strict=True))
    check_cancelled(ctx)
    ctx.report(0.85, "audio embedding")
    emb = audio_embedding(feats, tempo)
    ctx.report(1.0, "done")
    return SongAnalysis(duration=duration, tempo_bpm=float(tempo), beats=beats, downbeats=downbeats,
                        phrases=phrases, sections=sections, energy=tuple(float(e) for e in energy),
                        embedding=emb, sample_rate=sr, analysis_version=ANALYSIS_VERSION,
                        one_confidence=_one_confidence(grid, meter), grid_guess=duration < GUESS_UNDER_S,
                        count_changes=tuple(float(times[i]) for i in grid.changes), meter=meter.beats_per_bar)


def tempo_hint_config(bpm: float, config: AnalysisConfig | None = None) -> AnalysisConfig:
    """The analysis settings that track the beats near a tapped tempo (within 4 %)."""
    config = config or AnalysisConfig()
    t = TempoConfig(bpm_min=bpm * 0.96, bpm_max=bpm * 1.04, prior_bpm=bpm, prior_width=0.05,
                    tightness=config.tempo.tightness, strict=True)
    return replace(config, tempo=t)


def analyze_song(path: str | os.PathLike[str], ctx: TaskContext | None = None,
                 config: AnalysisConfig | None = None) -> SongAnalysis:
    """Decode and analyse a song file; bad input raises :class:`InputError` with one clear line."""
    ctx = ctx or NullContext()
    config = config or AnalysisConfig()
    ctx.report(0.0, "decoding")
    audio = decode_audio(path, sr=config.sr, max_duration_s=config.max_duration_s)
    check_cancelled(ctx)
    return analyze_samples(audio.samples, audio.sr, ctx, config, name=Path(path).name)


def analyze_clip_audio(path: str | os.PathLike[str], ctx: TaskContext | None = None,
                       config: AnalysisConfig | None = None
                       ) -> tuple[SongAnalysis | None, np.ndarray | None]:
    """(beat grid, 128-D embedding) of a clip's soundtrack (a video or an audio file).

    Short clips get a grid with fewer beats (possibly no full phrase), marked ``grid_guess`` under
    ``GUESS_UNDER_S``; the grid is None when no steady beat is found. A clip without an audio track, or a silent one, gives (None, None).
    """
    ctx = ctx or NullContext()
    config = config or AnalysisConfig()
    ctx.report(0.0, "decoding the soundtrack")
    try:
        audio = decode_audio(path, sr=config.sr, max_duration_s=config.max_duration_s)
    except InputError as e:
        if "no audio track" in str(e) or "no decodable audio" in str(e):
            return None, None
        raise
    check_cancelled(ctx)
    y = audio.samples
    if y.size < config.sr * 0.5:
        return None, None
    feats = compute_features(y, audio.sr)
    if float(feats.rms_db.max()) < SILENCE_DB:
        return None, None
    ctx.report(0.5, "tempo and beats")
    tempo, times, grid, meter = _beats_and_counts(feats, config)
    check_cancelled(ctx)
    emb = audio_embedding(feats, tempo if times.size >= 4 else None)
    ctx.report(1.0, "done")
    if times.size < 4:
        return None, emb
    duration = y.size / float(audio.sr)
    beats, downbeats, phrases = build_grid(times, grid.counts)
    energy = ()
    if phrases:
        from bachata_desktop.analysis.audio.sections import phrase_energy

        energy = tuple(float(e) for e in phrase_energy(feats, phrases))
    grid = SongAnalysis(duration=duration, tempo_bpm=float(tempo), beats=beats, downbeats=downbeats,
                        phrases=phrases, sections=(Section(0.0, duration, SectionLabel.VERSE, 0.5),),
                        energy=energy, embedding=emb, sample_rate=audio.sr,
                        analysis_version=ANALYSIS_VERSION, one_confidence=_one_confidence(grid, meter),
                        grid_guess=duration < GUESS_UNDER_S,
                        count_changes=tuple(float(times[i]) for i in grid.changes), meter=meter.beats_per_bar)
    return grid, emb


__all__ = ["GUESS_UNDER_S", "AnalysisConfig", "analyze_clip_audio", "analyze_samples", "analyze_song",
           "tempo_hint_config"]
