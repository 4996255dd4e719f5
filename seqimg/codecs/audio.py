"""``audio`` codec: per-frame log-mel bands (or MFCCs), optionally f0 and loudness, via librosa;
decoding inverts the mel or MFCC features with Griffin-Lim and writes WAV."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import librosa
import numpy as np
import soundfile

from seqimg.codecs.base import CodecConfig, SequenceCodec
from seqimg.codecs.capabilities import Drawn, Viewed
from seqimg.errors import in_file, one_line
from seqimg.scaling import from_unit, normalise_peak, to_unit

DB_LOW, DB_HIGH = -100.0, 40.0  # power_to_db range mapped onto [-1, 1]
MFCC_SCALE = 500.0
F0_LOW, F0_HIGH = 65.0, 2093.0  # C2..C7, mapped on a log scale
GRIFFIN_LIM_SEED = 0


@dataclass(frozen=True)
class AudioConfig(CodecConfig):
    """Analysis settings; ``bands`` is mel bands or MFCC coefficients."""

    sample_rate: int = 22050  # files are resampled to this rate (Hz)
    n_fft: int = 2048  # FFT size of the analysis
    hop_length: int = 512  # samples per frame (one time step)
    spectral: Literal["mel", "mfcc"] = "mel"  # log-mel bands or MFCCs
    bands: int = 64  # mel bands or MFCC coefficients per step
    f0: bool = False  # one more feature: the fundamental frequency (YIN), log-scaled C2..C7
    loudness: bool = False  # one more feature: the frame's level
    griffin_lim_iters: int = 32  # phase-recovery iterations when writing WAV
    # how written mel power becomes an STFT magnitude: librosa's non-negative least squares,
    # or a pseudo-inverse clipped at 0: hundreds of times faster, rougher in quiet bands (a
    # tone's log-mel round trip correlates 0.84, against 0.9 and more)
    mel_inverse: Literal["nnls", "pinv"] = "nnls"


class AudioCodec(SequenceCodec, Viewed, Drawn):
    name = "audio"
    description = "Audio as log-mel (or MFCC) frames, optional f0 and loudness; writes WAV"
    suffixes = (".wav", ".flac", ".ogg", ".mp3")
    config_class = AudioConfig
    exact_round_trip = False  # Griffin-Lim resynthesis loses the phase

    @property
    def n_features(self) -> int:
        c = self.config
        return c.bands + c.f0 + c.loudness

    def read(self, path: Path) -> np.ndarray:
        try:
            with warnings.catch_warnings():  # librosa warns before its fallback reader fails
                warnings.simplefilter("ignore")
                audio, _ = librosa.load(path, sr=self.config.sample_rate, mono=True)
        except Exception as exc:  # soundfile/audioread raise many types on bad files
            raise in_file(path, f"not a readable audio file ({one_line(exc)})") from None
        if not len(audio):
            raise in_file(path, "holds no audio samples")
        return audio

    def write(self, obj: np.ndarray, path: Path) -> None:
        soundfile.write(path, obj, self.config.sample_rate, format="WAV", subtype="PCM_16")

    def content_views(self) -> dict:
        """``chroma`` (pitch-class shares per step, through a fixed mel -> chroma matrix) and
        ``loudness`` (mean level per step), for log-mel frames; none for MFCCs."""
        if self.config.spectral != "mel":
            return {}
        from seqimg.codecs.audio_views import MelViews

        c = self.config
        return MelViews(c.bands, c.sample_rate, DB_LOW, DB_HIGH).content()

    def to_frames(self, obj: np.ndarray) -> np.ndarray:
        c = self.config
        stft = dict(sr=c.sample_rate, n_fft=c.n_fft, hop_length=c.hop_length)
        mel = librosa.feature.melspectrogram(y=obj, n_mels=c.bands if c.spectral == "mel" else 128,
                                             **stft)
        db = librosa.power_to_db(mel, ref=1.0, top_db=None)
        if c.spectral == "mel":
            columns = [to_unit(db, DB_LOW, DB_HIGH - DB_LOW)]
        else:
            columns = [np.clip(librosa.feature.mfcc(S=db, n_mfcc=c.bands) / MFCC_SCALE, -1, 1)]
        if c.f0:
            f0 = librosa.yin(obj, fmin=F0_LOW, fmax=F0_HIGH, sr=c.sample_rate,
                             frame_length=c.n_fft, hop_length=c.hop_length)
            columns.append(to_unit(np.log2(f0), np.log2(F0_LOW),
                                   np.log2(F0_HIGH) - np.log2(F0_LOW))[None])
        if c.loudness:
            rms = librosa.feature.rms(y=obj, frame_length=c.n_fft, hop_length=c.hop_length)
            columns.append(to_unit(librosa.amplitude_to_db(rms, ref=1.0, top_db=None), -80.0, 80.0))
        length = min(col.shape[1] for col in columns)
        return np.concatenate([col[:, :length] for col in columns]).T.astype(np.float32)

    def from_frames(self, frames: np.ndarray) -> np.ndarray:
        """Mel power (from log-mel bands, or MFCCs through the mel filter bank) to an STFT
        magnitude, then Griffin-Lim from seeded random phases: librosa's default draws fresh
        entropy on every call, so decoding would not be a function of the frames."""
        c = self.config
        bands = frames[:, : c.bands].T.astype(np.float64)
        if c.spectral == "mel":
            power = librosa.db_to_power(from_unit(bands, DB_LOW, DB_HIGH - DB_LOW))
        else:
            power = librosa.feature.inverse.mfcc_to_mel(bands * MFCC_SCALE, n_mels=128)
        if c.mel_inverse == "nnls":
            magnitude = librosa.feature.inverse.mel_to_stft(power, sr=c.sample_rate,
                                                            n_fft=c.n_fft)
        else:
            basis = librosa.filters.mel(sr=c.sample_rate, n_fft=c.n_fft, n_mels=power.shape[0])
            magnitude = np.sqrt(np.maximum(np.linalg.pinv(basis) @ power, 0.0))
        audio = librosa.griffinlim(magnitude, n_iter=c.griffin_lim_iters,
                                   hop_length=c.hop_length, n_fft=c.n_fft,
                                   random_state=GRIFFIN_LIM_SEED)
        return normalise_peak(audio, above=1.0).astype(np.float32)

    def draw_piece(self, before: np.ndarray | None, after: np.ndarray, title: str,
                   path: Path) -> Path:
        """Spectrograms (the log-mel bands over time) of the input and the transfer, or of
        ``after`` alone under ``title``."""
        from seqimg.plots import save_rolls_png

        shown = ([(title, after)] if before is None else
                 [(f"{title}: input", before), (f"{title}: transferred", after)])
        c = self.config
        return save_rolls_png([(label, frames[:, : c.bands]) for label, frames in shown], path,
                              rows=f"{c.spectral} band",
                              steps=f"frame ({1000 * c.hop_length / c.sample_rate:.0f} ms)",
                              cmap="magma")

    def render_audio(self, frames: np.ndarray, path: Path) -> bool:
        """The frames written as WAV (Griffin-Lim), which is what the codec writes anyway."""
        self.save_frames(frames, path)
        return True

    def example_file(self, directory: Path) -> Path:
        """Two seconds of a two-note sine melody with a soft second partial."""
        sr = self.config.sample_rate
        t = np.arange(2 * sr) / sr
        phase = 2 * np.pi * np.cumsum(np.where(t < 1.0, 440.0, 330.0)) / sr
        path = Path(directory) / "example.wav"
        soundfile.write(path, (0.5 * np.sin(phase) + 0.2 * np.sin(2 * phase)).astype(np.float32),
                        sr)
        return path
