"""report.md and figures of an evaluated run."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from tqdm import tqdm  # noqa: E402

from seqimg.evaluate.result import Report  # noqa: E402
from seqimg.evaluate.tables import (  # noqa: E402
    COPYING_MEANING,
    classifier_tests,
    controls_rows,
    copying_words,
    distance_words,
    example_stems,
    inside_words,
    other_critic_rows,
    readable,
    tested,
    two_sample_rows,
)
from seqimg.evaluate.verdict import THRESHOLDS, verdict  # noqa: E402
from seqimg.io import write_text  # noqa: E402
from seqimg.plots import save_figure, save_windows_png  # noqa: E402
from seqimg.runfiles import RunFolder, figure  # noqa: E402


def curve_keys(history: list[dict]) -> list[str]:
    """Every value a method logged, in the order it first logged them."""
    return [k for k in dict.fromkeys(k for h in history for k in h) if k != "step"]


def training_curves(history: list[dict], path: Path) -> None:
    """One panel per value the method logged."""
    keys = curve_keys(history)
    fig, axes = plt.subplots(len(keys), 1, figsize=(8, 1.6 * len(keys)), sharex=True,
                             squeeze=False)
    for ax, key in zip(axes[:, 0], keys):
        points = [(h["step"], h[key]) for h in history if key in h]
        ax.plot(*zip(*points), lw=1)
        ax.set_ylabel(key, rotation=0, ha="right")
    axes[-1, 0].set_xlabel("step")
    save_figure(fig, path, 90)


ANSWER_COLOURS = {"yes": "tab:green", "no": "tab:red", "unreadable": "lightgrey"}


def metric_bars(report: Report, path: Path) -> None:
    """The strengths and the two-sample accuracy as bars, each coloured by the verdict's answer
    it feeds (green yes, red no); strengths that cannot be read are grey and say so."""
    said = verdict(report)
    strength = "unreadable" if said.moved.state == "unreadable" else None
    bars = [("untransferred input", report.identity_strength, strength or "control"),
            ("untransferred round trip", report.roundtrip_identity_strength,
             strength or "control"),
            ("transfer strength", report.transfer_strength, said.moved.state),
            ("real target", report.target_strength, strength or "control"),
            ("two-sample accuracy (median)", report.two_sample_accuracy, said.passes.state)]
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.barh([b[0] for b in bars], [b[1] for b in bars],
            color=[ANSWER_COLOURS.get(b[2], "grey") for b in bars],
            edgecolor="black", linewidth=0.3)
    ax.set_xlim(0, 1)
    for y, (_, value, state) in enumerate(bars):
        words = f"{value:.2f}" + (" (cannot be read)" if state == "unreadable" else "")
        ax.text(min(value, 0.6) + 0.01, y, words, va="center")
    save_figure(fig, path, 90)


def figures(run_dir: Path, report: Report, recipe, pair, inputs, outputs) -> list[str]:
    """Write the figures (and WAV renders, where the codec can) and return their paths
    relative to the run; the example pieces are shown as the page shows a piece
    (:meth:`~seqimg.pipeline.PieceTransfer.show`)."""
    RunFolder(run_dir).figures.mkdir(exist_ok=True)
    made = []
    if pair.history:
        training_curves(pair.history, run_dir / figure("training_curves.png"))
        made.append(figure("training_curves.png"))
    metric_bars(report, run_dir / figure("metrics.png"))
    made.append(figure("metrics.png"))
    stems = [s for s in example_stems(report, recipe.evaluate.examples) if s in inputs.frames]
    if stems:
        first = pair.source.layout.frames_to_images(inputs.frames[stems[0]])[:1]
        save_windows_png([first[0], pair.method.transfer_windows(first)[0]],
                         run_dir / figure("fold_before_after.png"), max_windows=2,
                         labels=(f"{stems[0]}: first window", "through G"))
        made.append(figure("fold_before_after.png"))
    for stem in tqdm(stems, desc="drawing examples", unit="piece", leave=False):
        shown = pair.show(inputs.frames[stem], outputs.frames[stem], stem,
                          RunFolder(run_dir).example(stem), render=recipe.evaluate.render_audio)
        written = [shown.get("input_picture"), shown["picture"], *shown.get("audio", {}).values()]
        made += [figure(path.name) for path in written if path is not None]
    return made


def training_signals(signals: list) -> list[str]:
    """The method's training signals at the last step and what to look for in each."""
    if not signals:
        return []
    return ["## Training signals at the last step", "",
            "| signal | value | what it measures, and what to try | this run |",
            "| --- | --- | --- | --- |",
            *(f"| {s.name} | {s.value:.4g} | {s.meaning} | {s.reading or 'nothing stands out'} |"
              for s in signals), ""]


def verdict_lines(r: Report) -> list[str]:
    """The measures together, in words, before any table."""
    said = verdict(r)
    return ["## Verdict", "", f"**{said.headline}**", "", *(f"- {p}" for p in said.points), "",
            THRESHOLDS, ""]


