"""``python -m seqimg``: the same CLI as the ``seqimg`` command."""

from seqimg.cli import app

app(prog_name="seqimg")
