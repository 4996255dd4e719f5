"""The verdict of a report in plain words: did it move to the target, keep the piece and pass as
target, each next to its control, and one headline that says all three together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from seqimg.evaluate.result import READABLE_ACCURACY, Report
from seqimg.text import plural

MOVED_MARGIN = 0.2  # strength above the untransferred round trip's that counts as moved
KEPT_LEVEL = 0.5  # lowest normalised content measure that counts as keeping the piece
PASSES_LEVEL = 0.75  # every critic's two-sample accuracy at or below which outputs pass
FLOOR_MARGIN = 0.10  # or within this of the critic's floor (real target against real target)


@dataclass(frozen=True)
class Answer:
    """One question answered: ``yes``, ``no``, or ``unreadable`` when the measure behind it
    cannot be trusted, with the sentence that gives the numbers. Every part of a report (the
    headline, the bullets, the tables and the figures) takes its judgement from here."""

    state: Literal["yes", "no", "unreadable"]
    sentence: str

    def __bool__(self) -> bool:
        return self.state == "yes"


@dataclass(frozen=True)
class Verdict:
    """The three questions, answered, and what the per-piece statistics say beside them."""

    moved: Answer
    kept: Answer
    passes: Answer
    looks: str
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
        if self.transferred:
            return ("It transferred: the outputs moved to the target, kept the piece and pass as "
                    "target.")
        moved = {"yes": "moved toward the target", "no": "did not move to the target",
                 "unreadable": "may or may not have moved (the strength cannot be read)"}
        said = [moved[self.moved.state],
                "kept the piece" if self.kept else "kept little of the piece",
                "passes as target" if self.passes else "does not pass as target"]
        return f"Not a transfer yet: the output {said[0]}, {said[1]}, and {said[2]}."


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
    critic's floor plus ``FLOOR_MARGIN`` where real target is itself told from real target
    above that."""
    floor = r.two_sample_floor.get(critic, float("nan"))
    return PASSES_LEVEL if floor != floor else max(PASSES_LEVEL, floor + FLOOR_MARGIN)


def passes_answer(r: Report) -> Answer:
    """Whether the outputs pass as target: every two-sample critic at most the level, and
    below every control's accuracy by the same critic."""
    critics = r.critics

    def named(values: dict[str, float]) -> str:
        return ", ".join(f"{name} {value:.2f}" for name, value in values.items())

    beaten, unbeaten = [], []
    for rival, values in r.rival_critics().items():
        shared = [name for name in critics if name in values]
        below = all(critics[name] < values[name] for name in shared)
        (beaten if below else unbeaten).append(f"{rival} ({named(values)})")
    passes = all(value <= pass_level(r, name) for name, value in critics.items()) and not unbeaten
    against = ((f"harder to tell from target than {', '.join(beaten)}" if beaten else "")
               + ("; " if beaten and unbeaten else "")
               + (f"no harder than {', '.join(unbeaten)}" if unbeaten else ""))
    return Answer("yes" if passes else "no",
                  f"Passes as target: {'yes' if passes else 'no'}, two-sample accuracy by "
                  f"{plural(len(critics), 'critic')}: {named(critics)} (0.5 = "
                  f"indistinguishable); {against}.")


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
    return Verdict(
        moved=moved_answer(r),
        kept=Answer("yes" if kept >= KEPT_LEVEL else "no",
                    f"Kept the piece: {'yes' if kept >= KEPT_LEVEL else 'no'}, lowest "
                    f"normalised content measure {kept:.2f} (0 = chance, 1 = all kept)."),
        passes=passes_answer(r), looks=looks_sentence(r),
        silent=(f"Silent, holding no notes or a constant series: {', '.join(r.silent_outputs)} "
                f"({plural(len(r.silent_outputs), 'transferred piece')})."
                if r.silent_outputs else ""))


THRESHOLDS = (f"Moved: strength at least {MOVED_MARGIN} above the untransferred round trip's; "
              f"kept: lowest normalised content measure at least {KEPT_LEVEL}; passes: "
              f"every critic's two-sample accuracy at most {PASSES_LEVEL} (or its floor, real "
              f"target told from real target, plus {FLOOR_MARGIN}) and below every control's.")
