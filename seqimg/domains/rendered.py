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


def files(options: Options, cache: Path) -> list[Path]:
    if options.corpus not in CORPORA:
        raise SeqimgError(f"corpus {options.corpus!r}: expected one of {', '.join(CORPORA)}")
    if not Path(options.soundfont).is_file():
        raise SeqimgError(f"{options.soundfont}: no soundfont; install the Debian packages "
                          "fluidsynth and fluid-soundfont-gm (make setup does so as root)")
    module = CORPORA[options.corpus]
    sources = module.files(module.Options(limit=options.limit), cache.parent / options.corpus)
    out = []
    cache = cache / options.corpus
    for midi in tqdm(sources, desc=f"rendering {options.corpus}", unit="piece", leave=False):
        target = cache / f"{midi.stem}.wav"
        if not target.exists():
            try:
                render_midi(pretty_midi.PrettyMIDI(str(midi)), target, options.soundfont,
                            options.seconds)
            except ImportError:
                raise SeqimgError("rendering needs pyfluidsynth (pip install pyfluidsynth) and "
                                  "the fluidsynth library") from None
        out.append(target)
    return out
