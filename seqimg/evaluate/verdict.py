"""The verdict of a report in plain words: did it move to the target, keep the piece and pass as
target, each next to its control, and one headline that says all three together."""

from __future__ import annotations

from dataclasses import dataclass

from seqimg.evaluate.result import READABLE_ACCURACY, Report

MOVED_MARGIN = 0.2  # strength above the untransferred round trip's that counts as moved
KEPT_LEVEL = 0.5  # lowest normalised content measure that counts as keeping the piece
PASSES_LEVEL = 0.6  # two-sample accuracy at or below which outputs pass as target


@dataclass(frozen=True)
class Verdict:
    """The three questions, answered, with the sentences that give the numbers."""

    moved: bool
    kept: bool
    passes: bool
    points: list[str]

    @property
    def transferred(self) -> bool:
        return self.moved and self.kept and self.passes

    @property
    def headline(self) -> str:
        if self.transferred:
            return ("It transferred: the outputs moved to the target, kept the piece and pass as "
                    "target.")
        said = [("moved toward the target" if self.moved else "did not move to the target"),
                ("kept the piece" if self.kept else "kept little of the piece"),
                ("passes as target" if self.passes else "does not pass as target")]
        return f"Not a transfer yet: the output {said[0]}, {said[1]}, and {said[2]}."


def lowest_content(r: Report) -> float:
    """The lowest normalised content measure of the codec (f's own constancy left out)."""
    content = [score.normalised for name, score in r.content_similarity.items()
               if name != "f_constancy"]
    return min(content) if content else float("nan")


def verdict(r: Report) -> Verdict:
    """Answer the three questions from a report, with the controls beside each number."""
    points = []
    if not r.strength_readable:
        points.append(f"The domain classifier tells the real domains apart at only "
                      f"{r.classifier_accuracy:.2f} (below {READABLE_ACCURACY}), so no transfer "
                      "strength can be read.")
    kept = lowest_content(r)
    rivals = {"untransferred round trip": r.two_sample_roundtrip_source,
              **{name: c.two_sample for name, c in r.controls.items()}}
    beaten = [name for name, value in rivals.items() if r.two_sample_accuracy < value]
    stats, outside = r.realism.statistics, r.realism.outside_target_range
    points += [f"Moved to the target: strength {r.transfer_strength:.2f} against "
               f"{r.roundtrip_identity_strength:.2f} for the untransferred round trip.",
               f"Kept the piece: lowest normalised content measure {kept:.2f} "
               "(0 = chance, 1 = all kept).",
               f"Looks like the target: {len(stats) - len(outside)} of {len(stats)} per-piece "
               "statistics of the outputs lie inside the target's 10-90% range"
               + (f" (outside: {', '.join(outside)})" if outside else "") + ".",
               f"Passes as target: two-sample accuracy {r.two_sample_accuracy:.2f} (0.5 = "
               f"indistinguishable); lower than {len(beaten)} of {len(rivals)} controls"
               + (f" ({', '.join(beaten)})" if beaten else "") + "."]
    return Verdict(
        moved=r.strength_readable
        and r.transfer_strength >= r.roundtrip_identity_strength + MOVED_MARGIN,
        kept=kept >= KEPT_LEVEL, passes=r.two_sample_accuracy <= PASSES_LEVEL, points=points)


THRESHOLDS = (f"Moved: strength at least {MOVED_MARGIN} above the untransferred round trip's; "
              f"kept: lowest normalised content measure at least {KEPT_LEVEL}; passes: "
              f"two-sample accuracy at most {PASSES_LEVEL}.")
