"""Recipes: YAML -> typed, frozen config, with ``--set key=value`` overrides that name the key.

Every section is resolved when the recipe loads (codec settings through the codec's config
class, domain options through the domain's ``Options``, user losses through their parameters),
so a typo fails in seconds, before any corpus is converted or encoded.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from seqimg.config import build_config, check_call_settings, config_dict, parse_assignment
from seqimg.errors import SeqimgError, one_line
from seqimg.settings import ExtraLoss, LossConfig, ModelConfig, TrainConfig
from seqimg.views import codec_readers


@dataclass(frozen=True)
class SideConfig:
    """One domain of the pair: where its files come from (the domain and its ``Options``) and
    how they are encoded (a codec name or ``module:Class``, and that codec's config)."""

    domain: str
    options: Any
    codec_name: str
    codec: Any

    def as_dict(self) -> dict:
        """The side as a recipe writes it: ``codec: {name: ..., settings}``."""
        return {"domain": self.domain, "options": config_dict(self.options),
                "codec": {"name": self.codec_name, **config_dict(self.codec)}}


@dataclass(frozen=True)
class DataConfig:
    """Corpus size, held-out split (by file) and window offsets; augmentation itself is a
    codec setting (e.g. the midi codec's ``transpose``)."""

    max_files: int | None = None  # files per domain
    # share of each side's files held out for transfer and evaluation
    heldout_fraction: float = 0.15
    offsets: int = 1  # window start offsets per window length (4: windows every L/4 steps)
    # the held-out split's seed (None: the recipe's seed), so that a second training seed can
    # be judged on the same held-out files
    split_seed: int | None = None
    workers: int | None = None  # processes encoding files (None: the cores available)
    # windows up to this size are loaded whole (faster to index); a larger corpus streams its
    # windows from the encoding cache at batch time
    in_memory_mb: int = 2048


@dataclass(frozen=True)
class EvaluateConfig:
    """Evaluation settings."""

    enabled: bool = True  # false: the run stops after transferring the held-out pieces
    # 'fast': a quick look (the CNN classifier for at most 100 steps on at most 20 training
    # files per side, no controls, one example piece from each end, no audio renders)
    level: Literal["full", "fast"] = "full"
    # the domain classifier and two-sample test: a small CNN over time, or ROCKET features
    # (pyts) with a logistic regression, far stronger on short series
    classifier: Literal["cnn", "rocket"] = "cnn"
    classifier_steps: int = 300  # CNN training steps
    window: int = 64  # steps per classifier window
    max_files: int | None = None  # training files per domain for the classifier (round trips)
    # WAV renders of the example pieces (fluidsynth for MIDI), when the codec can
    render_audio: bool = True
    # pieces drawn (piano rolls or plots) and rendered from each end of the ranking: the most
    # and the least convincing transfers
    examples: int = 2
    # rule-made versions of the source scored beside the transfer (entry points seqimg.controls)
    controls: tuple[str, ...] = ()
    # a cross-codec pair's source pieces as the target's codec reads them, {domain: ...,
    # options: {...}} (e.g. the chorales rendered to audio): the domain classifier's other
    # class and the untransferred control; unused when both sides share a codec
    reference: dict[str, Any] = field(default_factory=dict)

    def effective(self, level: str | None = None) -> EvaluateConfig:
        """The settings evaluation uses at ``level`` (default: this config's): these, or at
        level 'fast' the cheap ones."""
        level = level or self.level
        if level == "full":
            return dataclasses.replace(self, level=level)
        return dataclasses.replace(
            self, level=level, classifier="cnn", classifier_steps=min(self.classifier_steps, 100),
            max_files=min(self.max_files or 20, 20), controls=(), render_audio=False,
            examples=min(self.examples, 1))


@dataclass(frozen=True, kw_only=True)
class Recipe:
    """A whole job: a source and target domain, model, losses, training and evaluation."""

    source: SideConfig
    target: SideConfig
    name: str = "recipe"  # the run's name in reports (the default run folder is runs/<file name>)
    seed: int = 0  # seeds weights, batches and (without data.split_seed) the held-out split
    device: str = "auto"  # 'auto' (a GPU when there is one), 'cpu', 'cuda', 'cuda:1', ...
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    losses: LossConfig = field(default_factory=LossConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    evaluate: EvaluateConfig = field(default_factory=EvaluateConfig)


SECTIONS = {"data": DataConfig, "model": ModelConfig, "losses": LossConfig, "train": TrainConfig,
            "evaluate": EvaluateConfig}
SCALARS = {"name": str, "seed": int, "device": str}
SIDE_KEYS = ("domain", "options", "codec")


def apply_override(raw: dict, assignment: str) -> None:
    """Apply one ``dotted.key=value`` (value read as YAML) to the raw recipe mapping."""
    key, value = parse_assignment(assignment, "dotted.key=value")
    parts = key.split(".")
    node = raw
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise SeqimgError(f"--set {key}: {part} is not a section")
    node[parts[-1]] = value


def side_options(domain: str, raw: Any, where: str, recipe_dir: Path | None,
                 suffixes: tuple[str, ...]):
    """A domain's ``Options`` from a mapping, checked (errors name ``where.key``) and resolved
    against the recipe's folder (default: the working directory) and the reading codec's
    suffixes."""
    from domains import domain_options, resolve_options

    options = domain_options(domain, raw, where)
    return resolve_options(domain, options, recipe_dir or Path.cwd(), suffixes)


def build_side(raw: Any, where: str, recipe_dir: Path | None = None) -> SideConfig:
    """A side's domain options and codec config, checked against their classes; relative paths
    in the options start at ``recipe_dir`` (default: the working directory)."""
    from seqimg.registry import codec_class

    if not isinstance(raw, dict):
        raise SeqimgError(f"{where}: expected a mapping with a domain and a codec")
    unknown = sorted(set(raw) - set(SIDE_KEYS))
    if unknown:
        raise SeqimgError(f"{where}.{unknown[0]}: unknown key (known: {', '.join(SIDE_KEYS)})")
    if not isinstance(raw.get("domain"), str):
        raise SeqimgError(f"{where}.domain: missing (e.g. classical, folder)")
    codec = raw.get("codec")
    if not isinstance(codec, dict) or not isinstance(codec.get("name"), str):
        raise SeqimgError(f"{where}.codec.name: missing (e.g. midi, timeseries)")
    settings = {k: v for k, v in codec.items() if k != "name"}
    try:
        cls = codec_class(codec["name"])
    except SeqimgError as exc:
        raise SeqimgError(f"{where}.codec.name: {exc}") from None
    options = side_options(raw["domain"], raw.get("options"), f"{where}.options", recipe_dir,
                           cls.suffixes)
    return SideConfig(raw["domain"], options, codec["name"],
                      build_config(cls.config_class, settings, f"{where}.codec"))


def resolve_extra_losses(losses: LossConfig, where: str = "losses") -> LossConfig:
    """User losses as :class:`ExtraLoss`, their settings checked against the loss class."""
    from seqimg.registry import loss_class

    extra = {}
    for name, spec in losses.extra.items():
        key = f"{where}.extra.{name}"
        if isinstance(spec, ExtraLoss):
            spec = dataclasses.asdict(spec)
        if not isinstance(spec, dict):
            spec = {"weight": spec}
        spec = build_config(ExtraLoss, spec, key)
        try:
            cls = loss_class(name)
        except SeqimgError as exc:
            raise SeqimgError(f"{key}: {exc}") from None
        extra[name] = ExtraLoss(spec.weight,
                                check_call_settings(cls, spec.settings, f"{key}.settings"))
    return dataclasses.replace(losses, extra=extra)


def check_model_and_losses(model: ModelConfig, losses: LossConfig) -> None:
    """Named variants and the adversarial loss exist; the adversarial loss takes the settings
    given to it."""
    from seqimg.registry import available, known, lookup

    for key, kind in (("generator", "generators"), ("discriminator", "discriminators")):
        if not known(kind, getattr(model, key)):
            raise SeqimgError(f"model.{key}: unknown {kind[:-1]} variant "
                              f"{getattr(model, key)!r} (known: {', '.join(available(kind))})")
    if not known("adversarial", losses.adversarial):
        raise SeqimgError(f"losses.adversarial: unknown adversarial loss {losses.adversarial!r} "
                          f"(known: {', '.join(available('adversarial'))})")
    if losses.label_smoothing:  # only then is the class imported, to check it takes it
        try:
            check_call_settings(lookup("adversarial", losses.adversarial),
                                {"label_smoothing": losses.label_smoothing}, "losses")
        except SeqimgError:
            raise SeqimgError(f"losses.label_smoothing: the {losses.adversarial!r} adversarial "
                              "loss takes no label smoothing") from None


def check_controls(evaluate: EvaluateConfig) -> None:
    """Every control the evaluation names is registered (nothing is imported)."""
    from seqimg.registry import available, known

    for name in evaluate.controls:
        if not known("controls", name):
            raise SeqimgError(f"evaluate.controls: unknown control {name!r} "
                              f"(known: {', '.join(available('controls'))})")


def resolve_reference(evaluate: EvaluateConfig, target: SideConfig,
                      recipe_dir: Path | None) -> EvaluateConfig:
    """``evaluate.reference`` with its domain options checked and resolved as a side's are
    (for the target's codec)."""
    from seqimg.registry import codec_class

    raw = evaluate.reference
    if not raw:
        return evaluate
    unknown = sorted(set(raw) - {"domain", "options"})
    if unknown:
        raise SeqimgError(f"evaluate.reference.{unknown[0]}: unknown key (known: domain, "
                          "options)")
    if not isinstance(raw.get("domain"), str):
        raise SeqimgError("evaluate.reference.domain: missing (e.g. rendered, folder)")
    options = side_options(raw["domain"], raw.get("options"), "evaluate.reference.options",
                           recipe_dir, codec_class(target.codec_name).suffixes)
    return dataclasses.replace(evaluate, reference={"domain": raw["domain"],
                                                    "options": config_dict(options)})


def check_pair(recipe: Recipe) -> None:
    """What the two sides must agree on before training: the content views L_VIEWS reads and
    the statistics L_MATCH reads, frame levels when G's output is snapped to them, and for
    images of different shapes what :func:`seqimg.cross.check_cross_pair` asks."""
    from seqimg.registry import make_codec

    source = make_codec(recipe.source.codec_name, recipe.source.codec)
    target = make_codec(recipe.target.codec_name, recipe.target.codec)
    codec_readers(source, target, recipe.losses, recipe.train.straight_through)
    if source.image_shape != target.image_shape:
        from seqimg.cross import check_cross_pair

        check_cross_pair(source, target, recipe)


def build_recipe(raw: dict, where: str = "recipe", recipe_dir: Path | None = None) -> Recipe:
    """Typed recipe from a mapping; every error names the full key. Relative paths start at
    ``recipe_dir`` (default: the working directory)."""
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
        values[side] = build_side(raw[side], side, recipe_dir)
    for key, cls in SECTIONS.items():
        values[key] = build_config(cls, raw.get(key), key)
    values["losses"] = resolve_extra_losses(values["losses"])
    values["evaluate"] = resolve_reference(values["evaluate"], values["target"], recipe_dir)
    check_model_and_losses(values["model"], values["losses"])
    check_controls(values["evaluate"])
    recipe = Recipe(**values)
    check_pair(recipe)
    return recipe


def load_recipe(path: str | Path, overrides: list[str] | None = None) -> Recipe:
    """Read a YAML recipe and apply ``--set`` overrides."""
    path = Path(path)
    if not path.is_file():
        raise SeqimgError(f"{path}: no such recipe")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise SeqimgError(f"{path}: not valid YAML ({one_line(exc)})") from None
    raw = copy.deepcopy(raw)
    for assignment in overrides or []:
        apply_override(raw, assignment)
    try:
        return build_recipe(raw, recipe_dir=path.resolve().parent)
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
    """The fully resolved recipe as plain data, defaults included (what ``config.yaml`` holds);
    :func:`build_recipe` reads it back to the same recipe."""
    out = {"name": recipe.name}  # first, as recipes write it
    for item in dataclasses.fields(recipe):
        value = getattr(recipe, item.name)
        if isinstance(value, SideConfig):
            value = value.as_dict()
        elif dataclasses.is_dataclass(value):
            value = dataclasses.asdict(value)
        out[item.name] = value
    return plain(out)