def controls_table(r: Report) -> list[str]:
    """The transfer and each control on the same measures."""
    header, rows = controls_rows(r)
    if not rows:
        return []
    lines = ["## The transfer against rule-made controls", "",
             "| | " + " | ".join(header[1:]) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(v if isinstance(v, str) else f"{v:.3f}" for v in row) + " |"
              for row in rows]
    words = copying_words(r)
    return lines + ["", *([f"Copying: {'; '.join(words.values())}.", ""] if words else []),
                    *([COPYING_MEANING, ""] if r.copying else [])]


def two_sample_lines(r: Report) -> list[str]:
    """Every two-sample test with its size, p-value and the floor beside it; nothing for a
    report written before tests kept their size."""
    header, rows, small = two_sample_rows(r)
    if not rows:
        return []
    lines = ["## Two-sample tests: median accuracy over critic seeds (their range), test "
             "windows (n), one-sided binomial p-value of the median", "",
             "| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    lines += ["", "The floor is the same test on two halves of the real target pieces: how far "
              "apart real pieces already are with this few of them. Windows of one piece are "
              "not independent, so the p-values are optimistic."]
    if small:
        lines += ["", "Too small to reject chance at 5% even if every window were told "
                  f"right: {'; '.join(small)}."]
    return lines + [""]


def realism_lines(r: Report) -> list[str]:
    """The realism section: each statistic against the target's range, and the Frechet
    distances."""
    lines = ["", "## Realism: per-piece statistics (Wasserstein / spread)", "",
             "| statistic | output mean | target mean | target 10-90% | inside | source mean "
             "| to target | to source |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, v in r.realism.statistics.items():
        lines.append(f"| {name} | {v.mean_out:.3f} | {v.mean_target:.3f} | "
                     f"{v.target_p10:.3f}-{v.target_p90:.3f} | {inside_words(v)} | "
                     f"{v.mean_source:.3f} | {distance_words(v, v.to_target)} | "
                     f"{distance_words(v, v.to_source)} |")
    return lines + ["", f"Frechet distance in the classifier's embedding: outputs to target "
                    f"{r.realism.frechet_to_target:.3f}; untransferred round trip to target "
                    f"{r.realism.frechet_roundtrip_source_to_target:.3f}.", ""]


def markdown(report: Report, recipe, made: list[str], signals: list) -> str:
    r = report
    lines = [
        f"# Run report: {recipe.name}",
        "",
        f"{recipe.source.domain} -> {recipe.target.domain}, codec "
        f"`{recipe.target.codec_name}`, {recipe.train.steps} training steps on "
        f"{r.training.get('processes', 1):g} process(es)."
        + (" A quick look (evaluate.level fast: a weaker classifier, no controls)."
           if r.level == "fast" else ""),
        "",
        *verdict_lines(r),
        "## Transfer strength, next to its controls",
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| domain classifier held-out accuracy | {r.classifier_accuracy:.3f} |",
        f"| transfer strength (transferred source classified as target) | "
        f"{readable(r, r.transfer_strength)} |",
        f"| identity: untransferred source | {readable(r, r.identity_strength)} |",
        f"| identity: source through the target codec round trip | "
        f"{readable(r, r.roundtrip_identity_strength)} |",
        f"| real held-out target | {readable(r, r.target_strength)} |",
        *(f"| {label} | {tested(test, sized=False)} |" for label, test in classifier_tests(r)),
        *(f"| {label} | {value} |" for label, value in other_critic_rows(r)),
        "",
        *controls_table(r),
        *two_sample_lines(r),
        "## Content kept (raw, chance level on unrelated pairs, normalised)",
        "",
        "| measure | raw | chance | normalised |",
        "| --- | --- | --- | --- |",
    ]
    for name, v in r.content_similarity.items():
        lines.append(f"| {name} | {v.raw:.3f} | {v.chance:.3f} | {v.normalised:.3f} |")
    lines += realism_lines(r)
    lines += training_signals(signals)
    ranked = list(r.per_file_strength.items())
    lines += ["## Most and least convincing transferred pieces", "",
              "| piece | share of windows classified as target |", "| --- | --- |"]
    for stem, value in ranked[:3] + [("...", None)] + ranked[-3:] if len(ranked) > 6 else ranked:
        lines.append(f"| {stem} | {'' if value is None else f'{value:.2f}'} |")
    lines += ["", f"Skipped files: {r.skipped_count} (reasons in skipped.json and "
              "report.json).", "", "## Figures", ""]
    lines += [f"- [{Path(m).name}]({m})" for m in made]
    lines += ["", "No single number decides: a strength far above its identity controls, with "
              "content above chance and a two-sample accuracy near 0.5, is a transfer; a high "
              "strength alone is not.", ""]
    return "\n".join(lines)


def write_report(run_dir: Path, report: Report, recipe, pair, inputs, outputs) -> None:
    from seqimg.evaluate.html import write_html
    from seqimg.recipe import recipe_dict

    made = figures(run_dir, report, recipe, pair, inputs, outputs)
    last = {k: v for k, v in report.training.items() if k != "processes"}
    signals = pair.method.signals(last) if last else []
    write_text(RunFolder(run_dir).report("md"), markdown(report, recipe, made, signals))
    write_html(run_dir, report, recipe_dict(recipe))
