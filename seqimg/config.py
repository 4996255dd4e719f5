"""Frozen, typed configs built from plain mappings, with errors that name the full key."""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, TypeVar

from seqimg.errors import SeqimgError

T = TypeVar("T")


def _matches(value: Any, hint: Any) -> bool:
    """Whether ``value`` fits the type ``hint`` (int, float, str, bool, Optional, tuple, dict)."""
    origin = typing.get_origin(hint)
    if hint is Any:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arg) for arg in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin is tuple:
        return isinstance(value, (tuple, list)) and all(
            _matches(v, typing.get_args(hint)[0]) for v in value
        )
    if origin is dict:
        return isinstance(value, dict)
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True


def _type_name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")


def build_config(cls: type[T], values: dict | None, where: str) -> T:
    """Build the frozen dataclass ``cls`` from ``values``; unknown keys and bad types raise.

    ``where`` is the dotted path of ``values`` in its recipe, used in error messages.
    """
    values = dict(values or {})
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - names)
    if unknown:
        raise SeqimgError(
            f"{where}.{unknown[0]}: unknown key (known: {', '.join(sorted(names))})"
        )
    for key, value in values.items():
        if not _matches(value, hints[key]):
            raise SeqimgError(
                f"{where}.{key}: expected {_type_name(hints[key])}, got {value!r}"
            )
        if typing.get_origin(hints[key]) is tuple:
            values[key] = tuple(value)
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        raise SeqimgError(f"{where}: {exc}") from None


def config_dict(config: Any) -> dict:
    """A dataclass config as a plain, YAML-friendly dict (tuples become lists)."""
    out = {}
    for field in dataclasses.fields(config):
        value = getattr(config, field.name)
        out[field.name] = list(value) if isinstance(value, tuple) else value
    return out
