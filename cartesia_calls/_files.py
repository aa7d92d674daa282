"""Files the SDK writes for the caller (recordings, exports): one way to report what went wrong.

Every error names the caller's file, never a temporary file beside it: ``download_audio``
writes to ``.<name>.<random>.part`` and renames it at the end, so an ``OSError`` raised on the
way would otherwise name that ``.part`` file. A missing folder is reported the same way by
every writer, before anything is sent.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["check_destination", "naming"]


def check_destination(path: str | os.PathLike[str]) -> Path:
    """``path`` as a :class:`Path`, if a file can be created there; else the error a writer
    would meet, naming ``path``.

    Raises:
        FileNotFoundError: the folder does not exist (``the folder 'out' does not exist``).
        NotADirectoryError: what should be the folder is a file.
        IsADirectoryError: ``path`` is a folder.
    """
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(target))
    folder = target.parent
    if not folder.is_dir():
        if folder.exists():
            raise NotADirectoryError(errno.ENOTDIR, f"{str(folder)!r} is not a folder", str(target))
        raise FileNotFoundError(
            errno.ENOENT, f"the folder {str(folder)!r} does not exist", str(target)
        )
    return target


@contextmanager
def naming(path: str | os.PathLike[str]) -> Iterator[None]:
    """Re-raise an ``OSError`` from the block as the same error about ``path``: a full disk
    (which names no file) or a failure on a temporary file is reported as the caller's file."""
    name = os.fspath(path)
    try:
        yield
    except OSError as exc:
        if exc.errno is None or exc.filename == name:
            raise
        # OSError(errno, ...) builds the subclass for the errno (PermissionError, ...).
        raise OSError(exc.errno, exc.strerror, name) from None
