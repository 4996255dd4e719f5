"""The verdict of a report in plain words: did it move to the target, keep the piece and pass as
target, each next to its control, and one headline that says all three together. Passing is
graded: told apart, no better than a control that moved, at the goal's level yet still told
apart by a test, or not told apart by any critic; the report, the model card, ``seqimg models``
and the pages say it in the same words (``LEVEL_WORDS``)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Literal

from seqimg.evaluate.result import READABLE_ACCURACY, Report
from seqimg.evaluate.subjects import FLOOR, OUTPUTS
from seqimg.text import plural

MOVED_MARGIN = 0.2  # strength above the untransferred round trip's that counts as moved
KEPT_LEVEL = 0.5  # lowest normalised content measure that counts as keeping the piece
PASSES_LEVEL = 0.75  # every critic's two-sample accuracy at or below which outputs pass
FLOOR_MARGIN = 0.10  # or within this of the critic's floor (real target against real target)
MOVING_STRENGTH = 0.8  # a control at least this strong has moved: the outputs must beat it
KEEPS_LESS = 0.3  # or it copies more and some content measure of it is this much lower


@dataclass(frozen=True)
class Answer:
    """One question answered: ``yes``, ``no``, or ``unreadable`` when the measure behind it
    cannot be trusted, with the sentence that gives the numbers. Every part of a report (the
    headline, the bullets, the tables and the figures) takes its judgement from here."""

    state: Literal["yes", "no", "unreadable"]
    sentence: str

    def __bool__(self) -> bool:
        return self.state == "yes"


LEVEL_WORDS = {  # each level of the passes question, as every page and card says it
    "told_apart": "told apart from real target",
    "matched_by_a_control": "no harder to tell from real target than a control that moved",
    "passes_level": "at the goal's level, yet still told from real target",
    "indistinguishable": "not told from real target by any critic"}
PASSING = ("passes_level", "indistinguishable")


@dataclass(frozen=True)
class Verdict:
    """The three questions, answered, and what the per-piece statistics say beside them;
    ``level`` (a key of ``LEVEL_WORDS``) grades the passes question and
    ``control_handling`` says how each control was read (:func:`control_handling`)."""

    moved: Answer
    kept: Answer
    passes: Answer
    looks: str
    level: str
    control_handling: dict[str, str]
    silent: str = ""  # the outputs that hold nothing, named; empty when there are none

    @property
    def transferred(self) -> bool:
        return bool(self.moved) and bool(self.kept) and bool(self.passes)

    @property
    def points(self) -> list[str]:
        said = [self.moved.sentence, self.kept.sentence, self.looks, self.passes.sentence]
        return said + ([self.silent] if self.silent else [])

    @property
    def headline(self) -> str:
        if self.transferred and self.level == "indistinguishable":
            return ("It transferred: the outputs moved to the target, kept the piece, and are "
                    "not told from real target by any critic.")
        if self.transferred:
            return ("It transferred at the goal's level: the outputs moved to the target and "
                    "kept the piece; every critic is at or under its limit, yet some critic "
                    "still tells them from real target (p < 0.05).")
        moved = {"yes": "moved toward the target", "no": "did not move to the target",
                 "unreadable": "may or may not have moved (the strength cannot be read)"}
        said = [moved[self.moved.state],
                "kept the piece" if self.kept else "kept little of the piece"]
        return (f"Not a transfer yet: the output {said[0]}, {said[1]}, and is "
                f"{LEVEL_WORDS[self.level]}.")


def lowest_content(r: Report) -> float:
    """The lowest normalised content measure of the codec (f's own constancy left out)."""
    content = [score.normalised for name, score in r.content_similarity.items()
               if name != "f_constancy"]
    return min(content) if content else float("nan")


def moved_answer(r: Report) -> Answer:
    """Whether the outputs moved to the target, by the domain classifier (if it can tell)."""
    if not r.strength_readable:
        return Answer("unreadable", f"Moved to the target: cannot be read. The domain "
                      f"classifier tells the real domains apart at only "
                      f"{r.classifier_accuracy:.2f} (below {READABLE_ACCURACY}), so its "
                      f"strength ({r.transfer_strength:.2f} against "
                      f"{r.roundtrip_identity_strength:.2f} for the untransferred round trip) "
                      "says nothing.")
    moved = r.transfer_strength >= r.roundtrip_identity_strength + MOVED_MARGIN
    return Answer("yes" if moved else "no",
                  f"Moved to the target: {'yes' if moved else 'no'}, strength "
                  f"{r.transfer_strength:.2f} against {r.roundtrip_identity_strength:.2f} for "
                  "the untransferred round trip.")


def pass_level(r: Report, critic: str) -> float:
    """The accuracy at or below which a critic's test passes: ``PASSES_LEVEL``, or the
    critic's floor (its median) plus ``FLOOR_MARGIN`` where real target is itself told from
    real target above that."""
    floor = r.accuracies(FLOOR).get(critic, float("nan"))
    return PASSES_LEVEL if floor != floor else max(PASSES_LEVEL, floor + FLOOR_MARGIN)


def copies_more(r: Report, subject: str) -> bool:
    """Whether a control copies more of the target's training pieces than the outputs, by the
    first copying measure both have (copied notes, closest ratio (lower: nearer), copied
    share)."""
    mine, theirs = r.copying.get(OUTPUTS, {}), r.copying.get(subject, {})
    for key, nearer in (("copied_note_share", 1), ("closest_ratio", -1), ("copied_share", 1)):
        if key in mine and key in theirs:
            return nearer * (theirs[key] - mine[key]) > 0
    return False


def keeps_less(r: Report, name: str) -> bool:
    """Whether a rule-made control keeps clearly less of the source than the outputs: some
    content view at least ``KEEPS_LESS`` lower."""
    control = r.controls.get(name)
    return control is not None and any(
        value <= r.content_similarity[m].normalised - KEEPS_LESS
        for m, value in control.content.items() if m in r.content_similarity)


def control_handling(r: Report) -> dict[str, str]:
    """How each control was read: ``not moving`` (strength under ``MOVING_STRENGTH``, so no
    rival on realism: a control that stays put can look real to one critic), ``beaten`` (every
    critic's median below the control's), ``copies more, keeps less`` (a copy of real material
    is real, so it is beaten on what it throws away) or ``unbeaten``. Where strength cannot be
    read, every control counts as moving."""
    out = {}
    for label, (subject, strength) in r.rivals().items():
        theirs = r.accuracies(subject)
        shared = [name for name in r.critics if name in theirs]
        if r.strength_readable and strength < MOVING_STRENGTH:
            out[label] = "not moving"
        elif shared and all(r.critics[name] < theirs[name] for name in shared):
            out[label] = "beaten"
        elif copies_more(r, subject) and keeps_less(r, label):
            out[label] = "copies more, keeps less"
        else:
            out[label] = "unbeaten"
    return out


def level_of(r: Report, handling: dict[str, str]) -> str:
    """The passes question graded (``LEVEL_WORDS``): some critic above its limit, a moving
    control unbeaten, every test at the level yet some rejecting at 5%, or none rejecting."""
    tests = r.tests.get(OUTPUTS, {})
    if not tests or not all(t.accuracy <= pass_level(r, name) for name, t in tests.items()):
        return "told_apart"
    if "unbeaten" in handling.values():
        return "matched_by_a_control"
    return "passes_level" if any(t.rejects for t in tests.values()) else "indistinguishable"


def median_words(test) -> str:
    """A test's median accuracy, with its range over critic seeds where it has several."""
    low, high = test.range
    return f"{test.accuracy:.2f}" + (f" ({low:.2f}-{high:.2f})" if len(test.seeds) > 1 else "")


def critic_words(r: Report, subject: str) -> str:
    """Each critic's median accuracy of a subject (:func:`median_words`)."""
    return ", ".join(f"{name} {median_words(t)}" for name, t in r.tests.get(subject, {}).items())


def passes_answer(r: Report, handling: dict[str, str], level: str) -> Answer:
    """Whether the outputs pass as target (:func:`level_of`), with every critic's median, its
    limit and p-value, and how each control was read."""
    tests = r.tests.get(OUTPUTS, {})
    seeds = max((len(t.seeds) for t in tests.values()), default=1)
    critics = "; ".join(
        f"{name} {median_words(t)} (limit {pass_level(r, name):.2f}"
        + (f", p {t.p:.2g}" if t.p >= 0.001 else ", p < 0.001" if t.p == t.p else "") + ")"
        for name, t in tests.items())
    subjects = {label: subject for label, (subject, _) in r.rivals().items()}
    controls = "; ".join(f"{label} ({critic_words(r, subjects[label])}): {how}"
                         for label, how in handling.items())
    return Answer("yes" if level in PASSING else "no",
                  f"Passes as target: {'yes' if level in PASSING else 'no'}, "
                  f"{LEVEL_WORDS[level]}. Two-sample accuracy by {plural(len(tests), 'critic')}, "
                  f"the median over up to {plural(seeds, 'critic seed')} (0.5 = "
                  f"indistinguishable): {critics}. Controls: {controls}.")


def looks_sentence(r: Report) -> str:
    """How many informative per-piece statistics of the outputs lie in the target's range."""
    informative, outside = r.realism.informative, r.realism.outside_target_range
    if not r.realism.statistics:
        return ("Looks like the target: cannot be said, the outputs give no per-piece "
                "statistics (a silent output has none).")
    uninformative = [n for n in r.realism.statistics if n not in informative]
    return (f"Looks like the target: {len(informative) - len(outside)} of {len(informative)} "
            "informative per-piece statistics of the outputs lie inside the target's 10-90% "
            "range" + (f" (outside: {', '.join(outside)})" if outside else "")
            + (f"; not informative, constant on the target or from too few pieces: "
               f"{', '.join(uninformative)}" if uninformative else "") + ".")


def verdict(r: Report) -> Verdict:
    """Answer the three questions from a report, with the controls beside each number."""
    kept = lowest_content(r)
    handling = control_handling(r)
    level = level_of(r, handling)
    return Verdict(
        moved=moved_answer(r),
        kept=Answer("yes" if kept >= KEPT_LEVEL else "no",
                    f"Kept the piece: {'yes' if kept >= KEPT_LEVEL else 'no'}, lowest "
                    f"normalised content measure {kept:.2f} (0 = chance, 1 = all kept)."),
        passes=passes_answer(r, handling, level), looks=looks_sentence(r), level=level,
        control_handling=handling,
        silent=(f"Silent, holding no notes or a constant series: {', '.join(r.silent_outputs)} "
                f"({plural(len(r.silent_outputs), 'transferred piece')})."
                if r.silent_outputs else ""))


THRESHOLDS = (f"Moved: strength at least {MOVED_MARGIN} above the untransferred round trip's; "
              f"kept: lowest normalised content measure at least {KEPT_LEVEL}; passes: every "
              f"critic's median two-sample accuracy over its seeds at most {PASSES_LEVEL} (or "
              f"its floor, real target told from real target, plus {FLOOR_MARGIN}), and every "
              f"control that moved (strength at least {MOVING_STRENGTH}) beaten by every "
              "critic, or copying more than the outputs while keeping clearly less of the "
              f"source (some content measure at least {KEEPS_LESS} lower). Passing is graded: "
              "at the goal's level while some critic's test still rejects at 5%, or "
              "indistinguishable where none does.")


def report_json(report: Report) -> str:
    """``report.json``: the report with its verdict's level, headline and the way each control
    was handled (derived, written for readers of the file; not read back)."""
    said = verdict(report)
    return json.dumps({**dataclasses.asdict(report), "verdict": {
        "level": said.level, "headline": said.headline,
        "controls": said.control_handling}}, indent=2)
