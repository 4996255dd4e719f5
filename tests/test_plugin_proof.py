"""The suite is proof against installed plugins: a throwaway one claiming common names and
suffixes is installed for the whole run (tests/throwaway_plugin.py), and these tests show it is
real, so a test that read the live registry would fail here."""

import warnings

import pytest
from conftest import run_cli
from throwaway_plugin import DISTRIBUTION

from seqimg import registry
from seqimg.errors import SeqimgError


@pytest.fixture
def live_registry(monkeypatch):
    """The registry as a user's environment shows it: every installed plugin."""
    monkeypatch.delenv("SEQIMG_PLUGINS")
    registry.clear_cache()
    yield
    registry.clear_cache()


def test_the_throwaway_plugin_claims_suffixes_the_suite_assumes_free(live_registry, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for suffix in (".fa", ".txt", ".csv"):
            with pytest.raises(SeqimgError, match=rf"several codecs read \{suffix} files \(.*dna"):
                registry.codec_for_suffix(tmp_path / f"a{suffix}")
        assert registry.list_codecs()["dna"].origin == DISTRIBUTION


def test_a_plugin_reusing_a_built_in_name_is_reported_once(live_registry):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            registry.list_codecs()
            registry.make_codec("timeseries")
    duplicates = [str(w.message) for w in caught if "'midi'" in str(w.message)]
    assert duplicates == [f"codecs plugin 'midi' from {DISTRIBUTION} duplicates one from "
                          "built-in; ignored"]
    assert registry.list_codecs()["midi"].origin == "built-in"


def test_the_suite_sees_only_the_project_plugins(tmp_path):
    assert "dna" not in registry.available("codecs")
    assert registry.codec_for_suffix(tmp_path / "a.txt") == "lines"
    listed = run_cli("codecs")
    assert listed.returncode == 0, listed.stderr
    assert "lines" in listed.stdout and DISTRIBUTION not in listed.stdout + listed.stderr


def test_seqimg_plugins_chooses_the_packages_a_user_sees(monkeypatch):
    monkeypatch.setenv("SEQIMG_PLUGINS", DISTRIBUTION)
    registry.clear_cache()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # its 'midi' duplicates the built-in
            codecs = registry.available("codecs")
        assert codecs["dna"].origin == codecs["lines"].origin == DISTRIBUTION
        monkeypatch.setenv("SEQIMG_PLUGINS", "")
        registry.clear_cache()
        assert set(registry.available("codecs")) == set(registry.BUILTINS["codecs"])
    finally:
        registry.clear_cache()
