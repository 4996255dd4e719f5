"""One judgement per question, said the same way by the headline, the bullets, the tables of
report.md and report.html, and the bar chart, in each state a report can be in."""

import dataclasses
import json
from types import SimpleNamespace

import pytest

from seqimg.evaluate import report as report_md
from seqimg.evaluate.html import RunHeading, html_page
from seqimg.evaluate.result import (
    ContentScore,
    ControlScore,
    Realism,
    Report,
    StatisticDistance,
)
from seqimg.evaluate.two_sample import SampleTest
from seqimg.evaluate.verdict import LEVEL_WORDS, report_json, verdict

HEADING = RunHeading("toy", "folder", "folder", "timeseries", 30, 0)
RECIPE = SimpleNamespace(name="toy", source=SimpleNamespace(domain="folder"),
                         target=SimpleNamespace(domain="folder", codec_name="timeseries"),
                         train=SimpleNamespace(steps=30))


def measured_tests(n=40, **subjects) -> dict:
    """``{subject: {critic: test}}`` from ``{subject: {critic: accuracy or [one per seed]}}``
    (``control_X`` for ``control:X``), each test over ``n`` windows."""
    return {subject.replace("control_", "control:"): {c: SampleTest.of(v, n)
                                                      for c, v in values.items()}
            for subject, values in subjects.items()}


def report(classifier_accuracy=0.95, controls=False, constant=False):
    """A report whose transfer strength is 0.22 against 0.00 for the round trip."""
    spread = (-0.125, -0.125) if constant else (0.1, 0.9)
    statistics = {"level": StatisticDistance(0.5, 0.9, 0.4, 0.5, 0.2, *spread, 40),
                  "spread": StatisticDistance(150.7, 3.0, 0.3, -0.125, 0.2, -0.125, -0.125, 40)}
    tests = {"outputs": {"classifier": 0.9}, "untransferred": {"classifier": 0.97}}
    return Report(
        recipe="toy", classifier_accuracy=classifier_accuracy, transfer_strength=0.22,
        identity_strength=0.0, roundtrip_identity_strength=0.0, target_strength=0.9,
        per_file_strength={"a": 0.3, "b": 0.1},
        content_similarity={"shape": ContentScore(0.8, 0.2, 0.75)},
        realism=Realism(statistics, 1.0, 2.0), skipped_files={}, training={"step": 30},
        counts={"transferred": 2},
        controls={"scaled": ControlScore(0.9, {"shape": 0.9}, {})} if controls else {},
        tests=measured_tests(**tests,
                             **({"control_scaled": {"classifier": 0.85}} if controls else {})))


STATES = [dict(classifier_accuracy=a, controls=c) for a in (0.95, 0.58) for c in (False, True)]


@pytest.mark.parametrize("state", STATES)
def test_every_part_of_a_report_says_the_same(tmp_path, state):
    r = report(**state)
    said = verdict(r)
    md = report_md.markdown(r, RECIPE, [], [])
    page = html_page(tmp_path, r, HEADING, ".csv")
    if state["classifier_accuracy"] < 0.8:
        assert said.moved.state == "unreadable"
        assert "may or may not have moved (the strength cannot be read)" in said.headline
        assert "did not move" not in md + page and "Moved to the target: yes" not in md + page
        assert "Moved to the target: cannot be read" in md and "cannot be read (0.220)" in md
        assert "cannot be read (0.220)" in page
    else:
        assert said.moved.state == "yes" and "moved toward the target" in said.headline
        assert "Moved to the target: yes, strength 0.22" in md and "cannot be read" not in md
    assert "the untransferred round trip (classifier 0.97): not moving" in md + page \
        or state["classifier_accuracy"] < 0.8
    if state["controls"]:  # a control that moved and is harder to tell than the outputs
        assert "scaled (classifier 0.85): unbeaten" in md
        assert "scaled (classifier 0.85): unbeaten" in page
        assert "| scaled | " in md and "| unbeaten |" in md
    assert md.count(said.headline) == 1 and page.count(said.headline.replace("'", "&#x27;")) == 1


@pytest.mark.filterwarnings("ignore:Tight layout not applied")  # the bars are not drawn here
@pytest.mark.parametrize("state", STATES)
def test_the_bar_chart_colours_each_bar_by_the_verdicts_answer(tmp_path, monkeypatch, state):
    drawn = {}

    def barh(self, names, values, color, **kwargs):
        drawn.update(zip(names, color))

    monkeypatch.setattr(report_md.plt.Axes, "barh", barh)
    r = report(**state)
    report_md.metric_bars(r, tmp_path / "metrics.png")
    said = verdict(r)
    assert drawn["transfer strength"] == report_md.ANSWER_COLOURS[said.moved.state]
    assert drawn["two-sample accuracy (median)"] == report_md.ANSWER_COLOURS["no"]
    if said.moved.state == "unreadable":
        assert drawn["untransferred round trip"] == report_md.ANSWER_COLOURS["unreadable"]


def test_a_statistic_constant_on_the_target_is_not_judged(tmp_path):
    r = report(constant=True)
    assert r.realism.informative == [] and r.realism.outside_target_range == []
    md = report_md.markdown(r, RECIPE, [], [])
    assert "| spread | 0.300 | -0.125 | -0.125--0.125 | not informative |" in md
    assert "150.7" not in md and "n/a" in md
    assert ("0 of 0 informative per-piece statistics" in verdict(r).looks
            and "not informative, constant on the target or from too few pieces: level, "
            "spread" in verdict(r).looks)
    few = dataclasses.replace(r.realism.statistics["level"], target_p10=0.1, target_p90=0.9,
                              target_pieces=3)
    assert not few.informative


