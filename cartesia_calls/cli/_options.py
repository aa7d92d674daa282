"""Global options, accepted before the command and after it, the settings they make, and the
options several commands share (``--json``, ``--agent-id``, ``--limit``/``--all``, wait's).

The global options (``--api-key``, ``--base-url``, ``--cartesia-version``, ``--max-retries``,
``--timeout``, ``--quiet``) belong to the ``cartesia-calls`` group, so they are written before
the command. Every command that calls the API also takes them after its own name, hidden from
its help: ``cartesia-calls list --agent-id A --api-key K`` works as ``cartesia-calls --api-key K
list --agent-id A`` does. Such copies have no default and read no environment variable, so only
what was typed after the command overrides what came before. A command whose own option has the
same name keeps it: ``wait --timeout`` is how long to wait, the request timeout goes before
``wait``. The commands that do not call the API (``serve-fake``, ``demo``) say so when given one.

Only click is imported here (``cartesia-calls --help`` stays quick).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import click
from click.core import ParameterSource

__all__ = [
    "CONTEXT",
    "ApiCommand",
    "ApiGroup",
    "LocalCommand",
    "MainGroup",
    "Settings",
    "agent_option",
    "duration_option",
    "from_number_option",
    "global_options",
    "invoke",
    "json_option",
    "list_options",
    "not_blank",
    "ringing_option",
    "wait_options",
]

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

#: The context settings of every command: ``-h`` too, and help up to 100 columns wide.
CONTEXT: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

#: ``--json`` on the commands that print API objects.
json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print the API's JSON (wire format) instead."
)


def not_blank(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A click callback refusing an empty or blank value (an id, a name)."""
    if value is not None and not value.strip():
        raise click.BadParameter("must not be empty", ctx, param)
    return value


#: ``--agent-id`` of the commands that place calls.
agent_option = click.option(
    "--agent-id", required=True, metavar="ID", callback=not_blank, help="The agent that talks."
)
#: ``--from-number-id`` of the commands that place calls.
from_number_option = click.option(
    "--from-number-id",
    required=True,
    metavar="ID",
    callback=not_blank,
    help="The id of your phone number to call from (pn_...).",
)
#: ``--ringing-timeout-seconds`` of the commands that place calls.
ringing_option = click.option(
    "--ringing-timeout-seconds",
    type=click.IntRange(5, 80),
    metavar="S",
    help="How long each call rings before giving up, 5-80 (the API's default: 60).",
)


def duration_option(most: int | None) -> Decorator:
    """``--max-call-duration-minutes``, 1 to ``most`` (``None``: no upper bound)."""
    bounds = f", 1-{most}" if most is not None else ""
    return click.option(
        "--max-call-duration-minutes",
        type=click.IntRange(1, most),
        metavar="M",
        help=f"Hang up each call after this many minutes{bounds}.",
    )


def _stack(*decorators: Decorator) -> Decorator:
    def apply(command: Callable[..., Any]) -> Callable[..., Any]:
        for decorator in reversed(decorators):
            command = decorator(command)
        return command

    return apply


def list_options(noun: str, plural: str) -> Decorator:
    """``--limit`` and ``--all`` of a list command."""
    return _stack(
        click.option(
            "--limit",
            type=click.IntRange(min=1),
            default=20,
            show_default=True,
            help=f"The most {plural} to show (pages are fetched only as needed).",
        ),
        click.option(
            "--all", "show_all", is_flag=True, help=f"Show every {noun} (ignores --limit)."
        ),
    )


def wait_options(*, timeout: float | None, poll_interval: float) -> Decorator:
    """``--timeout`` (how long to wait; ``None``: as long as it takes) and ``--poll-interval``
    of a wait command."""
    forever = "" if timeout is not None else "; default: wait as long as it takes"
    return _stack(
        click.option(
            "--timeout",
            type=click.FloatRange(min=0),
            default=timeout,
            show_default=timeout is not None,
            help=f"Give up after this many seconds (exit code 3{forever}). The request timeout "
            "(the global --timeout) goes before the command.",
        ),
        click.option(
            "--poll-interval",
            type=click.FloatRange(min=0, min_open=True),
            default=poll_interval,
            show_default=True,
            help="Seconds between the first polls (then growing up to 30).",
        ),
    )


def invoke(settings: Settings, command: Callable[[Any], Awaitable[None]], **how: Any) -> None:
    """Run a command's work with a client (see :func:`._run.run`); the SDK loads only now."""
    from ._run import run  # noqa: PLC0415 - the SDK loads only when a command runs

    run(settings, command, **how)


#: Internal parameter names of the copies taken after a command (never a command's own name).
_PREFIX = "global_"


