"""``seqimg evaluate``: transfer strength, content kept and realism of a run, next to controls.

Everything is recomputed from the run folder (config, checkpoint, split, transferred files).
Per-piece statistics and content measures come from the target codec's hooks.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from seqimg.codecs.capabilities import Measured, able
from seqimg.data import read_each
from seqimg.domains import domain_files, make_files
from seqimg.errors import SeqimgError
from seqimg.evaluate import measures
from seqimg.evaluate.bridges import series_bridges
from seqimg.evaluate.classifier import TrainedClassifier, accuracy, frame_windows
from seqimg.evaluate.copying import copying
from seqimg.evaluate.critics import critic_fits
from seqimg.evaluate.report import write_report
from seqimg.evaluate.result import ContentScore, ControlScore, Realism, Report
from seqimg.evaluate.shared_views import piece_views, view_similarity
from seqimg.evaluate.subjects import (
    BASELINE,
    FLOOR,
    OUTPUTS,
    RESYNTHESISED,
    UNTRANSFERRED,
    control_subject,
)
from seqimg.evaluate.two_sample import floor, two_sample_critics
from seqimg.evaluate.verdict import report_json
from seqimg.io import piece_names, write_text
from seqimg.piece import is_silent
from seqimg.pipeline import PieceTransfer, load_transfer, output_paths
from seqimg.prepare import prepare_files
from seqimg.recipe import Recipe, load_recipe
from seqimg.runfiles import RunFolder, read_skips, read_split, write_skips
from seqimg.text import plural

log = logging.getLogger(__name__)


@dataclass
class Pieces:
    """Frames of several files, keyed by file stem."""

    frames: dict[str, np.ndarray]

    @property
    def values(self) -> list[np.ndarray]:
        return list(self.frames.values())


def read_pieces(codec, files: list, skipped: dict, written: bool = False) -> Pieces:
    """Frames of every file that reads, by :func:`piece_names` (as transfer names outputs); the
    others are recorded in ``skipped``. The run's inputs come through ``codec``'s shard cache
    (a file is read once, when the cache lacks it, and its frames come back exactly). Files the
    run ``written`` itself are read directly, as silence when they hold nothing the codec
    keeps: a silent output is a result, not a broken file."""
    names = piece_names(files)
    if written:
        read = functools.partial(codec.frames, allow_empty=True)
        return Pieces({names[path]: frames
                       for path, frames in read_each(list(names), read, skipped).items()})
    prepared = prepare_files(codec, list(names), skipped, workers=1)
    return Pieces({names[path]: prepared.reader.rows(entry)
                   for path, entry in prepared.entries.items()})


def round_trip(pieces: Pieces, codec) -> Pieces:
    """Decode frames to files with ``codec`` and read them back: what a listener would get."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for stem, frames in pieces.frames.items():
            path = Path(tmp) / f"piece{codec.suffixes[0]}"
            out[stem] = codec.frames(codec.save_frames(frames, path), allow_empty=True)
    return Pieces(out)


def strength(classifier: TrainedClassifier, pieces: Pieces, window: int) -> float:
    """Share of the pieces' windows the classifier calls target."""
    windows, _ = frame_windows(pieces.values, window)
    return float((classifier.probability(windows) > 0.5).mean())


@dataclass(frozen=True)
class ContentMeasure:
    """How content kept is measured: ``similarity(input frames, output frames) -> {measure:
    value}``, by the target codec's own measures, or for a cross-codec pair by the views both
    codecs offer."""

    similarity: Callable[[np.ndarray, np.ndarray], dict[str, float]]

    @classmethod
    def of(cls, pair: PieceTransfer, recipe: Recipe) -> ContentMeasure:
        window = recipe.evaluate.window
        if not pair.cross:
            return cls(lambda a, b: able(pair.target, Measured).content_similarity(a, b, window))
        names = pair.method.kept_views()
        return cls(lambda a, b: view_similarity(piece_views(pair.source, a, names),
                                                piece_views(pair.target, b, names)))


def chance_levels(measure: ContentMeasure, inputs: Pieces, unrelated: Pieces) -> list[dict]:
    """The content measures of each input against two unrelated pieces (seeded): what keeping
    content by chance scores, shared by the transfer and every control."""
    rng = np.random.default_rng(0)
    others = unrelated.values
    return [measure.similarity(a, others[rng.integers(len(others))])
            for a in inputs.values for _ in range(2)]


def content(measure: ContentMeasure, inputs: Pieces, outputs: Pieces,
            chance: list[dict]) -> dict[str, ContentScore]:
    """Input/output similarity per measure, its chance level, normalised."""
    scores = [measure.similarity(inputs.frames[k], outputs.frames[k])
              for k in outputs.frames if k in inputs.frames]
    result = {}
    for key in scores[0] if scores else []:
        raw = float(np.mean([s[key] for s in scores]))
        level = float(np.mean([c[key] for c in chance]))
        result[key] = ContentScore(raw, level, measures.normalised(raw, level))
    return result


