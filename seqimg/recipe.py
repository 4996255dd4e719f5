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

from seqimg.config import build_config, config_dict, parse_assignment
from seqimg.errors import SeqimgError, one_line
from seqimg.settings import TrainConfig


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


DEFAULT_METHOD = "dtn"


@dataclass(frozen=True)
class MethodChoice:
    """The transfer method (a registered name or ``module:Class``) and its config."""

    name: str
    config: Any

    def as_dict(self) -> dict:
        """The method as a recipe writes it: ``method: {name: ..., settings}``."""
        return {"name": self.name, **config_dict(self.config)}


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
    # files with the same content (the codec's fingerprint: for MIDI the notes on the grid)
    # are kept on one side of the split, so that a piece is never both trained on and judged
    twins: bool = True
    workers: int | None = None  # processes encoding files (None: the cores available)
    # windows up to this size are loaded whole (faster to index); a larger corpus streams its
    # windows from the encoding cache at batch time
    in_memory_mb: int = 2048


@dataclass(frozen=True)
class EvaluateConfig:
    """Evaluation settings."""

    moved = {"classifier": "moved; the domain classifier is now the first of evaluate.critics, "
                           "write critics: [rocket, statistics] (or [cnn, statistics])"}

    enabled: bool = True  # false: the run stops after transferring the held-out pieces
    # 'fast': a quick look (the CNN classifier for at most 100 steps on at most 20 training
    # files per side, one critic seed, no controls, one example piece from each end, no audio
    # renders)
    level: Literal["full", "fast"] = "full"
    # the two-sample critics, each trained fresh per test (seqimg critics lists them; entry
    # points seqimg.critics); the first is also the domain classifier that strength is read by
    # (one whose model embeds windows: 'cnn', a small CNN over time, or 'rocket', ROCKET
    # features with a logistic regression, far stronger on short series); 'statistics' reads
    # only the codec's per-window statistics (gradient-boosted trees)
    critics: tuple[str, ...] = ("cnn", "statistics")
    # seeds each critic is trained at per test (a deterministic one once): every two-sample
    # result is the median over them, with its range
    critic_seeds: int = 3
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
            self, level=level, critics=("cnn", *(c for c in self.critics[1:] if c != "cnn")),
            critic_seeds=1, classifier_steps=min(self.classifier_steps, 100),
            max_files=min(self.max_files or 20, 20), controls=(), render_audio=False,
            examples=min(self.examples, 1))


def default_method() -> MethodChoice:
    """The dtn method with its default settings."""
    from seqimg.methods.dtn.config import DtnConfig

    return MethodChoice(DEFAULT_METHOD, DtnConfig())


@dataclass(frozen=True, kw_only=True)
class Recipe:
    """A whole job: a source and target domain, a transfer method, training and evaluation."""

    source: SideConfig
    target: SideConfig
    name: str = "recipe"  # the run's name in reports (the default run folder is runs/<file name>)
    seed: int = 0  # seeds weights, batches and (without data.split_seed) the held-out split
    device: str = "auto"  # 'auto' (a GPU when there is one), 'cpu', 'cuda', 'cuda:1', ...
    data: DataConfig = field(default_factory=DataConfig)
    # the transfer method, {name: ..., its settings} (default: the dtn method's defaults)
    method: MethodChoice = field(default_factory=default_method)
    train: TrainConfig = field(default_factory=TrainConfig)
    evaluate: EvaluateConfig = field(default_factory=EvaluateConfig)


SECTIONS = {"data": DataConfig, "train": TrainConfig, "evaluate": EvaluateConfig}
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
    from seqimg.domains import domain_options, resolve_options

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


def build_method(raw) -> MethodChoice:
    """The recipe's method: its name looked up in the registry and its settings built by the
    method's own ``configure`` (errors name ``method.key``)."""
    from seqimg.registry import lookup

    if raw is None:
        raw = {"name": DEFAULT_METHOD}
    if not isinstance(raw, dict) or not isinstance(raw.get("name", DEFAULT_METHOD), str):
        raise SeqimgError("method: expected a mapping with a name (e.g. {name: dtn})")
    name = raw.get("name", DEFAULT_METHOD)
    try:
        cls = lookup("methods", name)
    except SeqimgError as exc:
        raise SeqimgError(f"method.name: {exc}") from None
    settings = {k: v for k, v in raw.items() if k != "name"}
    return MethodChoice(name, cls.configure(settings, "method"))


