"""Discovery of methods, codecs, losses, controls, model variants and domains: built-ins, entry
points, ``module:Class``.

Discovery is lazy and cached (xarray's backends are the model): names come from a table and
from entry point metadata without importing anything; a class is imported when it is first
asked for, so ``make_codec('timeseries')`` never imports the MIDI or audio libraries. A broken
or duplicate plugin warns once per process. ``SEQIMG_PLUGINS`` (distribution names, comma-separated;
empty for none) limits which installed packages' plugins are seen, as the test suite does.
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
import sys
import warnings
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from seqimg.errors import SeqimgError

log = logging.getLogger(__name__)

BUILTINS = {
    "methods": {"dtn": "seqimg.methods.dtn.method:DtnMethod",
                "diffusion": "seqimg.methods.diffusion:DiffusionMethod",
                "donor": "seqimg.methods.donor.method:DonorMethod",
                "segment_donor": "seqimg.methods.donor.segment_method:SegmentDonorMethod"},
    "codecs": {
        "midi": "seqimg.codecs.midi:MidiCodec",
        "audio": "seqimg.codecs.audio:AudioCodec",
        "timeseries": "seqimg.codecs.timeseries:TimeseriesCodec",
    },
    "losses": {
        "gan_g": "seqimg.methods.dtn.losses:GeneratorAdversarialLoss",
        "const": "seqimg.methods.dtn.losses:ConstancyLoss",
        "tid": "seqimg.methods.dtn.losses:TargetIdentityLoss",
        "tv": "seqimg.methods.dtn.losses:TotalVariationLoss",
        "views": "seqimg.methods.dtn.losses:ViewConstancyLoss",
        "match": "seqimg.methods.dtn.losses:TargetMatchLoss",
        "keep": "seqimg.methods.dtn.losses:SourceKeepLoss",
    },
    "adversarial": {
        "binary": "seqimg.methods.dtn.losses:BinaryAdversarialLoss",
        "ternary": "seqimg.methods.dtn.losses:TernaryAdversarialLoss",
    },
    "controls": {
        "sixteenths": "seqimg.codecs.note_controls:sixteenths",
        "power_chords": "seqimg.codecs.note_controls:power_chords",
        "retrieval": "seqimg.codecs.note_controls:retrieval",
        "nearest_windows": "seqimg.codecs.window_controls:nearest_windows",
    },
    "critics": {"cnn": "seqimg.evaluate.critics:CnnCritic",
                "rocket": "seqimg.evaluate.critics:RocketCritic",
                "statistics": "seqimg.evaluate.critics:StatisticsCritic",
                "gru": "seqimg.evaluate.critics:GruCritic"},
    "generators": {"dtn": "seqimg.model.variants.dtn:build_generator",
                   "seed": "seqimg.model.variants.seed:build_generator",
                   "temporal": "seqimg.model.variants.temporal:build_generator"},
    "discriminators": {"dtn": "seqimg.model.variants.dtn:build_discriminator",
                       "seed": "seqimg.model.variants.seed:build_discriminator",
                       "patch": "seqimg.model.variants.patch:build_discriminator",
                       "temporal": "seqimg.model.variants.temporal:build_discriminator",
                       "dual": "seqimg.model.variants.dual:build_discriminator"},
    "domains": {name: f"seqimg.domains.{name}" for name in
                ("classical", "metal", "folder", "basicmotions", "gunpoint", "italypower",
                 "rendered")},
}
GROUPS = {kind: f"seqimg.{kind}" for kind in BUILTINS}
NOUNS = {"methods": "method", "codecs": "codec", "losses": "loss",
         "adversarial": "adversarial loss", "controls": "control", "critics": "critic",
         "generators": "generator variant",
         "discriminators": "discriminator variant", "domains": "domain"}


def load_reference(reference: str) -> Any:
    """Import ``module:attribute``."""
    module_name, _, attribute = reference.partition(":")
    if not module_name or not attribute:
        raise SeqimgError(f"{reference!r}: expected 'module:Class'")
    try:
        return getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise SeqimgError(f"{reference!r}: cannot be imported ({exc})") from None


@dataclass
class Plugin:
    """One registered name, where it comes from (``built-in`` or a distribution), and its
    object, imported on first use."""

    name: str
    kind: str
    origin: str
    reference: Any = field(repr=False)  # 'module:attr' for built-ins, an EntryPoint otherwise

    @functools.cached_property
    def obj(self) -> Any:
        """The registered object: a class for codecs and losses, a builder for variants, a
        module for domains."""
        if isinstance(self.reference, str):
            return (load_reference(self.reference) if ":" in self.reference
                    else importlib.import_module(self.reference))
        return self.reference.load()


def allowed_distributions() -> set[str] | None:
    """The packages whose plugins ``SEQIMG_PLUGINS`` lets in, or None when it is unset (all)."""
    value = os.environ.get("SEQIMG_PLUGINS")
    if value is None:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


@functools.cache
def available(kind: str) -> dict[str, Plugin]:
    """Every name of ``kind`` ('codecs', 'losses', ...) without importing any of them; a plugin
    that reuses a taken name warns (once) and is ignored."""
    found = {name: Plugin(name, kind, "built-in", ref) for name, ref in BUILTINS[kind].items()}
    allowed = allowed_distributions()
    for entry in entry_points(group=GROUPS[kind]):
        origin = entry.dist.name if getattr(entry, "dist", None) else "unknown package"
        if allowed is not None and origin not in allowed:
            continue
        if entry.name in found:
            warnings.warn(f"{kind} plugin {entry.name!r} from {origin} duplicates one from "
                          f"{found[entry.name].origin}; ignored", stacklevel=2)
            continue
        found[entry.name] = Plugin(entry.name, kind, origin, entry)
    return found


@functools.cache
def _broken(kind: str, name: str, origin: str, problem: str) -> None:
    """Warn about a plugin that fails to import; cached, so each warns once per process."""
    warnings.warn(f"{kind} plugin {name!r} from {origin} failed to load: {problem}",
                  stacklevel=3)


def loaded(kind: str) -> dict[str, Plugin]:
    """Every plugin of ``kind`` whose object imports; broken ones warn once and are left out."""
    out = {}
    for name, plugin in available(kind).items():
        try:
            plugin.obj  # noqa: B018  (imports it)
        except Exception as exc:  # a broken plugin must not break seqimg
            _broken(kind, name, plugin.origin, str(exc))
            continue
        out[name] = plugin
    return out


def lookup(kind: str, name: str) -> Any:
    """The object registered as ``name`` (or a ``module:Class`` reference, whose first import is
    announced: it runs that module's code)."""
    if ":" in name:
        module_name = name.partition(":")[0]
        if module_name not in sys.modules:
            log.info("importing module %r for %s %r (this runs its code)", module_name,
                     NOUNS[kind], name)
        return load_reference(name)
    plugins = available(kind)
    if name not in plugins:
        raise SeqimgError(f"unknown {NOUNS[kind]} {name!r} (known: {', '.join(sorted(plugins))})")
    try:
        return plugins[name].obj
    except Exception as exc:
        raise SeqimgError(f"{NOUNS[kind]} {name!r} from {plugins[name].origin} failed to load "
                          f"({exc})") from None


def known(kind: str, name: str) -> bool:
    """Whether ``name`` is registered (or a ``module:Class`` reference), importing nothing."""
    return ":" in name or name in available(kind)


def clear_cache() -> None:
    """Forget discovered plugins (after installing one, or in tests)."""
    available.cache_clear()
    _broken.cache_clear()


def list_codecs() -> dict[str, Plugin]:
    """Every codec that imports, by name."""
    return loaded("codecs")


def codec_class(name: str) -> type:
    """The codec class for a registered name or a ``module:Class`` reference."""
    return lookup("codecs", name)


def codec_for_suffix(path: Path) -> str:
    """The one codec whose suffixes include ``path``'s (in any case); none or several is an
    error naming the choices."""
    suffix = path.suffix.lower()
    names = [name for name, plugin in list_codecs().items() if suffix in plugin.obj.suffixes]
    if len(names) == 1:
        return names[0]
    if names:
        raise SeqimgError(f"{path}: several codecs read {suffix} files ({', '.join(names)}); "
                          "choose one with --codec")
    known = ", ".join(f"{name} ({' '.join(p.obj.suffixes)})" for name, p in list_codecs().items())
    raise SeqimgError(f"{path}: no codec reads {suffix or 'suffix-less'} files (known: {known}); "
                      "choose one with --codec")


def make_codec(name: str, config: Any = None) -> Any:
    """An instance of codec ``name`` built from a config mapping or config object."""
    return codec_class(name)(config)


def loss_class(name: str) -> type:
    """The loss class for a registered name or a ``module:Class`` reference."""
    return lookup("losses", name)