@torch.no_grad()
def f_constancy(pair: PieceTransfer, inputs: Pieces, targets: Pieces) -> ContentScore | None:
    """Cosine of the method's content codes of s and of its output, against s and unrelated t;
    None when the method has no content code."""
    method = pair.method.eval()
    src = np.concatenate([pair.source.layout.frames_to_images(f) for f in inputs.values])
    code_s = method.content_code(torch.from_numpy(src), source=True)
    if code_s is None:
        return None
    tgt = np.concatenate([pair.target.layout.frames_to_images(f) for f in targets.values])
    code_gs = method.content_code(torch.from_numpy(method.transfer_windows(src)), source=False)
    code_t = method.content_code(torch.from_numpy(tgt[np.arange(len(src)) % len(tgt)]),
                                 source=False)
    raw = torch.cosine_similarity(code_s, code_gs).mean().item()
    chance = torch.cosine_similarity(code_s, code_t).mean().item()
    return ContentScore(raw, chance, measures.normalised(raw, chance))


@dataclass
class RunPieces:
    """The pieces evaluation compares, all in the target codec's frames for a one-codec pair
    (a fitted codec reads each domain in its own coordinates, which a judge could tell apart
    without looking at the series): training pieces for the classifier (through the target
    codec's round trip), held-out pieces, the untransferred control, the transferred outputs,
    and the held-out source as the method reads it."""

    source_train: Pieces
    target_train: Pieces
    source_heldout: Pieces
    target_heldout: Pieces
    # the untransferred control written and read back by the target codec: the held-out
    # negatives of the domain classifier's accuracy too
    source_through_target: Pieces
    outputs: Pieces
    # the untransferred control as the target's codec reads it: the held-out source itself for
    # one codec, the reference pieces for a cross-codec pair
    untransferred: Pieces
    source_inputs: Pieces  # the held-out source through its own codec, as the method reads it

    @property
    def all_target(self) -> Pieces:
        return Pieces({**self.target_train.frames, **self.target_heldout.frames})


def gather_pieces(run_dir: Path, recipe: Recipe, pair: PieceTransfer, skipped: dict) -> RunPieces:
    """Read the run's split and transferred files into :class:`RunPieces`."""
    split = read_split(run_dir)
    src, tgt, limit = pair.source, pair.target, recipe.evaluate.max_files
    source_inputs = read_pieces(src, split["source"]["heldout"], skipped)
    transferred = output_paths(split["source"]["heldout"], tgt, RunFolder(run_dir).transferred)
    outputs = read_pieces(tgt, [p for p in transferred.values() if p.exists()], skipped,
                          written=True)
    if not outputs.frames:
        raise SeqimgError(f"{RunFolder(run_dir).transferred}: no transferred files to evaluate")
    if not pair.cross:
        source_heldout = read_pieces(tgt, split["source"]["heldout"], skipped)
        source_train = round_trip(read_pieces(tgt, split["source"]["train"][:limit], skipped),
                                  tgt)
        untransferred = source_heldout
    else:  # the reference: even files train the classifier, odd ones are the control
        source_heldout = source_inputs
        reference = recipe.evaluate.reference
        files = domain_files(reference["domain"], reference["options"], "evaluate.reference",
                             make=False)
        train, control = files[::2][:limit], files[1::2][:limit]
        make_files(reference["domain"], reference["options"], train + control,
                   "evaluate.reference")  # the limit holds for what is rendered too
        source_train = round_trip(read_pieces(tgt, train, skipped), tgt)
        untransferred = read_pieces(tgt, control, skipped)
    return RunPieces(
        source_train=source_train,
        target_train=round_trip(read_pieces(tgt, split["target"]["train"][:limit], skipped), tgt),
        source_heldout=source_heldout,
        target_heldout=round_trip(read_pieces(tgt, split["target"]["heldout"], skipped), tgt),
        source_through_target=round_trip(untransferred, tgt),
        outputs=outputs,
        untransferred=untransferred,
        source_inputs=source_inputs)


def realism(codec, pieces: RunPieces, clf: TrainedClassifier, window: int) -> Realism:
    """Distances of the outputs' per-piece statistics to target and source, and Frechet
    distances in the classifier's embedding (outputs, and the untransferred control)."""
    def stats(p: Pieces) -> list[dict]:
        return [able(codec, Measured).statistics(f) for f in p.values]

    def embedding(p: Pieces) -> np.ndarray:
        return clf.embedding(frame_windows(p.values, window)[0])

    target = embedding(pieces.target_heldout)
    return Realism(
        statistics=measures.distribution_distances(stats(pieces.outputs),
                                                   stats(pieces.all_target),
                                                   stats(pieces.untransferred)),
        frechet_to_target=measures.frechet_distance(embedding(pieces.outputs), target),
        frechet_roundtrip_source_to_target=measures.frechet_distance(
            embedding(pieces.source_through_target), target))


