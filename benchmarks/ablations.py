"""Run the seed DTN on the default MIDI pair with one design choice changed at a time and
tabulate the reports.

    .venv/bin/python benchmarks/ablations.py --out runs/ablations [--steps N] [--only NAME ...]

Variants: the seed recipe (recipes/midi_genre_seed.yaml); residual blocks off; skip connections
off; f pretrained (as an autoencoder or a domain classifier) and frozen; L_CONST training g only;
ternary D; the pitch-levels and voices MIDI layouts; no augmentation; stabilisers switched
(spectral norm, label smoothing, normalised code, straight-through); the pianoroll layout instead
of the fold; content views in L_VIEWS, the onset rule, both, the views replacing the learned f, a
patch D, and L_MATCH on register, polyphony and density; on top of the last, a G that edits its
input (on the fold, or 1-D over time) and a D over time (alone, or beside the fold's); the bass
and melody views instead of the full chroma, with the editing G, a pitches budget, a patch D, a
second seed and four times the steps (the editing G with bass and melody views is
recipes/midi_genre_dtn.yaml, the default DTN).
Each variant is a normal `seqimg run` with `--set` overrides, so any row can be reproduced
alone; variants whose report exists are not run again.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from output import target_range_cells

from seqimg.evaluate.result import Report
from seqimg.evaluate.subjects import UNTRANSFERRED, control_subject
from seqimg.recipe import load_recipe
from seqimg.run import run

ROOT = Path(__file__).resolve().parents[1]
RECIPE = ROOT / "recipes" / "midi_genre_seed.yaml"  # every row changes the seed's DTN
PIANOROLL = ROOT / "recipes" / "midi_genre_pianoroll.yaml"

LEVELS = ["source.codec.encoding=pitch-levels", "target.codec.encoding=pitch-levels"]
VIEWS = ["method.losses.views.harmony=30", "method.losses.views.bass=30"]
RULE = ["source.codec.onset_rule=true", "target.codec.onset_rule=true"]
MATCH = ["method.losses.match.register=10", "method.losses.match.polyphony=0.1",
         "method.losses.match.density=0.1"]
REDUCTION = ["method.losses.views.bass=30", "method.losses.views.melody=30"]  # no full chroma
VARIANTS = {
    "seed DTN (first default)": (RECIPE, []),
    "residual off": (RECIPE, ["method.model.residual=false"]),
    "skip off": (RECIPE, ["method.model.skip=false"]),
    "f pretrained, frozen": (RECIPE, ["method.model.f_mode=pretrained",
                                      "method.train.pretrain_steps=300"]),
    "L_CONST trains g only": (RECIPE, ["method.losses.const_updates_f=false"]),
    "ternary D": (RECIPE, ["method.losses.adversarial=ternary"]),
    "pitch-levels encoding": (RECIPE, LEVELS),
    "voices encoding": (RECIPE, ["source.codec.encoding=voices", "target.codec.encoding=voices",
                                 "source.codec.transpose=0", "target.codec.transpose=0",
                                 "method.train.straight_through=false"]),
    "no augmentation": (RECIPE, ["source.codec.transpose=0", "target.codec.transpose=0",
                                "data.offsets=1"]),
    "f pretrained as classifier": (RECIPE, ["method.model.f_mode=pretrained",
                                            "method.train.pretrain_steps=300",
                                            "method.train.pretrain_task=classifier"]),
    "f pretrained, feature constancy x10": (RECIPE, ["method.model.f_mode=pretrained",
                                                     "method.train.pretrain_steps=300",
                                                     "method.losses.const_features=10.0"]),
    "spectral norm off": (RECIPE, ["method.model.spectral_norm=false"]),
    "label smoothing 0.1": (RECIPE, ["method.losses.label_smoothing=0.1"]),
    "normalised code": (RECIPE, ["method.model.normalise_code=true"]),
    "no straight-through": (RECIPE, ["method.train.straight_through=false"]),
    "pianoroll layout": (PIANOROLL, []),
    "views harmony+bass": (RECIPE, VIEWS),
    "onset rule": (RECIPE, RULE),
    "views + onset rule": (RECIPE, VIEWS + RULE),
    "views + onset rule, no learned f": (RECIPE, VIEWS + RULE + ["method.losses.const_weight=0"]),
    "views + onset rule, patch D": (RECIPE, VIEWS + RULE + ["method.model.discriminator=patch"]),
    "views + onset rule + register/density match": (RECIPE, VIEWS + RULE + MATCH),
    "voicing + bass views, rule, match": (RECIPE, ["method.losses.views.voicing=30",
                                                   "method.losses.views.bass=30"] + RULE + MATCH),
    "views + rule + match, editing G": (RECIPE, VIEWS + RULE + MATCH + ["method.model.edit=true"]),
    "views + rule + match, 1-D editing G": (RECIPE, VIEWS + RULE + MATCH + [
        "method.model.edit=true", "method.model.generator=temporal"]),
    "views + rule + match, fold + 1-D D": (RECIPE, VIEWS + RULE + MATCH + [
        "method.model.discriminator=dual"]),
    "views + rule + match, 1-D D": (RECIPE, VIEWS + RULE + MATCH + [
        "method.model.discriminator=temporal"]),
    "bass + melody views, rule, match": (RECIPE, REDUCTION + RULE + MATCH),
    "bass + melody views, rule, match, editing G": (RECIPE, REDUCTION + RULE + MATCH + [
        "method.model.edit=true"]),
    "bass + melody views, rule, match + pitches, editing G": (RECIPE, REDUCTION + RULE + MATCH + [
        "method.losses.match.pitches=0.01", "method.model.edit=true"]),
    "bass + melody views, rule, match, editing G, patch D": (RECIPE, REDUCTION + RULE + MATCH + [
        "method.model.edit=true", "method.model.discriminator=patch"]),
    "bass + melody views, rule, match, editing G (seed 1)": (RECIPE, REDUCTION + RULE + MATCH + [
        "method.model.edit=true", "seed=1", "data.split_seed=0"]),
    "bass + melody views, rule, match, editing G, 4000 steps": (RECIPE, REDUCTION + RULE + MATCH + [
        "method.model.edit=true", "train.steps=4000"]),
}


NO_RUN = "  |" * 4  # reference rows leave stats inside, steps, minutes and command empty
STATISTICS = ("one_step_share", "note_density", "distinct_pitches", "pitch_range", "polyphony",
              "scale_consistency", "empty_beat_rate")


def cells(report: Report, values: dict[str, float]) -> str:
    """``values`` of the tabled statistics, bold where outside the target's 10-90% range."""
    stats = report.realism.statistics
    return " | ".join(f"{values[k]:.2f}" if stats[k].holds(values[k]) else f"**{values[k]:.2f}**"
                      for k in STATISTICS)


