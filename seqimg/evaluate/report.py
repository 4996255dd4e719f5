"""report.md and figures of an evaluated run."""

from __future__ import annotations

import logging
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from seqimg.codecs.midi import MidiCodec  # noqa: E402
from seqimg.evaluate.measures import roll  # noqa: E402
from seqimg.io import write_text  # noqa: E402
from seqimg.plots import save_figure, save_rolls_png, save_windows_png  # noqa: E402
from seqimg.render import SOUNDFONT, render_midi  # noqa: E402
from seqimg.transfer import generate  # noqa: E402

log = logging.getLogger(__name__)


def training_curves(history: list[dict], path: Path) -> None:
    keys = [k for k in ("L_D", "L_GAN_G", "L_CONST", "L_TID", "L_AE", "code_norm", "d_acc_real",
                        "d_acc_fake") if any(k in h for h in history)]
    fig, axes = plt.subplots(len(keys), 1, figsize=(8, 1.6 * len(keys)), sharex=True,
                             squeeze=False)
    for ax, key in zip(axes[:, 0], keys):
        points = [(h["step"], h[key]) for h in history if key in h]
        ax.plot(*zip(*points), lw=1)
        ax.set_ylabel(key, rotation=0, ha="right")
    axes[-1, 0].set_xlabel("step")
    save_figure(fig, path, 90)


def metric_bars(report: dict, path: Path) -> None:
    names = ["identity_strength", "roundtrip_identity_strength", "transfer_strength",
             "target_strength", "two_sample_accuracy"]
    values = [report[n] for n in names]
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.barh(names, values, color=["grey", "grey", "tab:red", "tab:blue", "tab:purple"])
    ax.set_xlim(0, 1)
    for y, v in enumerate(values):
        ax.text(min(v, 0.9) + 0.01, y, f"{v:.2f}", va="center")
    save_figure(fig, path, 90)


def series_plot(pairs: list[tuple[str, np.ndarray, np.ndarray]], path: Path) -> None:
    fig, axes = plt.subplots(len(pairs), 1, figsize=(9, 2.2 * len(pairs)), squeeze=False)
    for ax, (name, before, after) in zip(axes[:, 0], pairs):
        ax.plot(before[:, 0], label="input", lw=1)
        ax.plot(after[:, 0], label="transferred", lw=1)
        ax.set_title(f"{name} (feature 0)")
        ax.legend(loc="upper right")
    save_figure(fig, path, 90)


def render_audio(codec: MidiCodec, frames: np.ndarray, path: Path) -> bool:
    """Render MIDI frames to WAV with fluidsynth and a GM soundfont, when both are present."""
    if not Path(SOUNDFONT).is_file():
        return False
    try:
        render_midi(codec.from_frames(frames), path)
    except (ImportError, OSError, AttributeError) as exc:
        log.info("no audio renders: %s", exc)
        return False
    return True


def figures(run_dir: Path, report: dict, recipe, pair, inputs, outputs) -> list[str]:
    """Write the figures (and WAV renders) and return their paths relative to the run."""
    fig_dir = run_dir / "figures"
    fig_dir.mkdir(exist_ok=True)
    made = []
    if pair.history:
        training_curves(pair.history, fig_dir / "training_curves.png")
        made.append("figures/training_curves.png")
    metric_bars(report, fig_dir / "metrics.png")
    made.append("figures/metrics.png")
    stems = [s for s in outputs.frames if s in inputs.frames][: recipe.evaluate.examples]
    if stems:
        first = pair.source.frames_to_images(inputs.frames[stems[0]])[:1]
        both = np.concatenate([first, generate(pair.model, first)])
        save_windows_png(both, fig_dir / "fold_before_after.png", max_windows=2)
        made.append("figures/fold_before_after.png")
    if isinstance(pair.target, MidiCodec):
        for stem in stems:
            rolls = [(f"{stem}: {label}", roll(pair.target, frames)[1][:, 20:110])
                     for label, frames in (("input", inputs.frames[stem]),
                                           ("transferred", outputs.frames[stem]))]
            save_rolls_png(rolls, fig_dir / f"roll_{stem}.png")
            made.append(f"figures/roll_{stem}.png")
            if recipe.evaluate.render_audio:
                for label, frames in (("input", inputs.frames[stem]),
                                      ("transferred", outputs.frames[stem])):
                    if render_audio(pair.target, frames, fig_dir / f"{stem}.{label}.wav"):
                        made.append(f"figures/{stem}.{label}.wav")
    elif stems:
        series_plot([(s, inputs.frames[s], outputs.frames[s]) for s in stems],
                    fig_dir / "series_before_after.png")
        made.append("figures/series_before_after.png")
    return made


