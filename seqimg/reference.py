"""The reference of every recipe key and codec option, read from the config dataclasses and the
comments beside their fields, so that the documentation is the code.

``seqimg reference --out docs/reference.md`` writes the page; a test fails when it is stale.
"""

from __future__ import annotations

import dataclasses
import inspect
import io
import tokenize
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

REFERENCE_COMMAND = "seqimg reference --out docs/reference.md"


@dataclass(frozen=True)
class Option:
    """One setting: its key, type, default and the comment that explains it."""

    name: str
    type: str
    default: str
    meaning: str


def type_words(hint: Any) -> str:
    """A type hint as a recipe writer reads it: ``int or none``, ``one of 'a', 'b'``."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(type_words(a) for a in args)
    if hint is type(None):
        return "none"
    if origin is tuple:
        return f"list of {type_words(args[0]) if args else 'values'}"
    if origin is dict:
        key, value = args or (Any, Any)
        return f"mapping {type_words(key)} -> {type_words(value)}"
    if hint is Any:
        return "any"
    return getattr(hint, "__name__", str(hint))


def default_words(item: dataclasses.Field) -> str:
    """A field's default as YAML would show it (``none``, ``[]``, ``{}``), or ``required``."""
    if item.default is not dataclasses.MISSING:
        value = item.default
    elif item.default_factory is not dataclasses.MISSING:
        value = item.default_factory()
    else:
        return "required"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(map(str, value)) + "]"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def field_comments(cls: type) -> dict[str, str]:
    """The comment of each field declared in ``cls`` itself: the comment lines right above the
    field and the comment after it on its line, joined."""
    lines, _ = inspect.getsourcelines(cls)
    comments = {}
    for token in tokenize.generate_tokens(io.StringIO("".join(lines)).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.string.lstrip("#").strip()
    out = {}
    for number, line in enumerate(lines, start=1):
        name = line.strip().split(":", 1)[0]
        if not name.isidentifier() or line[: len(line) - len(line.lstrip())] != "    ":
            continue
        above = []
        row = number - 1
        while row in comments and lines[row - 1].lstrip().startswith("#"):
            above.insert(0, comments[row])
            row -= 1
        after = [comments[number]] if number in comments and "noqa" not in comments[number] else []
        if above or after:
            out[name] = " ".join(above + after)
    return out


def options(cls: type) -> list[Option]:
    """Every field of the config dataclass ``cls`` (inherited ones included), documented."""
    hints = typing.get_type_hints(cls)
    comments: dict[str, str] = {}
    for base in reversed(cls.__mro__):
        if dataclasses.is_dataclass(base) and base is not object:
            comments.update(field_comments(base))
    return [Option(f.name, type_words(hints[f.name]), default_words(f), comments.get(f.name, ""))
            for f in dataclasses.fields(cls)]


def nested_options(cls: type, prefix: str = "") -> list[Option]:
    """Like :func:`options`, with the fields of nested config sections spelled out as
    ``section.key`` (a method's ``model``, ``losses``, ``train``)."""
    hints = typing.get_type_hints(cls)
    out = []
    for row in options(cls):
        hint = hints[row.name]
        if dataclasses.is_dataclass(hint):
            out += nested_options(hint, f"{prefix}{row.name}.")
        else:
            out.append(dataclasses.replace(row, name=prefix + row.name))
    return out


def first_line(text: str | None) -> str:
    """The first paragraph of a docstring, on one line, in Markdown's code quotes."""
    paragraph = (inspect.cleandoc(text or "").split("\n\n") or [""])[0]
    return " ".join(paragraph.replace("``", "`").split())


def table(rows: list[Option]) -> list[str]:
    """Markdown rows: key, type, default, meaning."""
    out = ["| key | type | default | meaning |", "| --- | --- | --- | --- |"]
    for row in rows:
        out.append(f"| `{row.name}` | {row.type} | `{row.default}` | "
                   f"{row.meaning.replace('|', '/')} |")
    return out + [""]


def section(title: str, cls: type, intro: str | None = None) -> list[str]:
    """A heading, a sentence and the table of one config class."""
    return [f"### {title}", "", intro or first_line(cls.__doc__), "", *table(options(cls))]


def reference_markdown() -> str:
    """The whole reference page."""
    from seqimg.domains import domain_module
    from seqimg.recipe import SECTIONS, Recipe, SideConfig
    from seqimg.registry import BUILTINS, NOUNS, lookup

    top = [o for o in options(Recipe)
           if o.name not in (*SECTIONS, "source", "target", "method")]
    lines = [
        "# Reference: recipe keys and codec options", "",
        f"Generated from the config classes and their field comments by `{REFERENCE_COMMAND}`;",
        "a test fails when this page and the code disagree. A recipe is YAML; every key below can",
        "also be set on the command line as `--set section.key=value`. Unknown keys and values of",
        "the wrong type are errors that name the key.", "",
        "## The recipe", "", *table(top),
        "### `source` and `target`", "", first_line(SideConfig.__doc__), "",
        "| key | meaning |", "| --- | --- |",
        "| `domain` | where the files come from: one of the domains below |",
        "| `options` | that domain's options (below) |",
        "| `codec` | `name` (a codec below, or `module:Class`) and that codec's options |", ""]
    for key, cls in SECTIONS.items():
        lines += section(f"`{key}`", cls)
    lines += ["## Methods", "", "`method: {name: NAME, ...}` picks the transfer method; its "
              "settings sit beside the name, nested sections spelled `section.key` below. A "
              "recipe without `method` uses `dtn`. "
              "`seqimg methods --options NAME` prints one method's table, installed plugins "
              "included.", ""]
    for name in BUILTINS["methods"]:
        method = lookup("methods", name)
        lines += [f"### `{name}`", "", method.description + ".", "",
                  *table(nested_options(method.config_class))]
    lines += ["## Domains", ""]
    for name in BUILTINS["domains"]:
        module = domain_module(name)
        lines += section(f"`{name}`", module.Options, first_line(module.__doc__))
    lines += ["## Codecs", "", "Options shared by every codec come first in each table (the "
              "fold: `height`, `width`, `steps_per_pixel`, `hop`). `seqimg codecs --options NAME` "
              "prints one codec's table, installed plugins included.", ""]
    for name in BUILTINS["codecs"]:
        codec = lookup("codecs", name)
        intro = codec.description + "." + (f" A round trip {codec.round_trip}."
                                           if codec.round_trip else "")
        lines += section(f"`{name}` ({', '.join(codec.suffixes)})", codec.config_class, intro)
    lines += ["## Named parts", "",
              "Values that name a registered part; plugins add more through entry points "
              "(`seqimg.<kind>`) or are given as `module:Class`.", "",
              "| kind | built-in names |", "| --- | --- |"]
    for kind, names in BUILTINS.items():
        if kind not in ("codecs", "methods"):
            lines.append(f"| {NOUNS[kind]} (`seqimg.{kind}`) | "
                         + ", ".join(f"`{n}`" for n in names) + " |")
    return "\n".join(lines) + "\n"
