"""The checks: ``nox`` runs lint, typecheck, tests (on every supported Python) and docs;
``nox -s bench`` the benchmarks.

``nox -s tests-3.12`` runs the suite on one Python; ``nox -s tests-3.11 -- --no-cov
tests/test_x.py`` a targeted run without coverage.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["lint", "typecheck", "tests", "docs"]
nox.options.reuse_existing_virtualenvs = True
# A Python that cannot be found fails the run, here as on CI: never a green run that skipped one.
nox.options.error_on_missing_interpreters = True

PYPROJECT = nox.project.load_toml("pyproject.toml")
#: The Pythons the package supports (its classifiers); the first also runs typecheck and docs.
PYTHONS = ["3.11", "3.12", "3.13"]
#: The pages the docs build must have executed, each with at least this many images.
EXECUTED_PAGES = {"docs/_build/html/notebooks/quickstart.html": 2}


def _expose_pyenv_versions() -> None:
    """Let pyenv's shims answer for every supported Python, not only the active one.

    With pyenv, ``python3.12`` is a shim that fails unless 3.12 is an active version
    (``pyenv global 3.11.7``, say, activates only 3.11). Unless ``PYENV_VERSION`` is already
    set, this adds the newest installed patch release of each of :data:`PYTHONS` after the
    active versions, which stay first (``python3`` is unchanged).
    """
    pyenv = shutil.which("pyenv")
    if pyenv is None or "PYENV_VERSION" in os.environ:
        return
    try:
        installed = _output(pyenv, "versions", "--bare").split()
        active = _output(pyenv, "version-name").strip().split(":")
    except (OSError, subprocess.SubprocessError):
        return
    chosen = []
    for python in PYTHONS:
        patches = [v for v in installed if re.fullmatch(rf"{re.escape(python)}\.\d+", v)]
        if patches:
            chosen.append(max(patches, key=lambda v: int(v.rsplit(".", 1)[1])))
    os.environ["PYENV_VERSION"] = ":".join(dict.fromkeys([*active, *chosen]))


def _output(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=30).stdout


_expose_pyenv_versions()


def _group(name: str) -> list[str]:
    return list(nox.project.dependency_groups(PYPROJECT, name))


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over the whole tree; the generated files
    (``tools/gen_sync.py``) must be what the generator writes from the current async code."""
    session.install(*_group("lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("python", "tools/gen_sync.py", "--check")


@nox.session(python=PYTHONS[0])
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package and the tests."""
    session.install("-e", ".[cli,pandas]", *_group("typecheck"))
    session.run("mypy", "--strict")


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The suite; on the first Python with branch coverage of cartesia_calls (at least 90%).

    Coverage starts before pytest (``coverage run -m pytest``), so it also sees the pytest
    plugin's module, which pytest imports before any of its own plugins (pytest-cov's) start.
    One Python measures it: the code is the same on all three, and measuring costs a third
    more time. ``-- --no-cov`` skips it. No tests (exit 5) fails.
    """
    session.install("-e", ".[cli,pandas]", *_group("test"))
    if session.python != PYTHONS[0] or "--no-cov" in session.posargs:
        session.run("pytest", *session.posargs)
        return
    session.run("coverage", "erase")
    session.run("coverage", "run", "-m", "pytest", *session.posargs)
    session.run("coverage", "report", "--fail-under=90")


@nox.session(python=PYTHONS[0])
def docs(session: nox.Session) -> None:
    """Build the documentation (the notebook executed) with warnings as errors into
    docs/_build/html, then check that the notebook's charts are on its page."""
    session.install("-e", ".[cli,pandas]", *_group("docs"))
    # -E: read every page again, so the notebook runs on the current code (and autodoc reads it)
    # even when no page changed since the last build.
    session.run(
        "sphinx-build", "-E", "-W", "--keep-going", "-b", "html", "docs", "docs/_build/html"
    )
    for page, count in EXECUTED_PAGES.items():
        html = Path(page).read_text(encoding="utf-8")
        images = html.count('src="../_images/')
        if images < count:
            session.error(f"{page} shows {images} images, not {count}: was the notebook run?")


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Benchmarks against the raw aiohttp floor and the official SDK; prints the table."""
    session.install("-e", ".[cli]", *_group("bench"))
    session.run("python", "benchmarks/run.py", *session.posargs)
