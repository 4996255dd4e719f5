"""A sweep: one recipe run at several values of one setting (or of several settings that move
together, their values zipped), and the trade-off it traces (transfer strength, content kept,
two-sample accuracy against the first setting), with the run's controls drawn as reference
points. Points whose report exists are not run again, so an interrupted sweep resumes where it
stopped."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from seqimg.config import parse_assignment
from seqimg.errors import SeqimgError
from seqimg.evaluate.result import Report
from seqimg.evaluate.subjects import UNTRANSFERRED, control_subject
from seqimg.io import write_text
from seqimg.recipe import load_recipe
from seqimg.runfiles import RunFolder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepPoint:
    """One point: the swept settings' values, its run folder and its report."""

    settings: dict
    folder: Path
    report: Report

    @property
    def value(self):
        """The first swept setting's value: the point's place on the trade-off axis."""
        return next(iter(self.settings.values()))


def parse_vary(item: str) -> tuple[str, list]:
    """``key=v1,v2,...`` -> the key and its values, each read as a YAML scalar."""
    key, sep, raw = item.partition("=")
    texts = [text.strip() for text in raw.split(",")]
    if not sep or not key.strip() or len(texts) < 2 or "" in texts:
        raise SeqimgError(f"--vary {item!r}: expected dotted.key=v1,v2,... with two or more "
                          "values")
    return key.strip(), [parse_assignment(f"{key}={text}")[1] for text in texts]


def sweep_points(varies: list[str]) -> list[dict]:
    """The settings of each point: the ``--vary`` items' values zipped, one dict per point;
    an error when the items give different numbers of values."""
    parsed = dict(parse_vary(item) for item in varies)
    counts = {len(values) for values in parsed.values()}
    if len(counts) != 1:
        raise SeqimgError("--vary: the swept settings give different numbers of values ("
                          + ", ".join(f"{k}: {len(v)}" for k, v in parsed.items()) + ")")
    return [dict(zip(parsed, values)) for values in zip(*parsed.values())]


def point_folder(out: Path, settings: dict) -> Path:
    """The run folder of one point, e.g. ``out/harmony=3_bass=3``, safe as a file name."""
    name = "_".join(f"{key.rsplit('.', 1)[-1]}={value}" for key, value in settings.items())
    return out / "".join(c if c.isalnum() or c in "=._-" else "_" for c in name)


def only_transfer_settings(recipe, keys: list[str]) -> bool:
    """Whether every swept key is a transfer-time setting of the recipe's method (then the
    sweep trains once and transfers again at each point)."""
    from seqimg.methods import is_transfer_setting

    return all(is_transfer_setting(recipe.method.name, key) for key in keys)


def sweep(recipe_path: Path, out: Path, varies: list[str], overrides: list[str] | None = None,
          progress: bool = True) -> list[SweepPoint]:
    """Run ``recipe_path`` once per point of ``varies`` into ``out``; every point's recipe is
    checked before the first runs. When only the method's transfer-time settings vary, the
    first point trains and the others reuse its weights. Writes ``sweep.md``, ``sweep.json``
    and ``sweep.png``."""
    from seqimg.run import retransfer, run

    fixed = list(overrides or [])
    plan = [(settings, [*fixed, *(f"{k}={v}" for k, v in settings.items())])
            for settings in sweep_points(varies)]
    # every point's recipe built once; a bad value fails here, before any training
    recipes = [load_recipe(recipe_path, sets) for _, sets in plan]
    if not all(recipe.evaluate.enabled for recipe in recipes):
        raise SeqimgError(f"{recipe_path}: evaluate.enabled is false; a sweep compares "
                          "reports")
    trains_once = only_transfer_settings(recipes[0], list(plan[0][0]))
    points = []
    for i, (settings, sets) in enumerate(plan):
        folder = point_folder(out, settings)
        report = RunFolder(folder).report("json")
        if not report.is_file():
            log.info("sweep point %d of %d: %s", i + 1, len(plan), folder.name)
            first = points[0].folder if points else None
            if trains_once and first is not None:  # the same weights, transferred again
                retransfer(recipes[i], folder, sets, first, progress=progress)
            else:
                run(recipes[i], folder, resume=RunFolder(folder).checkpoint.is_file(),
                    progress=progress)
        points.append(SweepPoint(settings, folder, Report.load(report)))
    keys = list(points[0].settings)
    write_text(out / "sweep.md", table(keys, points))
    write_text(out / "sweep.json", json.dumps(
        {"recipe": str(recipe_path), "vary": keys, "overrides": fixed,
         "points": [{"settings": p.settings, "folder": p.folder.name} for p in points]},
        indent=2))
    draw(", ".join(keys), points, out / "sweep.png")
    return points


