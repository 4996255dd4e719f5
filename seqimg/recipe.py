"""Recipes: YAML -> typed, frozen config, with ``--set key=value`` overrides that name the key."""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from seqimg.config import build_config
from seqimg.errors import SeqimgError, one_line
from seqimg.losses import LossConfig
from seqimg.model import ModelConfig
from seqimg.train import TrainConfig


@dataclass(frozen=True)
class SideConfig:
    """One domain of the pair: where its files come from and how they are encoded.

    ``options`` are checked by the domain, ``codec`` (with its ``name``) by the codec.
    """

    domain: str
    options: dict = field(default_factory=dict)
    codec: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DataConfig:
    """Corpus size, held-out split (by file) and augmentation."""

    max_files: int | None = None  # files per domain
    heldout_fraction: float = 0.15
    transpose: int = 0  # MIDI: add transpositions by up to this many semitones
    offsets: int = 1  # window start offsets per window length (4: windows every L/4 steps)


@dataclass(frozen=True)
class EvaluateConfig:
    """Evaluation settings."""

    enabled: bool = True
    classifier_steps: int = 300
    window: int = 64  # steps per classifier window
    max_files: int | None = None  # training files per domain for the classifier (round trips)
    render_audio: bool = True
    examples: int = 3  # pieces drawn as piano rolls / plots and rendered


@dataclass(frozen=True)
class Recipe:
    """A whole job: a source and target domain, model, losses, training and evaluation."""

    name: str
    source: SideConfig
    target: SideConfig
    seed: int = 0
    device: str = "auto"
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    losses: LossConfig = field(default_factory=LossConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    evaluate: EvaluateConfig = field(default_factory=EvaluateConfig)


SECTIONS = {"data": DataConfig, "model": ModelConfig, "losses": LossConfig, "train": TrainConfig,
            "evaluate": EvaluateConfig}
SCALARS = {"name": str, "seed": int, "device": str}


def apply_override(raw: dict, assignment: str) -> None:
    """Apply one ``dotted.key=value`` (value read as YAML) to the raw recipe mapping."""
    key, sep, text = assignment.partition("=")
    if not sep or not key:
        raise SeqimgError(f"--set {assignment!r}: expected dotted.key=value")
    parts = key.strip().split(".")
    node = raw
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise SeqimgError(f"--set {key}: {part} is not a section")
    node[parts[-1]] = yaml.safe_load(text)


def build_recipe(raw: dict, where: str = "recipe") -> Recipe:
    """Typed recipe from a mapping; every error names the full key."""
    if not isinstance(raw, dict):
        raise SeqimgError(f"{where}: expected a mapping at the top level")
    known = {*SECTIONS, *SCALARS, "source", "target"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise SeqimgError(f"{unknown[0]}: unknown key (known: {', '.join(sorted(known))})")
    values = {}
    for key, kind in SCALARS.items():
        if key in raw:
            if not isinstance(raw[key], kind) or isinstance(raw[key], bool):
                raise SeqimgError(f"{key}: expected {kind.__name__}, got {raw[key]!r}")
            values[key] = raw[key]
    for side in ("source", "target"):
        if side not in raw:
            raise SeqimgError(f"{side}: missing (a domain and a codec)")
        side_cfg = build_config(SideConfig, raw[side], side)
        if "name" not in side_cfg.codec:
            raise SeqimgError(f"{side}.codec.name: missing (e.g. midi, timeseries)")
        values[side] = side_cfg
    for key, cls in SECTIONS.items():
        values[key] = build_config(cls, raw.get(key), key)
    values.setdefault("name", "recipe")
    return Recipe(**values)


def load_recipe(path: str | Path, overrides: list[str] | None = None) -> Recipe:
    """Read a YAML recipe and apply ``--set`` overrides."""
    path = Path(path)
    if not path.is_file():
        raise SeqimgError(f"{path}: no such recipe")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise SeqimgError(f"{path}: not valid YAML ({one_line(exc)})") from None
    raw = copy.deepcopy(raw)
    for assignment in overrides or []:
        apply_override(raw, assignment)
    try:
        return build_recipe(raw)
    except SeqimgError as exc:
        raise SeqimgError(f"{path}: {exc}") from None


def plain(value):
    """Tuples to lists, recursively, so that YAML and checkpoints hold only plain types."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def recipe_dict(recipe: Recipe) -> dict:
    """The resolved recipe as plain data (what ``config.yaml`` holds)."""
    return plain(dataclasses.asdict(recipe))
