"""Frozen, typed configs built from plain mappings, with errors that name the full key."""

from __future__ import annotations

import dataclasses
import inspect
import types
import typing
from typing import Any, Literal, TypeVar

import yaml

from seqimg.errors import SeqimgError

T = TypeVar("T")


def _matches(value: Any, hint: Any) -> bool:
    """Whether ``value`` fits the type ``hint``; a hint this function does not know is a
    programming error, never a silent pass."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return True
    if dataclasses.is_dataclass(hint):
        return isinstance(value, hint)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arg) for arg in args)
    if origin is Literal:
        return any(value == arg and type(value) is type(arg) for arg in args)
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint in (str, bool):
        return isinstance(value, hint)
    if origin is tuple or hint is tuple:
        item = args[0] if args else Any
        return isinstance(value, (tuple, list)) and all(_matches(v, item) for v in value)
    if origin is dict or hint is dict:
        key, item = args or (Any, Any)
        return isinstance(value, dict) and all(
            _matches(k, key) and _matches(v, item) for k, v in value.items())
    raise TypeError(f"config type hint {hint!r} is not supported")


def _type_name(hint: Any) -> str:
    if dataclasses.is_dataclass(hint):
        return "a mapping of settings"
    if typing.get_origin(hint) is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(hint))
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")


def check_values(values: dict, hints: dict[str, Any], where: str) -> dict:
    """Check ``values`` against type ``hints`` by name: unknown keys and wrong types raise an
    error naming ``where.key``; lists given for tuple fields become tuples, and mappings given
    for dataclass fields become those dataclasses (built by :func:`build_config`)."""
    unknown = sorted(set(values) - set(hints))
    if unknown:
        known = ", ".join(sorted(hints)) or "none"
        raise SeqimgError(f"{where}.{unknown[0]}: unknown key (known: {known})")
    out = {}
    for key, value in values.items():
        if dataclasses.is_dataclass(hints[key]) and isinstance(value, dict):  # a nested section
            out[key] = build_config(hints[key], value, f"{where}.{key}")
            continue
        if not _matches(value, hints[key]):
            raise SeqimgError(f"{where}.{key}: expected {_type_name(hints[key])}, got {value!r}")
        origin = typing.get_origin(hints[key])
        out[key] = tuple(value) if isinstance(value, list) and origin is tuple else value
    return out


def respelled(cls: type, values: dict) -> dict:
    """Settings that seqimg itself wrote earlier (a checkpoint's recipe, an encoding's
    description) with the keys ``cls.renamed`` maps given their new names, so that what was
    written before a rename still loads; a user's recipe gets no such help (build_config).
    ``cls.settle_written``, where the class has it, then mends what a newer check refuses
    though it never took effect."""
    renamed = getattr(cls, "renamed", {})
    out = {renamed.get(key, key): value for key, value in values.items()}
    settle = getattr(cls, "settle_written", None)
    return settle(out) if settle else out


def build_config(cls: type[T], values: dict | None, where: str) -> T:
    """Build the frozen dataclass ``cls`` from ``values``; unknown keys and bad types raise.

    ``where`` is the dotted path of ``values`` in its recipe, used in error messages. A key
    that ``cls.renamed`` maps to its new name is refused with the new spelling, one that
    ``cls.moved`` names with its advice.
    """
    if values is not None and not isinstance(values, dict):
        raise SeqimgError(f"{where}: expected a mapping of settings, got {values!r}")
    for old, new in getattr(cls, "renamed", {}).items():
        if old in (values or {}):
            raise SeqimgError(f"{where}.{old}: renamed; write {new}: {values[old]}")
    for old, advice in getattr(cls, "moved", {}).items():
        if old in (values or {}):
            raise SeqimgError(f"{where}.{old}: {advice}")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    checked = check_values(dict(values or {}), {k: hints[k] for k in names}, where)
    required = [f.name for f in dataclasses.fields(cls) if f.name not in checked
                and f.default is dataclasses.MISSING
                and f.default_factory is dataclasses.MISSING]
    if required:
        raise SeqimgError(f"{where}.{required[0]}: missing")
    try:
        return cls(**checked)
    except (TypeError, ValueError) as exc:  # __post_init__ checks name the field first
        field_name = str(exc).split(":", 1)[0]
        raise SeqimgError(f"{where}.{exc}" if field_name in names else f"{where}: {exc}"
                          ) from None


def check_call_settings(func: Any, values: dict | None, where: str) -> dict:
    """Check keyword settings for ``func`` (e.g. a user loss class) against its annotated
    parameters, so a plugin's settings are typed without a config class of its own."""
    target = func.__init__ if inspect.isclass(func) else func
    hints = typing.get_type_hints(target)
    params = [p for p in inspect.signature(func).parameters.values()
              if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    return check_values(dict(values or {}), {p.name: hints.get(p.name, Any) for p in params},
                        where)


def config_dict(config: Any) -> dict:
    """A dataclass config as a plain, YAML-friendly dict (tuples become lists, nested configs
    dicts)."""
    out = {}
    for field in dataclasses.fields(config):
        value = getattr(config, field.name)
        if dataclasses.is_dataclass(value):
            value = config_dict(value)
        out[field.name] = list(value) if isinstance(value, tuple) else value
    return out


def parse_assignment(text: str, what: str = "key=value") -> tuple[str, Any]:
    """``key=value`` to ``(key, value)``, the value read as YAML (``4``, ``true``, ``[1, 2]``)."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise SeqimgError(f"{text!r}: expected {what}")
    try:
        return key.strip(), yaml.safe_load(value)
    except yaml.YAMLError as exc:
        raise SeqimgError(f"{text!r}: the value is not valid YAML ({exc.problem})") from None
