"""Reading a codec's content views off a batch of images, for the view-constancy loss."""

from __future__ import annotations

from seqimg.codecs.base import SequenceCodec
from seqimg.errors import SeqimgError


class ViewReader:
    """The named content views of a codec, read from images, shape=(B, C, H, W), by way of the
    codec's frames: ``reader(images) -> {name: tensor of shape (B, T', V)}``."""

    def __init__(self, codec: SequenceCodec, names: list[str], where: str = "losses.views"):
        offered = codec.content_views()
        missing = [name for name in names if name not in offered]
        if missing:
            raise SeqimgError(f"{where}.{missing[0]}: the {codec.name} codec offers no such "
                              f"view (it offers: {', '.join(offered) or 'none'})")
        self.codec, self.views = codec, {name: offered[name] for name in names}

    def __call__(self, images) -> dict:
        frames = self.codec.window_frames(images)
        return {name: view(frames) for name, view in self.views.items()}