def test_outputs_without_statistics_are_said_to_have_none():
    r = report()
    silent = dataclasses.replace(r, realism=Realism({}, 1.0, 2.0))
    assert "the outputs give no per-piece statistics" in verdict(silent).looks


def with_critics(outputs: dict, control: dict, n=400, strength=0.9, copied=None) -> Report:
    """A report whose outputs and one control, ``retrieval``, have the critics' accuracies
    given, its untransferred round trip far above; ``copied``: (outputs', control's) copied
    note shares."""
    r = report(controls=True)
    copying = {} if copied is None else {"outputs": {"copied_note_share": copied[0]},
                                         "control:retrieval": {"copied_note_share": copied[1]}}
    return dataclasses.replace(
        r, tests=measured_tests(n, outputs=outputs, untransferred={"cnn": 0.97, "statistics": 0.95},
                          control_retrieval=control),
        controls={"retrieval": ControlScore(strength, {"shape": 0.4}, {})}, copying=copying)


@pytest.mark.parametrize("outputs, control, level", [
    ({"cnn": 0.70, "statistics": 0.72}, {"cnn": 0.80, "statistics": 0.78}, "passes_level"),
    ({"cnn": 0.70, "statistics": 0.80}, {"cnn": 0.80, "statistics": 0.90}, "told_apart"),
    ({"cnn": 0.70, "statistics": 0.72}, {"cnn": 0.80, "statistics": 0.70},
     "matched_by_a_control"),
    ({"cnn": 0.51, "statistics": 0.50}, {"cnn": 0.80, "statistics": 0.78}, "indistinguishable"),
])
def test_passing_is_graded_by_every_critic_its_test_and_every_moving_control(outputs, control,
                                                                             level):
    r = with_critics(outputs, control)
    said = verdict(r)
    assert said.level == level and bool(said.passes) is (level in ("passes_level",
                                                                    "indistinguishable"))
    assert LEVEL_WORDS[level] in said.passes.sentence
    assert f"cnn {outputs['cnn']:.2f} (limit 0.75" in said.passes.sentence
    md = report_md.markdown(r, RECIPE, [], [])
    assert f"| two-sample accuracy by the statistics critic, outputs vs real target | " \
           f"{outputs['statistics']:.3f} |" in md
    assert "two-sample (statistics, median)" in md
    assert json.loads(report_json(r))["verdict"]["level"] == level


def test_a_control_that_does_not_move_is_no_rival_and_one_that_copies_more_is_beaten_on_content():
    below = {"cnn": 0.70, "statistics": 0.72}
    harder = {"cnn": 0.60, "statistics": 0.65}
    assert verdict(with_critics(below, harder, strength=0.5)).control_handling[
        "retrieval"] == "not moving"
    excused = verdict(with_critics(below, harder, copied=(0.7, 0.95)))
    assert excused.control_handling["retrieval"] == "copies more, keeps less"
    assert excused.level == "passes_level"
    # copying less than the outputs, a control that keeps less is still a rival
    assert verdict(with_critics(below, harder, copied=(0.7, 0.5))).level == "matched_by_a_control"
    # where the strength cannot be read every control counts as moving
    blind = dataclasses.replace(with_critics(below, harder, strength=0.5), classifier_accuracy=0.6)
    assert verdict(blind).control_handling["retrieval"] == "unbeaten"


def test_a_critic_is_judged_by_its_median_over_seeds_with_the_range_shown(tmp_path):
    r = with_critics({"cnn": [0.70, 0.78, 0.72], "statistics": 0.70},
                     {"cnn": 0.9, "statistics": 0.9})
    assert r.critics["cnn"] == 0.72 and r.tests["outputs"]["cnn"].range == (0.70, 0.78)
    assert verdict(r).level == "passes_level"  # one seed above 0.75, the median below
    cell = "0.720 (seeds 0.700-0.780, n 400, p < 0.001)"
    assert cell in report_md.markdown(r, RECIPE, [], [])
    assert cell.replace("<", "&lt;") in html_page(tmp_path, r, HEADING, ".csv")
    assert "cnn 0.72 (0.70-0.78)" in verdict(r).passes.sentence


def test_silent_outputs_are_named_in_the_verdict_the_markdown_and_the_page(tmp_path):
    quiet = dataclasses.replace(report(), silent_outputs=["b"])
    line = "Silent, holding no notes or a constant series: b (1 transferred piece)."
    assert line in verdict(quiet).points
    assert line in report_md.markdown(quiet, RECIPE, [], [])
    assert line in html_page(tmp_path, quiet, HEADING, ".csv")
    assert not any(p.startswith("Silent") for p in verdict(report()).points)


def test_a_critic_is_read_against_its_floor():
    def near(**floor):
        return dataclasses.replace(report(), tests=measured_tests(
            outputs={"cnn": 0.78}, untransferred={"cnn": 0.97}, **floor))

    assert not verdict(near()).passes  # above 0.75, and no floor to excuse it
    assert verdict(near(floor={"cnn": 0.70})).passes
    assert not verdict(near(floor={"cnn": 0.55})).passes


def test_the_literatures_critic_gets_its_score_in_the_markdown_and_the_page(tmp_path):
    scored = dataclasses.replace(report(), tests=measured_tests(
        outputs={"cnn": 0.9, "gru": 0.62}, untransferred={"cnn": 0.97, "gru": 0.41}))
    cell = "0.620 (score 0.120, n 40, p 0.0769)"
    assert cell in report_md.markdown(scored, RECIPE, [], [])
    assert cell in html_page(tmp_path, scored, HEADING, ".csv")
    assert "0.410 (score 0.090)" in report_md.markdown(scored, RECIPE, [], [])
    assert "0.900 (n 40, p < 0.001)" in report_md.markdown(scored, RECIPE, [], [])  # unscored
