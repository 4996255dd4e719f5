"""``rendered``: the classical or metal MIDI corpus rendered offline to WAV with fluidsynth and a
General MIDI soundfont (Debian's fluid-soundfont-gm), for the audio codec."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pretty_midi
import soundfile
from tqdm import tqdm

from domains import classical, metal
from seqimg.errors import SeqimgError
from seqimg.io import atomic_path

SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
SAMPLE_RATE = 22050
CORPORA = {"classical": classical, "metal": metal}


@dataclass(frozen=True)
class Options:
    corpus: str = "classical"
    seconds: float = 30.0  # rendered length per piece (from its start)
    limit: int | None = None  # render only the first N pieces
    soundfont: str = SOUNDFONT


def render(midi: Path, target: Path, seconds: float, soundfont: str) -> None:
    """Render the first ``seconds`` of a MIDI file to a 16-bit WAV file."""
    audio = pretty_midi.PrettyMIDI(str(midi)).fluidsynth(fs=SAMPLE_RATE, synthesizer=soundfont)
    audio = audio[: int(seconds * SAMPLE_RATE)]
    peak = np.abs(audio).max(initial=0.0)
    with atomic_path(target) as tmp:
        soundfile.write(tmp, audio / peak * 0.9 if peak > 0 else audio, SAMPLE_RATE,
                        format="WAV", subtype="PCM_16")


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
                render(midi, target, options.seconds, options.soundfont)
            except ImportError:
                raise SeqimgError("rendering needs pyfluidsynth (pip install pyfluidsynth) and "
                                  "the fluidsynth library") from None
        out.append(target)
    return out
