"""How much of a piece is copied from the target's training pieces: a method or control built
on real target material passes a two-sample test by construction, so its report says how much
it copied beside how real it looks.

Segments are bars for a note codec (a bar's notes, cut to the bar, up to transposition: exact on
the grid) and the codec's windows otherwise (up to level and scale per feature, rounded to
``TOLERANCE``; a piece shorter than a window is one segment). Silent bars and windows in which
nothing moves are not counted. ``copied_share`` is the share of an output's segments that equal
some segment of a training piece; ``longest_copied_run`` the longest run of consecutive output
segments copied from consecutive segments of one training piece (at one transposition), in
segments; ``distinct_share`` the share of output segments that are not repeats of another in
the outputs.
For a note codec ``copied_note_share`` is the share of output notes found, at the same place,
in the one training bar that holds most of their bar's notes: a bar whose accompaniment is copied
under a new melody counts as mostly copied there, though not in ``copied_share``. For other
codecs ``closest_ratio`` is the median distance of an output window to its nearest training
window over the same for held-out real windows (windows standardised as above): 0 for copies,
about 1 for outputs as far from the training pieces as new real pieces are; a method that
copies real detail under a new shape lies between.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from seqimg.codecs.capabilities import NoteCodec
from seqimg.codecs.note_geometry import bar_shape
from seqimg.memo import KeptForLast
from seqimg.scaling import standardised

TOLERANCE = 0.02  # continuous frames equal when they agree to this step, in frame units
# the training pieces' segments, indexed once while the same codec and pieces come again (an
# evaluation measures the outputs, the real baseline and every control against them)
INDEXES = KeptForLast()


def segments(codec, frames: np.ndarray) -> list[tuple[bytes, int, np.ndarray] | None]:
    """Each segment of a piece as (key, offset, parts): equal keys mean equal segments up to
    transposition by ``offset`` semitones (0 for frames without pitch); ``parts`` are a bar's
    notes relative to its lowest pitch and first step, shape=(n, 3) (none for windows); None
    for a silent bar."""
    if isinstance(codec, NoteCodec):
        notes, bar = codec.notes(frames), codec.bar_steps
        out = []
        for start in range(0, len(frames) - bar + 1, bar):
            shape = bar_shape(notes, start, bar)
            if not len(shape):
                out.append(None)
                continue
            low = int(shape[:, 0].min())
            cut = shape - [low, 0, 0]
            out.append((cut.tobytes(), low, cut))
        return out
    length = min(codec.layout.window_length, len(frames))
    return [None if window is None else
            (np.round(window / TOLERANCE).astype(np.int32).tobytes(), 0, np.zeros((0, 3), np.int64))
            for window in standard_windows_of(frames, length)]


def standard_windows_of(frames: np.ndarray, length: int) -> list[np.ndarray | None]:
    """Each whole window of ``length`` steps, standardised per feature (a copy written at
    another level and scale, as ``series_moments`` writes, is still a copy); None for a window
    in which nothing moves."""
    windows = [frames[i : i + length] for i in range(0, len(frames) - length + 1, length)]
    return [standardised(w) if w.std(0).any() else None for w in windows]


def standard_windows(pieces: list[np.ndarray], length: int) -> np.ndarray:
    """The moving windows of :func:`standard_windows_of` of every piece, flattened,
    shape=(N, length * F)."""
    moving = [w.ravel() for piece in pieces for w in standard_windows_of(piece, length)
              if w is not None]
    return np.asarray(moving, dtype=np.float64).reshape(len(moving), -1)


def nearest_distances(windows: np.ndarray, library: np.ndarray) -> np.ndarray:
    """Each window's Euclidean distance to its nearest library window, shape=(N,)."""
    from scipy.spatial.distance import cdist

    return np.sqrt(cdist(windows, library, "sqeuclidean").min(1))


def closest_ratio(codec, outputs: list[np.ndarray], training: list[np.ndarray],
                  heldout: list[np.ndarray]) -> float | None:
    """``closest_ratio`` (see the module), on windows of the codec's length, or of the shortest
    piece's; None when a side has no window."""
    pieces = [p for p in (*outputs, *training, *heldout) if len(p)]
    length = min([codec.layout.window_length, *map(len, pieces)])
    made, real, library = (standard_windows(side, length)
                           for side in (outputs, heldout, training))
    if not (len(made) and len(real) and len(library)):
        return None
    new = float(np.median(nearest_distances(real, library)))
    return float(np.median(nearest_distances(made, library))) / new if new > 0 else None


def training_index(codec, training: list[np.ndarray]) -> tuple[dict, dict]:
    """Where each segment key occurs in the training pieces, ``{key: [(piece, segment,
    offset)]}``, and which training bars hold each relative note, ``{note: {(piece,
    segment)}}``."""
    where = defaultdict(list)
    holding = defaultdict(set)
    for piece, frames in enumerate(training):
        for index, segment in enumerate(segments(codec, frames)):
            if segment is not None:
                where[segment[0]].append((piece, index, segment[1]))
                for note in map(tuple, segment[2]):
                    holding[note].add((piece, index))
    return dict(where), dict(holding)


def copying(codec, outputs: list[np.ndarray], training: list[np.ndarray],
            heldout: list[np.ndarray] | None = None) -> dict[str, float]:
    """``copied_share``, ``longest_copied_run``, ``distinct_share`` (and for notes
    ``copied_note_share``; for other codecs, given ``heldout`` real target pieces,
    ``closest_ratio``) of the outputs against the training pieces (see the module)."""
    where, holding = INDEXES.get((codec, *training), "segments",
                                 lambda: training_index(codec, training))
    copied = counted = longest = notes = matched = 0
    seen: list[bytes] = []
    for frames in outputs:
        runs: dict[tuple, int] = {}
        for segment in segments(codec, frames):
            if segment is None:
                runs = {}
                continue
            key, offset, parts = segment
            counted += 1
            seen.append(key)
            found = where.get(key, [])
            copied += bool(found)
            runs = {(piece, index, offset - low): runs.get((piece, index - 1, offset - low), 0) + 1
                    for piece, index, low in found}
            longest = max(longest, *runs.values(), 0)
            hits = Counter(bar for note in map(tuple, parts) for bar in holding.get(note, ()))
            notes += len(parts)
            matched += max(hits.values(), default=0)
    result = {"copied_share": copied / counted if counted else 0.0,
              "longest_copied_run": float(longest),
              "distinct_share": len(set(seen)) / counted if counted else 0.0}
    if isinstance(codec, NoteCodec):
        result["copied_note_share"] = matched / notes if notes else 0.0
    elif heldout is not None:
        ratio = closest_ratio(codec, outputs, training, heldout)
        if ratio is not None:
            result["closest_ratio"] = ratio
    return result
