"""Measures over sets of pieces: normalisation against chance, distribution distances of
per-piece statistics, Frechet distance. Per-piece measures are codec hooks."""

from __future__ import annotations

import numpy as np
from scipy import linalg
from scipy.stats import wasserstein_distance

from seqimg.evaluate.result import StatisticDistance


def normalised(similarity: float, chance: float) -> float:
    """(similarity - chance) / (1 - chance): 0 at chance level, 1 for a perfect match. When
    chance is within 1e-3 of 1 (e.g. a collapsed code: every input maps to the same code) the
    measure cannot tell anything apart and is reported as 0."""
    return float((similarity - chance) / (1 - chance)) if chance < 1 - 1e-3 else 0.0


def distribution_distances(outputs: list[dict], target: list[dict],
                           source: list[dict]) -> dict[str, StatisticDistance]:
    """Per statistic: Wasserstein distance of the outputs to target and to source, each divided
    by the spread of the real target and source values (so statistics compare)."""
    out = {}
    for key in sorted(set().union(*outputs) if outputs else []):
        values = {name: np.array([s[key] for s in stats if key in s])
                  for name, stats in (("out", outputs), ("target", target), ("source", source))}
        if any(len(v) == 0 for v in values.values()):
            continue
        scale = np.concatenate([values["target"], values["source"]]).std() or 1.0
        out[key] = StatisticDistance(
            to_target=float(wasserstein_distance(values["out"], values["target"]) / scale),
            to_source=float(wasserstein_distance(values["out"], values["source"]) / scale),
            **{f"mean_{name}": float(v.mean()) for name, v in values.items()},
            target_p10=float(np.percentile(values["target"], 10)),
            target_p90=float(np.percentile(values["target"], 90)),
            target_pieces=len(values["target"]))
    return out


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Frechet distance between Gaussians fitted to two sets of embeddings (N, D); a 1e-6 ridge
    keeps the covariances invertible when there are fewer windows than dimensions."""
    mu_a, mu_b = a.mean(0), b.mean(0)
    ridge = 1e-6 * np.eye(a.shape[1])
    cov_a, cov_b = np.cov(a, rowvar=False) + ridge, np.cov(b, rowvar=False) + ridge
    root = linalg.sqrtm(cov_a @ cov_b)
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * np.real(root)))
