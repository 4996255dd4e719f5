"""``method: {name: donor}``: a source piece covered by real target bars (see the package)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch

from seqimg.codecs.base import SequenceCodec
from seqimg.codecs.capabilities import DRUM_PART, NoteCodec
from seqimg.codecs.note_geometry import (
    CLASSES,
    bar_views,
    bars_covering,
    first_equal_bars,
    merged_parts,
    top_voice_notes,
    transposed_views,
)
from seqimg.codecs.notes import sounding_and_onsets
from seqimg.errors import SeqimgError
from seqimg.memo import KeptForLast
from seqimg.methods.donor.adapt import to_chord_tones
from seqimg.methods.donor.base import DonorBase
from seqimg.methods.donor.choice import Extra, StateCosts, choose
from seqimg.methods.donor.index import LibraryIndex
from seqimg.methods.donor.learned_line import (
    LINE_STATE,
    LineDenoiser,
    LineScene,
    train_line,
    write_learned,
)
from seqimg.methods.donor.library import DonorLibrary
from seqimg.methods.donor.line import (
    REACH,
    LineModel,
    anchor_steps,
    part_lines,
    to_band_classes,
    write_line,
)
from seqimg.methods.donor.melody import bar_floors, on_grid, take_upper_voice, tune_part
from seqimg.methods.donor.phrases import Phrases
from seqimg.methods.donor.restrike import on_the_kick

# what is read from the library given last, once for every piece it transfers: the line model
# and the tables of the costs beside the match
FROM_LIBRARY = KeptForLast()
WINDOW = 4  # bars of a phrase the candidates are found by (docs/benchmarks.md, donors at scale)


@dataclass(frozen=True)
class DonorConfig:
    """How donor bars are chosen and adapted; every setting but line_steps and line_seed may
    change after indexing."""

    jump: float = 2.0  # cost of leaving a donor phrase (continuing it is free)
    key_change: float = 0.0  # extra cost of a jump to another transposition
    harmony_weight: float = 1.0  # weight of the bar's pitch-class histogram in the match
    bass_weight: float = 1.0  # weight of each beat's lowest pitch class in the match
    max_shift: int = 6  # donors are transposed by -max_shift .. max_shift - 1 semitones
    # each donor piece made dearer by this much times the share of the piece it covered in a
    # first pass (0: no second pass)
    use_penalty: float = 0.0
    # a donor phrase runs on for free at most this many bars; going on past them costs a jump,
    # as taking any other phrase does, so that the choice looks again every this many bars
    # (0: a phrase runs on for free as long as its piece; with jump 6 most chorales are then
    # covered by one unbroken phrase of one donor piece)
    phrase_bars: int = 0
    # the source's top voice: 'none' (donors only), 'upper' (it takes the donors' notes at or
    # above its lowest pitch in each bar less melody_margin), 'struck' (the same, re-struck at
    # the removed notes' onsets), 'gated' (struck, silent where they rest), 'rhythm' (on the
    # removed notes' onsets and lengths)
    melody: Literal["none", "upper", "struck", "gated", "rhythm"] = "struck"
    melody_margin: int = 2  # semitones below the melody's lowest pitch that it clears
    # where the melody plays, with the parts encoding: 'lead', 'rhythm' (the rhythm guitar's
    # top voice) or 'donor_lead' (the lead in the bars where the donors play one, the rhythm
    # guitar elsewhere); a merged roll has no parts and merges it either way
    melody_part: Literal["lead", "rhythm", "donor_lead"] = "lead"
    # which donor notes the melody clears at or above its floor: 'all_parts', or 'own_part'
    # (only those of the part it plays in, so that the rest of the band plays on whole)
    clear: Literal["all_parts", "own_part"] = "all_parts"
    # octaves the melody is moved by (-1: from a soprano's register to a guitar lead's)
    melody_octave: int = 0
    # the melody simplified to one pitch per this many steps before it is placed (4: a beat
    # on the default grid; 0: every note as it is)
    melody_step: int = 0
    # the melody doubled this many semitones below (12: in octaves, 7: in fifths, as a guitar
    # lead's power-chord line; 0: a single line)
    melody_double: int = 0
    # a bar that repeats an earlier bar of the source exactly takes that bar's donor, so that
    # a repeated phrase comes back as the same riff
    reuse_repeats: bool = False
    # the line the melody's part plays: 'pasted' (the melody's pitch at every onset the donor
    # gives it), 'markov' (the melody's pitch where its notes begin, the other onsets written
    # by a Markov model of the training pieces' lines within the bar's pitch classes,
    # seqimg.methods.donor.line) or 'learned' (the same onsets inpainted by a denoiser trained
    # on the training pieces' lines over their bands, seqimg.methods.donor.learned_line)
    line: Literal["pasted", "markov", "learned"] = "pasted"
    # the most intervals in a row a markov line may share with a line of the training pieces
    line_longest: int = 6
    # training steps of the learned line's denoiser, taken when the library is indexed with
    # line 'learned' (about 25 a second on two CPU cores)
    line_steps: int = 4000
    line_seed: int = 0  # seeds the learned line's training (read when indexing too)
    # where a markov or learned line keeps the tune's pitch: where each tune note begins
    # ('notes'), or only where one begins on a bar's first or middle beat ('strong_beats')
    line_anchors: Literal["notes", "strong_beats"] = "notes"
    # the pitch classes a learned line may take in a bar: those the band plays there ('band')
    # or those and the tune's own ('band_and_tune', which keeps more of the source's harmony)
    line_classes: Literal["band", "band_and_tune"] = "band"
    # the tune's pitches moved to the nearest pitch class the band plays in their bar (before a
    # markov line is written between them): metal's bars sound few pitch classes, a chorale
    # tune's passing notes add more
    snap: bool = False
    # each donor note the melody would clear (at or above its floor, less melody_margin, in the
    # donor bar at its transposition) costs this much in the choice, so that donors that already
    # sit below the tune win and less of their texture is cleared
    clear_cost: float = 0.0
    # each pitch class a donor bar sounds costs this much in the choice, so that where two
    # donors match a bar about as well the one with fewer pitch classes wins: a chord
    # histogram is matched best by busy or held many-note bars, while real metal bars sound
    # fewer pitch classes (a riff on a root and its fifth)
    class_cost: float = 0.0
    # each beat of a bar by which a donor bar has fewer onsets under the melody's floor (those
    # the melody leaves) than beats costs this much: chords held whole bars under the tune (a
    # pad) lose to riffs that match as well
    pad_cost: float = 0.0
    # the choice visits, for each window of 4 source bars, the phrases of the library whose 4
    # bars (at a transposition) lie this many nearest it, each along the whole piece: a pass
    # over a few candidate states a bar, not over every (library bar, transposition); 0: every
    # state, the exact pass
    candidates: int = 256
    # 'kick': each rhythm-guitar and bass note of the donors held half a bar or longer is split
    # on every beat where a kick drum of the same donors plays inside it, so that a held chord
    # under the tune is struck with the drums (seqimg.methods.donor.restrike); 'none': the
    # donors' notes as they are
    restrike: Literal["none", "kick"] = "none"
    # 'chord_tones': each donor chord whose lowest pitch class the source bar lacks is moved
    # as a block to the nearest one it has (seqimg.methods.donor.adapt); 'none': transposed only
    adapt: Literal["none", "chord_tones"] = "none"

    def __post_init__(self) -> None:
        if min(self.jump, self.use_penalty, self.key_change, self.class_cost,
               self.clear_cost, self.pad_cost) < 0:
            raise ValueError("jump: expected 0 or more (and use_penalty, key_change, class_cost, "
                             "clear_cost, pad_cost 0 or more)")
        if not 0 <= self.melody_double <= 12:
            raise ValueError(f"melody_double: expected 0 to 12 semitones, got {self.melody_double}")
        if self.melody_step < 0:
            raise ValueError(f"melody_step: expected 0 or more steps, got {self.melody_step}")
        if abs(self.melody_octave) > 2:
            raise ValueError(f"melody_octave: expected -2 to 2, got {self.melody_octave}")
        if not 1 <= self.max_shift <= 6:
            raise ValueError(f"max_shift: expected 1 to 6 semitones, got {self.max_shift}")
        if self.line != "pasted" and (self.melody_double or self.line_longest < 1):
            raise ValueError(f"line: {self.line!r} writes a single line (melody_double 0) and "
                             "needs line_longest of 1 or more")
        if self.line_steps < 1:
            raise ValueError(f"line_steps: expected 1 or more, got {self.line_steps}")
        if self.phrase_bars < 0:
            raise ValueError(f"phrase_bars: expected 0 (no bound) or more, got "
                             f"{self.phrase_bars}")
        if self.candidates < 0:
            raise ValueError(f"candidates: expected 0 (every state) or more, got "
                             f"{self.candidates}")
        if self.harmony_weight < 0 or self.bass_weight < 0:
            raise ValueError("harmony_weight: expected 0 or more (and bass_weight 0 or more)")


class DonorMethod(DonorBase):
    """Real target bars chosen for a whole source piece by dynamic programming, transposed,
    with the source's melody on top. It indexes the target's training pieces instead of
    training (``train.steps`` is not used)."""

    config_class = DonorConfig
    description = ("real target bars chosen for the whole piece by dynamic programming over "
                   "harmony, phrases kept whole, transposed; the melody on top")
    needs = (NoteCodec,)
    reads = "notes"
    library_class = DonorLibrary
    transfer_settings = ("jump", "key_change", "harmony_weight", "bass_weight", "max_shift",
                         "use_penalty", "melody", "melody_margin", "melody_part", "clear",
                         "melody_octave", "melody_step", "melody_double", "reuse_repeats",
                         "adapt", "class_cost", "clear_cost", "pad_cost", "line", "line_longest",
                         "line_anchors", "line_classes", "snap", "candidates", "phrase_bars",
                         "restrike")

    def __init__(self, source: SequenceCodec, target: SequenceCodec, cfg: DonorConfig) -> None:
        super().__init__(source, target, cfg)
        self.bar, self.beat = target.bar_steps, target.steps_per_beat
        self.library = DonorLibrary.of([], [], self.bar, self.beat)
        self.line_state: dict[str, torch.Tensor] = {}  # the learned line's weights, if trained

    @classmethod
    def check(cls, source: SequenceCodec, target: SequenceCodec, cfg: DonorConfig) -> None:
        if source.bar_steps != target.bar_steps:
            raise SeqimgError(f"method.name: the donor method needs one beat grid on both sides "
                              f"(source bars of {source.bar_steps} steps, target bars of "
                              f"{target.bar_steps})")

    # --- the library, indexed instead of trained, and kept in the checkpoint ---------------
    def fit_pieces(self, target: Iterable[np.ndarray]) -> None:
        """The library of the target's pieces, each read as notes and its frames let go."""
        pieces = [(self.target_codec.notes_in_parts(f), len(f)) for f in target]
        self.library = DonorLibrary.of([notes for notes, _ in pieces],
                                       [length for _, length in pieces], self.bar, self.beat)
        if not len(self.library):
            raise SeqimgError("target: no sounding bar in the training pieces to take donors "
                              "from")
        if self.cfg.line == "learned":
            library = self.library
            scene = LineScene.of_piece(library.notes.astype(np.int64),
                                       int(library.notes[:, 2].max(initial=0)), self.bar,
                                       self.beat)
            self.line_state = train_line(scene, self.bar, self.cfg.line_steps,
                                         REACH, self.cfg.line_seed).state_dict()

    def get_extra_state(self) -> dict:
        return {**super().get_extra_state(),
                **{LINE_STATE + name: value for name, value in self.line_state.items()}}

    def set_extra_state(self, state: dict) -> None:
        super().set_extra_state(state)
        self.line_state = {name[len(LINE_STATE):]: value for name, value in state.items()
                           if name.startswith(LINE_STATE)}

    # --- transfer -------------------------------------------------------------------------
    def transfer_notes(self, notes: np.ndarray, length: int) -> np.ndarray:
        """A whole source piece's notes in parts, shape=(n, 4), covered by donor bars: the
        target's notes in parts."""
        return self.arrange(merged_parts(notes), length)

    def transfer_piece(self, frames: np.ndarray) -> np.ndarray:
        """A whole source piece, shape=(T, F), covered by donor bars, shape=(T, F')."""
        return self.covered(self.source_codec, frames)

    def resynthesise_piece(self, frames: np.ndarray) -> np.ndarray:
        """A held-out target piece covered by donor bars from its own harmony and melody."""
        return self.covered(self.target_codec, frames)

    def covered(self, codec: SequenceCodec, frames: np.ndarray) -> np.ndarray:
        """Frames, shape=(T, F) in ``codec``'s terms, covered by donor bars: target frames,
        shape=(T, F')."""
        made = self.arrange(codec.notes(frames), len(frames))
        return self.target_codec.frames_from_notes_in_parts(made, len(frames))

    def arrange(self, notes: np.ndarray, length: int) -> np.ndarray:
        """Donor bars for the piece whose notes, shape=(n, 3), last ``length`` steps, with its
        melody on top as the config says: notes in parts, shape=(m, 4) (the donors' parts and
        drums, which the target codec keeps where it has them)."""
        bars = bars_covering(length, self.bar)
        wanted, tune, floors = self.bar_plan(notes, length)
        placed = self.donor_notes(wanted, first_equal_bars(notes, bars, self.bar)
                                  if self.cfg.reuse_repeats else np.arange(bars), floors)
        if self.cfg.restrike == "kick":
            placed = on_the_kick(placed, self.bar, self.beat)
        drums = placed[:, 3] == DRUM_PART
        pitched = placed[~drums]
        if self.cfg.adapt == "chord_tones":
            pitched = to_chord_tones(pitched, notes, self.bar, bars * self.bar)
        if tune is not None:
            tune[:, 3] = tune_part(tune, pitched, self.bar, self.cfg.melody_part)
            pitched = take_upper_voice(pitched, tune, self.bar, length, self.cfg.melody,
                                       self.cfg.melody_margin, self.cfg.clear == "own_part",
                                       self.line_writer(tune))
        placed = np.concatenate([pitched, placed[drums]])
        placed = placed[placed[:, 1] < length]
        placed[:, 2] = np.minimum(placed[:, 2], length)
        return placed

    def bar_plan(self, notes: np.ndarray, length: int
                 ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
        """What the choice reads of a piece whose notes, shape=(n, 3), last ``length`` steps:
        its bar views, shape=(bars, D), its tune (:meth:`lead`; None where the melody is off or
        the piece silent) and the tune's floor in each bar, shape=(bars,) (128 without one)."""
        bars = bars_covering(length, self.bar)
        wanted = bar_views(notes, bars * self.bar, self.bar, self.beat)
        tune = self.lead(notes, length) if self.cfg.melody != "none" and len(notes) else None
        floors = (np.full(bars, 128) if tune is None else
                  bar_floors(tune[:, :3], bars, self.bar, self.cfg.melody_margin))
        return wanted, tune, floors

    def line_writer(self, tune: np.ndarray) -> Callable | None:
        """What rewrites the placed tune, shape=(n, 4), over the kept band (``snap``, then a
        'markov' or 'learned' line), or None (the tune as placed)."""
        c = self.cfg
        if c.line == "pasted" and not c.snap:
            return None
        anchors = anchor_steps(tune, self.bar, c.line_anchors)

        def write(placed: np.ndarray, band: np.ndarray) -> np.ndarray:
            if c.snap:
                placed = to_band_classes(placed, band, self.bar)
            if c.line == "markov":
                placed = write_line(placed, anchors, band, self.line_model, self.bar)
            elif c.line == "learned":
                placed = write_learned(self.line_net, placed, anchors, band, self.bar, REACH,
                                       c.line_classes == "band_and_tune")
            return placed
        return write

    @property
    def line_net(self) -> LineDenoiser:
        """The learned line's denoiser from the checkpoint's weights, built once a library."""
        if not self.line_state:
            raise SeqimgError("method.line: 'learned' needs a model indexed with it (seqimg run "
                              "with method.line=learned trains the line's denoiser)")
        return FROM_LIBRARY.get((self.library,), ("learned_line",),
                                lambda: LineDenoiser.of_state(self.line_state, self.bar))

    @property
    def line_model(self) -> LineModel:
        """The Markov model of every part's top voice in the library's pieces, made once for
        a library and a bound."""
        return FROM_LIBRARY.get((self.library,), ("line", self.cfg.line_longest),
                                lambda: LineModel.of(part_lines(self.library.notes, self.bar),
                                                     longest=self.cfg.line_longest))

    def lead(self, notes: np.ndarray, length: int) -> np.ndarray:
        """The source's top voice as the lead part (part 0), shape=(n, 4): moved by
        ``melody_octave`` and, with ``melody_step``, one pitch per grid cell."""
        sounding = sounding_and_onsets(notes, length, 0, 127)[0]
        melody = top_voice_notes(notes, sounding) + [12 * self.cfg.melody_octave, 0, 0]
        if self.cfg.melody_step:
            melody = on_grid(melody, self.cfg.melody_step, length)
        if self.cfg.melody_double:
            melody = np.concatenate([melody, melody - [self.cfg.melody_double, 0, 0]])
        return np.column_stack([melody, np.zeros(len(melody), dtype=np.int64)])

    def choice(self, wanted: np.ndarray, previous: np.ndarray,
               floors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Library bars and semitone shifts, shape=(bars,) each, for source bar views, given
        each library bar's predecessor in its piece (:meth:`DonorLibrary.previous`) and the
        melody's floor in each source bar, shape=(bars,) (128 where it has none)."""
        path = self.passes(wanted, previous, floors, self.cfg.candidates)[3]
        return path % len(self.library), self.shifts()[path // len(self.library)]

    def passes(self, wanted: np.ndarray, previous: np.ndarray, floors: np.ndarray,
               k: int) -> tuple[StateCosts, np.ndarray, np.ndarray, np.ndarray]:
        """The choice's state costs, the predecessors it moves by (``previous`` cut every
        ``phrase_bars`` bars of a phrase) and its first and chosen paths of states over ``k``
        candidates (:func:`~seqimg.methods.donor.choice.choose`)."""
        c = self.cfg
        if c.phrase_bars:  # every phrase_bars-th bar of a phrase begins a new one
            cut = self.library_index(wanted.shape[1]).phrases.position % c.phrase_bars == 0
            previous = np.where(cut, -1, previous)
        costs = self.state_costs(wanted, floors)
        return (costs, previous, *choose(costs, previous, self.library.pieces, c.jump,
                                         c.use_penalty, c.key_change, k))

    def state_costs(self, wanted: np.ndarray, floors: np.ndarray) -> StateCosts:
        """What each (transposition, library bar) state costs in each bar of a piece whose bar
        views are ``wanted``, shape=(bars, D), under a melody with ``floors``, shape=(bars,)."""
        shifts = self.shifts()
        index = self.library_index(wanted.shape[1])
        queries = index.queries(transposed_views(wanted, -shifts).transpose(1, 0, 2),
                                self.match_weights(wanted.shape[1]))
        return StateCosts(queries, wanted.any(1), index, self.beside_match(shifts, floors))

    def shifts(self) -> np.ndarray:
        """The transpositions the choice tries, in semitones, shape=(K,)."""
        return np.arange(-self.cfg.max_shift, self.cfg.max_shift)

    def match_weights(self, width: int) -> np.ndarray:
        """The weight of each entry of a bar view of ``width`` entries in the match: the
        pitch-class histogram's, then each beat's bass's, shape=(width,)."""
        c = self.cfg
        return np.repeat([c.harmony_weight, c.bass_weight],
                         [CLASSES, width - CLASSES]).astype(np.float32)

    def library_index(self, width: int) -> LibraryIndex:
        """The library's views under the match's weights, each bar costing ``class_cost`` a
        pitch class it sounds, indexed once per library and settings."""
        c = self.cfg
        return FROM_LIBRARY.get(
            (self.library,), ("index", width, c.harmony_weight, c.bass_weight, c.class_cost,
                              c.jump),
            lambda: LibraryIndex.of(self.library.views, self.match_weights(width),
                                    c.class_cost * self.library_table("classes"),
                                    Phrases.of(self.library.previous(self.bar)), WINDOW, c.jump))

    def library_table(self, name: str) -> np.ndarray:
        """A table of the library's bars, read once per library: ``'classes'`` (the pitch
        classes each sounds, shape=(N,)), ``'at_or_above'`` (:meth:`DonorLibrary.notes_at_or_above`)
        or ``'onsets_below'`` (:meth:`DonorLibrary.onsets_below`)."""
        library = self.library
        make = {"classes": lambda: (library.views[:, :CLASSES] > 0).sum(1).astype(np.float32),
                "at_or_above": lambda: library.notes_at_or_above(self.bar),
                "onsets_below": lambda: library.onsets_below(self.bar)}[name]
        return FROM_LIBRARY.get((library,), (name, self.bar), make)

    def beside_match(self, shifts: np.ndarray, floors: np.ndarray) -> Extra | None:
        """What a (bar, transposition index, library bar) state costs beside the match and its
        pitch classes: the notes the melody would clear in it (``clear_cost``) and the beats by
        which the onsets it leaves under the melody fall short (``pad_cost``); None where both
        are off."""
        c = self.cfg
        if not (c.clear_cost or c.pad_cost):
            return None
        cleared = self.library_table("at_or_above") if c.clear_cost else None
        left = self.library_table("onsets_below") if c.pad_cost else None
        beats = self.bar // self.beat

        def extra(bar: np.ndarray, shift: np.ndarray, item: np.ndarray) -> np.ndarray:
            lowest_cleared = np.clip(floors[bar] - shifts[shift], 0, 128)
            cost = np.zeros(len(bar))
            if cleared is not None:
                cost += c.clear_cost * cleared[item, lowest_cleared]
            if left is not None:
                cost += c.pad_cost * np.maximum(beats - left[item, lowest_cleared], 0)
            return cost
        return extra

    def donor_notes(self, wanted: np.ndarray, taken_from: np.ndarray,
                    floors: np.ndarray) -> np.ndarray:
        """Notes in parts, shape=(n, 4), of the donor phrases under the sounding source bars,
        each bar taking the donor of bar ``taken_from[bar]``: each run of consecutive bars of
        one donor piece at one shift is taken whole, so that notes held over its bar lines stay
        held."""
        previous, sounding = self.library.previous(self.bar), wanted.any(1)
        chosen, shifts = (choice[taken_from] for choice in self.choice(wanted, previous, floors))
        placed, first = [], 0
        for index in range(1, len(chosen) + 1):
            if (index < len(chosen) and sounding[index] and sounding[index - 1]
                    and previous[chosen[index]] == chosen[index - 1]
                    and shifts[index] == shifts[first]):
                continue  # the phrase runs on
            if sounding[first]:
                start = int(self.library.starts[chosen[first]])
                span = self.library.notes_between(
                    start, start + (index - first) * self.bar).astype(np.int64)
                span[:, 1:3] += first * self.bar - start
                span[:, 0] += shifts[first] * (span[:, 3] != DRUM_PART)  # drums stay
                placed.append(span)
            first = index
        return np.concatenate(placed or [np.zeros((0, 4))]).astype(np.int64)