class Settings:
    """What the global options said; the API key never appears in its repr."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        max_retries: int = 2,
        cartesia_version: str | None = None,
        timeout: float | None = None,
        quiet: bool = False,
    ) -> None:
        self.api_key = _text(api_key)
        self.base_url = _text(base_url)
        self.max_retries = max_retries
        self.cartesia_version = _text(cartesia_version)
        #: Seconds for one whole request (``None``: the library's default).
        self.timeout = timeout
        #: No progress bars, spinners or notes on stderr (errors and warnings still show).
        self.quiet = quiet

    def set(self, name: str, value: Any) -> None:
        """Set one option by its parameter name, cleaned like the constructor does."""
        if name in {"api_key", "base_url", "cartesia_version"}:
            value = _text(value)
        setattr(self, name, value)

    def __repr__(self) -> str:
        return (
            f"Settings(base_url={self.base_url!r}, max_retries={self.max_retries}, "
            f"cartesia_version={self.cartesia_version!r}, timeout={self.timeout!r}, "
            f"quiet={self.quiet!r})"
        )


def _text(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


# Each global option: its flags and the keyword arguments of ``click.Option`` on the group. The
# copies after a command drop the default, the environment variable and the help.
_GLOBALS: list[tuple[tuple[str, ...], dict[str, Any]]] = [
    (
        ("--api-key",),
        {
            "envvar": "CARTESIA_API_KEY",
            "show_envvar": True,
            "metavar": "KEY",
            "help": "Your Cartesia API key (sk_car_...).",
        },
    ),
    (
        ("--base-url",),
        {
            "envvar": "CARTESIA_BASE_URL",
            "show_envvar": True,
            "metavar": "URL",
            "help": "The API address (default https://api.cartesia.ai).",
        },
    ),
    (
        ("--cartesia-version",),
        {
            "envvar": "CARTESIA_VERSION",
            "show_envvar": True,
            "metavar": "DATE",
            "help": "The API version to speak (default 2026-08-14; 2026-03-01 for the older "
            "shapes).",
        },
    ),
    (
        ("--max-retries",),
        {
            "type": click.IntRange(0, 10),
            "default": 2,
            "show_default": True,
            "help": "Retries of a failed request (connection errors, timeouts, 408, 429, 5xx); "
            "requests that place calls are never retried once sent.",
        },
    ),
    (
        ("--timeout",),
        {
            "type": click.FloatRange(min=0, min_open=True),
            "metavar": "SECONDS",
            "help": "The longest one request may take, each attempt (default 60; downloads are "
            "bounded by 30 s of silence instead). On wait commands, put it before the command: "
            "their own --timeout is how long to wait.",
        },
    ),
    (
        ("--quiet", "-q"),
        {
            "is_flag": True,
            "help": "No progress bars, spinners or notes on stderr (errors still show).",
        },
    ),
]

#: Every flag of a global option (``--api-key``, ``-q``...).
GLOBAL_FLAGS = frozenset(flag for flags, _ in _GLOBALS for flag in flags)


def global_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate the ``cartesia-calls`` group with the global options (as keyword arguments)."""
    for flags, options in reversed(_GLOBALS):
        command = click.option(*flags, **options)(command)
    return command


def _copies(taken: set[str]) -> list[click.Option]:
    """The global options to accept after a command, except those whose flag it already uses."""
    copies = []
    for flags, options in _GLOBALS:
        if taken & set(flags):
            continue
        name = _PREFIX + flags[0].lstrip("-").replace("-", "_")
        kept = {key: options[key] for key in ("type", "is_flag", "metavar") if key in options}
        copies.append(click.Option([*flags, name], hidden=True, **kept))
    return copies


_EPILOG = "Global options (see cartesia-calls --help) may also be given after the command."


class ApiCommand(click.Command):
    """A command that calls the API: it takes the global options after its name too (hidden
    from its help), and they win over those given before it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        taken = {flag for param in self.params for flag in [*param.opts, *param.secondary_opts]}
        self.params.extend(_copies(taken))
        if self.epilog is None:
            self.epilog = _EPILOG

    def invoke(self, ctx: click.Context) -> Any:
        """Move the global options typed after the command into the settings, then run it."""
        settings = ctx.find_object(Settings)
        for name in [name for name in ctx.params if name.startswith(_PREFIX)]:
            value = ctx.params.pop(name)
            if settings is not None and ctx.get_parameter_source(name) is (
                ParameterSource.COMMANDLINE
            ):
                settings.set(name.removeprefix(_PREFIX), value)
        return super().invoke(ctx)


class ApiGroup(ApiCommand, click.Group):
    """A group of commands that call the API (``batches``): global options anywhere."""

    command_class = ApiCommand


class LocalCommand(click.Command):
    """A command that does not call the API (``serve-fake``, ``demo``): a global option after
    it is refused with a message saying so, instead of a bare "No such option"."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse, explaining a global option given to a command that does not use it."""
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as exc:
            if exc.option_name not in GLOBAL_FLAGS:
                raise
            message = (
                f"{exc.option_name} is a global option, for the commands that call the API; "
                f"{ctx.info_name} does not use it"
            )
            raise click.NoSuchOption(exc.option_name, message, ctx=ctx) from None


class MainGroup(click.Group):
    """``cartesia-calls``: its commands and groups take the global options after their name."""

    command_class = ApiCommand
    group_class = ApiGroup
