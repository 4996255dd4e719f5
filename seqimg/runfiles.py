"""The run folder's one owner: every path inside it is spelled here (:class:`RunFolder`), and what
it records about files is kept portable: ``split.json`` names the folder the data came from once
(``data_root``) and every file relative to it, and ``skipped.json`` names files relative to that
folder (or to the run folder, for its own outputs), so the run folder can be moved or sent as it
is."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from seqimg.errors import SeqimgError
from seqimg.io import write_text

SPLIT = "split.json"
SKIPPED = "skipped.json"
CONFIG = "config.yaml"
CHECKPOINT = "checkpoints/last.pt"
TRANSFERRED = "transferred"
FIGURES = "figures"
REPORT = "report"  # report.json, report.md and report.html


def figure(name: str) -> str:
    """A figure's (or render's) path relative to the run folder, as the reports link it."""
    return f"{FIGURES}/{name}"


@dataclass(frozen=True)
class ShowPlaces:
    """Where a shown piece's files go: its picture (input beside output, or for a cross-codec
    pair the output alone), the input's own picture (cross-codec pairs only) and the renders of
    input and output."""

    picture: Path
    input_picture: Path
    input_audio: Path
    output_audio: Path


@dataclass(frozen=True)
class RunFolder:
    """The paths of one run folder, by what they hold."""

    root: Path

    @classmethod
    def holding(cls, checkpoint: Path) -> RunFolder | None:
        """The run folder whose checkpoint folder ``checkpoint`` lies in; None for one kept
        elsewhere."""
        inside = Path(CHECKPOINT).parent.name
        return cls(checkpoint.parent.parent) if checkpoint.parent.name == inside else None

    @property
    def checkpoint(self) -> Path:
        return self.root / CHECKPOINT

    @property
    def config(self) -> Path:
        return self.root / CONFIG

    @property
    def transferred(self) -> Path:
        return self.root / TRANSFERRED

    @property
    def figures(self) -> Path:
        return self.root / FIGURES

    @property
    def split(self) -> Path:
        return self.root / SPLIT

    def report(self, suffix: str) -> Path:
        """``report.json``, ``report.md`` or ``report.html`` (``suffix`` without the dot)."""
        return self.root / f"{REPORT}.{suffix}"

    def example(self, stem: str) -> ShowPlaces:
        """Where the report's example piece ``stem`` is drawn and rendered."""
        return ShowPlaces(*(self.root / figure(name) for name in (
            f"piece_{stem}.png", f"piece_{stem}.input.png", f"{stem}.input.wav",
            f"{stem}.transferred.wav")))

    def make(self) -> RunFolder:
        """Create the folders a run writes into."""
        for folder in (self.checkpoint.parent, self.transferred, self.figures):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def common_root(files: list[Path]) -> str:
    """The deepest folder that holds every file."""
    return os.path.commonpath([os.path.dirname(os.path.abspath(f)) for f in files])


def relative(path: str | Path, *roots: str) -> str:
    """``path`` relative to the first of ``roots`` it lies under, else as it is."""
    absolute = os.path.abspath(path)
    for root in filter(None, roots):
        if os.path.commonpath([absolute, root]) == root:
            return os.path.relpath(absolute, root)
    return str(path)


def write_split(out: Path, sides: dict[str, tuple[list[Path], list[Path]]],
                windows: dict, twins: dict[str, int]) -> None:
    """Which files trained and which were held out, per side (``sides`` maps a side to its
    (train, heldout) files), relative to the folder they share; the window counts, and how
    many twins of held-out files each side held out too."""
    root = common_root([f for train, heldout in sides.values() for f in (*train, *heldout)])
    split = {"data_root": root, "windows": windows, "twins": twins}
    for side, (train, heldout) in sides.items():
        split[side] = {"train": [relative(f, root) for f in train],
                       "heldout": [relative(f, root) for f in heldout]}
    write_text(out / SPLIT, json.dumps(split, indent=2))


def read_split(run_dir: Path) -> dict:
    """``split.json`` with every file as a full path again."""
    path = run_dir / SPLIT
    if not path.is_file():
        raise SeqimgError(f"{path}: missing; is {run_dir} a seqimg run folder?")
    split = json.loads(path.read_text())
    root = split.get("data_root", "")
    for side in ("source", "target"):
        for part in ("train", "heldout"):
            split[side][part] = [os.path.join(root, f) for f in split[side][part]]
    return split


def portable_skips(run_dir: Path, skips: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Skipped files by stage, each path (in the key and in its reason) relative to the data's
    folder, or to the run folder for the run's own files."""
    root = json.loads((run_dir / SPLIT).read_text()).get("data_root", "")
    run = os.path.abspath(run_dir)

    def short(path: str) -> str:  # a relative path is portable already
        return relative(path, run, root) if os.path.isabs(path) else path

    return {stage: {short(path): reason.replace(str(path), short(path), 1)
                    for path, reason in files.items()}
            for stage, files in skips.items()}


def write_skips(run_dir: Path, skips: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Write ``skipped.json`` (made portable) and return what it holds."""
    portable = portable_skips(run_dir, skips)
    write_text(run_dir / SKIPPED, json.dumps(portable, indent=2))
    return portable


def read_skips(run_dir: Path) -> dict[str, dict[str, str]]:
    """What ``skipped.json`` holds (empty when the run skipped nothing yet)."""
    path = run_dir / SKIPPED
    return json.loads(path.read_text()) if path.is_file() else {}