def control_pieces(name: str, codec, pieces: RunPieces) -> Pieces:
    """The control ``name`` made from every held-out source piece, written and read back by
    the target codec as transfers are."""
    from seqimg.registry import lookup

    make = lookup("controls", name)
    # a control that declares it takes the real target pieces is given the training ones
    given = {"target": pieces.target_train.values} if getattr(make, "takes_target", False) else {}
    return round_trip(Pieces({stem: make(codec, frames, **given)
                              for stem, frames in pieces.source_heldout.frames.items()}), codec)


def control_scores(names: tuple[str, ...], codec, measure: ContentMeasure, pieces: RunPieces,
                   chance: list[dict], clf: TrainedClassifier, window: int,
                   fits: dict) -> tuple[dict[str, ControlScore], dict[str, dict], dict[str, dict]]:
    """Each named control made from the held-out source, written and read back by the target
    codec, and measured like the transfer (``fits``: the critics, the classifier's first): its
    scores, and its two-sample tests and copying by subject (``control:NAME``)."""
    scores, tests, copied = {}, {}, {}
    for name in names:
        made = control_pieces(name, codec, pieces)
        kept = content(measure, pieces.source_heldout, made, chance)
        stats = [able(codec, Measured).statistics(f) for f in made.values]
        scores[name] = ControlScore(
            strength=strength(clf, made, window),
            content={key: score.normalised for key, score in kept.items()},
            statistics={key: float(np.mean([s[key] for s in stats if key in s]))
                        for key in sorted(set().union(*stats))})
        tests[control_subject(name)] = two_sample_critics(made.values, pieces.all_target.values,
                                                          window, fits)
        copied[control_subject(name)] = copying(codec, made.values, pieces.target_train.values,
                                                pieces.target_heldout.values)
    return scores, tests, copied


def resynthesised(pair: PieceTransfer, pieces: Pieces) -> Pieces | None:
    """Target pieces made again by the method's ``resynthesise_piece`` (through the codec's
    round trip, as transfers are); None when the method has no such path."""
    out = {}
    for stem, frames in pieces.frames.items():
        made = pair.method.resynthesise_piece(frames)
        if made is None:
            return None
        out[stem] = made
    return round_trip(Pieces(out), pair.target)


def per_file_strength(clf, outputs: Pieces, window: int) -> dict[str, float]:
    """Transfer strength of each transferred piece, the most convincing first."""
    return dict(sorted(((stem, strength(clf, Pieces({stem: f}), window))
                        for stem, f in outputs.frames.items()), key=lambda kv: -kv[1]))


def content_and_constancy(pair: PieceTransfer, measure: ContentMeasure, p: RunPieces,
                          chance: dict) -> dict:
    """Content kept by the outputs against chance, and the method's f-constancy when it has a
    content code."""
    content_kept = content(measure, p.source_heldout, p.outputs, chance)
    constancy = f_constancy(pair, p.source_inputs, p.all_target)
    if constancy is not None:
        content_kept["f_constancy"] = constancy
    return content_kept


def piece_counts(p: RunPieces) -> dict[str, int]:
    """How many pieces each part of the evaluation read."""
    return {"source_train": len(p.source_train.frames),
            "target_train": len(p.target_train.frames),
            "source_heldout": len(p.source_heldout.frames),
            "target_heldout": len(p.target_heldout.frames),
            "transferred": len(p.outputs.frames)}


def strengths(clf: TrainedClassifier, p: RunPieces, window: int) -> dict[str, float]:
    """The domain classifier's held-out accuracy and the share of windows it calls target, of
    the outputs and of each control the report puts beside them."""
    return dict(
        classifier_accuracy=accuracy(clf, frame_windows(p.target_heldout.values, window)[0],
                                     frame_windows(p.source_through_target.values, window)[0]),
        transfer_strength=strength(clf, p.outputs, window),
        identity_strength=strength(clf, p.untransferred, window),
        roundtrip_identity_strength=strength(clf, p.source_through_target, window),
        target_strength=strength(clf, p.target_heldout, window))


