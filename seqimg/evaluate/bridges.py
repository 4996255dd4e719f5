"""Bridges to the time-series generation literature, so that a series row can stand beside
published numbers (TimeVQVAE reports ItalyPowerDemand and GunPoint by both): ``rocket_fid``, the
Frechet distance of outputs to held-out target in ROCKET feature space (the domain classifier's
embedding, its first principal components); ``cas``, the accuracy on real held-out source and
target of a ROCKET classifier trained on real source against the transferred outputs as target
(train on synthetic, test on real), beside ``cas_real``, the same classifier trained on real
target: the domain classifier's own held-out accuracy. Measured where the domain classifier is
ROCKET (the series recipes)."""

from __future__ import annotations

import numpy as np

from seqimg.evaluate.classifier import accuracy, frame_windows


def classification_accuracy_score(source_train: list[np.ndarray], outputs: list[np.ndarray],
                                  target_test: list[np.ndarray], source_test: list[np.ndarray],
                                  window: int, seed: int) -> float:
    """Balanced accuracy on real held-out target and source windows of ROCKET trained on real
    source windows against the outputs' windows as the target class."""
    from seqimg.evaluate.rocket import train_rocket

    clf = train_rocket(frame_windows(outputs, window)[0], frame_windows(source_train, window)[0],
                       seed=seed)
    return accuracy(clf, frame_windows(target_test, window)[0],
                    frame_windows(source_test, window)[0])


def series_bridges(frechet_to_target: float, classifier_accuracy: float, pieces, window: int,
                   seed: int) -> dict[str, float]:
    """``rocket_fid``, ``cas`` and ``cas_real`` of a run's pieces (``RunPieces``), given the
    ROCKET domain classifier's Frechet distance and held-out accuracy."""
    cas = classification_accuracy_score(pieces.source_train.values, pieces.outputs.values,
                                        pieces.target_heldout.values,
                                        pieces.source_through_target.values, window, seed)
    return {"rocket_fid": frechet_to_target, "cas": cas, "cas_real": classifier_accuracy}
