"""The shard cache (packing, index, resume), parallel prepare, and windows drawn at batch time."""

import faulthandler
import json
import os
import signal

import numpy as np
import pytest
import torch
from conftest import MELODY, run_cli, series_csv, toy_midi_recipe, write_midi

from seqimg import checkpoint
from seqimg import prepare as prep
from seqimg.codecs.midi import MidiCodec
from seqimg.codecs.timeseries import TimeseriesCodec
from seqimg.shards import pack, read_index, row_bytes, storage_for, unpack
from seqimg.windows import Windows


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQIMG_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.mark.parametrize("levels, values, storage", [
    ((-1.0, 1.0), [-1.0, 1.0], "bits"),
    ((-1.0, 0.0, 1.0), [-1.0, 0.0, 1.0], "levels"),
    ((-1.0, 1.0), [-1.0, 0.5, 1.0], "float32"),  # off its levels: kept exactly as float32
    (None, [-0.3, 0.25, 0.9], "float32"),
])
def test_frames_pack_and_unpack_exactly(levels, values, storage):
    frames = np.random.default_rng(0).choice(values, size=(37, 13)).astype(np.float32)
    assert storage_for(frames, levels, "float32") == storage
    raw = np.frombuffer(pack(frames, storage, levels), np.uint8)
    assert len(raw) == 37 * row_bytes(storage, 13)
    assert np.array_equal(unpack(raw, 37, 13, storage, levels), frames)
    middle = raw[5 * row_bytes(storage, 13) : 9 * row_bytes(storage, 13)]
    assert np.array_equal(unpack(middle, 4, 13, storage, levels), frames[5:9])


def test_float16_cache_rounds_continuous_frames():
    frames = np.linspace(-1, 1, 40, dtype=np.float32).reshape(20, 2)
    raw = np.frombuffer(pack(frames, "float16", None), np.uint8)
    assert len(raw) == 20 * 2 * 2
    assert np.allclose(unpack(raw, 20, 2, "float16", None), frames, atol=1e-3)


def midi_folder(folder, count=6):
    folder.mkdir()
    paths = [write_midi(folder / f"p{i}.mid", [(p + i, s, e) for p, s, e in MELODY])
             for i in range(count)]
    (folder / "broken.mid").write_bytes(b"MThd garbage")
    return [*paths, folder / "broken.mid"]


def test_prepare_in_two_processes_skips_bad_files_and_caches(tmp_path, cache):
    paths, codec = midi_folder(tmp_path / "songs"), MidiCodec()
    skipped = {}
    first = prep.prepare_files(codec, paths, skipped, workers=2)
    assert (first.encoded, first.cached) == (7, 0)
    assert list(skipped) == [str(paths[-1])] and "broken.mid" in skipped[str(paths[-1])]
    for path in paths[:-1]:
        assert np.array_equal(first.reader.rows(first.entries[path]), codec.frames(path))
    again_skipped = {}
    again = prep.prepare_files(codec, paths, again_skipped, workers=2)
    assert (again.encoded, again.cached) == (0, 7) and again_skipped == skipped
    [meta] = first.folder.glob("shard-*.json")  # many files, one shard
    assert len(json.loads(meta.read_text())["files"]) == 7


class CrashingCodec(MidiCodec):
    """Kills its own process on a file named ``crash.mid``, as a native parser can on hostile
    bytes."""

    def read(self, path):
        if path.name == "crash.mid":
            faulthandler.disable()  # pytest's dump of the crash is not news here
            os.kill(os.getpid(), signal.SIGSEGV)
        return super().read(path)


def test_a_file_that_crashes_its_worker_is_skipped_not_fatal(tmp_path, cache):
    paths = midi_folder(tmp_path / "songs", count=12)
    crash = paths[0].with_name("crash.mid")
    crash.write_bytes(paths[0].read_bytes())
    paths.insert(5, crash)
    skipped = {}
    prepared = prep.prepare_files(CrashingCodec(), paths, skipped, workers=2)
    assert set(skipped) == {str(crash), str(paths[-1])}
    assert skipped[str(crash)] == (f"{crash}: reading it crashed the encoding process "
                                   "(killed by SIGSEGV)")
    assert set(prepared.entries) == set(paths) - {crash, paths[-1]}
    again_skipped = {}
    again = prep.prepare_files(CrashingCodec(), paths, again_skipped, workers=2)
    assert again.encoded == 0 and again_skipped == skipped


def test_binary_frames_take_a_bit_per_value(tmp_path, cache):
    paths, codec = midi_folder(tmp_path / "songs"), MidiCodec()
    prepared = prep.prepare_files(codec, paths[:-1], {}, workers=1)
    float32_bytes = sum(e.shape[0] * e.shape[1] * 4 for e in prepared.entries.values())
    [shard] = prepared.folder.glob("shard-*.bin")
    assert {e.storage for e in prepared.entries.values()} == {"bits"}
    assert shard.stat().st_size * 16 <= float32_bytes + 16 * len(paths)  # rows round up a byte


