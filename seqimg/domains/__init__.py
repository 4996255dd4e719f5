"""Data side of seqimg: each domain yields files of real sequences from an offline source.

A domain module (built in, or a plugin's module named in the ``seqimg.domains`` entry point
group) has an ``Options`` frozen dataclass and ``files(options, cache) -> list[Path]``,
and may have ``resolve(options, recipe_dir, codec_suffixes) -> Options`` to fill in what depends
on where the recipe lives and which codec reads the files. Recipes name a domain
(``source.domain``) and its options (``source.options``).
"""

from __future__ import annotations

from pathlib import Path

from seqimg.config import build_config
from seqimg.errors import SeqimgError
from seqimg.io import cache_root
from seqimg.registry import lookup


def domain_module(name: str, where: str = "domain"):
    """The module of domain ``name`` (built in, or a plugin of the ``seqimg.domains`` entry
    point group); a clear error listing the known ones."""
    try:
        return lookup("domains", name)
    except SeqimgError as exc:
        raise SeqimgError(f"{where}: {exc}") from None


def domain_options(name: str, options: dict | None, where: str = "domain.options"):
    """The domain's ``Options`` built from a mapping; errors name ``where.key``."""
    parent = where.rsplit(".", 1)[0] + ".domain" if "." in where else "domain"
    return build_config(domain_module(name, parent).Options, options, where)


def resolve_options(name: str, options, recipe_dir: Path, codec_suffixes: tuple[str, ...]):
    """The domain's options with what depends on the recipe's folder and the codec filled in
    (unchanged for domains without a ``resolve``)."""
    resolve = getattr(domain_module(name), "resolve", None)
    return resolve(options, recipe_dir, codec_suffixes) if resolve else options


def domain_files(name: str, options, where: str = "domain", make: bool = True) -> list[Path]:
    """The sorted files of domain ``name``; ``options`` is its ``Options`` or a mapping. A
    domain that makes its files (renders them) makes them all, unless ``make`` is false: then
    only their places are listed, for :func:`make_files` to make the ones a run uses."""
    module = domain_module(name, where)
    if not isinstance(options, module.Options):
        options = domain_options(name, options, f"{where}.options")
    try:
        files = sorted(module.files(options, cache_root() / name))
    except SeqimgError as exc:
        raise SeqimgError(f"{where}.options: {exc}") from None
    if not files:
        raise SeqimgError(f"{where}: domain {name!r} has no files")
    if make:
        make_files(name, options, files, where)
    return files


def make_files(name: str, options, files: list[Path], where: str = "domain") -> None:
    """Make those of ``files`` the domain has not made yet (a no-op for domains whose files
    exist already); ``options`` is the domain's ``Options``."""
    module = domain_module(name, where)
    make = getattr(module, "make", None)
    if make is None:
        return
    if not isinstance(options, module.Options):
        options = domain_options(name, options, f"{where}.options")
    try:
        make(options, cache_root() / name, files)
    except SeqimgError as exc:
        raise SeqimgError(f"{where}.options: {exc}") from None