def realism_inside(report: Report) -> str:
    """How many of the codec's per-piece statistics fall inside the target's 10-90% range."""
    total = len(report.realism.statistics)
    return f"{total - len(report.realism.outside_target_range)}/{total}"


def table(keys: list[str], points: list[SweepPoint]) -> str:
    """A markdown table: one row per point, then one per control of the first point."""
    measures = list(points[0].report.content_similarity)
    header = (f"| {', '.join(keys)} | transfer strength | content kept ({', '.join(measures)}) | "
              "two-sample acc. | statistics inside target range |\n| --- | --- | --- | --- | --- |")
    rows = []
    for p in points:
        r = p.report
        content = ", ".join(f"{r.content_similarity[m].normalised:.2f}" for m in measures)
        rows.append(f"| {', '.join(str(v) for v in p.settings.values())} | "
                    f"{r.transfer_strength:.3f} | {content} | "
                    f"{r.two_sample_accuracy:.3f} | {realism_inside(r)} |")
    first = points[0].report
    rows.append(f"| untransferred (control) | {first.roundtrip_identity_strength:.3f} | - | "
                f"{first.first_critic(UNTRANSFERRED):.3f} | - |")
    for name, control in first.controls.items():
        content = ", ".join(f"{control.content.get(m, float('nan')):.2f}" for m in measures)
        rows.append(f"| {name} (control) | {control.strength:.3f} | {content} | "
                    f"{first.first_critic(control_subject(name)):.3f} | - |")
    return header + "\n" + "\n".join(rows) + "\n"


def draw(label: str, points: list[SweepPoint], path: Path) -> Path:
    """Three panels against the swept value (axis ``label``): strength, content kept per
    measure and two-sample accuracy, each with the controls as dashed horizontal lines."""
    from seqimg.plots import plt, save_figure

    numeric = all(isinstance(p.value, (int, float)) and not isinstance(p.value, bool)
                  for p in points)
    xs = [p.value if numeric else i for i, p in enumerate(points)]
    first = points[0].report
    controls = {"untransferred": (first.roundtrip_identity_strength, {},
                                  first.first_critic(UNTRANSFERRED))}
    controls.update({name: (c.strength, c.content, first.first_critic(control_subject(name)))
                     for name, c in first.controls.items()})
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    panels = [("transfer strength", lambda r: {"G": r.transfer_strength}, 0),
              ("content kept (normalised)",
               lambda r: {m: s.normalised for m, s in r.content_similarity.items()}, 1),
              ("two-sample accuracy (0.5 = indistinguishable)",
               lambda r: {"G": r.two_sample_accuracy}, 2)]
    for ax, (title, read, slot) in zip(axes, panels):
        for name in read(first):
            ax.plot(xs, [read(p.report)[name] for p in points], "o-", label=f"{name}")
        measure = next(iter(read(first)))
        for c, (name, values) in enumerate(controls.items()):
            value = values[slot].get(measure) if slot == 1 else values[slot]
            if value is not None:
                ax.axhline(value, ls="--", lw=1, color=f"C{c + 3}",
                           label=f"{name} ({measure})" if slot == 1 else name)
        if numeric and min(xs) > 0 and max(xs) / min(xs) >= 10:
            ax.set_xscale("log")
        ax.set_xticks(xs, [str(p.value) for p in points])
        ax.minorticks_off()
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(label)
        ax.legend(fontsize=7)
    return save_figure(fig, path)
