"""The ``cartesia_calls`` logger, and ``CARTESIA_CALLS_LOG=debug|info|warning|off`` for it."""

from __future__ import annotations

import logging
import os
import sys
import warnings
from types import FrameType

logger = logging.getLogger("cartesia_calls")

_ENV = "CARTESIA_CALLS_LOG"
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}
_configured = False


def setup_from_env() -> None:
    """Attach a stderr handler once if ``CARTESIA_CALLS_LOG`` asks for logs.

    ``debug``, ``info`` and ``warning`` set that level; ``off`` (or nothing) leaves logging
    alone; any other value does too, with a :class:`UserWarning` naming the accepted ones.
    Applications that configure logging themselves never need this: records go to the
    ``cartesia_calls`` logger either way.
    """
    global _configured  # noqa: PLW0603 - a once-per-process switch
    if _configured:
        return
    _configured = True
    value = os.environ.get(_ENV, "").strip().lower()
    level = _LEVELS.get(value)
    if level is None:
        if value not in {"", "off"}:
            warnings.warn(
                f"{_ENV}={value[:40]!r} is not a level this SDK knows; use one of "
                f"{', '.join([*_LEVELS, 'off'])} (logging is left alone)",
                UserWarning,
                stacklevel=caller_stacklevel(),
            )
        return
    handler = logging.StreamHandler()
    handler.setFormatter(
        logging.Formatter("[%(asctime)s %(name)s %(levelname)s] %(message)s", "%Y-%m-%d %H:%M:%S")
    )
    logger.addHandler(handler)
    logger.setLevel(level)


def caller_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the first frame outside this package, so
    it names the user's line whether ``AsyncClient`` or the sync ``Client`` was called."""
    package = os.path.dirname(__file__)
    frame: FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame = frame.f_back
        level += 1
    return level
