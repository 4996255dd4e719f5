"""Regenerate docs/receptive_field.md and its figures from `seqimg receptive-field`'s own code.

    .venv/bin/python docs/build_receptive_field.py

Every number on the page is computed here; the prose around them is the template below.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from seqimg.analysis.command import checkpoint_field, receptive_field_report
from seqimg.analysis.figures import offset_masks
from seqimg.analysis.receptive_field import analyse, encoder_like
from seqimg.fold import FoldSpec

DOCS = Path(__file__).parent
FIGURES = DOCS / "figures"
RECIPE = DOCS.parent / "recipes" / "midi_genre_dtn.yaml"
RUN = DOCS.parent / "runs" / "ablations" / "default"  # written by `make ablations`


def fmt_gaps(gaps: list[list[int]]) -> str:
    return ", ".join(f"{a}..{b}" if a != b else f"{a}" for a, b in gaps) or "none"


def layer_table(layers: list[dict], limit: int = 8) -> str:
    rows = ["| layer | output map | span (steps) | reachable steps | gaps |",
            "| --- | --- | --- | --- | --- |"]
    for i, layer in enumerate(layers[:limit]):
        out = "x".join(map(str, layer["output"]))
        gaps = layer["gaps"]
        shown = fmt_gaps(gaps[:4]) + (f", ... ({len(gaps)} gaps)" if len(gaps) > 4 else "")
        rows.append(f"| {i + 1}: {layer['name']} | {out} | {layer['span']} | {layer['count']} "
                    f"| {shown} |")
    return "\n".join(rows)


def wavenet_span(layers: int) -> int:
    """Receptive field of WaveNet's kernel-2 stack with dilations 1, 2, 4, ...: 2^L steps."""
    return 2**layers


def tcn_span(layers: int) -> int:
    """Kernel-3 TCN with dilations 1, 2, 4, ... (non-causal, centred): 2^(L+1) - 1 steps."""
    return 2 ** (layers + 1) - 1


def bar_table() -> str:
    rows = ["| W | k | first layer reads rows at | one bar (16 steps) above and below? |",
            "| --- | --- | --- | --- |"]
    for width, k in ((8, 1), (8, 2), (16, 1), (4, 4), (32, 1)):
        layer = analyse(encoder_like(1), FoldSpec(5, width, k))[0]
        row_jump = width * k
        rows.append(f"| {width} | {k} | -{row_jump} and +{row_jump} steps (span {layer['span']}) "
                    f"| {'yes' if row_jump == 16 else 'no'} |")
    return "\n".join(rows)


def effective_section() -> str:
    """The trained default model's effective field, when `make ablations` has produced it."""
    checkpoint = RUN / "checkpoints" / "last.pt"
    if not checkpoint.exists():
        return ("*Run `make ablations` (or `seqimg run recipes/midi_genre_dtn.yaml --out "
                "runs/ablations/default`) and rebuild this page to add the trained model's "
                "effective field.*")
    from seqimg.pipeline import load_transfer

    heldout = json.loads((RUN / "split.json").read_text())["source"]["heldout"][:8]
    receptive_field_report(None, checkpoint, 0, 0, 1, 3, None, heldout, FIGURES / "erf_midi_genre")
    pair = load_transfer(checkpoint)
    offsets, magnitude = checkpoint_field(pair, pair.source.layout.spec, heldout)
    near = magnitude[np.abs(offsets) <= 17].sum() / magnitude.sum()
    share = (np.abs(offsets) <= 17).mean()
    peak = int(offsets[np.argmax(magnitude)])
    verdict = "does" if near > 2 * share else "does not"
    return EFFECTIVE.format(near=near, share=share, peak=peak, count=len(heldout), verdict=verdict)


EFFECTIVE = """The command below (run on the default recipe's trained checkpoint, with {count} held-out
chorales as input) measures the mean gradient magnitude of the centre unit of f's last stage
with respect to every input step:

    seqimg receptive-field --checkpoint runs/ablations/default/checkpoints/last.pt \\
        --data HELD_OUT.mid ... --out docs/figures/erf_midi_genre

![effective field](figures/erf_midi_genre/effective_field.png)

{near:.0%} of the gradient mass lies within the first layer's span (offsets -17..17), which holds
{share:.0%} of the window's steps, and the largest gradient sits at offset {peak}. A model whose
field is local would put far more than its share (here: over twice) of the mass near offset 0;
this one {verdict} (the default model's code has collapsed, see [results.md](results.md))."""


def build() -> str:
    FIGURES.mkdir(exist_ok=True)
    seed = analyse(encoder_like(1), FoldSpec(7, 7, 1))[0]
    deep7 = analyse(encoder_like(3), FoldSpec(7, 7, 1))
    deep16 = analyse(encoder_like(4), FoldSpec(16, 16, 1))
    k2 = analyse(encoder_like(1), FoldSpec(16, 16, 2))[0]
    offset_masks(deep7, FIGURES / "rf_7x7.png", "f-like stack on a 7x7 fold, k = 1")
    offset_masks(deep16, FIGURES / "rf_16x16.png", "f-like stack on a 16x16 fold, k = 1")
    recipe = receptive_field_report(RECIPE, None, 0, 0, 1, 3, None, None, FIGURES / "midi_genre")
    f_layers = recipe["f"]
    full = next(i for i, layer in enumerate(f_layers) if layer["count"] == 256) + 1
    growth = "\n".join(
        f"| {i + 1} | {layer['span']} | {layer['count']} | {wavenet_span(i + 1)} | "
        f"{tcn_span(i + 1)} |" for i, layer in enumerate(deep16))
    return TEMPLATE.format(
        seed_offsets=seed["offsets"], seed_span=seed["span"], seed_count=seed["count"],
        seed_gaps=fmt_gaps(seed["gaps"]), start_lost=seed["edge"]["row_start"]["lost"],
        end_lost=seed["edge"]["row_end"]["lost"], table7=layer_table(deep7),
        table16=layer_table(deep16), growth=growth, k2_count=k2["count"], k2_span=k2["span"],
        k2_first=k2["offsets"][:6], f_table=layer_table(f_layers, 12), f_full=full,
        bars=bar_table(), effective=effective_section(),
    )


