"""Named model variants: the registry builds them, and each keeps its contract."""

import numpy as np
import pytest
import torch
from conftest import dtn_trainer

from seqimg.model.config import ModelConfig
from seqimg.model.core import DTN
from seqimg.registry import BUILTINS


@pytest.mark.parametrize("outputs", [1, 3])
def test_patch_discriminator_judges_regions(outputs):
    shape = (6, 16, 16)
    model = DTN(shape, ModelConfig(width=4, discriminator="patch"), outputs)
    x = torch.zeros(2, *shape, requires_grad=True)
    logits = model.d(x)
    assert logits.shape == (2 * 4 * 4, outputs)  # a 4 x 4 map of judgements per image
    logits[5].sum().backward()  # region (1, 1) of the first image sees pixels 1..7 each way
    seen = (x.grad[0].abs().sum(0) > 0).nonzero()
    assert seen.min(0).values.tolist() == [1, 1] and seen.max(0).values.tolist() == [7, 7]


def test_patch_discriminator_trains_with_both_adversarial_losses():
    from seqimg.methods.dtn.config import LossConfig

    shape = (1, 8, 8)
    images = torch.rand(8, *shape) * 2 - 1
    for adversarial in ("binary", "ternary"):
        trainer = dtn_trainer(images, images.flip(0),
                              ModelConfig(width=4, code_dim=8, discriminator="patch"),
                              LossConfig(adversarial=adversarial), steps=2, batch_size=4,
                              log_every=1)
        d_before = [p.clone() for p in trainer.method.model.d.parameters()]
        history = trainer.fit(progress=False)
        assert history[-1]["L_D"] > 0 and np.isfinite(history[-1]["L_GAN_G"])
        assert any(not torch.equal(a, b) for a, b in
                   zip(d_before, trainer.method.model.d.parameters())), "D never moved"


@pytest.mark.parametrize("discriminator", sorted(BUILTINS["discriminators"]))
@pytest.mark.parametrize("generator", sorted(BUILTINS["generators"]))
def test_every_variant_pair_trains_with_both_adversarial_losses(generator, discriminator):
    from seqimg.methods.dtn.config import LossConfig

    shape = (2, 8, 8)
    images = torch.rand(8, *shape) * 2 - 1
    for adversarial in ("binary", "ternary"):
        cfg = ModelConfig(width=4, code_dim=8, generator=generator, discriminator=discriminator)
        trainer = dtn_trainer(images, images.flip(0), cfg, LossConfig(adversarial=adversarial),
                              steps=2, batch_size=4, log_every=1)
        d_before = [p.clone() for p in trainer.method.model.d.parameters()]
        history = trainer.fit(progress=False)
        assert history[-1]["L_D"] > 0 and np.isfinite(history[-1]["L_GAN_G"])
        assert any(not torch.equal(a, b) for a, b in
                   zip(d_before, trainer.method.model.d.parameters())), "D never moved"
        assert trainer.method.model(images).shape == images.shape


def test_seed_variants_have_the_published_layers():
    """On 3 x 32 x 32 at width 64: f 3-64-128-256 (stride 2) and a 4x4 conv to 128; g a 4x4
    transposed conv, then stride-2 transposed convs with f's maps concatenated; D 3-64-128-256
    and a 4x4 conv to one logit."""
    model = DTN((3, 32, 32), ModelConfig(width=64, generator="seed", discriminator="seed"))

    def layers(net, kind):
        return [(m.in_channels, m.out_channels, m.kernel_size[0], m.stride[0])
                for m in net.modules() if isinstance(m, kind)]

    conv, up = torch.nn.Conv2d, torch.nn.ConvTranspose2d
    assert layers(model.f, conv) == [(3, 64, 3, 2), (64, 128, 3, 2), (128, 256, 3, 2),
                                     (256, 128, 4, 1)]
    assert layers(model.g, up) == [(128, 256, 4, 1), (512, 128, 4, 2), (256, 64, 4, 2),
                                   (128, 3, 4, 2)]
    assert layers(model.d, conv) == [(3, 64, 3, 2), (64, 128, 3, 2), (128, 256, 3, 2),
                                     (256, 1, 4, 1)]
    x = torch.rand(2, 3, 32, 32) * 2 - 1
    assert model(x).shape == x.shape and model.d(x).shape == (2, 1)


def test_temporal_discriminator_judges_stretches_of_time():
    shape = (3, 16, 16)  # 256 steps, row by row
    model = DTN(shape, ModelConfig(width=4, discriminator="temporal"))
    x = torch.zeros(2, *shape, requires_grad=True)
    logits = model.d(x)
    assert logits.shape == (2 * 16, 1)  # 16 stretches of time per window
    logits[5].sum().backward()  # the sixth stretch of the first window
    seen = (x.grad[0].abs().sum(0).flatten() > 0).nonzero().flatten()
    assert x.grad[1].abs().sum() == 0
    # 46 steps centred on the stretch, reaching across fold rows: time, not image columns
    assert seen.min() == 5 * 16 - 15 and seen.max() == 5 * 16 + 30
    assert seen.max() - seen.min() + 1 == 46


def test_temporal_generator_reads_time_across_rows():
    shape = (1, 8, 8)
    model = DTN(shape, ModelConfig(width=4, code_dim=8, generator="temporal")).eval()
    x = torch.rand(1, *shape, requires_grad=True)
    model(x)[0, 0, 3, 0].backward()  # the first step of row 3 (time 24)
    seen = (x.grad[0, 0].flatten() != 0).nonzero().flatten()
    assert 23 in seen.tolist() and 25 in seen.tolist()  # its neighbours in time
    assert seen.min() == 0 and seen.max() == 63  # the dilated stacks see the whole window


def test_dual_discriminator_weighs_the_whole_and_the_stretches_equally():
    shape = (3, 16, 16)
    model = DTN(shape, ModelConfig(width=4, discriminator="dual")).eval()  # fixed spectral norm
    x = torch.rand(2, *shape)
    logits = model.d(x)
    whole, local = logits.chunk(2)
    assert logits.shape == (2 * 2 * 16, 1)
    assert torch.equal(whole[:16], model.d.whole(x)[:1].expand(16, 1))
    assert torch.equal(local, model.d.local(x))


@pytest.mark.parametrize("generator", ["dtn", "temporal"])
def test_an_editing_generator_starts_by_keeping_its_input(generator):
    shape = (4, 8, 8)
    x = torch.sign(torch.rand(3, *shape) - 0.7)
    repaint = DTN(shape, ModelConfig(width=4, code_dim=8, generator=generator)).eval()
    edit = DTN(shape, ModelConfig(width=4, code_dim=8, generator=generator, edit=True)).eval()
    assert torch.equal(torch.sign(edit(x)), x)  # every cell keeps its sign at the start
    assert (torch.sign(repaint(x)) != x).float().mean() > 0.2
    assert sum(p.numel() for p in edit.g.parameters()) > sum(
        p.numel() for p in repaint.g.parameters())  # g also predicts the keep-mask
