"""Models shipped with seqimg, to hear a transfer without training: each is a checkpoint with its
weights in half precision (no optimiser state), ``NAME.pt``, and a card, ``NAME.json``, that says
where it came from (recipe, data, steps, minutes, commit), its checksum, and what its run measured,
the verdict in words included. ``seqimg ship RUN_DIR --name NAME`` writes both from a run folder;
``make model`` does it for the default recipe."""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from seqimg import checkpoint
from seqimg.errors import SeqimgError
from seqimg.evaluate.subjects import BASELINE, FLOOR, OUTPUTS, control_subject
from seqimg.io import write_text
from seqimg.runfiles import RunFolder

MODELS = Path(__file__).parent / "models"  # installed with the package


@dataclass(frozen=True)
class ModelCard:
    """What ``seqimg models`` says of a shipped model."""

    name: str
    recipe: str  # the recipe's name
    data: str  # source -> target domains
    steps: int  # training steps
    minutes: float  # wall minutes of its run: training, transfer and evaluation
    commit: str  # the seqimg commit that trained it
    sha256: str  # of NAME.pt
    format: int  # checkpoint format
    measured: dict  # strength, content kept, every critic, the controls
    verdict: str  # the report's headline
    limits: list[str]  # what it does not do yet, in words
    # what the outputs are made of, for a method that copies the target's real material
    provenance: str = ""

    def lines(self) -> list[str]:
        """The card as text, for the terminal."""
        m = card_measured(self.measured)
        kept = ", ".join(f"{k} {v:.2f}" for k, v in m["content"].items())
        rows = [f"{self.name}: recipe {self.recipe} ({self.data}), {self.steps} steps"
                + f" ({self.minutes:.1f} minutes with its evaluation)"
                + f", commit {self.commit[:10]}",
                f"  measured on {m['pieces']} held-out pieces: strength {m['strength']:.2f}, "
                f"content kept {kept}; told from real target by {medians(m['tests'][OUTPUTS])}"
                " (0.5 = indistinguishable)"]
        rows += [f"  control {name}: strength {c['strength']:.2f}, told apart by "
                 + medians(m["tests"].get(control_subject(name), {}))
                 for name, c in m["controls"].items()]
        if self.provenance:
            rows.append(f"  made of: {self.provenance}")
        copied, baseline = m["copying"].get(OUTPUTS, {}), m["copying"].get(BASELINE, {})
        if copied:
            rows.append("  copied from the target's training pieces: " + ", ".join(
                f"{k.replace('_', ' ')} {v:.2f}"
                + (f" (real held-out target: {baseline[k]:.2f})" if k in baseline else "")
                for k, v in copied.items()))
        return [*rows, f"  verdict: {self.verdict}", *(f"  not yet: {x}" for x in self.limits)]


def medians(tests: dict) -> str:
    """Each critic's median accuracy, with its range over critic seeds where it has one."""
    return ", ".join(f"{name} {t['accuracy']:.2f}" + (
        f" ({t['range'][0]:.2f}-{t['range'][1]:.2f} over {len(t['seeds'])} seeds)"
        if len(t["seeds"]) > 1 else "") for name, t in tests.items())


def card_measured(m: dict) -> dict:
    """A card's numbers in the current layout: a card shipped before each test became one
    record (one accuracy per critic, a flat copying dictionary) read with its numbers
    unchanged."""
    if "tests" in m:
        return m
    from seqimg.evaluate.migrate import one_seed

    return {**{k: v for k, v in m.items() if k != "two_sample"},
            "tests": {OUTPUTS: one_seed(m["two_sample"]),
                      **{control_subject(name): one_seed(c["two_sample"])
                         for name, c in m["controls"].items()}},
            "copying": {OUTPUTS: m["copying"]} if m.get("copying") else {},
            "controls": {name: {"strength": c["strength"]} for name, c in m["controls"].items()}}


def measured(report) -> dict:
    """The card's numbers from a run's report: the tests of the outputs, the floor and the
    controls, copying beside its baseline, and the verdict's level."""
    from seqimg.evaluate.verdict import verdict

    control_subjects = {control_subject(name) for name in report.controls}
    return {"pieces": report.counts.get("transferred", 0),
            "strength": report.transfer_strength,
            "content": {k: v.normalised for k, v in report.content_similarity.items()},
            "tests": {subject: {name: asdict(t) for name, t in tests.items()}
                      for subject, tests in report.tests.items()
                      if subject in (OUTPUTS, FLOOR) or subject in control_subjects},
            "copying": report.copying,
            "controls": {name: {"strength": c.strength} for name, c in report.controls.items()},
            "level": verdict(report).level}


