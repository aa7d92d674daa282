"""Test your code against a fake Cartesia API: no key, no network.

::

    from cartesia_calls.testing import FakeCartesia

    async def test_my_report():
        async with FakeCartesia() as fake:
            fake.add_call(id="ac_1", agent_id="agent_1", status="completed")
            async with fake.client() as client:
                call = await client.calls.get("ac_1")

``seed_samples(fake)`` loads a realistic data set (three agents, a dozen calls with transcripts,
tool calls, logs and recordings); ``make_call(call_id, turns=N)`` builds a call of any size.
``FakeCartesia(webhook_url=..., webhook_secret=...)`` delivers webhook events to your server,
and ``make_webhook(...)`` builds one for a unit test of your handler.
"""

from ._fake import DEFAULT_API_KEY, FakeCartesia, Fault, RecordedRequest
from ._fake_audio import Recording
from ._fake_lifecycle import Lifecycle, ToolStep
from ._fake_webhooks import FakeWebhooks, WebhookDelivery
from ._samples import make_call, sample_calls, seed_samples
from ._webhooks import WebhookRequest, make_webhook

__all__ = [
    "DEFAULT_API_KEY",
    "FakeCartesia",
    "FakeWebhooks",
    "Fault",
    "Lifecycle",
    "RecordedRequest",
    "Recording",
    "ToolStep",
    "WebhookDelivery",
    "WebhookRequest",
    "make_call",
    "make_webhook",
    "sample_calls",
    "seed_samples",
]
