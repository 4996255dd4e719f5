"""The evaluation report as a typed object: what ``report.json`` holds, read and written here."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from seqimg.errors import SeqimgError
from seqimg.evaluate.migrate import current
from seqimg.evaluate.subjects import OUTPUTS, UNTRANSFERRED, UNTRANSFERRED_LABEL, control_subject
from seqimg.evaluate.two_sample import SampleTest


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
    normalised content per measure, and the means of the codec's per-piece statistics (its
    two-sample tests and copying are the report's, under ``control:NAME``)."""

    strength: float
    content: dict[str, float]
    statistics: dict[str, float]


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
    skipped_files: dict
    training: dict  # the last logged training step
    counts: dict[str, int]
    controls: dict[str, ControlScore]
    level: str = "full"  # evaluate.level: 'fast' is a quick look with a weaker classifier
    # every two-sample test, {subject: {critic: test}}, the domain classifier's family first:
    # subjects 'outputs', 'untransferred' (the untransferred round trip), 'floor' (real target
    # against real target), 'resynthesised' (held-out target made again by the method from its
    # own view: the realism ceiling of a view-based method) and 'control:NAME'; each test the
    # median over the critic seeds (seqimg.evaluate.two_sample.SampleTest)
    tests: dict[str, dict[str, SampleTest]] = field(default_factory=dict)
    # how much is copied from the target's training pieces (seqimg.evaluate.copying), {subject:
    # {measure: value}}: 'outputs', 'baseline' (real held-out target measured the same way)
    # and 'control:NAME'
    copying: dict[str, dict[str, float]] = field(default_factory=dict)
    # measures that stand beside published numbers for series (seqimg.evaluate.bridges)
    bridges: dict[str, float] = field(default_factory=dict)
    silent_outputs: list[str] = field(default_factory=list)  # outputs that hold nothing

    def accuracies(self, subject: str) -> dict[str, float]:
        """Each critic's median two-sample accuracy of one subject (empty when not tested)."""
        return {name: test.accuracy for name, test in self.tests.get(subject, {}).items()}

    def rivals(self) -> dict[str, tuple[str, float]]:
        """Every control the outputs are read against, ``{label: (subject, strength)}``: the
        untransferred round trip, then each rule-made control."""
        return {UNTRANSFERRED_LABEL: (UNTRANSFERRED, self.roundtrip_identity_strength),
                **{name: (control_subject(name), c.strength)
                   for name, c in self.controls.items()}}

    def rival_critics(self) -> dict[str, dict[str, float]]:
        """Each critic's median accuracy of every control of :meth:`rivals`."""
        return {label: self.accuracies(subject) for label, (subject, _) in self.rivals().items()}

    @property
    def critics(self) -> dict[str, float]:
        """Each critic's median two-sample accuracy of the outputs, the classifier's first."""
        return self.accuracies(OUTPUTS)

    def first_critic(self, subject: str = OUTPUTS) -> float:
        """The domain classifier's family's median two-sample accuracy of a subject (NaN when
        it was not tested)."""
        return next(iter(self.accuracies(subject).values()), float("nan"))

    @property
    def two_sample_accuracy(self) -> float:
        """The domain classifier's family's median two-sample accuracy of the outputs."""
        return self.first_critic()

    @property
    def skipped_count(self) -> int:
        """Distinct files skipped at any stage of the run."""
        return len({path for files in self.skipped_files.values() for path in files})

    @property
    def strength_readable(self) -> bool:
        """Whether the classifier tells the domains apart well enough to read a strength."""
        return self.classifier_accuracy >= READABLE_ACCURACY

    @classmethod
    def from_dict(cls, data: dict) -> Report:
        data = current(data)
        realism = data["realism"]
        return cls(**{
            **{k: v for k, v in data.items() if k != "verdict"},
            "content_similarity": {k: ContentScore(**v)
                                   for k, v in data["content_similarity"].items()},
            "realism": Realism(**{**realism, "statistics": {
                k: StatisticDistance(**v) for k, v in realism["statistics"].items()}}),
            "controls": {k: ControlScore(**v) for k, v in data["controls"].items()},
            "tests": {subject: {critic: SampleTest(**{**test, "range": tuple(test["range"]),
                                                      "seeds": tuple(test["seeds"])})
                                for critic, test in tests.items()}
                      for subject, tests in data.get("tests", {}).items()},
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
