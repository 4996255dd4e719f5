"""The report's tables as values, shared by report.md and report.html (no plotting, no torch)."""

from __future__ import annotations

from seqimg.evaluate.result import Report, StatisticDistance
from seqimg.evaluate.subjects import (
    BASELINE,
    CONTROL,
    FLOOR,
    OUTPUTS,
    RESYNTHESISED,
    UNTRANSFERRED,
    control_subject,
)
from seqimg.evaluate.two_sample import SampleTest, too_small
from seqimg.evaluate.verdict import verdict


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
    (strength as :func:`readable` words, the critics' medians, how much each copies, and how
    the verdict read the control), then real held-out target's copying (the baseline); no rows
    without controls."""
    if not r.controls:
        return (), []
    measures = list(next(iter(r.controls.values())).content)
    critics, copied = list(r.critics), list(r.copying.get(OUTPUTS, {}))
    handling = verdict(r).control_handling
    header = ("", "strength", *(f"{m} kept" for m in measures),
              *(f"two-sample ({c}, median)" for c in critics),
              *(COPYING_LABELS[k] for k in copied), "read as")
    rows = [("the transfer", readable(r, r.transfer_strength),
             *(r.content_similarity[m].normalised for m in measures), *r.critics.values(),
             *(r.copying[OUTPUTS][k] for k in copied), "-")]
    for name, c in r.controls.items():
        theirs = r.accuracies(control_subject(name))
        copying = r.copying.get(control_subject(name), {})
        rows.append((name, readable(r, c.strength), *(c.content[m] for m in measures),
                     *(theirs.get(critic, float("nan")) for critic in critics),
                     *(copying.get(k, float("nan")) for k in copied), handling[name]))
    if BASELINE in r.copying:
        rows.append(("real held-out target (copying baseline)", "-", *("-" for _ in measures),
                     *("-" for _ in critics), *(r.copying[BASELINE].get(k, float("nan"))
                                                for k in copied), "-"))
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
                   "ones (0: copies, 1: as new as real pieces). Real held-out target pieces, "
                   "measured against the training pieces by the same function, are the "
                   "baseline: real music reuses its idioms too. A method built on real target "
                   "material looks real by construction: read its two-sample accuracy beside "
                   "how much it copied.")
COPYING_WORDS = {  # each copying measure as a sentence, with the outputs' value and the baseline's
    "copied_note_share": "{out:.2f} of notes are found in place in a training bar; real held-out "
                         "target: {base:.2f}",
    "copied_share": "{out:.2f} of bars (windows for series) equal a training one; real held-out "
                    "target: {base:.2f}",
    "closest_ratio": "the outputs lie {out:.2f} times as far from the training windows as new "
                     "real ones do (real held-out target: {base:.2f} by definition)"}


def copying_words(r: Report) -> dict[str, str]:
    """``{measure: sentence}``: the outputs' copying beside the baseline of real held-out
    target, in words; nothing for a report without a baseline."""
    mine, base = r.copying.get(OUTPUTS, {}), r.copying.get(BASELINE, {})
    return {key: words.format(out=mine[key], base=base[key])
            for key, words in COPYING_WORDS.items() if key in mine and key in base}


def other_critic_rows(r: Report) -> list[tuple[str, str]]:
    """The two-sample accuracies of the critics beside the classifier's (already in its own
    rows), of the outputs and of the untransferred round trip, as median (range)."""
    tests, roundtrip = r.tests.get(OUTPUTS, {}), r.tests.get(UNTRANSFERRED, {})
    return [row for name in list(tests)[1:] for row in (
        (f"two-sample accuracy by the {name} critic, outputs vs real target",
         tested(tests[name], name in SCORED_CRITICS, sized=False)),
        (f"two-sample accuracy by the {name} critic, untransferred round trip vs real target",
         tested(roundtrip[name], name in SCORED_CRITICS, sized=False)
         if name in roundtrip else "-"))]


# critics whose accuracy the time-series literature reports as a discriminative score,
# |accuracy - 0.5|: the report prints the score beside the accuracy
SCORED_CRITICS = ("gru",)


def tested(test: SampleTest, scored: bool = False, sized: bool = True) -> str:
    """A two-sample test's median accuracy with its range over critic seeds, (``scored``) its
    discriminative score, and (``sized``) its size and p-value, as the report prints it."""
    low, high = test.range
    said = [f"seeds {low:.3f}-{high:.3f}"] if len(test.seeds) > 1 else []
    said += [f"score {abs(test.accuracy - 0.5):.3f}"] if scored else []
    if sized and test.n is not None:
        said.append(f"n {test.n}")
        if test.p == test.p:
            said.append(f"p {test.p:.3g}" if test.p >= 0.001 else "p < 0.001")
    return f"{test.accuracy:.3f} ({', '.join(said)})" if said else f"{test.accuracy:.3f}"


def classifier_tests(r: Report) -> list[tuple[str, SampleTest]]:
    """The domain classifier's family's tests, ``(label, test)``: of the outputs, the
    untransferred round trip and (where measured) the ceiling."""
    words = {OUTPUTS: "two-sample accuracy ({}), outputs vs real target (0.5 = pass as real)",
             UNTRANSFERRED: "two-sample accuracy ({}), untransferred round trip vs real target",
             RESYNTHESISED: "ceiling: two-sample accuracy ({}), held-out target re-made from "
                            "its own view"}
    return [(said.format(name), test) for subject, said in words.items()
            for name, test in list(r.tests.get(subject, {}).items())[:1]]


SUBJECT_LABELS = {OUTPUTS: "outputs", FLOOR: "floor: real target against real target",
                  UNTRANSFERRED: "the untransferred round trip",
                  RESYNTHESISED: "ceiling: held-out target re-made from its own view"}


def two_sample_rows(r: Report) -> tuple[tuple[str, ...], list[tuple[str, ...]], list[str]]:
    """Every two-sample test of the report by critic, with its range over seeds, size and
    p-value: the outputs, the floor (real target against real target), the untransferred round
    trip, the ceiling and each control; and the tests too small to reject chance at 5%,
    named."""
    critics = list(r.critics)
    rows, small = [], []
    for subject, tests in r.tests.items():
        label = SUBJECT_LABELS.get(subject, subject.removeprefix(CONTROL))
        rows.append((label, *(tested(tests[c], c in SCORED_CRITICS) if c in tests else "-"
                              for c in critics)))
        small += [f"{label} ({c}, n {tests[c].n})" for c in critics
                  if c in tests and tests[c].n is not None and too_small(tests[c].n)]
    return ("", *critics), rows, small
