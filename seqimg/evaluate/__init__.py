"""``seqimg evaluate``: transfer strength, content kept and realism of a run, next to controls.

Everything is recomputed from the run folder (config, checkpoint, split, transferred files).
"""

from __future__ import annotations

import json
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from seqimg.errors import SeqimgError
from seqimg.evaluate import measures
from seqimg.evaluate.classifier import accuracy, frame_windows, train_classifier
from seqimg.evaluate.report import write_report
from seqimg.io import write_text
from seqimg.recipe import Recipe, load_recipe
from seqimg.transfer import TrainedPair, generate, load_pair, output_path

log = logging.getLogger(__name__)


@dataclass
class Pieces:
    """Frames of several files, keyed by file stem."""

    frames: dict[str, np.ndarray]

    @property
    def values(self) -> list[np.ndarray]:
        return list(self.frames.values())


def read_pieces(codec, files: list[Path], skipped: dict) -> Pieces:
    out = {}
    for path in files:
        try:
            out[Path(path).stem] = codec.frames(path)
        except SeqimgError as exc:
            skipped[str(path)] = str(exc)
    return Pieces(out)


def round_trip(pieces: Pieces, codec) -> Pieces:
    """Decode frames to files with ``codec`` and read them back: what a listener would get."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for stem, frames in pieces.frames.items():
            path = Path(tmp) / f"piece{codec.suffixes[0]}"
            codec.write(codec.from_frames(frames), path)
            out[stem] = codec.frames(path)
    return Pieces(out)


def strength(classifier, pieces: Pieces, window: int) -> float:
    """Share of the pieces' windows the classifier calls target."""
    windows, _ = frame_windows(pieces.values, window)
    return float((classifier.probability(windows) > 0.5).mean())


def halves(pieces: Pieces) -> tuple[list, list]:
    values = pieces.values
    return values[::2], values[1::2]


def two_sample(a: Pieces, b: Pieces, window: int, steps: int, seed: int) -> float:
    """Held-out accuracy of a fresh classifier telling ``a`` from ``b`` (trained on half the
    files of each, tested on the other half); 0.5 means indistinguishable."""
    (a_train, a_test), (b_train, b_test) = halves(a), halves(b)
    if not (a_train and a_test and b_train and b_test):
        return float("nan")
    clf = train_classifier(frame_windows(a_train, window)[0], frame_windows(b_train, window)[0],
                           steps, seed)
    return accuracy(clf, frame_windows(a_test, window)[0], frame_windows(b_test, window)[0])


def content(pair: TrainedPair, inputs: Pieces, outputs: Pieces, unrelated: Pieces,
            window: int) -> dict:
    """Input/output similarity per measure, its chance level on unrelated pairs, normalised."""
    scores = [measures.content_similarity(pair.target, inputs.frames[k], outputs.frames[k], window)
              for k in outputs.frames if k in inputs.frames]
    rng = np.random.default_rng(0)
    others = unrelated.values
    chance = [measures.content_similarity(pair.target, a, others[rng.integers(len(others))],
                                          window) for a in inputs.values for _ in range(2)]
    result = {}
    for key in scores[0] if scores else []:
        raw = float(np.mean([s[key] for s in scores]))
        level = float(np.mean([c[key] for c in chance]))
        result[key] = {"raw": raw, "chance": level,
                       "normalised": measures.normalised(raw, level)}
    return result


@torch.no_grad()
def f_constancy(pair: TrainedPair, inputs: Pieces, targets: Pieces) -> dict:
    """Cosine of f(s) and f(G(s)) codes against f(s) and f(t) for unrelated t."""
    model = pair.model.eval()
    src = np.concatenate([pair.source.frames_to_images(f) for f in inputs.values])
    tgt = np.concatenate([pair.target.frames_to_images(f) for f in targets.values])
    code_s = model.f(torch.from_numpy(src))[0].flatten(1)
    code_gs = model.f(torch.from_numpy(generate(model, src)))[0].flatten(1)
    code_t = model.f(torch.from_numpy(tgt[np.arange(len(src)) % len(tgt)]))[0].flatten(1)
    raw = torch.cosine_similarity(code_s, code_gs).mean().item()
    chance = torch.cosine_similarity(code_s, code_t).mean().item()
    return {"raw": raw, "chance": chance, "normalised": measures.normalised(raw, chance)}


