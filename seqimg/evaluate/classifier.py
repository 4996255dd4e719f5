"""A domain classifier on frame windows, separate from D: a small 1-D CNN over time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from seqimg.fold import cut_windows


def frame_windows(pieces: list[np.ndarray], window: int) -> tuple[np.ndarray, np.ndarray]:
    """Cut frames, each shape=(T, F), into windows, shape=(N, window, F), and the piece index of
    every window (for per-file results)."""
    windows, owners = [], []
    for i, frames in enumerate(pieces):
        cut = cut_windows(frames, window, window, pad_value=-1.0)
        windows.append(cut)
        owners += [i] * len(cut)
    return np.concatenate(windows).astype(np.float32), np.asarray(owners)


class WindowClassifier(nn.Module):
    """(B, window, F) -> logit that the window is from the positive class, with an embedding."""

    def __init__(self, n_features: int, width: int = 64) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv1d(n_features, width, 5, padding=2), nn.ReLU(),
            nn.MaxPool1d(2),
            nn.Conv1d(width, width, 5, padding=2), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1), nn.Flatten(),
        )
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(width, 1))

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """(B, window, F) -> (B, width) features; frames are shifted to [0, 1] so that the -1 of
        silence (most of a piano roll) is 0 and does not swamp the few active features."""
        return self.body((x.transpose(1, 2) + 1) / 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(x))[:, 0]


class GruClassifier(nn.Module):
    """(B, window, F) -> logit, the time-series generation literature's post-hoc critic
    (TimeGAN's discriminative score): one GRU layer of max(1, F // 2) units read to the
    window's end, one linear unit on its last state; frames shifted to [0, 1] as TimeGAN's
    min-max scaled data."""

    def __init__(self, n_features: int) -> None:
        super().__init__()
        hidden = max(1, n_features // 2)
        self.gru = nn.GRU(n_features, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """(B, window, F) -> (B, hidden): the GRU's last state."""
        return self.gru((x + 1) / 2)[1][0]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(x))[:, 0]


@dataclass
class TrainedClassifier:
    """A trained classifier with batched prediction helpers."""

    model: nn.Module  # WindowClassifier or GruClassifier

    @torch.no_grad()
    def _batched(self, windows: np.ndarray, fn) -> np.ndarray:
        self.model.eval()
        out = [fn(torch.from_numpy(windows[i : i + 256])).numpy()
               for i in range(0, len(windows), 256)]
        return np.concatenate(out) if out else np.zeros(0)

    def probability(self, windows: np.ndarray) -> np.ndarray:
        """P(positive) per window."""
        return self._batched(windows, lambda x: torch.sigmoid(self.model(x)))

    def embedding(self, windows: np.ndarray) -> np.ndarray:
        return self._batched(windows, self.model.embed)


HALF_BATCH = 32


def train_classifier(positive: np.ndarray, negative: np.ndarray, steps: int,
                     seed: int = 0, network: type[nn.Module] = WindowClassifier,
                     half: int = HALF_BATCH) -> TrainedClassifier:
    """Train ``network(F)`` (the CNN by default) on windows (N, window, F) of two classes with
    balanced batches of ``half`` windows a class, by Adam."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = network(positive.shape[2])
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCEWithLogitsLoss()
    model.train()
    for _ in range(steps):
        pos = positive[rng.integers(len(positive), size=half)]
        neg = negative[rng.integers(len(negative), size=half)]
        x = torch.from_numpy(np.concatenate([pos, neg]))
        y = torch.cat([torch.ones(half), torch.zeros(half)])
        loss = loss_fn(model(x), y)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    return TrainedClassifier(model)


def accuracy(classifier: TrainedClassifier, positive: np.ndarray, negative: np.ndarray) -> float:
    """Balanced accuracy on two held-out sets of windows."""
    hits_pos = (classifier.probability(positive) > 0.5).mean()
    hits_neg = (classifier.probability(negative) <= 0.5).mean()
    return float((hits_pos + hits_neg) / 2)