TEMPLATE = """# Receptive field of convolutions on a folded sequence

*Generated by `.venv/bin/python docs/build_receptive_field.py`; every number comes from
`seqimg receptive-field` (offsets read off the network's input gradients, checked in
`tests/test_receptive_field.py` against the closed form).*

## The seed paper's argument

Fold a sequence row by row into a `W`-wide image and a 3x3 kernel at pixel `(y, x)` reads the
steps `t + dy*W + dx`: three runs of three consecutive steps, one row (W steps) apart. It is a 1-D
convolution over time with holes, like a dilated convolution, and it reads the future as well as
the past. The paper's Figure 3 shows it for `W = 7`.

`seqimg receptive-field --height 7 --width 7 --steps-per-pixel 1 --layers 1 --json` gives the
first layer's offsets `{seed_offsets}`: a span of {seed_span} steps of which {seed_count} are read,
with gaps {seed_gaps} (steps 4-7 and 11-14 of the 17, as in the paper).

## How the dilation grows with depth

f's layout is a stride-1 3x3 conv, then stride-2 3x3 convs. After a stride-2 layer, neighbouring
units sit 2 pixels apart, so the next 3x3 kernel reads rows and columns twice as far apart: the
holes fill in and the span doubles. On the paper's 7x7 fold
(`seqimg receptive-field --height 7 --width 7 --layers 3`):

{table7}

![offsets per layer, 7x7](figures/rf_7x7.png)

On a 16x16 fold (`--height 16 --width 16`, the default MIDI fold: 256 sixteenth notes):

{table16}

![offsets per layer, 16x16](figures/rf_16x16.png)

Side by side with the 1-D stacks this imitates (spans in steps after L layers):

| L | fold 16x16, f-like (span) | reachable steps | WaveNet, kernel 2, dilations 1, 2, 4, ... | TCN, kernel 3, dilations 1, 2, 4, ... |
| --- | --- | --- | --- | --- |
{growth}

WaveNet and a TCN grow their span by doubling a dilation at every layer and read every step
inside it by the last layer. The fold gets a much larger first span for free (one row = W steps)
but reads only 3 runs of it; the stride-2 layers then fill the holes, and by the layer whose map
is a few pixels wide the unit sees the whole window. The growth is geometric in both cases, but
the fold's "dilation" is fixed by W, not learned or chosen per layer.

With several steps per pixel, each pixel carries `k` consecutive steps as channels: on a 16x16
fold with `k = 2` the first layer reads {k2_count} steps over a span of {k2_span}, in runs of
`3k`: {k2_first} ...

## The DTN recipe's f, layer by layer

`seqimg receptive-field --recipe recipes/midi_genre_dtn.yaml` (144 x 16 x 16 images; residual blocks
count as two more 3x3 layers on the main path):

{f_table}

Layer {f_full} of f already sees all 256 steps of its window; everything after it mixes whole
windows. Figures and JSON: `docs/figures/midi_genre/`.

## The effective field of a trained f

{effective}

## The future half

Every offset set above is symmetric: a unit reads as far ahead as behind. For transfer that is
what one wants: the whole input piece is known, and a note can be re-voiced knowing where the
phrase goes. It would be wrong for generation step by step (WaveNet is causal for that reason);
seqimg does not generate autoregressively, so nothing here needs masking.

## Where the analogy breaks

- **Row edges.** At `x = 0` the kernel's left column reads padding, not step `t - 1`; at
  `x = W - 1` its right column reads padding, not `t + 1`. On the 7x7 fold the first layer at a
  row start loses offsets {start_lost}, at a row end {end_lost} (the JSON's `edge` field, for
  every layer). Steps `t - 1` and `t` in different rows are only connected through the row above
  or below, so a model must learn row-boundary-specific behaviour from data.
- **Time must be a grid.** The seed's code used the note *index* as time, dropping rests and
  durations, so "W steps later" meant "W notes later", a different musical distance in every
  piece; it also area-resized 250x250 images to 32x32, averaging about 8 rows into one pixel,
  which erases the row-to-row correspondence the argument depends on. seqimg folds real time on a
  fixed beat grid and never resizes.

## Choosing W and k for a musical span

At 4 steps per beat, a 4/4 bar is 16 steps. The first layer reads the rows `W*k` steps away, so
with `W*k = 16` the row above is the same beat position one bar earlier and the row below one bar
later: the kernel compares a beat with itself across three bars.

{bars}

The default MIDI fold (16 x 16, `k = 1`) is such a fold: each image is 16 bars, one bar per row.
"""


if __name__ == "__main__":
    (DOCS / "receptive_field.md").write_text(build(), encoding="utf-8")
    print(f"wrote {DOCS / 'receptive_field.md'}")
