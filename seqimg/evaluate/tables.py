"""The report's tables as values, shared by report.md and report.html (no plotting, no torch)."""

from __future__ import annotations

from seqimg.evaluate.result import Report, StatisticDistance
from seqimg.evaluate.two_sample import too_small


def readable(report: Report, value: float) -> str:
    """A strength, or why it cannot be read."""
    return f"{value:.3f}" if report.strength_readable else f"cannot be read ({value:.3f})"


def inside_words(statistic: StatisticDistance) -> str:
    """Whether the outputs' mean lies in the target's range, or why that cannot judge it."""
    if not statistic.informative:
        return "not informative"
    return "yes" if statistic.inside_target_range else "no"


def distance_words(statistic: StatisticDistance, value: float) -> str:
    """A spread-scaled distance, or 'n/a' where the target's range cannot judge (a constant
    target makes the spread, and so the distance, meaningless)."""
    return f"{value:.3f}" if statistic.informative else "n/a"


def example_stems(report: Report, count: int) -> list[str]:
    """The ``count`` most and ``count`` least convincing transferred pieces (by the share of
    their windows classified as target), most convincing first."""
    ranked = list(report.per_file_strength)
    return list(dict.fromkeys(ranked[:count] + ranked[len(ranked) - count:])) if count else []


def controls_rows(r: Report) -> tuple[tuple[str, ...], list[tuple]]:
    """The header and rows of the transfer beside each rule-made control on the same measures
    (strength as :func:`readable` words, the rest as floats); no rows without controls."""
    if not r.controls:
        return (), []
    measures = list(next(iter(r.controls.values())).content)
    critics, rivals = list(r.critics), r.rival_critics()
    copied = list(r.copying)
    header = ("", "strength", *(f"{m} kept" for m in measures),
              *(f"two-sample ({c})" for c in critics), *(COPYING_LABELS[k] for k in copied))
    rows = [("the transfer", readable(r, r.transfer_strength),
             *(r.content_similarity[m].normalised for m in measures), *r.critics.values(),
             *r.copying.values())]
    rows += [(name, readable(r, c.strength), *(c.content[m] for m in measures),
              *(rivals[name].get(critic, float("nan")) for critic in critics),
              *(c.copying.get(k, float("nan")) for k in copied))
             for name, c in r.controls.items()]
    return header, rows


COPYING_LABELS = {"copied_share": "copied share", "longest_copied_run": "longest copied run",
                  "distinct_share": "distinct share", "copied_note_share": "copied notes",
                  "closest_ratio": "closest ratio"}
COPYING_MEANING = ("Copied share: the share of output bars (windows for series) equal to a "
                   "bar of the target's training pieces up to transposition; longest copied "
                   "run: the most consecutive such bars from consecutive bars of one training "
                   "piece; distinct share: the share of output bars that repeat no other; "
                   "copied notes: the share of output notes found in place in the one training "
                   "bar that holds most of their bar's; closest ratio (series): how near the "
                   "output windows lie to their nearest training window, against new real "
                   "ones (0: copies, 1: as new as real pieces). A method built on real target "
                   "material "
                   "looks real by construction: read its two-sample accuracy beside how much "
                   "it copied.")


def other_critic_rows(r: Report) -> list[tuple[str, float]]:
    """The two-sample accuracies of the critics beside the classifier's (already in its own
    rows), of the outputs and of the untransferred round trip."""
    roundtrip = r.rival_critics()["the untransferred round trip"]
    return [row for name in list(r.critics)[1:] for row in (
        (f"two-sample accuracy by the {name} critic, outputs vs real target",
         r.critics[name]),
        (f"two-sample accuracy by the {name} critic, untransferred round trip vs real target",
         roundtrip.get(name, float("nan"))))]


# critics whose accuracy the time-series literature reports as a discriminative score,
# |accuracy - 0.5|: the report prints the score beside the accuracy
SCORED_CRITICS = ("gru",)


def tested(accuracy: float, n: int | None, p: float | None, scored: bool = False) -> str:
    """A two-sample accuracy with its test's size and p-value (and, ``scored``, its
    discriminative score), as the report prints it."""
    said = [f"score {abs(accuracy - 0.5):.3f}"] if scored else []
    if n is not None:
        said.append(f"n {n}")
        if p is not None and p == p:
            said.append(f"p {p:.3g}" if p >= 0.001 else "p < 0.001")
    return f"{accuracy:.3f} ({', '.join(said)})" if said else f"{accuracy:.3f}"


def two_sample_rows(r: Report) -> tuple[tuple[str, ...], list[tuple[str, ...]], list[str]]:
    """Every two-sample test of the report by critic, with size and p-value: the outputs, the
    floor (real target against real target), the untransferred round trip and each control;
    and the tests too small to reject chance at 5%, named."""
    critics = list(r.critics)
    sides = [("outputs", r.critics, r.two_sample_n, r.two_sample_p),
             ("floor: real target against real target", r.two_sample_floor,
              r.two_sample_floor_n, r.two_sample_floor_p),
             ("the untransferred round trip", r.rival_critics()["the untransferred round trip"],
              r.two_sample_roundtrip_n, r.two_sample_roundtrip_p),
             *((name, c.two_sample_critics, c.two_sample_n, c.two_sample_p)
               for name, c in r.controls.items())]
    rows, small = [], []
    for label, values, sizes, p_values in sides:
        if not values:
            continue
        rows.append((label, *(tested(values[c], sizes.get(c), p_values.get(c),
                                     c in SCORED_CRITICS)
                              if c in values else "-" for c in critics)))
        small += [f"{label} ({c}, n {sizes[c]})" for c in critics
                  if c in sizes and too_small(sizes[c])]
    return ("", *critics), rows, small
