"""The statistics critic: a second two-sample judge, of another family than the CNN."""

import numpy as np
import pytest
from conftest import run_cli

from seqimg.evaluate.classifier import accuracy
from seqimg.evaluate.critics import GruCritic, StatisticsCritic, critic_fits
from seqimg.registry import available, lookup, make_codec
from seqimg.testing import check_critic


def windows(rng, n, scale):
    """``n`` windows of a 2-channel random walk, steps of ``scale``, inside [-1, 1]."""
    walks = np.cumsum(rng.normal(0, scale, (n, 64, 2)), axis=1)
    return np.clip(walks, -1, 1).astype(np.float32)


def test_it_tells_apart_what_differs_in_its_statistics_and_not_what_does_not():
    rng = np.random.default_rng(0)
    codec = make_codec("timeseries", {"channels": 2})
    calm, wild, calm_too = windows(rng, 200, 0.01), windows(rng, 200, 0.1), windows(rng, 200, 0.01)
    critic = StatisticsCritic(codec, seed=0).fit(calm[:100], wild[:100])
    assert accuracy(critic, calm[100:], wild[100:]) > 0.9
    same = StatisticsCritic(codec, seed=0).fit(calm[:100], calm_too[:100])
    assert accuracy(same, calm[100:], calm_too[100:]) < 0.7


def test_each_named_critic_is_fitted_at_every_seed_in_order_the_classifier_first():
    codec = make_codec("timeseries")
    fits = critic_fits(("rocket", "gru", "statistics"), codec, 0, 2)
    assert list(fits) == ["rocket", "gru", "statistics"]
    assert [len(f) for f in fits.values()] == [2, 2, 1]  # statistics is deterministic


def test_a_recipe_whose_first_critic_cannot_classify_domains_is_refused(tmp_path):
    from seqimg.errors import SeqimgError
    from seqimg.recipe import build_recipe

    side = {"domain": "folder", "options": {"path": str(tmp_path)}, "codec": {"name": "timeseries"}}
    with pytest.raises(SeqimgError, match=r"evaluate.critics: the first critic is the domain "
                                          r"classifier and must embed windows \(one of cnn, "):
        build_recipe({"source": side, "target": side, "evaluate": {"critics": ["statistics"]}})
    with pytest.raises(SeqimgError, match=r"evaluate.classifier: moved; the domain classifier is "
                                          r"now the first of evaluate.critics"):
        build_recipe({"source": side, "target": side, "evaluate": {"classifier": "rocket"}})
    with pytest.raises(SeqimgError, match="evaluate.critic_seeds: at least 1, got 0"):
        build_recipe({"source": side, "target": side, "evaluate": {"critic_seeds": 0}})


@pytest.mark.parametrize("name", sorted(available("critics")))
def test_every_registered_critic_keeps_the_contract(name):
    promised = getattr(lookup("critics", name), "min_accuracy", 0.8)
    assert check_critic(name)["accuracy"] > promised >= 0.6


def test_the_literatures_gru_is_one_small_layer_that_reads_a_rise_from_a_fall():
    from seqimg.evaluate.classifier import GruClassifier

    assert GruClassifier(6).gru.hidden_size == 3 and GruClassifier(1).gru.hidden_size == 1
    rng = np.random.default_rng(0)
    ramp = np.linspace(-0.8, 0.8, 24, dtype=np.float32)[None, :, None]
    noise = rng.normal(0, 0.05, (200, 24, 1)).astype(np.float32)
    rising, falling = ramp + noise[:100], -ramp + noise[100:]
    critic = GruCritic(make_codec("timeseries"), seed=0).fit(rising[:50], falling[:50])
    assert accuracy(critic, rising[50:], falling[50:]) > 0.9


def test_the_contract_catches_a_critic_that_cannot_tell():
    class Coin:
        description = "says one half for everything"

        def __init__(self, codec, seed, steps=0):
            pass

        def fit(self, positive, negative):
            return self

        def probability(self, windows):
            return np.full(len(windows), 0.5)

    with pytest.raises(AssertionError, match="tells calm from wild walks at only"):
        check_critic(Coin)


def test_seqimg_critics_lists_every_critic_and_a_recipe_naming_another_is_refused(tmp_path):
    listed = run_cli("critics")
    assert listed.returncode == 0
    assert all(name in listed.stdout for name in ("cnn", "rocket", "statistics", "gru"))
    recipe = tmp_path / "r.yaml"
    recipe.write_text("source: {domain: folder, options: {path: a}, codec: {name: timeseries}}\n"
                      "target: {domain: folder, options: {path: b}, codec: {name: timeseries}}\n"
                      "evaluate: {critics: [oracle]}\n")
    refused = run_cli("run", str(recipe), "--out", str(tmp_path / "out"))
    assert refused.returncode == 1 and "evaluate.critics: unknown critic 'oracle'" in refused.stderr
