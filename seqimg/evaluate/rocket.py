"""A ROCKET domain classifier for series (pyts's random convolution kernels, per channel, then a
logistic regression): far stronger than a small CNN on short series whose classes differ in
small details, where the CNN cannot read a strength at all."""

from __future__ import annotations

import numpy as np

from seqimg.errors import SeqimgError

EMBEDDING = 32  # principal components of the features kept for Frechet distances


class RocketClassifier:
    """ROCKET features of each channel of windows (N, window, F), standardised, then a
    logistic regression; the embedding is their first principal components."""

    def __init__(self, kernels: int, seed: int) -> None:
        try:
            from pyts.transformation import ROCKET
        except ImportError:
            raise SeqimgError("the rocket critic needs pyts (pip install pyts)"
                              ) from None
        self.kernels, self.seed, self.rocket_class = kernels, seed, ROCKET

    def raw(self, windows: np.ndarray) -> np.ndarray:
        """Each channel's ROCKET features, side by side."""
        return np.concatenate([rocket.transform(windows[:, :, i].astype(np.float64))
                               for i, rocket in enumerate(self.rockets)], axis=1)

    def features(self, windows: np.ndarray) -> np.ndarray:
        return self.scaler.transform(self.raw(windows))

    def fit(self, positive: np.ndarray, negative: np.ndarray) -> RocketClassifier:
        from sklearn.decomposition import PCA
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler

        windows = np.concatenate([positive, negative])
        labels = np.r_[np.ones(len(positive)), np.zeros(len(negative))]
        self.rockets = [self.rocket_class(self.kernels, random_state=self.seed + i)
                        .fit(windows[:, :, i].astype(np.float64))
                        for i in range(windows.shape[2])]
        raw = self.raw(windows)  # the costly transform, once
        self.scaler = StandardScaler().fit(raw)
        features = self.scaler.transform(raw)
        self.model = LogisticRegression(C=0.1, class_weight="balanced", max_iter=2000)
        self.model.fit(features, labels)
        self.pca = PCA(min(EMBEDDING, *features.shape), random_state=self.seed).fit(features)
        return self

    def probability(self, windows: np.ndarray) -> np.ndarray:
        """P(positive) per window."""
        if not len(windows):
            return np.zeros(0)
        return self.model.predict_proba(self.features(windows))[:, 1]

    def embedding(self, windows: np.ndarray) -> np.ndarray:
        return self.pca.transform(self.features(windows))


def train_rocket(positive: np.ndarray, negative: np.ndarray, kernels: int = 1000,
                 seed: int = 0) -> RocketClassifier:
    """Fit on windows (N, window, F) of two classes."""
    return RocketClassifier(kernels, seed).fit(positive, negative)
