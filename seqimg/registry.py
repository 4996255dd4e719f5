"""Discovery of codecs and losses: built-ins, entry points, and ``module:Class`` references."""

from __future__ import annotations

import importlib
import warnings
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

from seqimg.errors import SeqimgError

BUILTIN_CODECS = {
    "midi": "seqimg.codecs.midi:MidiCodec",
    "pianoroll": "seqimg.codecs.pianoroll:PianorollCodec",
    "audio": "seqimg.codecs.audio:AudioCodec",
    "timeseries": "seqimg.codecs.timeseries:TimeseriesCodec",
}
BUILTIN_LOSSES = {
    "gan_g": "seqimg.losses:GeneratorAdversarialLoss",
    "const": "seqimg.losses:ConstancyLoss",
    "tid": "seqimg.losses:TargetIdentityLoss",
    "tv": "seqimg.losses:TotalVariationLoss",
}
GROUPS = {"codecs": ("seqimg.codecs", BUILTIN_CODECS), "losses": ("seqimg.losses", BUILTIN_LOSSES)}


@dataclass(frozen=True)
class Plugin:
    """One discovered class and where it came from (``built-in`` or a distribution name)."""

    name: str
    cls: type
    origin: str


def load_reference(reference: str) -> Any:
    """Import ``module:attribute``."""
    module_name, _, attribute = reference.partition(":")
    if not module_name or not attribute:
        raise SeqimgError(f"{reference!r}: expected 'module:Class'")
    try:
        return getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise SeqimgError(f"{reference!r}: cannot be imported ({exc})") from None


def discover(kind: str) -> dict[str, Plugin]:
    """Built-ins of ``kind`` ('codecs' or 'losses') merged with entry points; broken or
    duplicate plugins warn and are skipped."""
    group, builtins = GROUPS[kind]
    found = {name: Plugin(name, load_reference(ref), "built-in") for name, ref in builtins.items()}
    for entry in entry_points(group=group):
        origin = entry.dist.name if entry.dist else "unknown package"
        if entry.name in found:
            warnings.warn(f"{kind} plugin {entry.name!r} from {origin} duplicates one from "
                          f"{found[entry.name].origin}; ignored", stacklevel=2)
            continue
        try:
            found[entry.name] = Plugin(entry.name, entry.load(), origin)
        except Exception as exc:  # a broken plugin must not break seqimg
            warnings.warn(f"{kind} plugin {entry.name!r} from {origin} failed to load: {exc}",
                          stacklevel=2)
    return found


def list_codecs() -> dict[str, Plugin]:
    """Every available codec by name."""
    return discover("codecs")


def codec_class(name: str) -> type:
    """The codec class for a registered name or a ``module:Class`` reference."""
    if ":" in name:
        return load_reference(name)
    codecs = list_codecs()
    if name not in codecs:
        raise SeqimgError(f"unknown codec {name!r} (known: {', '.join(sorted(codecs))})")
    return codecs[name].cls


def make_codec(name: str, config: dict | None = None) -> Any:
    """An instance of codec ``name`` built from a config mapping."""
    return codec_class(name)(config or {})


def loss_class(name: str) -> type:
    """The loss class for a registered name or a ``module:Class`` reference."""
    if ":" in name:
        return load_reference(name)
    losses = discover("losses")
    if name not in losses:
        raise SeqimgError(f"unknown loss {name!r} (known: {', '.join(sorted(losses))})")
    return losses[name].cls