def limits(report) -> list[str]:
    """What the measures say the model does not do yet."""
    from seqimg.evaluate.verdict import KEPT_LEVEL, pass_level

    out = [f"tellable from real target: {name} critic {value:.2f} (median; passing needs "
           f"{pass_level(report, name):.2f} or less)" if not math.isnan(value) else
           f"not shown to pass as target: the {name} critic had too few pieces to judge"
           for name, value in report.critics.items() if not value <= pass_level(report, name)]
    out += [f"keeps little {name}: {score.normalised:.2f} (0 = chance, 1 = all kept)"
            for name, score in report.content_similarity.items()
            if score.normalised < KEPT_LEVEL and name != "f_constancy"]
    return out


def provenance(recipe: dict) -> str:
    """What a model's outputs are made of, when its method copies the target's real material
    (the target domain's ``SOURCE`` names the corpus and its licence); '' otherwise."""
    from seqimg.domains import domain_module
    from seqimg.registry import lookup

    if not lookup("methods", recipe["method"]["name"]).copies_target:
        return ""
    domain = recipe["target"]["domain"]
    source = getattr(domain_module(domain), "SOURCE", f"the {domain} domain's files")
    return (f"real phrases of the target's training pieces ({source}), transposed and "
            "adapted; the copying measures say how much")


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def current_commit() -> str:
    """The commit of the working tree seqimg runs from ('unknown' outside a git checkout)."""
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent,
                              capture_output=True, text=True, check=True)
        return done.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def ship(run_dir: Path, name: str, out: Path = MODELS) -> ModelCard:
    """Write ``NAME.pt`` (half-precision weights and what rebuilds the run) and ``NAME.json``
    into ``out`` from an evaluated run folder."""
    from seqimg.evaluate.result import Report
    from seqimg.evaluate.verdict import verdict

    folder = RunFolder(Path(run_dir))
    report = Report.load(folder.report("json"))
    loaded = checkpoint.load(folder.checkpoint)
    info = loaded.described()
    weights = {k: v.half() if torch.is_tensor(v) and v.is_floating_point() else v
               for k, v in loaded.state["weights"].items()}
    out.mkdir(parents=True, exist_ok=True)
    model = out / f"{name}.pt"
    checkpoint.save(model, info, {"weights": weights, "history": loaded.state["history"][-1:],
                                  "step": loaded.state.get("step", 0)})
    # from the resolved recipe written before training to the report written after evaluation
    seconds = folder.report("json").stat().st_mtime - folder.config.stat().st_mtime
    card = ModelCard(
        name=name, recipe=info.recipe["name"],
        data=f"{info.recipe['source']['domain']} -> {info.recipe['target']['domain']}",
        steps=info.recipe["train"]["steps"],
        minutes=round(seconds / 60, 1),
        commit=current_commit(), sha256=sha256(model), format=checkpoint.FORMAT,
        measured=measured(report), verdict=verdict(report).headline, limits=limits(report),
        provenance=provenance(info.recipe))
    write_text(out / f"{name}.json", json.dumps(asdict(card), indent=2))
    return card


def shipped(folder: Path = MODELS) -> dict[str, ModelCard]:
    """Every shipped model's card, by name."""
    return {path.stem: ModelCard(**json.loads(path.read_text()))
            for path in sorted(folder.glob("*.json"))}


def model_path(name: str, folder: Path = MODELS) -> Path:
    """The checkpoint of shipped model ``name``, checked against its card's checksum; a clear
    error naming the known models for an unknown name."""
    cards = shipped(folder)
    if name not in cards:
        raise SeqimgError(f"--model: no shipped model {name!r} (known: "
                          f"{', '.join(cards) or 'none'})")
    path = folder / f"{name}.pt"
    if not path.is_file() or sha256(path) != cards[name].sha256:
        raise SeqimgError(f"{path}: missing or changed since it was shipped (its checksum "
                          "differs from the card's); reinstall seqimg or run 'make model'")
    return path
