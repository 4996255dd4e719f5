"""How rough and how varied a run's written series are beside its real target series: the
standard deviation of each series' second differences (step-to-step texture, which a sampler
that returns a mean loses) and how many distinct steps hold a series' peak.

    .venv/bin/python benchmarks/series_texture.py RUN_FOLDER [RUN_FOLDER ...]

Reads the CSVs under each run's transferred/ and its target domain's files (as its config.yaml
names them), first column only, and makes each control the run's recipe names (as its report
does) from the held-out source, in the files' units.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from seqimg.domains import domain_files
from seqimg.evaluate.pipeline import control_pieces, gather_pieces
from seqimg.pipeline import load_transfer
from seqimg.recipe import load_recipe


def texture(series: list[np.ndarray]) -> str:
    """Mean second-difference deviation and the peaks' distinct steps, as one line."""
    rough = np.mean([np.diff(s, 2).std() for s in series])
    peaks = np.bincount([int(np.argmax(s)) for s in series])
    common = peaks.max() / len(series)
    return (f"n={len(series):4d}  second-difference std {rough:.3f}  peak at "
            f"{np.count_nonzero(peaks)} distinct steps, {common:.0%} at the commonest")


def first_column(path: Path) -> np.ndarray:
    return np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)[:, 0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path)
    args = parser.parse_args()
    shown = set()
    for run in args.runs:
        target = load_recipe(run / "config.yaml", written=True).target
        key = (target.domain, repr(target.options))
        if key not in shown:
            real = [first_column(p) for p in domain_files(target.domain, target.options)]
            print(f"{'real target':44s} {texture(real)}")
            shown.add(key)
        made = [first_column(p) for p in sorted((run / "transferred").glob("*.csv"))]
        print(f"{str(run)[-44:]:44s} {texture(made)}")
        for name, series in controls(run).items():
            print(f"{'  control: ' + name:44s} {texture(series)}")


def controls(run: Path) -> dict[str, list[np.ndarray]]:
    """Each of the run's controls, first column in the files' units, by name."""
    recipe = load_recipe(run / "config.yaml", written=True)
    pair = load_transfer(run / "checkpoints" / "last.pt")
    pieces = gather_pieces(run, recipe, pair, {})
    return {name: [pair.target.from_frames(f)[:, 0]
                   for f in control_pieces(name, pair.target, pieces).values]
            for name in recipe.evaluate.controls}


if __name__ == "__main__":
    main()
