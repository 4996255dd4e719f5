import numpy as np
import pytest
import torch
from conftest import dtn_trainer

from seqimg.errors import SeqimgError
from seqimg.methods.dtn.config import DtnTrainConfig, ExtraLoss, LossConfig
from seqimg.model.config import ModelConfig
from seqimg.model.core import DTN
from seqimg.model.plan import plan_for
from seqimg.registry import make_codec

CODEC_SHAPES = {
    "midi": ("midi", {}, (168, 16, 16)),
    "midi-pianoroll": ("midi", {"encoding": "pianoroll", "height": 64, "width": 96}, (2, 64, 96)),
    "audio": ("audio", {}, (64, 16, 16)),
    "timeseries": ("timeseries", {"channels": 6}, (6, 8, 8)),
}


@pytest.mark.parametrize("name", sorted(CODEC_SHAPES))
def test_model_takes_every_builtin_codec_shape(name):
    codec, config, shape = CODEC_SHAPES[name]
    assert make_codec(codec, config).layout.image_shape == shape
    model = DTN(shape, ModelConfig(width=4, code_dim=8)).eval()
    x = torch.rand(2, *shape) * 2 - 1
    y = model(x)
    assert y.shape == x.shape
    assert not torch.allclose(y[0], y[1]), "G's output ignores its input"
    code, features = model.f(x)
    assert code.shape == (2, 8, 1, 1)
    assert model.d(y).shape == (2, 1)


@pytest.mark.parametrize("shape", [(3, 4, 4), (3, 12, 12), (3, 16, 18), (3, 6, 8)])
def test_unusable_shapes_get_a_clear_error(shape):
    with pytest.raises(SeqimgError, match="power of two from 8"):
        plan_for(shape)


def test_seed_paper_sizes_at_width_64():
    model = DTN((3, 32, 32), ModelConfig(width=64, code_dim=128))
    f_convs = [m.out_channels for m in model.f.modules() if isinstance(m, torch.nn.Conv2d)]
    assert [c for c in f_convs if c != f_convs[-1]][:1] == [64]
    assert {64, 128, 256} <= set(f_convs) and max(f_convs[:-1]) == 256 and f_convs[-1] == 128
    g_max = max(m.out_channels for m in model.g.modules()
                if isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d)))
    d_max = max(m.out_channels for m in model.d.modules() if isinstance(m, torch.nn.Conv2d))
    assert g_max == 512 and d_max == 512


def test_switches_change_the_network():
    shape = (6, 16, 16)
    full = DTN(shape, ModelConfig(width=4))
    plain = DTN(shape, ModelConfig(width=4, residual=False, skip=False))
    assert sum(p.numel() for p in plain.parameters()) < sum(p.numel() for p in full.parameters())
    ternary = DTN(shape, ModelConfig(width=4), outputs=3)
    assert ternary.d(torch.zeros(2, *shape)).shape == (2, 3)
    frozen = DTN(shape, ModelConfig(width=4, f_mode="pretrained"))
    assert len(frozen.generator_parameters()) == len(list(frozen.g.parameters()))


def toy_images(n, shape, square, seed):
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(shape[1] * shape[2]).float()
    period = torch.rand(n, 1, generator=g) * 20 + 8
    phase = torch.rand(n, 1, generator=g) * 6.28
    x = torch.sin(2 * torch.pi * t / period + phase)
    x = torch.sign(x) if square else x
    return x.reshape(n, *shape)


def make_trainer(steps, seed=0, extra=None, losses=None, **dtn_train):
    shape = (1, 8, 8)
    extra = {name: ExtraLoss(weight) for name, weight in (extra or {}).items()}
    return dtn_trainer(toy_images(32, shape, False, 1), toy_images(32, shape, True, 2),
                       losses=LossConfig(extra=extra, **(losses or {})),
                       dtn_train=DtnTrainConfig(**dtn_train), seed=seed, steps=steps,
                       batch_size=8, log_every=1)


@pytest.mark.parametrize("pretrain,task", [(0, "autoencoder"), (3, "autoencoder"),
                                           (3, "classifier")])
def test_resume_continues_exactly(tmp_path, pretrain, task):
    straight = make_trainer(8, pretrain_steps=pretrain, pretrain_task=task)
    straight.fit(progress=False)
    first = make_trainer(8, pretrain_steps=pretrain, pretrain_task=task)
    while first.step < 4 + pretrain // 2:
        first.train_step()
    first.save(tmp_path / "half.pt")
    resumed = make_trainer(8, pretrain_steps=pretrain, pretrain_task=task)
    resumed.load(tmp_path / "half.pt")
    resumed.fit(progress=False)
    for key, value in straight.method.state_dict().items():
        assert torch.equal(value, resumed.method.state_dict()[key]), key


