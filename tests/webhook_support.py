"""A user's webhook endpoint, as docs/webhooks.md writes it, shared by the webhook tests."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from cartesia_calls import ResponseDecodeError, WebhookVerificationError
from cartesia_calls.webhooks import WebhookEvent, parse_event

PATH = "/cartesia/webhook"


def answer(body: bytes, headers: Mapping[str, str], secret: str, seen: list[WebhookEvent]) -> int:
    """What the user's handler answers: 401 (bad secret), 400 (not an event) or 200, keeping
    each event it accepts in ``seen``."""
    try:
        event = parse_event(body, headers=headers, secret=secret)
    except WebhookVerificationError:
        return 401
    except ResponseDecodeError:
        return 400
    seen.append(event)
    return 200


def webhook_app(secret: str, seen: list[WebhookEvent]) -> web.Application:
    """An ``aiohttp.web`` app with the handler at :data:`PATH`."""

    async def cartesia_webhook(request: web.Request) -> web.Response:
        return web.Response(status=answer(await request.read(), request.headers, secret, seen))

    app = web.Application()
    app.router.add_post(PATH, cartesia_webhook)
    return app
