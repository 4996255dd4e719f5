"""A sweep: one recipe run at several values of one setting, and the trade-off it traces
(transfer strength, content kept, two-sample accuracy against the setting), with the run's
controls drawn as reference points. Points whose report exists are not run again, so an
interrupted sweep resumes where it stopped."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from seqimg.config import parse_assignment
from seqimg.errors import SeqimgError
from seqimg.evaluate.result import Report
from seqimg.io import write_text
from seqimg.recipe import load_recipe

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepPoint:
    """One value of the swept setting, its run folder and its report."""

    value: object
    folder: Path
    report: Report


def parse_vary(item: str) -> tuple[str, list]:
    """``key=v1,v2,...`` -> the key and its values, each read as a YAML scalar."""
    key, sep, raw = item.partition("=")
    texts = [text.strip() for text in raw.split(",")]
    if not sep or not key.strip() or len(texts) < 2 or "" in texts:
        raise SeqimgError(f"--vary {item!r}: expected dotted.key=v1,v2,... with two or more "
                          "values")
    return key.strip(), [parse_assignment(f"{key}={text}")[1] for text in texts]


def point_folder(out: Path, key: str, value) -> Path:
    """The run folder of one point: ``out/<last key part>=<value>``, safe as a file name."""
    name = f"{key.rsplit('.', 1)[-1]}={value}"
    return out / "".join(c if c.isalnum() or c in "=._-" else "_" for c in name)


def sweep(recipe_path: Path, out: Path, vary: str, overrides: list[str] | None = None,
          progress: bool = True) -> list[SweepPoint]:
    """Run ``recipe_path`` once per value of ``vary`` into ``out``; every point's recipe is
    checked before the first runs. Writes ``sweep.md``, ``sweep.json`` and ``sweep.png``."""
    from seqimg.run import run

    key, values = parse_vary(vary)
    fixed = list(overrides or [])
    for value in values:  # a bad value fails here, before any training
        recipe = load_recipe(recipe_path, [*fixed, f"{key}={value}"])
        if not recipe.evaluate.enabled:
            raise SeqimgError(f"{recipe_path}: evaluate.enabled is false; a sweep compares "
                              "reports")
    points = []
    for i, value in enumerate(values):
        folder = point_folder(out, key, value)
        if not (folder / "report.json").is_file():
            log.info("sweep point %d of %d: %s=%s", i + 1, len(values), key, value)
            run(recipe_path, folder, [*fixed, f"{key}={value}"],
                resume=(folder / "checkpoints" / "last.pt").is_file(), progress=progress)
        points.append(SweepPoint(value, folder, Report.load(folder / "report.json")))
    write_text(out / "sweep.md", table(key, points))
    write_text(out / "sweep.json", json.dumps(
        {"recipe": str(recipe_path), "vary": key, "overrides": fixed,
         "points": [{"value": p.value, "folder": p.folder.name} for p in points]}, indent=2))
    draw(key, points, out / "sweep.png")
    return points


def realism_inside(report: Report) -> str:
    """How many of the codec's per-piece statistics fall inside the target's 10-90% range."""
    stats = report.realism.statistics.values()
    return f"{sum(s.inside_target_range for s in stats)}/{len(stats)}"


def table(key: str, points: list[SweepPoint]) -> str:
    """A markdown table: one row per point, then one per control of the first point."""
    measures = list(points[0].report.content_similarity)
    header = (f"| {key} | transfer strength | content kept ({', '.join(measures)}) | "
              "two-sample acc. | statistics inside target range |\n| --- | --- | --- | --- | --- |")
    rows = []
    for p in points:
        r = p.report
        content = ", ".join(f"{r.content_similarity[m].normalised:.2f}" for m in measures)
        rows.append(f"| {p.value} | {r.transfer_strength:.3f} | {content} | "
                    f"{r.two_sample_accuracy:.3f} | {realism_inside(r)} |")
    first = points[0].report
    rows.append(f"| untransferred (control) | {first.roundtrip_identity_strength:.3f} | - | "
                f"{first.two_sample_roundtrip_source:.3f} | - |")
    for name, control in first.controls.items():
        content = ", ".join(f"{control.content.get(m, float('nan')):.2f}" for m in measures)
        rows.append(f"| {name} (control) | {control.strength:.3f} | {content} | "
                    f"{control.two_sample:.3f} | - |")
    return header + "\n" + "\n".join(rows) + "\n"


def draw(key: str, points: list[SweepPoint], path: Path) -> Path:
    """Three panels against the swept value: strength, content kept per measure and
    two-sample accuracy, each with the controls as dashed horizontal lines."""
    from seqimg.plots import plt, save_figure

    numeric = all(isinstance(p.value, (int, float)) and not isinstance(p.value, bool)
                  for p in points)
    xs = [p.value if numeric else i for i, p in enumerate(points)]
    first = points[0].report
    controls = {"untransferred": (first.roundtrip_identity_strength, {},
                                  first.two_sample_roundtrip_source)}
    controls.update({name: (c.strength, c.content, c.two_sample)
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
        for c, (name, values) in enumerate(controls.items()):
            value = values[slot].get(next(iter(read(first)))) if slot == 1 else values[slot]
            if value is not None:
                ax.axhline(value, ls="--", lw=1, color=f"C{c + 3}", label=name)
        if numeric and min(xs) > 0 and max(xs) / min(xs) >= 10:
            ax.set_xscale("log")
        if not numeric:
            ax.set_xticks(xs, [str(p.value) for p in points])
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(key)
        ax.legend(fontsize=7)
    return save_figure(fig, path)
