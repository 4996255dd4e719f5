"""docs/reference.md is generated from the config classes and stays in step with them."""

from pathlib import Path
from typing import Literal

from conftest import run_cli

from seqimg.reference import REFERENCE_COMMAND, options, reference_markdown, type_words

PAGE = Path(__file__).resolve().parents[1] / "docs" / "reference.md"


def test_reference_page_is_up_to_date():
    assert PAGE.read_text(encoding="utf-8") == reference_markdown(), (
        f"docs/reference.md is stale: run {REFERENCE_COMMAND}")


def test_every_built_in_setting_is_explained():
    from seqimg.domains import domain_module
    from seqimg.recipe import SECTIONS
    from seqimg.registry import BUILTINS, lookup

    classes = [*SECTIONS.values(), *(domain_module(n).Options for n in BUILTINS["domains"]),
               *(lookup("codecs", n).config_class for n in BUILTINS["codecs"])]
    unexplained = [f"{cls.__qualname__}.{row.name}" for cls in classes for row in options(cls)
                   if not row.meaning]
    assert unexplained == []


def test_types_and_defaults_read_as_a_recipe_writer_writes_them():
    from seqimg.codecs.midi_config import MidiConfig

    rows = {row.name: row for row in options(MidiConfig)}
    assert rows["bass_program"].type == "int or none" and rows["bass_program"].default == "none"
    assert rows["onset_rule"].default == "false" and rows["height"].default == "16"
    assert rows["height"].meaning == "rows of an image"  # inherited from CodecConfig
    assert type_words(Literal["a", "b"]) == "one of 'a', 'b'"
    assert type_words(tuple[float, ...]) == "list of float"


def test_codecs_options_prints_one_codecs_settings():
    result = run_cli("codecs", "--options", "timeseries")
    assert result.returncode == 0, result.stderr
    assert "  channels (int, default 1): columns of each file (features F)" in result.stdout
    plugin = run_cli("codecs", "--options", "lines").stdout
    assert "  low (float, default 0.0)" in plugin
    midi = run_cli("codecs", "--options", "midi").stdout
    assert "a round trip keeps every note" in midi and "the tempo map and the time signatures" \
        in midi and "drops velocities" in midi


def test_the_architecture_page_names_every_registry_kind_and_its_built_ins():
    import re
    from pathlib import Path

    from seqimg.registry import BUILTINS, GROUPS

    page = (Path(__file__).parents[1] / "docs" / "architecture.md").read_text()
    rows = {m.group(1): m.group(2) for m in re.finditer(
        r"^\| [^|]+ \| `(seqimg\.\w+)` \| [^|]+ \| ([^|]+) \|$", page, re.MULTILINE)}
    assert set(rows) == set(GROUPS.values())
    for kind, group in GROUPS.items():
        assert re.findall(r"`(\w+)`", rows[group]) == list(BUILTINS[kind]), kind