def statistic_cells(report: Report) -> str:
    """The outputs' statistics, then how many of all the codec's statistics are inside the
    target's range."""
    stats = report.realism.statistics
    inside = len(stats) - len(report.realism.outside_target_range)
    return cells(report, {k: s.mean_out for k, s in stats.items()}) + f" | {inside}/{len(stats)}"


def row(name: str, recipe: Path, overrides: list[str], report: Report, seconds: float,
        steps: int) -> str:
    content = report.content_similarity
    sets = " ".join(f"--set '{o}'" if " " in o else f"--set {o}" for o in overrides)
    command = f"seqimg run {recipe.relative_to(ROOT)} {sets}".strip()
    return (f"| {name} | {report.transfer_strength:.3f} | "
            f"{report.roundtrip_identity_strength:.3f} | "
            f"{content['chroma'].normalised:.2f} | {content['contour'].normalised:.2f} | "
            f"{report.two_sample_accuracy:.3f} | {statistic_cells(report)} | "
            f"{steps} | {seconds / 60:.1f} | `{command}` |")


def reference_rows(report: Report) -> list[str]:
    """The controls of a report, and real target's means with their 10-90% ranges."""
    stats = report.realism.statistics
    rows = [f"| control: untransferred round trip | {report.roundtrip_identity_strength:.3f} | | "
            f"(identity) | (identity) | {report.first_critic(UNTRANSFERRED):.3f} | "
            f"{cells(report, {k: s.mean_source for k, s in stats.items()})} |{NO_RUN}"]
    for name, control in report.controls.items():
        rows.append(f"| control: {name} | {control.strength:.3f} | | "
                    f"{control.content['chroma']:.2f} | {control.content['contour']:.2f} | "
                    f"{report.first_critic(control_subject(name)):.3f} | "
                    f"{cells(report, control.statistics)} |{NO_RUN}")
    rows.append("| real target: mean (10-90% of pieces) | | | | | | "
                + target_range_cells(report, STATISTICS) + f" |{NO_RUN}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "ablations")
    parser.add_argument("--steps", type=int, default=None,
                        help="override train.steps of the fold variants")
    parser.add_argument("--only", nargs="*", default=None, help="variant names to run")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    rows, first = [], None
    for name, (recipe, overrides) in VARIANTS.items():
        # the pianoroll variant keeps its recipe's steps: a step there costs ~9x a fold step
        longer = args.steps and recipe == RECIPE
        sets = overrides + ([f"train.steps={args.steps}"] if longer else [])
        folder = args.out / "".join(c if c.isalnum() else "_" for c in name)
        report_path = folder / "report.json"
        if not report_path.exists():
            if args.only and name not in args.only:
                continue
            start = time.perf_counter()
            run(recipe, folder, sets)
            (folder / "wall_seconds.txt").write_text(f"{time.perf_counter() - start:.1f}\n")
        seconds = float((folder / "wall_seconds.txt").read_text())
        steps = load_recipe(folder / "config.yaml", written=True).train.steps
        report = Report.load(report_path)
        first = first or report
        rows.append(row(name, recipe, sets, report, seconds, steps))
        print(rows[-1], flush=True)
    if first is not None and first.controls:  # measured with the first row's evaluation seed
        rows += reference_rows(first)
    columns = ["variant", "strength", "round-trip id.", "chroma kept", "contour kept",
               "two-sample", "1-step notes", "notes / step", "distinct pitches", "pitch range",
               "polyphony", "scale consistency", "empty beats", "stats inside", "steps",
               "minutes", "command"]
    header = "| " + " | ".join(columns) + " |\n|" + " --- |" * len(columns)
    (args.out / "table.md").write_text(header + "\n" + "\n".join(rows) + "\n")
    print(f"table: {args.out / 'table.md'}")


if __name__ == "__main__":
    main()
