"""The one exception type the CLI turns into a one-line message and a non-zero exit."""


class SeqimgError(Exception):
    """A problem with the user's input (file, recipe, option) that a person can fix."""


class WriteError(SeqimgError):
    """An output that could not be written (full disk, read-only folder): the run stops, since
    unlike a bad input file, skipping cannot help."""


class BadSetting(SeqimgError):
    """A transfer-time setting (``--set method.NAME=VALUE``) that the model's method does not
    have or does not accept: the asker's mistake, unlike a model that no longer loads."""


class EmptyPiece(ValueError):
    """A file that reads but holds nothing the codec keeps (a MIDI file without notes in its
    range); ``length`` is how many steps it lasts, so that a method's own silent output can
    still be read back as silence."""

    def __init__(self, message: str, length: int) -> None:
        super().__init__(message)
        self.length = length


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, taken at a safe point; ``saved_step`` is the step of the checkpoint saved on the
    way out (None when none was)."""

    def __init__(self, saved_step: int | None = None) -> None:
        super().__init__()
        self.saved_step = saved_step


def in_file(path: object, problem: str) -> SeqimgError:
    """An error that names the file first, as ``path: problem``."""
    return SeqimgError(f"{path}: {problem}")


def one_line(exc: BaseException) -> str:
    """An exception's message on one line (libraries' messages may span several)."""
    return " ".join(str(exc).split()) or type(exc).__name__