def earlier_skips(run_dir: Path) -> dict:
    """Files skipped while training and transferring, as the run recorded them."""
    path = run_dir / "skipped.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def evaluate_run(run_dir: Path, progress: bool = True) -> dict:
    """Recompute the whole report of a run folder; writes report.json, report.md, figures."""
    run_dir = Path(run_dir)
    recipe: Recipe = load_recipe(run_dir / "config.yaml")
    pair = load_pair(run_dir / "checkpoints" / "last.pt")
    split_path = run_dir / "split.json"
    if not split_path.is_file():
        raise SeqimgError(f"{split_path}: missing; is {run_dir} a seqimg run folder?")
    split = json.loads(split_path.read_text())
    window, steps, seed = recipe.evaluate.window, recipe.evaluate.classifier_steps, recipe.seed
    skipped: dict[str, str] = {}
    src, tgt = pair.source, pair.target

    limit = recipe.evaluate.max_files
    source_train = round_trip(read_pieces(src, split["source"]["train"][:limit], skipped), src)
    target_train = round_trip(read_pieces(tgt, split["target"]["train"][:limit], skipped), tgt)
    source_heldout = read_pieces(src, split["source"]["heldout"], skipped)
    target_heldout = round_trip(read_pieces(tgt, split["target"]["heldout"], skipped), tgt)
    source_through_target = round_trip(source_heldout, tgt)
    transferred_files = [output_path(p, tgt, run_dir / "transferred")
                         for p in split["source"]["heldout"]]
    outputs = read_pieces(tgt, [p for p in transferred_files if p.exists()], skipped)
    if not outputs.frames:
        raise SeqimgError(f"{run_dir}/transferred: no transferred files to evaluate")

    log.info("evaluating: classifier on %d source and %d target pieces",
             len(source_train.frames), len(target_train.frames))
    clf = train_classifier(frame_windows(target_train.values, window)[0],
                           frame_windows(source_train.values, window)[0], steps, seed)
    per_file = {stem: strength(clf, Pieces({stem: f}), window)
                for stem, f in outputs.frames.items()}
    all_target = Pieces({**target_train.frames, **target_heldout.frames})
    out_windows = frame_windows(outputs.values, window)[0]
    target_windows = frame_windows(target_heldout.values, window)[0]
    control_windows = frame_windows(source_through_target.values, window)[0]

    report = {
        "recipe": recipe.name,
        "classifier_accuracy": accuracy(clf, target_windows,
                                        frame_windows(round_trip(source_heldout, src).values,
                                                      window)[0]),
        "transfer_strength": strength(clf, outputs, window),
        "identity_strength": strength(clf, source_heldout, window),
        "roundtrip_identity_strength": strength(clf, source_through_target, window),
        "target_strength": strength(clf, target_heldout, window),
        "per_file_strength": dict(sorted(per_file.items(), key=lambda kv: -kv[1])),
        "content_similarity": {
            **content(pair, source_heldout, outputs, all_target, window),
            "f_constancy": f_constancy(pair, source_heldout, all_target),
        },
        "realism": {
            "statistics": measures.distribution_distances(
                [measures.statistics(tgt, f) for f in outputs.values],
                [measures.statistics(tgt, f) for f in all_target.values],
                [measures.statistics(tgt, f) for f in source_heldout.values]),
            "frechet_to_target": measures.frechet_distance(clf.embedding(out_windows),
                                                           clf.embedding(target_windows)),
            "frechet_roundtrip_source_to_target": measures.frechet_distance(
                clf.embedding(control_windows), clf.embedding(target_windows)),
        },
        "two_sample_accuracy": two_sample(outputs, all_target, window, steps, seed),
        "two_sample_roundtrip_source": two_sample(source_through_target, all_target, window,
                                                  steps, seed),
        "skipped_files": {**earlier_skips(run_dir), "evaluation": skipped},
        "training": pair.history[-1] if pair.history else {},
        "counts": {"source_train": len(source_train.frames),
                   "target_train": len(target_train.frames),
                   "source_heldout": len(source_heldout.frames),
                   "target_heldout": len(target_heldout.frames),
                   "transferred": len(outputs.frames)},
    }
    write_text(run_dir / "report.json", json.dumps(report, indent=2))
    write_report(run_dir, report, recipe, pair, source_heldout, outputs)
    return report
