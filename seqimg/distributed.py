"""Data-parallel training across the processes ``torchrun`` starts: which process this is, one
slice of every batch per process, gradients averaged after each backward pass, rank 0 writes.

torchrun sets ``RANK``, ``LOCAL_RANK``, ``WORLD_SIZE``, ``MASTER_ADDR`` and ``MASTER_PORT``;
without them a run is one process and nothing here communicates.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass

import torch
import torch.distributed as dist

from seqimg.errors import SeqimgError

log = logging.getLogger(__name__)


def resolve_device(name: str) -> torch.device:
    """'auto' picks CUDA when present, else CPU."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise SeqimgError(f"device {name!r}: CUDA is not available on this machine")
    return torch.device(name)


@dataclass(frozen=True)
class World:
    """This process's place among the training processes."""

    rank: int = 0
    size: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        """Whether this process writes the run folder (checkpoints, transfers, report)."""
        return self.rank == 0

    def device(self, device: torch.device) -> torch.device:
        """Each process on a machine takes its own GPU; CPU processes share the CPU."""
        if device.type == "cuda" and self.size > 1:
            return torch.device("cuda", self.local_rank)
        return device

    def batch_slice(self, index: torch.Tensor) -> torch.Tensor:
        """This process's share of a batch's indices (all processes draw the same batch)."""
        return index.chunk(self.size)[self.rank] if self.size > 1 else index

    def barrier(self) -> None:
        if self.size > 1:
            dist.barrier()

    def average(self, tensors: Iterable[torch.Tensor]) -> None:
        """Replace each tensor, in place, by its mean over the processes (one collective)."""
        if self.size == 1:
            return
        tensors = list(tensors)
        if not tensors:
            return
        flat = torch.cat([t.reshape(-1).float() for t in tensors])
        dist.all_reduce(flat)
        flat /= self.size
        for t, part in zip(tensors, flat.split([t.numel() for t in tensors])):
            t.copy_(part.view_as(t))

    def share_weights(self, module: torch.nn.Module) -> None:
        """Give every process rank 0's parameters and buffers."""
        if self.size > 1:
            for tensor in [*module.parameters(), *module.buffers()]:
                dist.broadcast(tensor.data, 0)


def start(device: torch.device, global_batch: int) -> World:
    """Join the process group torchrun describes (nccl for CUDA, gloo for CPU), or stay alone;
    the global batch must split evenly among the processes."""
    size = int(os.environ.get("WORLD_SIZE", "1"))
    if size == 1:
        return World()
    world = World(int(os.environ["RANK"]), size, int(os.environ.get("LOCAL_RANK", "0")))
    if global_batch % size:
        raise SeqimgError(f"train.batch_size: {global_batch} does not split among {size} "
                          "processes; choose a multiple of the process count")
    if not dist.is_initialized():
        if device.type == "cuda":
            torch.cuda.set_device(world.local_rank)
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    if not world.main:
        log.info("rank %d of %d: training only; rank 0 writes the run folder", world.rank, size)
    return world


def stop(world: World) -> None:
    """Leave the process group once every process got here."""
    if world.size > 1 and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
