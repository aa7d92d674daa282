"""What every resource (``client.calls``, ``client.batches``) stands on: its client, and one way
to send a JSON request with the caller's ``extra_query`` and ``extra_headers``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from ._validate import check_extra_headers, merge_query

if TYPE_CHECKING:
    from ._client import AsyncClient

__all__ = ["Resource"]

T = TypeVar("T")


class Resource:
    """The base of the async resource classes (their public methods are theirs)."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def _request(
        self,
        method: str,
        url_path: str,
        model: type[T],
        *,
        idempotent: bool,
        extra_query: Mapping[str, Any] | None,
        extra_headers: Mapping[str, str] | None,
        body: Any = None,
        retry_statuses: frozenset[int] = frozenset(),
    ) -> T:
        """Send a request whose answer is ``model``, the extras checked before anything is sent."""
        return await self._client._json(
            method,
            url_path,
            model,
            idempotent=idempotent,
            body=body,
            params=None if extra_query is None else merge_query({}, extra_query),
            headers=check_extra_headers(extra_headers),
            retry_statuses=retry_statuses,
        )
