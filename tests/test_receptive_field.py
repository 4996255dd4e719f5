import json
import subprocess
import sys

import pytest
import torch

from seqimg.analysis.receptive_field import (
    ConvGeometry,
    analyse,
    closed_form_offsets,
    effective_field,
    encoder_like,
    geometry_of,
    mask_offsets,
    reachable,
    unit_origin,
)
from seqimg.fold import FoldSpec, kernel_offsets
from seqimg.model.config import ModelConfig
from seqimg.model.core import DTN


def test_seed_paper_figure_width_7():
    layer = analyse(encoder_like(1), FoldSpec(7, 7, 1))[0]
    assert layer["offsets"] == [-8, -7, -6, -1, 0, 1, 6, 7, 8]
    assert layer["span"] == 17 and layer["count"] == 9
    assert layer["gaps"] == [[-5, -2], [2, 5]]  # steps 4-7 and 11-14 of 17 skipped
    assert layer["edge"]["row_start"]["lost"] == [-8, -1, 6]
    assert layer["edge"]["row_end"]["lost"] == [-6, 1, 8]


@pytest.mark.parametrize("height,width,k,depth", [(7, 7, 1, 1), (7, 7, 1, 2), (16, 16, 1, 3),
                                                  (16, 16, 2, 2), (8, 12, 3, 3), (32, 32, 1, 4)])
def test_network_offsets_match_the_closed_form(height, width, k, depth):
    fold = FoldSpec(height, width, k)
    geometry = encoder_like(depth)
    for unit in [(0, 0), (1, 1), (0, 1)]:
        mask = reachable(geometry, fold, unit)
        got = mask_offsets(mask, fold, unit_origin(geometry, unit))
        assert got == closed_form_offsets(geometry, fold, unit)


def test_first_layer_is_the_kernel_offsets_for_any_width():
    for width in (5, 7, 9, 16):
        fold = FoldSpec(9, width, 1)
        assert analyse(encoder_like(1), fold)[0]["offsets"] == kernel_offsets(width)


def test_dilation_grows_with_depth():
    layers = analyse(encoder_like(3), FoldSpec(32, 32, 1))
    spans = [layer["span"] for layer in layers]
    assert spans[0] < spans[1] < spans[2]
    # second layer (stride 2 on a width-32 fold): rows -2..2, columns -2..2
    assert layers[1]["offsets"] == sorted(dy * 32 + dx for dy in range(-2, 3)
                                          for dx in range(-2, 3))


def test_steps_per_pixel_spread_offsets():
    layer = analyse(encoder_like(1), FoldSpec(7, 7, 2))[0]
    assert layer["offsets"][:4] == [-16, -15, -14, -13] and 0 in layer["offsets"]
    assert layer["count"] == 18


def test_model_geometry_is_read_from_the_network():
    model = DTN((4, 16, 16), ModelConfig(width=4, residual=False))
    geometry = geometry_of(model.f, (4, 16, 16))
    assert [g.stride for g in geometry] == [1, 2, 2, 1]
    assert geometry[-1] == ConvGeometry("to_code", (4, 4), 1, 0)


def test_effective_field_peaks_near_the_unit():
    torch.manual_seed(0)
    model = DTN((2, 16, 16), ModelConfig(width=4, residual=False))
    offsets, magnitude = effective_field(model.f, 0, torch.rand(8, 2, 16, 16), FoldSpec(16, 16, 1))
    assert len(offsets) == len(magnitude) == 256
    nonzero = set(offsets[magnitude > 0].tolist())
    assert nonzero == set(kernel_offsets(16))


def test_cli_json_reproduces_the_paper():
    result = subprocess.run([sys.executable, "-m", "seqimg", "receptive-field", "--height", "7",
                             "--width", "7", "--steps-per-pixel", "1", "--json"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    first = json.loads(result.stdout)["layers"][0]
    assert first["offsets"] == [-8, -7, -6, -1, 0, 1, 6, 7, 8]
