"""Named model variants: the registry builds them, and each keeps its contract."""

import pytest
import torch

from seqimg.model.core import DTN
from seqimg.settings import ModelConfig, TrainConfig


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
    from seqimg.settings import LossConfig
    from seqimg.train import Trainer

    shape = (1, 8, 8)
    images = torch.rand(8, *shape) * 2 - 1
    for adversarial in ("binary", "ternary"):
        torch.manual_seed(0)
        model = DTN(shape, ModelConfig(width=4, code_dim=8, discriminator="patch"),
                    3 if adversarial == "ternary" else 1)
        trainer = Trainer(model, images, images.flip(0), TrainConfig(steps=2, batch_size=4,
                                                                    log_every=1),
                          LossConfig(adversarial=adversarial), torch.device("cpu"), 0)
        history = trainer.fit(progress=False)
        assert 0 <= history[-1]["d_acc_real"] <= 1 and history[-1]["L_D"] > 0
