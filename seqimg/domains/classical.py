"""``classical``: the Bach chorales of music21's corpus (Riemenschneider's 371, of which music21
ships about 350 as separate scores), or the scores of another composer of that corpus (e.g.
Palestrina's masses, Monteverdi's madrigals: pieces a design chosen on the chorales never saw),
converted once to MIDI and cached."""

from __future__ import annotations

import logging
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from seqimg.errors import SeqimgError
from seqimg.io import atomic_path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Options:
    limit: int | None = None  # convert only the first N scores (tests, quick looks)
    # whose scores: 'bach' (the chorales) or any other composer music21's corpus has
    composer: str = "bach"


SCORE_SUFFIXES = (".mxl", ".xml", ".musicxml", ".krn", ".abc")  # notes, not analyses


def score_paths(composer: str) -> list[Path]:
    """The scores of ``composer`` in music21's corpus, sorted: the chorales for 'bach'."""
    if composer == "bach":
        return chorale_paths()
    from music21 import corpus

    paths = sorted(p for p in corpus.getComposer(composer) if p.suffix in SCORE_SUFFIXES)
    if not paths:
        raise SeqimgError(f"composer: music21's corpus has no scores by {composer!r} (e.g. "
                          "'bach', 'palestrina', 'monteverdi', 'haydn', 'mozart')")
    return paths


def chorale_paths() -> list[Path]:
    """Scores of the chorales in Riemenschneider's list that music21 ships, sorted (its Bach
    folder also holds preludes, fugues and cantata movements that are not chorales)."""
    from music21 import corpus
    from music21.corpus.chorales import ChoraleListRKBWV

    chorales = {f"bwv{entry['bwv']}" for entry in ChoraleListRKBWV().byRiemenschneider.values()}
    return sorted(p for p in corpus.getComposer("bach")
                  if p.suffix == ".mxl" and p.stem in chorales)


def convert(source: Path, target: Path) -> str | None:
    """Write one score as MIDI at 480 ticks per quarter; the reason if it cannot be."""
    from music21 import converter, defaults

    defaults.ticksPerQuarter = 480  # pretty_midi calls long pieces at the default "corrupt"
    try:
        score = converter.parse(source)
        with atomic_path(target) as tmp:
            score.write("midi", fp=tmp)
    except Exception as exc:  # music21 raises many types on odd scores
        return f"{source.name}: {exc}"
    return None


def files(options: Options, cache: Path) -> list[Path]:
    sources = score_paths(options.composer)[: options.limit]
    folder = cache if options.composer == "bach" else cache / options.composer
    targets = [folder / f"{p.stem}.mid" for p in sources]
    todo = [(s, t) for s, t in zip(sources, targets) if not t.exists()]
    if todo:
        folder.mkdir(parents=True, exist_ok=True)
        with ProcessPoolExecutor(max_workers=2) as pool:
            results = pool.map(convert, *zip(*todo))
            failures = [r for r in tqdm(results, total=len(todo), unit="piece",
                                        desc=f"converting {options.composer}'s scores") if r]
        for failure in failures:
            log.warning("skipped score %s", failure)
    return [t for t in targets if t.exists()]
