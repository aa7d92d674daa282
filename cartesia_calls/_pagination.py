"""Cursor pagination: walk a list endpoint lazily, page by page, never asking past the last page."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .errors import APIError

if TYPE_CHECKING:
    import pandas

    from ._convert import Model
    from ._models import Page

__all__ = ["AsyncPager"]

T = TypeVar("T", bound="Model")

_CURSORS = frozenset({"starting_after", "ending_before"})


class AsyncPager(Generic[T]):
    """The result of a ``list`` method: iterate it for items, or :meth:`pages` for whole pages.

    ``async for call in client.calls.list(agent_id=...)`` walks every item, fetching one page per
    request and only when the previous page is used up. ``await pager`` gives the first page.
    Walking stops at the first page that says it is the last: ``has_more`` is false, ``next_page``
    is ``None``, or the page is empty - the page after it is never requested.

    A pager started with ``ending_before`` walks backwards (towards newer items), passing each
    page's ``next_page`` as the next ``ending_before``.
    """

    def __init__(
        self,
        fetch: Callable[[Mapping[str, str]], Awaitable[Page[T]]],
        params: Mapping[str, str],
    ) -> None:
        self._fetch = fetch
        self._params = dict(params)
        self._cursor_param = "ending_before" if "ending_before" in params else "starting_after"

    @property
    def params(self) -> Mapping[str, str]:
        """The query parameters of the first request."""
        return dict(self._params)

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Yield each page in turn, fetching the next only when asked for it."""
        params = dict(self._params)
        seen: set[str] = set()
        while True:
            page = await self._fetch(params)
            yield page
            cursor = page.next_page
            if not page.data or page.has_more is False or not cursor:
                return
            if cursor in seen:
                raise APIError(
                    f"the API returned the page cursor {cursor!r} twice; stopping to avoid a loop"
                )
            seen.add(cursor)
            params = {k: v for k, v in params.items() if k not in _CURSORS}
            params[self._cursor_param] = cursor

    async def _items(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.data:
                yield item

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    async def first_page(self) -> Page[T]:
        """Fetch only the first page."""
        return await self._fetch(dict(self._params))

    def __await__(self) -> Generator[Any, None, Page[T]]:
        return self.first_page().__await__()

    async def to_list(self, limit: int | None = None) -> list[T]:
        """Collect the items into a list (at most ``limit`` of them, fetching no further pages)."""
        out: list[T] = []
        if limit is not None and limit <= 0:
            return out
        async for item in self:
            out.append(item)
            if limit is not None and len(out) >= limit:
                break
        return out

    async def to_pandas(self, limit: int | None = None) -> pandas.DataFrame:
        """Collect the items into a pandas DataFrame (needs the ``pandas`` extra).

        Calls give :func:`~cartesia_calls.frames.calls_frame`'s columns, batches
        :func:`~cartesia_calls.frames.batches_frame`'s; ``limit`` as in :meth:`to_list`. Without
        pandas, raises :class:`ImportError` before fetching anything.
        """
        from .frames import _pager_frame, _pandas  # noqa: PLC0415 - pandas is optional

        _pandas()
        return _pager_frame(self, await self.to_list(limit))
