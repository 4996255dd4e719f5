"""torchrun on CPU (gloo): two processes train one run, rank 0 alone writes it, and the loss
curve follows a one-process run with the same global batch."""

import os
import socket
import subprocess
import sys

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from conftest import ShapeOnly, toy_midi_recipe
from test_dtn import toy_images

from seqimg import checkpoint
from seqimg.distributed import World
from seqimg.methods.dtn.config import DtnConfig
from seqimg.methods.dtn.method import DtnMethod
from seqimg.model.config import ModelConfig
from seqimg.settings import TrainConfig
from seqimg.train import Trainer

TRAIN = "train: {steps: 3, batch_size: 4, log_every: 1}"
LONGER = "train: {steps: 10, batch_size: 16, log_every: 2, checkpoint_every: 5}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def without_batchnorm(module: torch.nn.Module) -> torch.nn.Module:
    """The module with every BatchNorm replaced by identity (the one part that is per process)."""
    for name, child in module.named_children():
        if isinstance(child, torch.nn.BatchNorm2d):
            setattr(module, name, torch.nn.Identity())
        else:
            without_batchnorm(child)
    return module


def toy_trainer(world: World) -> Trainer:
    torch.manual_seed(0)
    shape = (1, 8, 8)
    method = without_batchnorm(DtnMethod(ShapeOnly(shape), ShapeOnly(shape),
                                         DtnConfig(ModelConfig(width=4, code_dim=8))))
    return Trainer(method, toy_images(32, shape, False, 1), toy_images(32, shape, True, 2),
                   TrainConfig(steps=12, batch_size=16, log_every=4), torch.device("cpu"), 0,
                   world=world)


def train_on_rank(rank: int, port: int, results) -> None:
    torch.set_num_threads(1)
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=2)
    trainer = toy_trainer(World(rank, 2))
    results[rank] = (trainer.fit(progress=False), trainer.method.state_dict())
    dist.destroy_process_group()


def test_two_processes_without_batchnorm_train_exactly_as_one():
    """Each process trains on its half of every batch; averaged gradients make the step the
    one-process step on the whole batch, up to float rounding."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as each process trains; the sums then add up in the same order
    try:
        alone = toy_trainer(World())
        history = alone.fit(progress=False)
    finally:
        torch.set_num_threads(threads)
    results = mp.Manager().dict()
    mp.spawn(train_on_rank, (free_port(), results), nprocs=2)
    for rank in (0, 1):
        ranked, weights = results[rank]
        for one, two in zip(history, ranked, strict=True):
            assert two == pytest.approx(one, rel=1e-4)
        for key, value in alone.method.state_dict().items():
            assert torch.allclose(weights[key], value, atol=1e-5), (rank, key)


def run_recipe(recipe, out, processes):
    launcher = (["-m", "torch.distributed.run", "--standalone", "--nproc_per_node",
                 str(processes)] if processes > 1 else [])
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, *launcher, "-m", "seqimg", "run", str(recipe),
                           "--out", str(out)], capture_output=True, text=True, env=env,
                          timeout=300)


def test_two_processes_train_like_one_with_the_same_global_batch(tmp_path):
    recipe = toy_midi_recipe(tmp_path, pieces=4)
    recipe.write_text(recipe.read_text().replace(TRAIN, LONGER))
    runs = {n: run_recipe(recipe, tmp_path / f"p{n}", n) for n in (1, 2)}
    for done in runs.values():
        assert done.returncode == 0, done.stderr[-2000:]
    assert "rank 1 of 2: training only; rank 0 writes the run folder" in runs[2].stderr
    files = {n: sorted(str(p.relative_to(tmp_path / f"p{n}"))
                       for p in (tmp_path / f"p{n}").rglob("*")) for n in (1, 2)}
    assert files[1] == files[2]  # no file twice, none missing, no partial writes
    states = {n: checkpoint.load(tmp_path / f"p{n}" / "checkpoints" / "last.pt").state
              for n in (1, 2)}
    assert states[2]["world_size"] == 2 and states[2]["step"] == 10
    # BatchNorm normalises each process's half-batch, so the curves agree closely, not exactly
    # (the test above shows they are equal without it): every logged L_D, L_GAN_G and L_TID
    # within 10% of the one-process run's (the largest gap here is about 6%)
    for one, two in zip(states[1]["history"], states[2]["history"], strict=True):
        for key in ("L_D", "L_GAN_G", "L_TID"):
            assert two[key] == pytest.approx(one[key], rel=0.10), (one["step"], key)


def test_a_batch_that_does_not_split_among_the_processes_is_refused(tmp_path):
    recipe = toy_midi_recipe(tmp_path)
    recipe.write_text(recipe.read_text().replace("batch_size: 4", "batch_size: 5"))
    done = run_recipe(recipe, tmp_path / "run", 2)
    assert done.returncode != 0
    assert "error: train.batch_size: 5 does not split among 2 processes" in done.stderr
