"""Each loss against a value computed by hand on tiny tensors."""

import math

import pytest
import torch

from seqimg.errors import SeqimgError
from seqimg.methods.dtn.config import ExtraLoss, LossConfig
from seqimg.methods.dtn.losses import (
    BinaryAdversarialLoss,
    ConstancyLoss,
    GeneratorAdversarialLoss,
    SourceKeepLoss,
    StepTensors,
    TargetIdentityLoss,
    TernaryAdversarialLoss,
    TotalVariationLoss,
    distance,
)

BINARY, TERNARY = BinaryAdversarialLoss(), TernaryAdversarialLoss()


def tensors(**kw):
    z = torch.zeros(1, 1, 2, 2)
    base = dict(source=z, target=z, g_source=z, g_target=z, code_source=torch.zeros(1, 2),
                code_g_source=torch.zeros(1, 2), d_g_source=torch.zeros(1, 1),
                d_g_target=torch.zeros(1, 1))
    base.update(kw)
    return StepTensors(**base)


def test_generator_adversarial_binary_and_ternary():
    binary = GeneratorAdversarialLoss(BINARY)
    assert binary(tensors()).item() == pytest.approx(2 * math.log(2))
    x = tensors(d_g_source=torch.tensor([[2.0]]), d_g_target=torch.tensor([[2.0]]))
    assert binary(x).item() == pytest.approx(2 * math.log(1 + math.exp(-2)))
    x = tensors(d_g_source=torch.zeros(1, 3), d_g_target=torch.zeros(1, 3))
    assert GeneratorAdversarialLoss(TERNARY)(x).item() == pytest.approx(2 * math.log(3))
    assert (BINARY.outputs, TERNARY.outputs) == (1, 3)


def test_discriminator_loss_with_smoothing_and_ternary():
    zero = torch.zeros(1, 1)
    assert BINARY.discriminator(zero, zero, zero).item() == pytest.approx(3 * math.log(2))
    two = torch.tensor([[2.0]])
    # real label 0.9 at logit 2: -(0.9 log s(2) + 0.1 log(1 - s(2)))
    s = 1 / (1 + math.exp(-2))
    expected = -(0.9 * math.log(s) + 0.1 * math.log(1 - s)) + 2 * math.log(2)
    smoothed = BinaryAdversarialLoss(label_smoothing=0.1)
    assert smoothed.discriminator(two, zero, zero).item() == pytest.approx(expected)
    three = torch.tensor([[0.0, 0.0, math.log(2)]])  # softmax (1/4, 1/4, 1/2)
    got = TERNARY.discriminator(three, three, three).item()
    assert got == pytest.approx(math.log(2) + 2 * math.log(4))


def test_discriminator_accuracy_binary_by_sign_ternary_by_class():
    logits = torch.tensor([[1.0], [-1.0], [2.0], [-3.0]])
    assert BINARY.accuracy(logits, True) == 0.5 and BINARY.accuracy(-logits, False) == 0.5
    three = torch.tensor([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 2.0, 0.0]])
    assert TERNARY.accuracy(three, True) == pytest.approx(1 / 3)
    assert TERNARY.accuracy(three, False) == pytest.approx(1 / 3)


def test_constancy_code_and_features():
    x = tensors(code_source=torch.tensor([[1.0, 2.0]]), code_g_source=torch.tensor([[1.0, 4.0]]))
    assert ConstancyLoss()(x).item() == pytest.approx(2.0)
    x.features_source = [torch.tensor([[0.0, 0.0]])]
    x.features_g_source = [torch.tensor([[1.0, 3.0]])]
    assert ConstancyLoss(features=0.5)(x).item() == pytest.approx(2.0 + 0.5 * 5.0)


def test_constancy_detaches_its_target():
    code = torch.tensor([[1.0, 2.0]], requires_grad=True)
    x = tensors(code_source=code, code_g_source=torch.tensor([[1.0, 4.0]], requires_grad=True))
    ConstancyLoss(detach_target=True)(x).backward()
    assert code.grad is None


def test_target_identity_l1_and_cosine():
    x = tensors(target=torch.tensor([[0.0, 1.0]]), g_target=torch.tensor([[1.0, 1.0]]))
    assert TargetIdentityLoss("l1")(x).item() == pytest.approx(0.5)
    assert TargetIdentityLoss("cosine")(x).item() == pytest.approx(1 - 1 / math.sqrt(2))


def test_source_keep_prices_every_change_to_the_source():
    x = tensors(source=torch.tensor([[1.0, -1.0, 1.0, -1.0]]),
                g_source=torch.tensor([[1.0, 1.0, 1.0, -1.0]]))
    assert SourceKeepLoss()(x).item() == pytest.approx(0.5)  # one cell of four moved by 2
    assert SourceKeepLoss("mse")(x).item() == pytest.approx(1.0)


def test_total_variation_exponents():
    z = torch.tensor([[[[0.0, 1.0], [2.0, 3.0]]]])
    assert TotalVariationLoss(2.0)(tensors(g_source=z)).item() == pytest.approx(5.0)
    assert TotalVariationLoss(1.0)(tensors(g_source=z)).item() == pytest.approx(math.sqrt(5.0))


def test_the_dtn_step_logs_each_weighted_term_and_sums_them():
    from conftest import dtn_trainer

    images = torch.rand(8, 1, 8, 8) * 2 - 1
    losses = LossConfig(tv_weight=0.5, tid_weight=0.0, keep_weight=2.0)
    [last] = dtn_trainer(images, images.flip(0), losses=losses, steps=1, batch_size=4,
                         log_every=1).fit(progress=False)
    terms = [k for k in last if k.startswith("L_") and k not in ("L_D", "L_G")]
    assert terms == ["L_GAN_G", "L_CONST", "L_TV", "L_KEEP"]  # L_TID weighs 0: not computed
    assert last["L_G"] == pytest.approx(last["L_GAN_G"] + 15 * last["L_CONST"]
                                        + 0.5 * last["L_TV"] + 2 * last["L_KEEP"], rel=1e-5)
    with pytest.raises(SeqimgError, match="unknown loss 'nope'"):
        dtn_trainer(images, images, losses=LossConfig(extra={"nope": ExtraLoss(1.0)}))
    with pytest.raises(SeqimgError, match="unknown distance"):
        distance("manhattan", torch.zeros(1), torch.zeros(1))


def test_correlation_distance_ignores_scale_and_offset():
    a = torch.tensor([[0.0, 1.0, 0.0, 1.0]])
    assert distance("correlation", a, 3 * a + 5).item() == pytest.approx(0.0, abs=1e-6)
    assert distance("correlation", a, 1 - a).item() == pytest.approx(2.0, abs=1e-6)
    assert distance("cosine", a, 3 * a + 5).item() > 0.05  # an offset moves the plain cosine
