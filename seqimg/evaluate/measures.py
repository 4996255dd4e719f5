"""Content-kept and realism measures on frames: pure functions with numpy and scipy."""

from __future__ import annotations

import numpy as np
from scipy import linalg
from scipy.stats import wasserstein_distance

from seqimg.codecs.midi import MidiCodec
from seqimg.codecs.notes import sounding_and_onsets

MAJOR = np.array([0, 2, 4, 5, 7, 9, 11])


def roll(codec: MidiCodec, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Decoded notes, shape=(n, 3), and the sounding roll, shape=(T, 128), of MIDI frames."""
    notes = codec.notes(frames)
    sounding, _ = sounding_and_onsets(notes, len(frames), 0, 127)
    return notes, sounding


def cosine(a: np.ndarray, b: np.ndarray) -> float | None:
    """Cosine similarity; None when both are zero, 0 when only one is."""
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na == 0 and nb == 0:
        return None
    return 0.0 if na == 0 or nb == 0 else float(a @ b / (na * nb))


def chroma_similarity(a: np.ndarray, b: np.ndarray, window: int) -> float:
    """Mean cosine of pitch-class histograms of aligned windows of two rolls (T, 128)."""
    length = min(len(a), len(b))
    scores = []
    for start in range(0, length, window):
        ca = a[start : start + window].sum(0).reshape(-1)
        cb = b[start : start + window].sum(0).reshape(-1)
        score = cosine(np.bincount(np.arange(128) % 12, ca, 12),
                       np.bincount(np.arange(128) % 12, cb, 12))
        if score is not None:
            scores.append(score)
    return float(np.mean(scores)) if scores else 0.0


def top_voice(sounding: np.ndarray) -> np.ndarray:
    """Highest sounding pitch per step, NaN where silent."""
    top = np.where(sounding.any(1), 127 - np.argmax(sounding[:, ::-1], axis=1), np.nan)
    return top.astype(np.float64)


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation over positions where both are finite; 0 when undefined."""
    length = min(len(a), len(b))
    a, b = a[:length], b[:length]
    both = np.isfinite(a) & np.isfinite(b)
    if both.sum() < 3 or a[both].std() == 0 or b[both].std() == 0:
        return 0.0
    return float(np.corrcoef(a[both], b[both])[0, 1])


def content_similarity(codec, a: np.ndarray, b: np.ndarray, window: int) -> dict[str, float]:
    """How much of piece ``a`` (frames) piece ``b`` keeps: pitch-class similarity and top-voice
    contour correlation for MIDI, per-feature correlation for other frames."""
    if isinstance(codec, MidiCodec):
        (_, ra), (_, rb) = roll(codec, a), roll(codec, b)
        return {"chroma": chroma_similarity(ra, rb, window),
                "contour": correlation(top_voice(ra), top_voice(rb))}
    length = min(len(a), len(b))
    per_feature = [correlation(a[:length, i], b[:length, i]) for i in range(a.shape[1])]
    return {"correlation": float(np.mean(per_feature))}


def normalised(similarity: float, chance: float) -> float:
    """(similarity - chance) / (1 - chance): 0 at chance level, 1 for a perfect match. When
    chance is within 1e-3 of 1 (e.g. a collapsed code: every input maps to the same code) the
    measure cannot tell anything apart and is reported as 0."""
    return float((similarity - chance) / (1 - chance)) if chance < 1 - 1e-3 else 0.0


def midi_statistics(codec: MidiCodec, frames: np.ndarray) -> dict[str, float]:
    """Per-piece statistics of MIDI frames: what a piece of a genre tends to look like."""
    notes, sounding = roll(codec, frames)
    if not len(notes):
        return {}
    pitches, lengths = notes[:, 0], notes[:, 2] - notes[:, 1]
    counts = sounding.sum(1)
    beat = codec.config.steps_per_beat
    beats = counts[: len(counts) // beat * beat].reshape(-1, beat).sum(1) if len(counts) >= beat \
        else counts[None].sum(1)
    in_scale = max(np.isin(pitches % 12, (MAJOR + k) % 12).mean() for k in range(12))
    return {
        "pitch_range": float(pitches.max() - pitches.min()),
        "pitch_classes": float(len(np.unique(pitches % 12))),
        "distinct_pitches": float(len(np.unique(pitches))),
        "polyphony": float(counts[counts > 0].mean()) if (counts > 0).any() else 0.0,
        "note_density": float(len(notes) / len(frames)),
        "note_length": float(lengths.mean()),
        "one_step_share": float((lengths == 1).mean()),
        "empty_beat_rate": float((beats == 0).mean()),
        "scale_consistency": float(in_scale),
    }


def series_statistics(frames: np.ndarray) -> dict[str, float]:
    """Per-series statistics of frames: level, spread, smoothness and spectral centroid."""
    centred = frames - frames.mean(0)
    power = np.abs(np.fft.rfft(centred, axis=0)) ** 2
    freqs = np.linspace(0, 0.5, len(power))[:, None]
    total = power.sum(0)
    centroid = np.where(total > 0, (freqs * power).sum(0) / np.maximum(total, 1e-12), 0)
    lag1 = [correlation(frames[:-1, i], frames[1:, i]) for i in range(frames.shape[1])]
    return {"level": float(frames.mean()), "spread": float(frames.std(0).mean()),
            "lag1_autocorrelation": float(np.mean(lag1)),
            "spectral_centroid": float(centroid.mean())}


def statistics(codec, frames: np.ndarray) -> dict[str, float]:
    """Per-piece statistics for the codec's kind of sequence."""
    return midi_statistics(codec, frames) if isinstance(codec, MidiCodec) \
        else series_statistics(frames)


def distribution_distances(outputs: list[dict], target: list[dict], source: list[dict]) -> dict:
    """Per statistic: Wasserstein distance of the outputs to target and to source, each divided
    by the spread of the real target and source values (so statistics compare)."""
    out = {}
    for key in sorted(set().union(*outputs) if outputs else []):
        values = {name: np.array([s[key] for s in stats if key in s])
                  for name, stats in (("out", outputs), ("target", target), ("source", source))}
        if any(len(v) == 0 for v in values.values()):
            continue
        scale = np.concatenate([values["target"], values["source"]]).std() or 1.0
        out[key] = {
            "to_target": float(wasserstein_distance(values["out"], values["target"]) / scale),
            "to_source": float(wasserstein_distance(values["out"], values["source"]) / scale),
            **{f"mean_{name}": float(v.mean()) for name, v in values.items()},
        }
    return out


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Frechet distance between Gaussians fitted to two sets of embeddings (N, D); a 1e-6 ridge
    keeps the covariances invertible when there are fewer windows than dimensions."""
    mu_a, mu_b = a.mean(0), b.mean(0)
    ridge = 1e-6 * np.eye(a.shape[1])
    cov_a, cov_b = np.cov(a, rowvar=False) + ridge, np.cov(b, rowvar=False) + ridge
    root = linalg.sqrtm(cov_a @ cov_b)
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * np.real(root)))
