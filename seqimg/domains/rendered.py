"""``rendered``: the classical or metal MIDI corpus rendered offline to WAV with fluidsynth and a
General MIDI soundfont (Debian's fluid-soundfont-gm), for the audio codec."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pretty_midi
from tqdm import tqdm

from seqimg.domains import classical, metal
from seqimg.errors import SeqimgError
from seqimg.render import SOUNDFONT, render_midi

CORPORA = {"classical": classical, "metal": metal}


@dataclass(frozen=True)
class Options:
    corpus: str = "classical"  # which MIDI corpus is rendered to audio: classical or metal
    seconds: float = 30.0  # rendered length per piece (from its start)
    limit: int | None = None  # render only the first N pieces
    soundfont: str = SOUNDFONT  # the General MIDI soundfont fluidsynth renders with


def sources(options: Options, cache: Path) -> dict[Path, Path]:
    """Each WAV's place in the cache and the MIDI file it is rendered from."""
    module = CORPORA[options.corpus]
    midi = module.files(module.Options(limit=options.limit), cache.parent / options.corpus)
    return {cache / options.corpus / f"{path.stem}.wav": path for path in midi}


def files(options: Options, cache: Path) -> list[Path]:
    """The renders' places (listing renders nothing: :func:`make` renders those a run uses)."""
    if options.corpus not in CORPORA:
        raise SeqimgError(f"corpus {options.corpus!r}: expected one of {', '.join(CORPORA)}")
    if not Path(options.soundfont).is_file():
        raise SeqimgError(f"{options.soundfont}: no soundfont; install the Debian packages "
                          "fluidsynth and fluid-soundfont-gm (make setup does so as root)")
    return list(sources(options, cache))


def make(options: Options, cache: Path, wanted: list[Path]) -> None:
    """Render those of ``wanted`` not in the cache yet (a render is kept for the next run)."""
    midi = sources(options, cache)
    missing = [path for path in wanted if not path.exists() and path in midi]
    for target in tqdm(missing, desc=f"rendering {options.corpus}", unit="piece", leave=False):
        try:
            render_midi(pretty_midi.PrettyMIDI(str(midi[target])), target, options.soundfont,
                        options.seconds)
        except ImportError:
            raise SeqimgError("rendering needs pyfluidsynth (pip install pyfluidsynth) and "
                              "the fluidsynth library") from None
