"""The ``cartesia_calls`` logger, and ``CARTESIA_CALLS_LOG=info|debug`` to turn it on."""

from __future__ import annotations

import logging
import os

logger = logging.getLogger("cartesia_calls")

_ENV = "CARTESIA_CALLS_LOG"
_configured = False


def setup_from_env() -> None:
    """Attach a stderr handler once if ``CARTESIA_CALLS_LOG`` asks for logs.

    Applications that configure logging themselves never need this: records go to the
    ``cartesia_calls`` logger either way.
    """
    global _configured  # noqa: PLW0603 - a once-per-process switch
    if _configured:
        return
    _configured = True
    level = {"debug": logging.DEBUG, "info": logging.INFO}.get(
        os.environ.get(_ENV, "").strip().lower()
    )
    if level is None:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(
        logging.Formatter("[%(asctime)s %(name)s %(levelname)s] %(message)s", "%Y-%m-%d %H:%M:%S")
    )
    logger.addHandler(handler)
    logger.setLevel(level)
