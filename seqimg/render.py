"""Render MIDI to WAV with fluidsynth and a General MIDI soundfont (Debian's fluid-soundfont-gm)."""

from __future__ import annotations

from pathlib import Path

import pretty_midi
import soundfile

from seqimg.io import atomic_path
from seqimg.scaling import normalise_peak

SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
SAMPLE_RATE = 22050


def render_midi(pm: pretty_midi.PrettyMIDI, path: Path, soundfont: str = SOUNDFONT,
                seconds: float | None = None) -> Path:
    """Write the first ``seconds`` (all by default) of ``pm`` as 16-bit WAV, peak-normalised to
    0.9; needs pyfluidsynth and the fluidsynth library."""
    audio = pm.fluidsynth(fs=SAMPLE_RATE, synthesizer=soundfont)
    if seconds is not None:
        audio = audio[: int(seconds * SAMPLE_RATE)]
    with atomic_path(path) as tmp:
        soundfile.write(tmp, normalise_peak(audio), SAMPLE_RATE, format="WAV", subtype="PCM_16")
    return Path(path)
