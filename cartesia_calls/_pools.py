"""Which session a transport sends through: one per event loop, opened with the first request.

An aiohttp session belongs to the event loop that was running when it was made. A transport
keeps one (:class:`._wire.Pool`: the session and its slots) and, per request, checks that it is
still the running loop's; only when it is not does :meth:`Pools.open` decide:

* no session yet: open one (this is when aiohttp is imported, never at ``import
  cartesia_calls`` or when a client is made);
* the session's loop is closed (``asyncio.run`` once per notebook cell): drop it, open a fresh
  one;
* the session's loop still runs: :class:`EventLoopMismatchError` (one client per loop);
* the client is closed: :class:`ClientClosedError`.

A session is closed by :meth:`Pools.close`, let go without touching its sockets after a fork
(:meth:`Pools.abandon`), and closed, with a :class:`ResourceWarning` naming ``cartesia_calls``,
when its client is garbage-collected unclosed (:meth:`Pools.collected`).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

from .errors import ClientClosedError, EventLoopMismatchError

if TYPE_CHECKING:
    import ssl

    from ._wire import Pool

__all__ = ["Pools"]


class Pools:
    """The session of one transport (and whether it was closed); holds no reference to the
    transport, so that its finalizer can use this."""

    __slots__ = ("_limit", "_ssl", "closed", "pool")

    def __init__(self, limit: int, ssl: ssl.SSLContext | bool) -> None:
        self._limit = limit
        self._ssl = ssl
        #: The open session, if any: requests use it while it is the running loop's.
        self.pool: Pool | None = None
        self.closed = False

    async def open(self) -> Pool:
        """The running loop's pool when :attr:`pool` is not (the first request, a closed
        client, another loop)."""
        import asyncio  # noqa: PLC0415 - imported with the first request, not the SDK

        if self.closed:
            raise ClientClosedError("this client is closed; create a new one")
        loop = asyncio.get_running_loop()
        pool = self.pool
        if pool is not None:
            if pool.loop is loop:
                return pool
            if not pool.loop.is_closed():
                raise EventLoopMismatchError(
                    "this AsyncClient is bound to another event loop, which is still running; "
                    "create one AsyncClient per event loop, or use the thread-safe "
                    "cartesia_calls.Client from synchronous code"
                )
            # Its loop is gone (asyncio.run per notebook cell). Closing marks the session and its
            # connector closed (aiohttp does no I/O on a closed loop), so neither reports itself
            # as unclosed later; its sockets can no longer be closed cleanly and are dropped.
            await pool.session.close()
        # aiohttp is imported here, with the first session: not by `import cartesia_calls`.
        from ._wire import Pool  # noqa: PLC0415

        pool = self.pool = Pool(loop, self._limit, self._ssl)
        return pool

    def abandon(self) -> None:
        """Let go of the session without closing anything (its event loop is gone).

        After a fork the session's connections are the parent's too: closing them would
        unregister them from the epoll instance both processes share and, for TLS, write a
        close_notify into the parent's stream. ``detach()`` marks the session closed without
        touching its connector, so it is never reported as unclosed either. The next request
        (on a new loop) opens a fresh session.
        """
        pool, self.pool = self.pool, None
        if pool is not None:
            pool.detach()

    async def close(self) -> None:
        """Close the session and its connections; idempotent."""
        self.closed = True
        pool = self.pool
        if pool is None:
            return
        if not pool.is_current() and not pool.loop.is_closed():
            raise EventLoopMismatchError(
                "close() must run on the event loop that opened the client's session"
            )
        self.pool = None
        await pool.session.close()

    def collected(self, base_url: str) -> None:
        """The transport was garbage-collected: if its session is open, close it and say so."""
        pool, self.pool = self.pool, None
        if pool is None or pool.session.closed:
            return
        pool.close_collected()
        warnings.warn(
            f"unclosed cartesia_calls.AsyncClient for {base_url}: close it with "
            "'await client.close()', or use 'async with AsyncClient() as client:'",
            ResourceWarning,
            stacklevel=2,
        )