def two_sample_tests(pair: PieceTransfer, p: RunPieces, window: int, fits: dict,
                     seed: int) -> dict[str, dict]:
    """Every critic's two-sample test of the outputs, of the untransferred round trip and of
    the held-out target re-made from its own view (where the method can) against all real
    target, and the floor, by subject."""
    target = p.all_target.values
    tests = {OUTPUTS: two_sample_critics(p.outputs.values, target, window, fits),
             UNTRANSFERRED: two_sample_critics(p.source_through_target.values, target, window,
                                               fits),
             FLOOR: floor(target, window, fits, seed)}
    remade = resynthesised(pair, p.target_heldout)
    if remade is not None:
        tests[RESYNTHESISED] = two_sample_critics(remade.values, target, window, fits)
    return tests


def copying_beside_baseline(codec, p: RunPieces) -> dict[str, dict]:
    """How much the outputs copy from the target's training pieces, beside the same measure of
    real held-out target pieces (real music reuses its idioms too)."""
    train, heldout = p.target_train.values, p.target_heldout.values
    return {OUTPUTS: copying(codec, p.outputs.values, train, heldout),
            BASELINE: copying(codec, heldout, train, heldout)}


def domain_classifier(fit, name: str, p: RunPieces, window: int) -> TrainedClassifier:
    """The classifier that tells target windows from source ones, fitted on the training
    pieces of both sides (what strength and realism are read by)."""
    source_windows = frame_windows(p.source_train.values, window)[0]
    target_windows = frame_windows(p.target_train.values, window)[0]
    log.info("evaluation: %s domain classifier on %s and %s", name,
             plural(len(source_windows), "source window"),
             plural(len(target_windows), "target window"))
    return fit(target_windows, source_windows)


def evaluate_run(run_dir: Path, progress: bool = True, level: str | None = None,
                 pair: PieceTransfer | None = None, recipe: Recipe | None = None) -> Report:
    """Recompute the whole report of a run folder; writes report.json, report.md, report.html
    and the figures. ``level`` ('full' or 'fast') overrides the recipe's evaluate.level;
    ``pair`` and ``recipe`` are the run's trained method and recipe when they are already in
    memory (else they are loaded from the folder)."""
    run_dir = Path(run_dir)
    folder = RunFolder(run_dir)
    recipe = recipe or load_recipe(folder.config, written=True)
    recipe = dataclasses.replace(recipe, evaluate=recipe.evaluate.effective(level))
    pair = pair or load_transfer(folder.checkpoint)
    window, cfg = recipe.evaluate.window, recipe.evaluate
    fits = critic_fits(cfg.critics, pair.target, recipe.seed, cfg.critic_seeds,
                       cfg.classifier_steps)
    skipped: dict[str, str] = {}
    log.info("evaluation (%s): reading the held-out, transferred and training pieces", cfg.level)
    p = gather_pieces(run_dir, recipe, pair, skipped)
    skips = {**read_skips(run_dir), "evaluation": skipped}

    classifier = cfg.critics[0]
    clf = domain_classifier(fits[classifier][0], classifier, p, window)
    log.info("evaluation: strength, content and realism of %s",
             plural(len(p.outputs.frames), "transferred piece"))
    measure = ContentMeasure.of(pair, recipe)
    chance = chance_levels(measure, p.source_heldout, p.all_target)
    per_file = per_file_strength(clf, p.outputs, window)
    content_kept = content_and_constancy(pair, measure, p, chance)
    real = realism(pair.target, p, clf, window)
    skips = write_skips(run_dir, skips)
    log.info("evaluation: two-sample tests (%s, %s) of the outputs and the untransferred "
             "control%s", ", ".join(fits), plural(cfg.critic_seeds, "critic seed"),
             f", then {plural(len(cfg.controls), 'rule-made control')}" if cfg.controls else "")
    tests = two_sample_tests(pair, p, window, fits, recipe.seed)
    controls, control_tests, control_copying = control_scores(
        cfg.controls, pair.target, measure, p, chance, clf, window, fits)
    strength_of = strengths(clf, p, window)
    bridges = {} if classifier != "rocket" else series_bridges(
        real.frechet_to_target, strength_of["classifier_accuracy"], p, window, recipe.seed)
    report = Report(
        recipe=recipe.name, **strength_of, per_file_strength=per_file,
        content_similarity=content_kept, realism=real, skipped_files=skips,
        training={**(pair.history[-1] if pair.history else {}), "processes": pair.processes},
        counts=piece_counts(p), controls=controls, level=cfg.level,
        tests={**tests, **control_tests},
        copying={**copying_beside_baseline(pair.target, p), **control_copying},
        bridges=bridges,
        silent_outputs=[stem for stem, frames in p.outputs.frames.items() if is_silent(frames)])
    write_text(folder.report("json"), report_json(report))
    log.info("evaluation: figures%s", " and audio renders" if cfg.render_audio else "")
    write_report(run_dir, report, recipe, pair, p.source_heldout, p.outputs)
    return report
