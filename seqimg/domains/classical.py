"""``classical``: the Bach chorales of music21's corpus (Riemenschneider's 371, of which music21
ships about 350 as separate scores), converted once to MIDI and cached."""

from __future__ import annotations

import logging
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from seqimg.io import atomic_path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Options:
    limit: int | None = None  # convert only the first N chorales (tests, quick looks)


def chorale_paths() -> list[Path]:
    """Scores of the chorales in Riemenschneider's list that music21 ships, sorted (its Bach
    folder also holds preludes, fugues and cantata movements that are not chorales)."""
    from music21 import corpus
    from music21.corpus.chorales import ChoraleListRKBWV

    chorales = {f"bwv{entry['bwv']}" for entry in ChoraleListRKBWV().byRiemenschneider.values()}
    return sorted(p for p in corpus.getComposer("bach")
                  if p.suffix == ".mxl" and p.stem in chorales)


def convert(source: Path, target: Path) -> str | None:
    """Write one chorale as MIDI at 480 ticks per quarter; the reason if it cannot be."""
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
    sources = chorale_paths()[: options.limit]
    targets = [cache / f"{p.stem}.mid" for p in sources]
    todo = [(s, t) for s, t in zip(sources, targets) if not t.exists()]
    if todo:
        cache.mkdir(parents=True, exist_ok=True)
        with ProcessPoolExecutor(max_workers=2) as pool:
            results = pool.map(convert, *zip(*todo))
            failures = [r for r in tqdm(results, total=len(todo), desc="converting chorales",
                                        unit="piece") if r]
        for failure in failures:
            log.warning("skipped chorale %s", failure)
    return [t for t in targets if t.exists()]