def test_checkpoint_loads_with_weights_only(tmp_path):
    trainer = make_trainer(2)
    trainer.fit(tmp_path / "c.pt", progress=False)
    state = torch.load(tmp_path / "c.pt", weights_only=True)
    assert state["step"] == 2 and "weights" in state and len(state["history"]) == 2


class NanLoss:
    """A user loss that goes bad, to check the run stops cleanly."""

    def __call__(self, x):
        return x.g_source.sum() * float("nan")


def test_nan_loss_stops_with_a_clear_message_and_keeps_the_checkpoint(tmp_path):
    good = make_trainer(2)
    good.fit(tmp_path / "c.pt", progress=False)
    before = (tmp_path / "c.pt").read_bytes()
    bad = make_trainer(4, extra={"test_dtn:NanLoss": 1.0})
    bad.load(tmp_path / "c.pt")
    with pytest.raises(SeqimgError, match="step 2: L_TEST_DTN:NANLOSS is nan"):
        bad.fit(tmp_path / "c.pt", progress=False)
    assert (tmp_path / "c.pt").read_bytes() == before


def test_failure_signals_are_logged():
    trainer = make_trainer(3)
    history = trainer.fit(progress=False)
    for key in ("L_D", "L_GAN_G", "L_CONST", "L_TID", "code_norm", "d_acc_real", "d_acc_fake"):
        assert key in history[-1] and np.isfinite(history[-1][key])


def test_every_training_signal_says_what_to_try_and_reads_a_d_that_calls_all_fake():
    from seqimg.evaluate.report import training_signals

    method = make_trainer(3).method
    last = {"L_CONST": 0.2, "code_norm": 1.0, "d_acc_real": 0.0, "d_acc_fake": 1.0,
            "L_GAN_G": 3.0}
    signals = {s.name: s for s in method.signals(last)}
    assert all("try" in s.meaning or "see" in s.meaning for s in signals.values())
    assert "D calls everything fake" in signals["D accuracy on real target"].reading
    assert "D calls everything real" in method.signals(
        {**last, "d_acc_real": 1.0, "d_acc_fake": 0.0})[2].reading
    assert "D has won" in method.signals(
        {**last, "d_acc_real": 0.875, "d_acc_fake": 1.0})[2].reading
    assert method.signals({**last, "d_acc_real": 0.6, "d_acc_fake": 0.5})[2].reading == ""
    table = "\n".join(training_signals(list(signals.values())))
    assert "| D accuracy on real target | 0 |" in table and "D calls everything fake" in table


def test_benchmark_times_the_library_step_and_a_plain_loop():
    import json
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).parents[1] / "benchmarks" / "train_step.py"
    result = subprocess.run([sys.executable, str(script), "--batch", "2", "--steps", "1",
                             "--compare", "--json"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    line = json.loads(result.stdout)
    assert line["device"] == "cpu" and line["model_gflop_per_step"] > 20
    assert line["images_per_s"] == pytest.approx(4 * line["steps_per_s"])
    assert line["library_over_plain"] == pytest.approx(
        line["steps_per_s"] / line["plain_loop_steps_per_s"])


def test_const_can_train_g_without_moving_f():
    method = make_trainer(1, losses={"const_updates_f": False}).method
    g_s = torch.rand(2, 1, 8, 8, requires_grad=True)
    code, _ = method.f_of_output(g_s)
    code.sum().backward()
    assert g_s.grad is not None and g_s.grad.abs().sum() > 0
    assert all(p.grad is None for p in method.model.f.parameters())
    method = make_trainer(1, losses={"const_updates_f": True}).method
    method.f_of_output(g_s)[0].sum().backward()
    assert any(p.grad is not None for p in method.model.f.parameters())


def test_straight_through_quantises_forward_and_passes_gradients():
    from seqimg.methods.dtn.readers import straight_through_quantise

    x = torch.tensor([-0.7, -0.2, 0.1, 0.6], requires_grad=True)
    y = straight_through_quantise(x, torch.tensor([-1.0, 0.0, 1.0]))
    assert y.tolist() == [-1.0, 0.0, 0.0, 1.0]
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0, 1.0]
    assert straight_through_quantise(x, torch.tensor([-1.0, 1.0])).tolist() == [-1, -1, 1, 1]


def test_classifier_pretraining_teaches_f_the_domains_then_freezes_it():
    trainer = make_trainer(1, pretrain_steps=40, pretrain_task="classifier", lr=3e-3)
    history = trainer.fit(progress=False)
    losses = [h["L_F_CLASSIFIER"] for h in history if "L_F_CLASSIFIER" in h]
    assert losses[-1] < 0.5 * losses[0]
    assert not any(p.requires_grad for p in trainer.method.model.f.parameters())
