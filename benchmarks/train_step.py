"""Time seqimg's own DTN training step at the seed paper's size (3 x 32 x 32, paper widths).

One step is one D update and one G update on B source and B target images. ``--model dtn`` is
the project's default variants at width 64 (a full-resolution stem and residual blocks);
``--model seed`` is the paper's published layers (the ``seed`` variants). Prints one JSON line;
with --compare it also times a plain hand-written PyTorch loop for the same model and losses,
in the same process, and reports the ratio. ``--peak-tflops`` (the device's bf16 dense peak)
adds the fraction of it the step reaches.

    python benchmarks/train_step.py --model seed --batch 32 --steps 5 --compare --json
"""

from __future__ import annotations

import argparse
import statistics
import time
from types import SimpleNamespace

import torch
import torch.nn.functional as F
from output import print_result
from torch.utils.flop_counter import FlopCounterMode

from seqimg.distributed import resolve_device
from seqimg.methods.dtn.config import DtnConfig, DtnTrainConfig
from seqimg.methods.dtn.method import DtnMethod
from seqimg.model.config import ModelConfig
from seqimg.model.core import DTN
from seqimg.settings import TrainConfig
from seqimg.train import Trainer

SHAPE = (3, 32, 32)
MODELS = {"dtn": ModelConfig(width=64, code_dim=128, residual=True, skip=True),
          "seed": ModelConfig(width=64, code_dim=128, generator="seed", discriminator="seed")}


class Images:
    """What the dtn method reads of a codec here: the shape of its images (no views, no
    levels)."""

    name, frame_levels, layout = "images", None, SimpleNamespace(image_shape=SHAPE)


def make_trainer(model: str, batch: int, device: torch.device, compile_: bool) -> Trainer:
    torch.manual_seed(0)
    data = torch.rand(4 * batch, *SHAPE) * 2 - 1
    cfg = DtnConfig(MODELS[model], train=DtnTrainConfig(compile=compile_))
    return Trainer(DtnMethod(Images(), Images(), cfg), data, data.flip(0),
                   TrainConfig(batch_size=batch), device, seed=0)


def plain_step(model: DTN, opt_d, opt_g, s: torch.Tensor, t: torch.Tensor) -> None:
    """The same D and G updates written out directly, as a user would by hand."""
    with torch.no_grad():
        g_s, g_t = model(s), model(t)
    d_real, d_gs, d_gt = model.d(t), model.d(g_s), model.d(g_t)
    loss_d = (F.binary_cross_entropy_with_logits(d_real, torch.ones_like(d_real))
              + F.binary_cross_entropy_with_logits(d_gs, torch.zeros_like(d_gs))
              + F.binary_cross_entropy_with_logits(d_gt, torch.zeros_like(d_gt)))
    opt_d.zero_grad()
    loss_d.backward()
    opt_d.step()
    g_s, code_s, _ = model.translate(s)
    g_t = model(t)
    code_gs, _ = model.f(g_s)
    d_gs, d_gt = model.d(g_s), model.d(g_t)
    loss_g = (F.binary_cross_entropy_with_logits(d_gs, torch.ones_like(d_gs))
              + F.binary_cross_entropy_with_logits(d_gt, torch.ones_like(d_gt))
              + 15 * F.mse_loss(code_gs, code_s.detach()) + 15 * F.mse_loss(g_t, t))
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()


def timed(steps_by_name: dict, rounds: int, device: torch.device) -> dict[str, list[float]]:
    """Seconds per call of each step function, interleaved round by round (so that the
    machine's drift hits all alike), after one warm-up call each."""
    for step in steps_by_name.values():
        step()
    times: dict[str, list[float]] = {name: [] for name in steps_by_name}
    for _ in range(rounds):
        for name, step in steps_by_name.items():
            if device.type == "cuda":
                torch.cuda.synchronize()
            start = time.perf_counter()
            step()
            if device.type == "cuda":
                torch.cuda.synchronize()
            times[name].append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(MODELS), default="dtn")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--compare", action="store_true", help="also time a plain loop")
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    parser.add_argument("--compile", action="store_true", help="train.compile: true")
    parser.add_argument("--peak-tflops", type=float, help="the device's bf16 dense peak")
    args = parser.parse_args()
    device = resolve_device(args.device)

    with FlopCounterMode(display=False) as counter:
        make_trainer(args.model, args.batch, device, False).train_step()
    trainer = make_trainer(args.model, args.batch, device, args.compile)
    steps = {"library": trainer.train_step}
    if args.compare:
        plain = make_trainer(args.model, args.batch, device, False)
        s, t = plain.batch(plain.source), plain.batch(plain.target)
        model = plain.method.model.train()
        steps["plain"] = lambda: plain_step(model, plain.method.opt_d, plain.method.opt_g, s, t)
    medians = {k: statistics.median(v) for k, v in timed(steps, args.steps, device).items()}
    gflop = counter.get_total_flops() / 1e9
    result = {"model": args.model, "batch": args.batch, "steps": args.steps,
              "device": str(device), "compile": args.compile,
              "steps_per_s": 1 / medians["library"],
              "images_per_s": 2 * args.batch / medians["library"],
              "model_gflop_per_step": gflop, "gflop_per_s": gflop / medians["library"]}
    if args.peak_tflops:
        result["fraction_of_peak"] = gflop / medians["library"] / (args.peak_tflops * 1e3)
    if args.compare:
        result["plain_loop_steps_per_s"] = 1 / medians["plain"]
        result["library_over_plain"] = medians["plain"] / medians["library"]
    print_result(result, args.json)


if __name__ == "__main__":
    main()
