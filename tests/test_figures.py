"""Figures people can read: what the fold picture, the piano rolls and the series plots say."""

import numpy as np
from conftest import series_csv

from seqimg.codecs.midi import MidiCodec
from seqimg.codecs.timeseries import TimeseriesCodec
from seqimg.plots import piano_figure, series_figure, windows_figure


def test_the_fold_picture_says_how_many_windows_it_shows_and_labels_channels():
    images = np.zeros((8, 4, 3, 3), dtype=np.float32)
    fig = windows_figure(images, max_windows=4)
    assert fig._suptitle.get_text().startswith("4 of 8 windows shown")
    assert fig.axes[0].get_title() == "window 0\n4 channels of 3 x 3"
    assert [t.get_text() for t in fig.axes[0].texts] == ["ch 0", "ch 1", "ch 2", "ch 3"]


def test_piano_rolls_show_the_same_bars_with_note_names_and_bar_lines(chorale_mid):
    codec = MidiCodec()
    frames = codec.frames(chorale_mid)
    roll = codec.roll(frames)[1][:, 24:108]
    fig = piano_figure([("input", roll), ("transferred", roll)], 24, codec.bar_steps)
    excerpts, wholes = fig.axes[0::2], fig.axes[1::2]
    assert all(ax.get_xlim() == (0.0, 8 * codec.bar_steps) for ax in excerpts)
    names = [t.get_text() for t in excerpts[0].get_yticklabels()]
    assert "C4" in names and all(n[0] == "C" for n in names)
    assert len(excerpts[0].lines) == 9  # bar lines at the 9 bar starts of 8 bars
    assert "whole piece" in wholes[0].get_title()


def test_series_plots_use_the_column_names_and_the_files_units(tmp_path):
    path, data = series_csv(tmp_path / "s.csv", channels=3)
    codec = TimeseriesCodec(channels=3)
    codec.fit([path])
    assert codec.columns == ["c0", "c1", "c2"]
    frames = codec.frames(path)
    fig = series_figure(None, codec.from_frames(frames), "s", codec.columns)
    assert [ax.get_ylabel() for ax in fig.axes] == ["c0", "c1", "c2"]
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), data[:, 0], rtol=1e-5)
    restored = TimeseriesCodec(channels=3)
    restored.load_state(codec.state())
    assert restored.columns == ["c0", "c1", "c2"]
