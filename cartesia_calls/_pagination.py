"""Cursor pagination: walk a list endpoint lazily, page by page, never asking past the last page."""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Mapping
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar

from ._models import Page
from ._validate import check_extra_headers, merge_query, page_params
from .errors import APIError

if TYPE_CHECKING:
    import pandas

    from ._client import AsyncClient
    from ._model_base import Model

__all__ = ["AsyncPager", "has_more_always_sent", "list_pager"]

T = TypeVar("T", bound="Model")

_CURSORS = frozenset({"starting_after", "ending_before"})

#: The most pages one walk fetches before it raises (change it with ``with_max_pages``): 100,000
#: pages are ten million calls at 100 per page, a million at the API's default page size.
DEFAULT_MAX_PAGES: Final = 100_000
#: How many recent cursors a walk remembers to recognise a server that loops. A loop longer
#: than this is stopped by the page ceiling instead; memory stays the same however long the walk.
CURSOR_WINDOW: Final = 256
#: The longest cursor a walk sends back: cursors are ids, and a URL has room for a few KiB.
MAX_CURSOR_CHARS: Final = 2048


class AsyncPager(Generic[T]):
    """The result of a ``list`` method: iterate it for items, or :meth:`pages` for whole pages.

    ``async for call in client.calls.list(agent_id=...)`` walks every item, fetching one page per
    request and only when the previous page is used up. ``await pager`` gives the first page.
    Walking stops at the first page that says it is the last - the page after it is never
    requested:

    * ``has_more`` is anything but ``true``: under API version 2026-08-14 and later, which always
      send it, a page without ``has_more: true`` is the last; under older versions, which may
      leave it out, an absent or ``null`` ``has_more`` lets ``next_page`` decide,
    * ``next_page`` is missing, ``null`` or empty,
    * the page is empty.

    A server that does not stop is stopped: a cursor seen again among the last 256, a cursor
    longer than 2,048 characters, or more than :attr:`max_pages` pages (100,000 unless changed
    with :meth:`with_max_pages`) raise :class:`~cartesia_calls.APIError` - the walk never ends
    silently early. Memory stays flat however many pages are walked.

    A pager started with ``ending_before`` walks backwards (towards newer items), passing each
    page's ``next_page`` as the next ``ending_before``.
    """

    def __init__(
        self,
        fetch: Callable[[Mapping[str, str]], Awaitable[Page[T]]],
        params: Mapping[str, str],
        *,
        item_type: type[T],
        has_more_always_sent: bool = True,
        max_pages: int = DEFAULT_MAX_PAGES,
    ) -> None:
        self._fetch = fetch
        self._params = dict(params)
        self._item_type = item_type
        self._has_more_always_sent = has_more_always_sent
        self._cursor_param = "ending_before" if "ending_before" in params else "starting_after"
        self._max_pages = _check_max_pages(max_pages)

    @property
    def params(self) -> Mapping[str, str]:
        """The query parameters of the first request."""
        return dict(self._params)

    @property
    def item_type(self) -> type[T]:
        """The model of the listed items (:class:`AgentCall`, :class:`CallBatch`)."""
        return self._item_type

    @property
    def max_pages(self) -> int:
        """The most pages a walk fetches; one more would raise :class:`APIError`."""
        return self._max_pages

    def with_max_pages(self, max_pages: int) -> AsyncPager[T]:
        """The same listing with another page ceiling (a positive int), e.g. for a huge export.

        ``client.calls.list(agent_id="agent_1").with_max_pages(1_000_000)``. Reaching the
        ceiling raises :class:`APIError`; it never cuts a walk short silently.
        """
        return AsyncPager(
            self._fetch,
            self._params,
            item_type=self._item_type,
            has_more_always_sent=self._has_more_always_sent,
            max_pages=max_pages,
        )

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Yield each page in turn, fetching the next only when asked for it."""
        params = dict(self._params)
        # The recent cursors, as a queue (to forget the oldest) and a set (to look one up).
        recent: deque[str] = deque()
        seen: set[str] = set()
        start = params.get(self._cursor_param)
        if start:  # a server that answers with the cursor it was given would loop at once
            seen.add(start)
            recent.append(start)
        fetched = 0
        while True:
            page = await self._fetch(params)
            fetched += 1
            yield page
            cursor, more = page.next_page, page.has_more
            if not page.data or not cursor or more is False:
                return
            if more is None and self._has_more_always_sent:
                return
            if len(cursor) > MAX_CURSOR_CHARS:
                raise APIError(
                    f"the API returned a page cursor of {len(cursor):,} characters (at most "
                    f"{MAX_CURSOR_CHARS:,} are sent back); stopping after {fetched:,} pages"
                )
            if cursor in seen:
                raise APIError(
                    f"the API returned the page cursor {cursor[:100]!r} twice; stopping to "
                    "avoid a loop"
                )
            if fetched >= self._max_pages:
                raise APIError(
                    f"stopped after {fetched:,} pages, the most this pager walks (max_pages); "
                    "the API still says there are more. Raise the ceiling with "
                    "pager.with_max_pages(n) if the listing really is that long"
                )
            seen.add(cursor)
            recent.append(cursor)
            if len(recent) > CURSOR_WINDOW:
                seen.discard(recent.popleft())
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


def list_pager(
    client: AsyncClient,
    url_path: str,
    item_type: type[T],
    params: dict[str, str],
    *,
    limit: int | None,
    starting_after: str | None,
    ending_before: str | None,
    extra_query: Mapping[str, Any] | None,
    extra_headers: Mapping[str, str] | None,
) -> AsyncPager[T]:
    """The pager of a list endpoint (``calls.list``, ``batches.list``): its filters ``params``,
    the page options and the caller's extras checked here, before anything is sent; each page
    a retried GET decoded as ``Page[item_type]``."""
    params = {**params, **page_params(limit, starting_after, ending_before)}
    params = merge_query(params, extra_query)
    headers = check_extra_headers(extra_headers)
    # Page[AgentCall] for item_type AgentCall: a class known only at run time.
    page_type: type[Page[T]] = Page.__class_getitem__(item_type)

    async def fetch(query: Mapping[str, str]) -> Page[T]:
        return await client._json(
            "GET", url_path, page_type, idempotent=True, params=query, headers=headers
        )

    return AsyncPager(
        fetch,
        params,
        item_type=item_type,
        has_more_always_sent=has_more_always_sent(client.cartesia_version),
    )


#: The first API version whose list answers always carry ``has_more``.
_HAS_MORE_SINCE: Final = "2026-08-14"


def has_more_always_sent(cartesia_version: str) -> bool:
    """Whether list answers under ``cartesia_version`` always carry ``has_more``.

    Versions are dates (``2026-03-01``), which compare as strings; anything else is taken as a
    version newer than this SDK knows.
    """
    version = cartesia_version.strip()
    is_date = len(version) == 10 and version[4] == version[7] == "-"
    return not is_date or version >= _HAS_MORE_SINCE


def _check_max_pages(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"max_pages must be an int of at least 1, got {value!r}")
    return value
