"""The band's design table: one row per run folder of the parts encoding, with everything the
design is judged by: strength, content kept, both critics' medians over critic seeds (the floor
beside each), the verdict's level, copying beside real held-out metal's, and what each part does
a bar against real metal's 10-90% range. With ``--pieces``, a second table reads every output
and every real metal piece: the share of outputs whose rhythm guitar (onsets a bar, notes held
half a bar or longer) or lead falls outside real metal's 10-90% range, beside real metal's own
share (0.2 by construction), and the fewest drum hits a bar of any output.

    .venv/bin/python benchmarks/band_table.py [--pieces] runs/parts46/lead_s0 ...
"""

from __future__ import annotations

import argparse
from pathlib import Path

from output import median_cell

from seqimg.evaluate.result import Report
from seqimg.evaluate.subjects import BASELINE, FLOOR, OUTPUTS
from seqimg.evaluate.verdict import verdict

IDIOM = ("drum_hits_per_bar", "rhythm_onsets_per_bar", "lead_notes_per_bar",
         "power_chord_share", "repeated_onset_share")
CONTENT = ("chroma", "bar_chroma", "contour")


def critic_cells(r: Report) -> list[str]:
    floor = r.tests.get(FLOOR, {})
    cells = []
    for name, test in r.tests.get(OUTPUTS, {}).items():
        beside = f"; floor {floor[name].accuracy:.2f}" if name in floor else ""
        cells.append(f"{median_cell(test)}{beside}")
    return cells


def idiom_cell(r: Report, name: str) -> str:
    """The outputs' mean beside real metal's 10-90% range, marked where it falls outside."""
    s = r.realism.statistics.get(name)
    if s is None:
        return "-"
    mark = "" if s.inside_target_range else " **out**"
    return f"{s.mean_out:.2f} ({s.target_p10:.2f}-{s.target_p90:.2f}){mark}"


def row(folder: Path) -> str:
    r = Report.load(folder / "report.json")
    copied, base = r.copying.get(OUTPUTS, {}), r.copying.get(BASELINE, {})
    key = "copied_note_share"
    notes = (f"{copied[key]:.2f} ({base.get(key, float('nan')):.2f})" if key in copied else "-")
    return "| " + " | ".join([
        folder.name, f"{r.transfer_strength:.2f}",
        " / ".join(f"{r.content_similarity[m].normalised:.2f}" for m in CONTENT
                   if m in r.content_similarity),
        *critic_cells(r), verdict(r).level, notes,
        *(idiom_cell(r, name) for name in IDIOM)]) + " |"


PER_PIECE = ("rhythm_onsets_per_bar", "long_note_share", "lead_notes_per_bar")


def piece_row(folder: Path) -> str:
    """Per piece: the share of outputs outside real metal's 10-90% range of each statistic of
    ``PER_PIECE`` (real's own share beside it), and the fewest drum hits a bar of an output."""
    import numpy as np

    from seqimg.evaluate.pipeline import read_pieces
    from seqimg.pipeline import load_transfer
    from seqimg.runfiles import read_split

    codec = load_transfer(folder / "checkpoints" / "last.pt").target
    split = read_split(folder)["target"]
    made = read_pieces(codec, sorted((folder / "transferred").glob("*.mid")), {}, written=True)
    real = read_pieces(codec, split["train"] + split["heldout"], {})
    outputs = [codec.statistics(f) for f in made.values]
    metal = [codec.statistics(f) for f in real.values]
    cells = []
    for key in PER_PIECE:
        ours = np.array([s.get(key, np.nan) for s in outputs])
        theirs = np.array([s.get(key, np.nan) for s in metal])
        low, high = np.nanpercentile(theirs, [10, 90])
        cells.append(f"{np.mean((ours < low) | (ours > high)):.2f} "
                     f"({np.mean((theirs < low) | (theirs > high)):.2f})")
    drums = min(s.get("drum_hits_per_bar", 0.0) for s in outputs)
    return f"| {folder.name} | " + " | ".join(cells) + f" | {drums:.1f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", type=Path, nargs="+")
    parser.add_argument("--pieces", action="store_true", help="the per-piece table too")
    args = parser.parse_args()
    folders = args.runs
    print("| run | strength | chroma / bar chroma / contour | CNN (seeds; floor) | statistics "
          "(floor) | level | copied notes (real held-out) | "
          + " | ".join(n.replace("_", " ") for n in IDIOM) + " |")
    print("|" + " --- |" * (7 + len(IDIOM)))
    for folder in folders:
        print(row(folder))
    if args.pieces:
        print("\n| run | " + " | ".join(f"{k.replace('_', ' ')}: outputs outside (real)"
                                         for k in PER_PIECE) + " | fewest drum hits a bar |")
        print("|" + " --- |" * (len(PER_PIECE) + 2))
        for folder in folders:
            print(piece_row(folder))


if __name__ == "__main__":
    main()
