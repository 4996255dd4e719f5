"""The ``midi`` codec's settings: grid, frame encoding, augmentation and writing options, each
combination checked here so that a recipe names the field it got wrong."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from seqimg.codecs.base import CodecConfig


@dataclass(frozen=True)
class MidiConfig(CodecConfig):
    """Grid, frame encoding, augmentation and writing options of the ``midi`` codec. With
    encoding ``pianoroll`` an image is ``height`` steps by ``width`` pitches (the range padded
    with silence), not a fold."""

    renamed: ClassVar[dict[str, str]] = {"layout": "encoding"}  # old spellings refused
    # how notes become features (seqimg.codecs.midi_encodings says more)
    encoding: Literal["pitch-channels", "pitch-levels", "voices", "pianoroll",
                      "parts"] = "pitch-channels"
    steps_per_beat: int = 4  # grid steps per quarter note, whatever the meter (4: sixteenths)
    seconds_per_step: float | None = None  # a fixed rate instead of the quarter-note grid
    # lowest MIDI pitch kept (a file's notes outside the range are dropped, a method's moved
    # into it by octaves)
    pitch_low: int = 24
    pitch_high: int = 107  # highest MIDI pitch kept
    drums: Literal["drop", "feature"] = "drop"  # or one drum-onset feature
    transpose: int = 0  # training copies transposed by up to this many semitones each way
    onset_rule: bool = False  # onset = sounding AND (onset OR run start), decoding and for D
    tempo: float | None = None  # of written files (none: the input's tempo map, else 120)
    program: int = 0  # General MIDI program of written notes
    bass_program: int | None = None  # if set, notes below bass_split get this program
    bass_split: int = 48  # with bass_program: the pitch below which notes go to the bass
    velocity: int = 100  # velocity of written notes
    # with encoding parts: the programs of the written lead, rhythm and bass parts (empty: each
    # part in the program the input file played it in, else program / bass_program)
    part_programs: tuple[int, ...] = ()
    max_steps: int = 100_000  # longer pieces are refused rather than exhausting memory

    def __post_init__(self) -> None:
        if not 0 <= self.pitch_low < self.pitch_high <= 127:
            raise ValueError("pitch_high: the range must satisfy 0 <= pitch_low < pitch_high "
                             "<= 127")
        if self.part_programs and (len(self.part_programs) != 3
                                   or not all(0 <= p <= 127 for p in self.part_programs)):
            raise ValueError("part_programs: expected three General MIDI programs (0-127) for "
                             "the lead, rhythm and bass parts, or none")
        if self.transpose < 0:
            raise ValueError(f"transpose: expected 0 or more semitones, got {self.transpose}")
        self.check_encoding()

    @staticmethod
    def settle_written(values: dict) -> dict:
        """Settings seqimg wrote before :meth:`check_encoding` refused them: a ``voices``
        model's ``transpose``, which never transposed anything, read as 0."""
        if values.get("encoding") == "voices" and values.get("transpose"):
            return {**values, "transpose": 0}
        return values

    def check_encoding(self) -> None:
        """Refuse settings the chosen encoding cannot hold, naming the field: the pianoroll's
        image must hold the range, ``parts`` holds the drums itself, and ``voices`` (pitch
        levels, not channels) cannot be transposed by shifting features."""
        pitches = self.pitch_high - self.pitch_low + 1
        if self.encoding == "pianoroll" and self.width < pitches:
            raise ValueError(f"width: {self.width} is narrower than the {pitches} pitches of "
                             "encoding 'pianoroll'")
        if self.encoding == "pianoroll" and (self.drums != "drop" or self.steps_per_pixel != 1):
            raise ValueError("encoding: 'pianoroll' takes drums 'drop' and steps_per_pixel 1")
        if self.encoding == "parts" and self.drums != "drop":
            raise ValueError("drums: encoding 'parts' holds the drums itself; leave drums "
                             "'drop'")
        if self.encoding == "voices" and self.transpose:
            raise ValueError("transpose: encoding 'voices' holds pitch levels, which cannot be "
                             "transposed by shifting features; leave transpose 0")
