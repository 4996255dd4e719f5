"""The one path of a piece: file -> a :class:`~seqimg.piece.Piece` (frames, or notes for a
method that reads notes) -> a trained method's piece-level transfer -> file, with the input's
timing kept. ``seqimg transfer``, ``seqimg run`` (and its sweeps),
``seqimg evaluate`` and ``seqimg serve`` all carry pieces through :class:`PieceTransfer`."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from seqimg import checkpoint
from seqimg.codecs.base import SequenceCodec
from seqimg.codecs.capabilities import Drawn, Fitted, Measured, able
from seqimg.data import codec_for, read_each
from seqimg.errors import BadSetting, SeqimgError
from seqimg.io import piece_names
from seqimg.methods import is_transfer_setting, make_method
from seqimg.methods.base import TransferMethod
from seqimg.piece import Piece
from seqimg.recipe import Recipe, build_recipe
from seqimg.runfiles import ShowPlaces

log = logging.getLogger(__name__)


@dataclass
class PieceTransfer:
    """A trained method with the codecs of its source and target domains: what carries a
    whole piece, as frames or as a file, from one domain to the other."""

    method: TransferMethod
    source: SequenceCodec
    target: SequenceCodec
    history: list = field(default_factory=list)  # training log, when loaded from a checkpoint
    processes: int = 1  # how many processes trained it (torchrun's world size)
    window: int = 64  # steps of the windows content is measured over (the recipe's evaluation)

    @property
    def cross(self) -> bool:
        """Whether source images differ in shape from target ones (a cross-codec pair)."""
        return self.source.layout.image_shape != self.target.layout.image_shape

    def piece(self, piece: Piece) -> Piece:
        """A whole source piece carried over to a target piece of its length and timing: its
        notes through :meth:`TransferMethod.transfer_notes` for a method that reads notes,
        else its frames through :meth:`TransferMethod.transfer_piece`."""
        method = self.method.eval()
        if method.reads == "notes":
            return Piece.of_notes(self.target, method.transfer_notes(piece.notes, piece.length),
                                  piece.length, piece.timing)
        return Piece.of_frames(self.target, method.transfer_piece(piece.frames), piece.timing)

    def frames(self, frames: np.ndarray) -> np.ndarray:
        """Source frames of a whole piece, shape=(T, F), to target frames, shape=(T, F')."""
        return self.piece(Piece.of_frames(self.source, frames)).frames

    def read(self, path: Path) -> Piece:
        """The source file ``path`` as the method reads it (frames, or notes)."""
        return Piece.read(self.source, path, self.method.reads)

    def carry(self, piece: Piece, out: Path) -> Piece:
        """A source piece carried over and written to ``out``; returns the written piece. A
        silent result is logged, not only written."""
        made = self.piece(piece)
        if made.silent:
            log.warning("%s: the transfer holds nothing (no notes, or a constant series)", out)
        made.write(out)
        return made

    def show(self, before: np.ndarray, after: np.ndarray, title: str, places: ShowPlaces,
             render: bool = True, measure: bool = False) -> dict:
        """One carried piece shown the same way wherever it is (the report's examples, the
        page): drawn by the target codec beside its input (each side by its own codec for a
        cross-codec pair), input and output rendered to listen to where their codecs can
        (``render``), and with ``measure`` how much of the input the output keeps (the target
        codec's content similarities over :attr:`window` steps; not across codecs). Returns the
        paths written (``picture``, ``input_picture``, ``audio``: by label) and ``kept``."""
        source, target = able(self.source, Drawn), able(self.target, Drawn)
        shown: dict = {"picture": places.picture}
        if self.cross:
            source.draw_piece(None, before, f"{title}: input", places.input_picture)
            target.draw_piece(None, after, f"{title}: transferred", places.picture)
            shown["input_picture"] = places.input_picture
        else:
            target.draw_piece(before, after, title, places.picture)
        if render:
            renders = (("input", source, before, places.input_audio),
                       ("transferred", target, after, places.output_audio))
            shown["audio"] = {label: path for label, codec, frames, path in renders
                              if codec.render_audio(frames, path)}
        if measure and not self.cross:
            shown["kept"] = able(self.target, Measured).content_similarity(before, after,
                                                                           self.window)
        return shown

    def file(self, path: Path, out: Path) -> Path:
        """The piece in ``path`` carried over and written to ``out`` in the input's timing."""
        self.carry(self.read(path), out)
        return out

    def files(self, files: list[Path], out_dir: Path) -> dict:
        """Each file carried over to its :func:`output_paths` place; bad files are skipped and
        returned with the reason."""
        places = output_paths(files, self.target, out_dir)
        skipped: dict[str, str] = {}
        read_each(list(places), lambda path: self.file(path, places[path]), skipped,
                  desc="transferring")
        return skipped


def described_codec(recipe: Recipe, side: str, states: dict) -> SequenceCodec:
    """One side's codec from the recipe, with the learned state the checkpoint stored."""
    codec = codec_for(getattr(recipe, side))
    able(codec, Fitted).load_state(states.get(side, {}))
    return codec


def check_codecs_installed(path: Path, info: checkpoint.CheckpointInfo) -> None:
    """Each side's codec is registered; when one is not, say which module to make importable
    (as the checkpoint recorded it) rather than only that the name is unknown."""
    from seqimg.registry import known

    for side, reference in info.codec_classes.items():
        name = info.recipe.get(side, {}).get("codec", {}).get("name")
        if isinstance(name, str) and not known("codecs", name):
            module = reference.partition(":")[0]
            raise SeqimgError(f"{path}: its {side} codec {name!r} ({reference}) is not "
                              f"installed; install the package that provides it, so that the "
                              f"module {module!r} is importable")


def with_transfer_settings(recipe: dict, overrides: list[str]) -> dict:
    """The resolved recipe of a checkpoint with ``method.NAME=VALUE`` overrides applied, each
    NAME one of the method's ``transfer_settings`` (what may change without retraining)."""
    import copy

    from seqimg.config import parse_assignment
    from seqimg.recipe import DEFAULT_METHOD, apply_override
    from seqimg.registry import lookup

    name = recipe.get("method", {}).get("name", DEFAULT_METHOD)
    allowed = lookup("methods", name).transfer_settings
    out = copy.deepcopy(recipe)
    for assignment in overrides:
        key = parse_assignment(assignment, "method.NAME=value")[0]
        if not is_transfer_setting(name, key):
            raise BadSetting(f"--set {key}: not a transfer-time setting of the {name} method "
                              f"(those are: {', '.join(f'method.{a}' for a in allowed) or 'none'})")
        apply_override(out, assignment)
    return out


def load_transfer(path: Path, overrides: list[str] | None = None) -> PieceTransfer:
    """Rebuild method and codecs from a self-describing checkpoint; ``overrides`` change the
    method's transfer-time settings (:func:`with_transfer_settings`)."""
    loaded = checkpoint.load(path)
    info = loaded.described()
    check_codecs_installed(path, info)
    raw = with_transfer_settings(info.recipe, overrides) if overrides else info.recipe
    try:
        recipe = build_recipe(raw)
    except SeqimgError as exc:
        if overrides:
            raise BadSetting(f"--set: {exc}") from None
        raise SeqimgError(f"{path}: its recipe no longer loads ({exc})") from None
    source = described_codec(recipe, "source", info.codec_states)
    target = described_codec(recipe, "target", info.codec_states)
    method = make_method(recipe, source, target)
    method.load_state_dict(loaded.state["weights"])
    method.eval()
    return PieceTransfer(method, source, target, loaded.state["history"],
                         loaded.state.get("world_size", 1), recipe.evaluate.window)


def output_paths(files: list, codec: SequenceCodec, out_dir: Path) -> dict[Path, Path]:
    """Where each input's transfer goes: its name from :func:`piece_names` with ``codec``'s
    suffix, directly in ``out_dir``."""
    return {path: out_dir / f"{name}{codec.suffixes[0]}"
            for path, name in piece_names(files).items()}