def check_controls(evaluate: EvaluateConfig, target: SideConfig) -> None:
    """Every control the evaluation names is registered and can rewrite pieces with the target's
    codec (it has the capability the control ``needs``); every critic it names is registered."""
    from seqimg.codecs.capabilities import lacking
    from seqimg.registry import available, codec_class, known, lookup

    for name in evaluate.critics:
        if not known("critics", name):
            raise SeqimgError(f"evaluate.critics: unknown critic {name!r} "
                              f"(known: {', '.join(available('critics'))})")
    embedding = [name for name in available("critics") if getattr(lookup("critics", name),
                                                                   "embeds", False)]
    if not evaluate.critics or evaluate.critics[0] not in embedding:
        raise SeqimgError("evaluate.critics: the first critic is the domain classifier and must "
                          f"embed windows (one of {', '.join(embedding)}), got "
                          f"{list(evaluate.critics)}")
    if evaluate.critic_seeds < 1:
        raise SeqimgError(f"evaluate.critic_seeds: at least 1, got {evaluate.critic_seeds}")

    for name in evaluate.controls:
        if not known("controls", name):
            raise SeqimgError(f"evaluate.controls: unknown control {name!r} "
                              f"(known: {', '.join(available('controls'))})")
        missing = lacking(codec_class(target.codec_name), getattr(lookup("controls", name),
                                                                 "needs", ()))
        if missing:
            raise SeqimgError(f"evaluate.controls: the control {name!r} needs a codec that "
                              f"{missing}, and the target's {target.codec_name} codec does not")


def written_recipe(recipe: dict) -> dict:
    """A recipe that seqimg wrote itself (a checkpoint's, a shipped model's, a run folder's
    config.yaml) with each side's codec settings under their current names
    (:func:`seqimg.config.respelled`, e.g. the midi codec's ``layout``, now ``encoding``) and
    an evaluation's ``classifier: NAME`` made the first of ``critics``, so that what was written
    before a setting moved still loads; a user's recipe gets no such help."""
    from seqimg.config import respelled
    from seqimg.registry import codec_class, known

    out = copy.deepcopy(recipe)
    for side in ("source", "target"):
        codec = out.get(side, {}).get("codec", {})
        name = codec.get("name")
        if isinstance(name, str) and known("codecs", name):
            out[side]["codec"] = respelled(codec_class(name).config_class, codec)
    evaluate = out.get("evaluate")
    if isinstance(evaluate, dict) and "classifier" in evaluate:
        first = evaluate.pop("classifier")
        evaluate["critics"] = [first, *(c for c in evaluate.get("critics", ["statistics"])
                                        if c != first)]
    return out


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
    """What the two sides and the method must agree on before training: the capabilities the
    method needs of both codecs, what :func:`seqimg.cross.check_cross_pair` asks of images of
    different shapes, and the method's own ``check`` (views, levels, ...)."""
    from seqimg.codecs.capabilities import lacking
    from seqimg.registry import lookup, make_codec

    source = make_codec(recipe.source.codec_name, recipe.source.codec)
    target = make_codec(recipe.target.codec_name, recipe.target.codec)
    method = lookup("methods", recipe.method.name)
    for side, codec in (("source", source), ("target", target)):
        missing = lacking(type(codec), method.needs)
        if missing:
            raise SeqimgError(f"method.name: the {recipe.method.name} method needs codecs that "
                              f"{missing}; the {side}'s {codec.name} codec does not")
    if source.layout.image_shape != target.layout.image_shape:
        from seqimg.cross import check_cross_pair

        check_cross_pair(source, target, recipe)
    method.check(source, target, recipe.method.config)


def build_recipe(raw: dict, where: str = "recipe", recipe_dir: Path | None = None) -> Recipe:
    """Typed recipe from a mapping; every error names the full key. Relative paths start at
    ``recipe_dir`` (default: the working directory)."""
    if not isinstance(raw, dict):
        raise SeqimgError(f"{where}: expected a mapping at the top level")
    known = {*SECTIONS, *SCALARS, "source", "target", "method"}
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
    values["method"] = build_method(raw.get("method"))
    values["evaluate"] = resolve_reference(values["evaluate"], values["target"], recipe_dir)
    check_controls(values["evaluate"], values["target"])
    recipe = Recipe(**values)
    check_pair(recipe)
    return recipe


def load_recipe(path: str | Path, overrides: list[str] | None = None,
                written: bool = False) -> Recipe:
    """Read a YAML recipe and apply ``--set`` overrides; ``written``: a run folder's resolved
    recipe, which seqimg wrote itself, read with renamed settings under their new names."""
    path = Path(path)
    if not path.is_file():
        raise SeqimgError(f"{path}: no such recipe")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise SeqimgError(f"{path}: not valid YAML ({one_line(exc)})") from None
    raw = copy.deepcopy(raw)
    if written and isinstance(raw, dict):
        raw = written_recipe(raw)
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
        if isinstance(value, (SideConfig, MethodChoice)):
            value = value.as_dict()
        elif dataclasses.is_dataclass(value):
            value = dataclasses.asdict(value)
        out[item.name] = value
    return plain(out)
