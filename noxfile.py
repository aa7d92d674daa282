"""The checks: ``nox`` runs lint, typecheck, tests and docs; ``nox -s bench`` the benchmarks."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["lint", "typecheck", "tests", "docs"]
nox.options.reuse_existing_virtualenvs = True

PYPROJECT = nox.project.load_toml("pyproject.toml")


def _group(name: str) -> list[str]:
    return list(nox.project.dependency_groups(PYPROJECT, name))


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over the whole tree."""
    session.install(*_group("lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package and the tests."""
    session.install("-e", ".[cli]", *_group("typecheck"))
    session.run("mypy", "--strict")


@nox.session
def tests(session: nox.Session) -> None:
    """The suite with branch coverage of cartesia_calls (at least 90%); no tests (exit 5) fails."""
    session.install("-e", ".[cli]", *_group("test"))
    session.run(
        "pytest",
        "--cov=cartesia_calls",
        "--cov-branch",
        "--cov-report=term",
        "--cov-fail-under=90",
        *session.posargs,
    )


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation with warnings as errors into docs/_build/html."""
    session.install("-e", ".[cli]", *_group("docs"))
    session.run("sphinx-build", "-W", "--keep-going", "-b", "html", "docs", "docs/_build/html")


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Benchmarks against the raw aiohttp floor and the official SDK; prints the table."""
    session.install("-e", ".[cli]", *_group("bench"))
    session.run("python", "benchmarks/run.py", *session.posargs)
