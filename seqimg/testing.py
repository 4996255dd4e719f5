"""The codec contract test, for seqimg's own suite and for plugin authors.

``check_codec(codec, sample, workdir)`` raises ``AssertionError`` naming the broken promise;
with ``sample=None`` it asks the codec's ``example_file`` hook for one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from seqimg.codecs.base import SequenceCodec
from seqimg.errors import SeqimgError


def check_codec(codec: SequenceCodec, sample: str | Path | None, workdir: str | Path,
                exact: bool | None = None, atol: float = 1e-5) -> dict:
    """Check dtype, range, shape, determinism and the round trip of ``codec`` on ``sample``.

    The fold round trip (images -> frames) must be exact; the file round trip (frames -> file ->
    frames) must agree within ``atol`` when ``exact`` (by default the codec's
    ``exact_round_trip``), else correlate at 0.9 or more (lossy codecs such as audio). Returns
    the measured figures.
    """
    workdir = Path(workdir)
    if sample is None:
        sample = codec.example_file(workdir)
        assert sample is not None, f"{codec.name}: no sample given and no example_file hook"
    sample = Path(sample)
    exact = codec.exact_round_trip if exact is None else exact
    try:
        return _check(codec, sample, workdir, exact, atol)
    except SeqimgError as exc:  # the codec refused its own sample or output
        raise AssertionError(f"{codec.name}: {exc}") from None


def _check(codec: SequenceCodec, sample: Path, workdir: Path, exact: bool, atol: float) -> dict:
    codec.fit([sample])
    raw = codec.to_frames(codec.read(sample))  # the hook's own output, before any cast
    assert isinstance(raw, np.ndarray) and raw.dtype == np.float32, (
        f"{codec.name}: to_frames returns {getattr(raw, 'dtype', type(raw).__name__)}, "
        "not float32")
    assert raw.ndim == 2 and raw.shape[1] == codec.n_features, (
        f"{codec.name}: to_frames returns shape {raw.shape}, not (T, {codec.n_features})")
    encoded = codec.encode(sample)
    images = encoded.images
    assert images.dtype == np.float32, f"{codec.name}: images are {images.dtype}, not float32"
    assert images.ndim == 4 and images.shape[1:] == codec.image_shape, (
        f"{codec.name}: images {images.shape} do not match image_shape {codec.image_shape}")
    assert images.min() >= -1 and images.max() <= 1, f"{codec.name}: images leave [-1, 1]"
    assert np.array_equal(images, codec.encode(sample).images), f"{codec.name}: not deterministic"

    frames = codec.frames(sample)
    assert frames.shape == (encoded.length, codec.n_features), f"{codec.name}: length mismatch"
    unfolded = codec.decode_frames(images, encoded.length)
    assert np.array_equal(unfolded, frames), f"{codec.name}: images -> frames is not exact"

    suffix = codec.suffixes[0]
    out = codec.decode(images, encoded.length, workdir / f"roundtrip{suffix}")
    again = codec.frames(out)
    length = min(len(again), len(frames))
    if exact:
        assert len(again) == len(frames), f"{codec.name}: file round trip changed the length"
        error = float(np.abs(again - frames).max())
        assert error <= atol, f"{codec.name}: file round trip differs by {error}"
        return {"max_abs_error": error}
    corr = float(np.corrcoef(again[:length].ravel(), frames[:length].ravel())[0, 1])
    assert corr >= 0.9, f"{codec.name}: file round trip correlates only {corr:.3f}"
    return {"correlation": corr}
