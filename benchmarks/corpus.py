"""A Lakh-like corpus of N MIDI files made from the chorale and metal corpora: transposed and cut
copies, 2% of them deliberately corrupt (truncated or garbage bytes). Made once per folder."""

from __future__ import annotations

import json
import random
import warnings
from pathlib import Path

import pretty_midi
from tqdm import tqdm

from seqimg.domains import domain_files

CORRUPT_EVERY = 50  # 2% of the files


def copy_of(base: pretty_midi.PrettyMIDI, shift: int, start: float, length: float
            ) -> pretty_midi.PrettyMIDI:
    """``base`` transposed by ``shift`` semitones, its notes in [start, start + length) only."""
    out = pretty_midi.PrettyMIDI(initial_tempo=120.0)
    for inst in base.instruments:
        part = pretty_midi.Instrument(inst.program, inst.is_drum)
        for note in inst.notes:
            if start <= note.start < start + length:
                pitch = note.pitch if inst.is_drum else min(max(note.pitch + shift, 0), 127)
                part.notes.append(pretty_midi.Note(note.velocity, pitch, note.start - start,
                                                   note.end - start))
        out.instruments.append(part)
    return out


def make_corpus(folder: Path, count: int, seed: int = 0) -> list[Path]:
    """The corpus's files (made now unless ``folder`` already holds ``count`` of them)."""
    folder = Path(folder)
    stamp = folder / "corpus.json"
    if stamp.is_file() and json.loads(stamp.read_text()).get("count") == count:
        return sorted(folder.glob("*.mid"))
    folder.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bases = [pretty_midi.PrettyMIDI(str(p)) for p in
                 [*domain_files("classical", {}), *domain_files("metal", {})]]
    rng = random.Random(seed)
    paths = []
    for i in tqdm(range(count), desc="making the corpus", unit="file", leave=False):
        path = folder / f"piece{i:06d}.mid"
        base = bases[i % len(bases)]
        if i % CORRUPT_EVERY == CORRUPT_EVERY - 1:
            good = folder / f"piece{i - 1:06d}.mid"
            data = good.read_bytes()
            truncated = i // CORRUPT_EVERY % 2
            path.write_bytes(data[: len(data) // 3] if truncated else rng.randbytes(400))
        else:
            end = max(base.get_end_time(), 1.0)
            start = rng.uniform(0, end / 2)
            copy_of(base, rng.randint(-4, 4), start, rng.uniform(end / 4, end)).write(str(path))
        paths.append(path)
    stamp.write_text(json.dumps({"count": count, "seed": seed}))
    return paths
