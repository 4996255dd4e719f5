"""Content views read from images through a codec, for any method that keeps or conditions on
them. Tensor methods only, so importing this module does not import torch."""

from __future__ import annotations

from seqimg.codecs.base import SequenceCodec
from seqimg.codecs.capabilities import Viewed, able
from seqimg.errors import SeqimgError


class ViewReader:
    """Named functions of a codec's frames (its ``content_views``, or with
    ``statistics=True`` its ``batch_statistics``), read from images, shape=(B, C, H, W), by way
    of the codec's frames: ``reader(images) -> {name: tensor}``."""

    def __init__(self, codec: SequenceCodec, names: list[str], where: str = "losses.views",
                 statistics: bool = False):
        viewed = able(codec, Viewed)
        offered = viewed.batch_statistics() if statistics else viewed.content_views()
        missing = [name for name in names if name not in offered]
        if missing:
            what = "batch statistic" if statistics else "view"
            raise SeqimgError(f"{where}.{missing[0]}: the {codec.name} codec offers no such "
                              f"{what} (it offers: {', '.join(offered) or 'none'})")
        self.codec, self.views = codec, {name: offered[name] for name in names}

    def __call__(self, images) -> dict:
        frames = self.codec.layout.window_frames(images)
        return {name: view(frames) for name, view in self.views.items()}