def training_signals(last: dict) -> list[str]:
    """The failure modes to look for: a collapsed code, a winning D."""
    if not last:
        return []
    return ["## Training signals at the last step", "",
            "| signal | value | what to look for |", "| --- | --- | --- |",
            f"| L_CONST | {last.get('L_CONST', float('nan')):.4g} | near 0 with a falling code "
            "norm: f has collapsed its code and L_CONST constrains nothing |",
            f"| code norm | {last.get('code_norm', float('nan')):.4g} | see above |",
            f"| D accuracy on real target | {last.get('d_acc_real', float('nan')):.3f} | both "
            "near 1 and L_GAN_G climbing: D has won |",
            f"| D accuracy on G(source) | {last.get('d_acc_fake', float('nan')):.3f} | |",
            f"| L_GAN_G | {last.get('L_GAN_G', float('nan')):.4g} | |", ""]


def markdown(report: dict, recipe, made: list[str]) -> str:
    r = report
    lines = [
        f"# Run report: {recipe.name}",
        "",
        f"{recipe.source.domain} -> {recipe.target.domain}, codec "
        f"`{recipe.target.codec.get('name')}`, {recipe.train.steps} training steps.",
        "",
        "## Transfer strength, next to its controls",
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| domain classifier held-out accuracy | {r['classifier_accuracy']:.3f} |",
        f"| **transfer strength** (transferred source classified as target) | "
        f"**{r['transfer_strength']:.3f}** |",
        f"| identity: untransferred source | {r['identity_strength']:.3f} |",
        f"| identity: source through the target codec round trip | "
        f"{r['roundtrip_identity_strength']:.3f} |",
        f"| real held-out target | {r['target_strength']:.3f} |",
        f"| two-sample accuracy, outputs vs real target (0.5 = pass as real) | "
        f"{r['two_sample_accuracy']:.3f} |",
        f"| two-sample accuracy, untransferred round trip vs real target | "
        f"{r['two_sample_roundtrip_source']:.3f} |",
        "",
        "## Content kept (raw, chance level on unrelated pairs, normalised)",
        "",
        "| measure | raw | chance | normalised |",
        "| --- | --- | --- | --- |",
    ]
    for name, v in r["content_similarity"].items():
        lines.append(f"| {name} | {v['raw']:.3f} | {v['chance']:.3f} | {v['normalised']:.3f} |")
    lines += ["", "## Realism: per-piece statistics (Wasserstein / spread)", "",
              "| statistic | output mean | target mean | source mean | to target | to source |",
              "| --- | --- | --- | --- | --- | --- |"]
    for name, v in r["realism"]["statistics"].items():
        lines.append(f"| {name} | {v['mean_out']:.3f} | {v['mean_target']:.3f} | "
                     f"{v['mean_source']:.3f} | {v['to_target']:.3f} | {v['to_source']:.3f} |")
    lines += ["", f"Frechet distance in the classifier's embedding: outputs to target "
              f"{r['realism']['frechet_to_target']:.3f}; untransferred round trip to target "
              f"{r['realism']['frechet_roundtrip_source_to_target']:.3f}.", ""]
    lines += training_signals(r.get("training", {}))
    ranked = list(r["per_file_strength"].items())
    lines += ["## Most and least convincing transferred pieces", "",
              "| piece | share of windows classified as target |", "| --- | --- |"]
    for stem, value in ranked[:3] + [("...", None)] + ranked[-3:] if len(ranked) > 6 else ranked:
        lines.append(f"| {stem} | {'' if value is None else f'{value:.2f}'} |")
    skipped = sum(len(v) for v in r["skipped_files"].values())
    lines += ["", f"Skipped files: {skipped} (reasons in report.json).", "", "## Figures", ""]
    lines += [f"- [{Path(m).name}]({m})" for m in made]
    lines += ["", "No single number decides: a strength far above its identity controls, with "
              "content above chance and a two-sample accuracy near 0.5, is a transfer; a high "
              "strength alone is not.", ""]
    return "\n".join(lines)


def write_report(run_dir: Path, report: dict, recipe, pair, inputs, outputs) -> None:
    made = figures(run_dir, report, recipe, pair, inputs, outputs)
    write_text(run_dir / "report.md", markdown(report, recipe, made))
