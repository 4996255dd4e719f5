"""``pianoroll`` codec: the time x pitch image of CycleGAN/MuseGAN-style work, for comparison
with the fold. Channels are (sounding, onset); the pitch axis is padded, never resized."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seqimg.codecs.midi import MidiCodec, MidiConfig
from seqimg.fold import cut_windows, stitch_windows


@dataclass(frozen=True)
class PianorollConfig(MidiConfig):
    """``height`` is time steps per image, ``width`` the pitch axis padded with silence."""

    height: int = 64
    width: int = 96

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.layout != "pitch-channels" or self.drums != "drop":
            raise ValueError("pianoroll takes layout 'pitch-channels' and drums 'drop' only")
        if self.width < self.pitch_high - self.pitch_low + 1:
            raise ValueError(f"width {self.width} is narrower than the pitch range")
        if self.steps_per_pixel != 1:
            raise ValueError("pianoroll takes steps_per_pixel 1 only")


class PianorollCodec(MidiCodec):
    name = "pianoroll"
    description = "Polyphonic MIDI as a (time x pitch) image with sounding and onset channels"
    config_class = PianorollConfig
    folds_time = False

    @property
    def window_length(self) -> int:
        return self.config.height

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return 2, self.config.height, self.config.width

    def frames_to_images(self, frames: np.ndarray) -> np.ndarray:
        windows = cut_windows(frames, self.window_length, self.hop, self.pad_value)
        count, length, _ = windows.shape
        rolls = windows.reshape(count, length, 2, self.n_pitches).transpose(0, 2, 1, 3)
        pad = self.config.width - self.n_pitches
        return np.pad(rolls, ((0, 0), (0, 0), (0, 0), (0, pad)), constant_values=self.pad_value)

    def images_to_frames(self, images: np.ndarray, length: int) -> np.ndarray:
        rolls = images[..., : self.n_pitches]  # (N, 2, L, P)
        windows = rolls.transpose(0, 2, 1, 3).reshape(len(images), self.window_length, -1)
        return stitch_windows(windows, self.hop, length)