def test_interrupted_prepare_keeps_what_it_encoded(tmp_path, cache, monkeypatch):
    paths, codec = midi_folder(tmp_path / "songs"), MidiCodec()
    real, calls = prep.encode_entry, []

    def stop_at_the_fourth(codec, path):
        calls.append(path)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return real(codec, path)

    monkeypatch.setattr(prep, "encode_entry", stop_at_the_fourth)
    with pytest.raises(KeyboardInterrupt):
        prep.prepare_files(codec, paths, {}, workers=1)
    monkeypatch.setattr(prep, "encode_entry", real)
    resumed = prep.prepare_files(codec, paths, {}, workers=1)
    assert (resumed.encoded, resumed.cached) == (4, 3)


def test_a_changed_file_is_encoded_again(tmp_path, cache):
    paths, codec = midi_folder(tmp_path / "songs", count=2), MidiCodec()
    prep.prepare_files(codec, paths, {}, workers=1)
    write_midi(paths[0], MELODY[:3])
    again = prep.prepare_files(codec, paths, {}, workers=1)
    assert again.encoded == 1
    assert np.array_equal(again.reader.rows(again.entries[paths[0]]), codec.frames(paths[0]))
    assert len(read_index(again.folder)) == 3  # the newer shard's entry wins


@pytest.mark.parametrize("codec, offsets", [
    (MidiCodec(height=4, width=4, transpose=2), 2),
    (MidiCodec(height=2, width=4, transpose=1, hop=5), 3),
    (MidiCodec(encoding="pianoroll", height=8, width=96), 1),
    (TimeseriesCodec(channels=3, scales=(0.5, 0.8), height=4, width=4), 4),
])
def test_windows_drawn_at_batch_time_equal_the_materialised_ones(tmp_path, cache, codec,
                                                                  offsets):
    if isinstance(codec, TimeseriesCodec):
        paths = [series_csv(tmp_path / f"s{i}.csv", length=10 + 40 * i)[0] for i in range(3)]
        codec.fit(paths)
    else:
        paths = midi_folder(tmp_path / "songs", count=3)[:-1]
    windows = Windows(codec, prep.prepare_files(codec, paths, {}, workers=1), offsets)
    every = windows.materialise()
    assert len(windows) == len(every) and windows.nbytes == every.nbytes
    index = torch.randint(len(windows), (40,), generator=torch.Generator().manual_seed(0))
    assert torch.equal(windows[index], torch.from_numpy(every)[index])
    assert torch.equal(windows[torch.arange(len(windows))], torch.from_numpy(every))


def test_a_streamed_run_trains_exactly_as_an_in_memory_one(tmp_path):
    from seqimg.run import run

    recipe = toy_midi_recipe(tmp_path)
    memory = run(recipe, tmp_path / "memory", progress=False)
    streamed = run(recipe, tmp_path / "streamed", ["data.in_memory_mb=0"], progress=False)
    history = [checkpoint.load(out / "checkpoints" / "last.pt").state["history"]
               for out in (memory, streamed)]
    assert history[0] == history[1] and len(history[0]) == 3


def test_prepare_command_encodes_once_and_counts(tmp_path):
    recipe = toy_midi_recipe(tmp_path, pieces=4)
    (tmp_path / "src" / "bad.mid").write_bytes(b"not midi")
    env_cache = ["--set", "data.heldout_fraction=0"]
    first = run_cli("prepare", str(recipe), "--workers", "2", *env_cache)
    assert first.returncode == 0, first.stderr
    assert "source: 5 training files, 5 encoded now, 0 from the cache, 1 skipped" in first.stdout
    assert "skipped: " in first.stdout and "bad.mid" in first.stdout
    second = run_cli("prepare", str(recipe), *env_cache)
    assert "target: 4 training files, 0 encoded now, 4 from the cache, 0 skipped" in second.stdout
    bad = run_cli("prepare", str(recipe), "--workers", "0")
    assert bad.returncode == 1
    assert bad.stderr.strip() == "error: --workers: expected at least 1, got 0"


def test_an_entry_cached_without_a_fingerprint_is_encoded_again_once(tmp_path, melody_mid):
    from dataclasses import replace

    from seqimg.prepare import prepare_files
    from seqimg.shards import ShardWriter

    codec = MidiCodec()
    first = prepare_files(codec, [melody_mid], {}, workers=1)
    entry = first.entries[melody_mid]
    assert entry.print == codec.fingerprint(melody_mid)
    older = ShardWriter(first.folder)  # the entry again, as a cache written before prints
    older.add(replace(entry, print=None), first.reader.shard(entry.shard)[
        entry.offset : entry.offset + entry.nbytes].tobytes())
    older.flush()
    assert read_index(first.folder)[entry.path].print is None
    again = prepare_files(codec, [melody_mid], {}, workers=1)
    assert again.encoded == 1 and again.entries[melody_mid].print == entry.print
    assert prepare_files(codec, [melody_mid], {}, workers=1).encoded == 0
