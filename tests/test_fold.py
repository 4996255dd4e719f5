import numpy as np
import pytest

from seqimg.fold import (
    FoldSpec,
    cut_windows,
    fold,
    fold_sequence,
    kernel_offsets,
    stitch_windows,
    unfold,
    unfold_batch,
    unfold_sequence,
    window_starts,
)


def test_fold_golden_k1():
    frames = np.arange(6, dtype=np.float32)[:, None]  # (T=6, F=1)
    image = fold(frames, FoldSpec(2, 3, 1))
    np.testing.assert_array_equal(image, [[[0, 1, 2], [3, 4, 5]]])


def test_fold_golden_k2_two_features():
    # t = 0..7, features (t, 10 + t); k = 2 -> channels f*k + j
    frames = np.stack([np.arange(8), 10 + np.arange(8)], axis=1).astype(np.float32)
    image = fold(frames, FoldSpec(2, 2, 2))
    expected = np.array([
        [[0, 2], [4, 6]],      # f=0, j=0
        [[1, 3], [5, 7]],      # f=0, j=1
        [[10, 12], [14, 16]],  # f=1, j=0
        [[11, 13], [15, 17]],  # f=1, j=1
    ])
    np.testing.assert_array_equal(image, expected)


@pytest.mark.parametrize("spec", [FoldSpec(7, 7, 1), FoldSpec(4, 8, 3), FoldSpec(16, 16, 2)])
def test_fold_inverts_exactly(spec):
    rng = np.random.default_rng(0)
    frames = rng.uniform(-1, 1, size=(spec.window_length, 5)).astype(np.float32)
    image = fold(frames, spec)
    assert image.shape == (5 * spec.steps_per_pixel, spec.height, spec.width)
    np.testing.assert_array_equal(unfold(image, spec), frames)


@pytest.mark.parametrize("spec", [FoldSpec(2, 2, 2), FoldSpec(4, 8, 3)])
def test_batched_unfold_of_arrays_and_tensors_matches_unfold(spec):
    import torch

    rng = np.random.default_rng(1)
    images = np.stack([fold(rng.uniform(-1, 1, (spec.window_length, 3)).astype(np.float32), spec)
                       for _ in range(4)])
    expected = np.stack([unfold(image, spec) for image in images])
    np.testing.assert_array_equal(unfold_batch(images, spec), expected)
    np.testing.assert_array_equal(unfold_batch(torch.from_numpy(images), spec).numpy(), expected)


def test_fold_matches_the_formula_pointwise():
    spec = FoldSpec(3, 5, 2)
    frames = np.random.default_rng(1).normal(size=(spec.window_length, 3))
    image = fold(frames, spec)
    for t in range(spec.window_length):
        p, j = divmod(t, 2)
        y, x = divmod(p, 5)
        for f in range(3):
            assert image[f * 2 + j, y, x] == frames[t, f]


def test_seed_paper_width7_neighbourhood():
    assert kernel_offsets(7, 3) == [-8, -7, -6, -1, 0, 1, 6, 7, 8]
    # read through the fold itself: the 3x3 neighbourhood of pixel (3, 3) on a 7x7 fold
    frames = np.arange(49, dtype=np.float32)[:, None]
    image = fold(frames, FoldSpec(7, 7, 1))[0]
    centre = image[3, 3]
    assert sorted((image[2:5, 2:5] - centre).ravel().astype(int).tolist()) == kernel_offsets(7)


def test_fold_rejects_wrong_length_and_bad_spec():
    with pytest.raises(ValueError, match="expects 16 steps"):
        fold(np.zeros((15, 1)), FoldSpec(4, 4, 1))
    with pytest.raises(ValueError, match="positive int"):
        FoldSpec(0, 4, 1)


def test_window_starts_cover_the_end():
    assert window_starts(10, 4, 4).tolist() == [0, 4, 6]
    assert window_starts(8, 4, 2).tolist() == [0, 2, 4]
    assert window_starts(3, 4, 4).tolist() == [0]
    with pytest.raises(ValueError):
        window_starts(10, 4, 5)


def test_short_sequence_is_padded():
    windows = cut_windows(np.ones((3, 2), dtype=np.float32), 5, 5, pad_value=-1)
    assert windows.shape == (1, 5, 2)
    np.testing.assert_array_equal(windows[0, 3:], -1)


@pytest.mark.parametrize("length,hop", [(100, 16), (100, 7), (10, 16), (64, 16), (65, 8)])
def test_sequence_round_trip_with_hop(length, hop):
    spec = FoldSpec(4, 4, 1)
    frames = np.random.default_rng(2).uniform(-1, 1, (length, 3)).astype(np.float32)
    images = fold_sequence(frames, spec, hop, pad_value=-1)
    assert images.shape[1:] == (3, 4, 4)
    np.testing.assert_allclose(unfold_sequence(images, spec, hop, length), frames, atol=1e-6)


def test_stitch_averages_overlaps():
    windows = np.array([[[0.0], [1.0]], [[3.0], [5.0]]])  # two windows of 2, hop 1, length 3
    np.testing.assert_array_equal(stitch_windows(windows, 1, 3)[:, 0], [0.0, 2.0, 5.0])
