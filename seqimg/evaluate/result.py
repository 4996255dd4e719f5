"""The evaluation report as a typed object: what ``report.json`` holds, read and written here."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

from seqimg.errors import SeqimgError


@dataclass(frozen=True)
class ContentScore:
    """A content measure: its raw value, its chance level on unrelated pairs, and
    ``(raw - chance) / (1 - chance)``."""

    raw: float
    chance: float
    normalised: float


MIN_TARGET_PIECES = 5  # fewer target pieces give no 10-90% range worth judging by


@dataclass(frozen=True)
class StatisticDistance:
    """One per-piece statistic: Wasserstein distances of the outputs to target and to source
    (divided by the real pieces' spread), the three means, the target's 10th and 90th
    percentiles (the range a realistic output's mean should fall in), and how many target
    pieces gave them."""

    to_target: float
    to_source: float
    mean_out: float
    mean_target: float
    mean_source: float
    target_p10: float
    target_p90: float
    target_pieces: int | None = None  # None in reports written before it was recorded

    @property
    def informative(self) -> bool:
        """Whether the target's range can judge an output: it has width (the statistic is not
        constant on the target) and comes from at least ``MIN_TARGET_PIECES`` pieces."""
        enough = self.target_pieces is None or self.target_pieces >= MIN_TARGET_PIECES
        return self.target_p90 > self.target_p10 and enough

    def holds(self, value: float) -> bool:
        """Whether ``value`` lies inside the target's 10-90% range."""
        return self.target_p10 <= value <= self.target_p90

    @property
    def inside_target_range(self) -> bool:
        return self.holds(self.mean_out)


@dataclass(frozen=True)
class Realism:
    """Per-statistic distances, and Frechet distances in the classifier's embedding."""

    statistics: dict[str, StatisticDistance]
    frechet_to_target: float
    frechet_roundtrip_source_to_target: float

    @property
    def informative(self) -> list[str]:
        """The statistics whose target range can judge an output (see
        :attr:`StatisticDistance.informative`)."""
        return [name for name, s in self.statistics.items() if s.informative]

    @property
    def outside_target_range(self) -> list[str]:
        """The informative statistics whose output mean lies outside the target's 10-90%
        range."""
        return [name for name in self.informative if not self.statistics[name].inside_target_range]


@dataclass(frozen=True)
class ControlScore:
    """A control (a rule-made version of the source) measured like the transfer: strength,
    normalised content per measure, two-sample accuracy against real target, and the means of
    the codec's per-piece statistics."""

    strength: float
    content: dict[str, float]
    two_sample: float  # by the classifier's family (the CNN or ROCKET)
    statistics: dict[str, float]
    two_sample_critics: dict[str, float] = field(default_factory=dict)  # every critic's
    two_sample_n: dict[str, int] = field(default_factory=dict)  # each critic's test windows
    two_sample_p: dict[str, float] = field(default_factory=dict)  # and binomial p-value
    # how much is copied from the target's training pieces (seqimg.evaluate.copying)
    copying: dict[str, float] = field(default_factory=dict)


READABLE_ACCURACY = 0.8  # below it, the domain classifier cannot support a strength figure


@dataclass(frozen=True)
class Report:
    """Everything ``seqimg evaluate`` measures about a run, next to its controls."""

    recipe: str
    classifier_accuracy: float  # held-out accuracy of the domain classifier
    transfer_strength: float  # transferred held-out source called target
    identity_strength: float  # untransferred source called target
    roundtrip_identity_strength: float  # source through the target codec's round trip
    target_strength: float  # real held-out target called target
    per_file_strength: dict[str, float]
    content_similarity: dict[str, ContentScore]
    realism: Realism
    two_sample_accuracy: float  # outputs vs real target; 0.5 = indistinguishable
    two_sample_roundtrip_source: float  # the same for the untransferred round trip
    skipped_files: dict
    training: dict  # the last logged training step
    counts: dict[str, int]
    controls: dict[str, ControlScore]
    level: str = "full"  # evaluate.level: 'fast' is a quick look with a weaker classifier
    # held-out target made again by the method from its own view, against real target: the
    # realism ceiling of a view-based method (None for a method that has no such path)
    two_sample_resynthesised_target: float | None = None
    # every critic's two-sample accuracy, the classifier's included: the outputs', and the
    # untransferred round trip's
    two_sample_critics: dict[str, float] = field(default_factory=dict)
    two_sample_roundtrip_critics: dict[str, float] = field(default_factory=dict)
    # each critic's test size (windows) and one-sided binomial p-value against 0.5, for the
    # outputs and the round trip; and the floor: the same test on real target against real
    # target (seqimg.evaluate.two_sample), with its size and p-value
    two_sample_n: dict[str, int] = field(default_factory=dict)
    two_sample_p: dict[str, float] = field(default_factory=dict)
    two_sample_roundtrip_n: dict[str, int] = field(default_factory=dict)
    two_sample_roundtrip_p: dict[str, float] = field(default_factory=dict)
    two_sample_floor: dict[str, float] = field(default_factory=dict)
    two_sample_floor_n: dict[str, int] = field(default_factory=dict)
    two_sample_floor_p: dict[str, float] = field(default_factory=dict)
    # how much of the outputs is copied from the target's training pieces
    # (seqimg.evaluate.copying); empty in reports written before it was measured
    copying: dict[str, float] = field(default_factory=dict)
    silent_outputs: list[str] = field(default_factory=list)  # outputs that hold nothing

    @property
    def critics(self) -> dict[str, float]:
        """Each critic's two-sample accuracy of the outputs (the classifier's alone in a report
        from before the critics)."""
        return self.two_sample_critics or {"classifier": self.two_sample_accuracy}

    def rival_critics(self) -> dict[str, dict[str, float]]:
        """The same for each control the outputs must beat: the untransferred round trip and
        every rule-made control."""
        return {"the untransferred round trip": self.two_sample_roundtrip_critics
                or {"classifier": self.two_sample_roundtrip_source},
                **{name: c.two_sample_critics or {"classifier": c.two_sample}
                   for name, c in self.controls.items()}}

    @property
    def skipped_count(self) -> int:
        """Distinct files skipped at any stage of the run."""
        return len({path for files in self.skipped_files.values() for path in files})

    @property
    def strength_readable(self) -> bool:
        """Whether the classifier tells the domains apart well enough to read a strength."""
        return self.classifier_accuracy >= READABLE_ACCURACY

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), indent=2)

    @classmethod
    def from_dict(cls, data: dict) -> Report:
        realism = data["realism"]
        return cls(**{
            **data,
            "content_similarity": {k: ContentScore(**v)
                                   for k, v in data["content_similarity"].items()},
            "realism": Realism(**{**realism, "statistics": {
                k: StatisticDistance(**v) for k, v in realism["statistics"].items()}}),
            "controls": {k: ControlScore(**v) for k, v in data["controls"].items()},
        })

    @classmethod
    def load(cls, path: Path) -> Report:
        """Read ``report.json``; a clear error when it is missing or from another version."""
        path = Path(path)
        if not path.is_file():
            raise SeqimgError(f"{path}: no report; run 'seqimg evaluate' on its run folder")
        try:
            return cls.from_dict(json.loads(path.read_text()))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise SeqimgError(f"{path}: not a seqimg report ({exc})") from None
