"""Sphinx configuration for the cartesia_calls documentation.

Build with ``nox -s docs`` (``sphinx-build -W --keep-going -b html docs docs/_build/html``):
every warning is an error. The build needs no network: intersphinx reads the small local
inventories in ``_inv/`` (regenerate them with ``python docs/_inv/make_inventories.py``), and
the notebook is executed against a fake of the API that it starts itself.
"""

from __future__ import annotations

import os
import warnings
from typing import TYPE_CHECKING, Any

import cartesia_calls

if TYPE_CHECKING:
    from sphinx.addnodes import pending_xref
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

# sphinx-autodoc-typehints calls a Sphinx API deprecated for Sphinx 10: not ours to fix, and
# not a warning about these docs.
warnings.filterwarnings("ignore", message=r".*_RstSnippetParser\.set_application")

project = "cartesia_calls"
author = "cartesia_calls developers"
copyright = "2026, cartesia_calls developers"
release = cartesia_calls.__version__
version = release

extensions = [
    "myst_nb",  # MyST Markdown pages (it includes myst_parser) and the notebooks
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "sphinx.ext.napoleon",
    "sphinx_autodoc_typehints",
]
exclude_patterns = ["_build", "_inv", "**/.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]
root_doc = "index"

# -- MyST and notebooks -----------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
# The notebook is saved without outputs and executed at every build, so the page shows tables
# and charts of the current code. Without CARTESIA_API_KEY its first cell starts a FakeCartesia
# seeded with the sample calls: the same outputs on every machine, and no network. A key or
# address in the builder's environment must not reach the kernel (it inherits ours), nor a
# matplotlib backend other than the kernel's own inline one.
for _name in ("CARTESIA_API_KEY", "CARTESIA_BASE_URL", "MPLBACKEND"):
    os.environ.pop(_name, None)
nb_execution_mode = "force"
nb_execution_timeout = 120
nb_execution_raise_on_error = True  # a failing cell fails the build, with its traceback
nb_execution_show_tb = True

# -- HTML -------------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"cartesia_calls {release}"
html_theme_options = {
    "source_repository": "https://github.com/cartesia-calls/cartesia-calls",
    "source_branch": "main",
    "source_directory": "docs/",
}

# -- API reference ----------------------------------------------------------------------------
autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_ivar = True
typehints_use_signature_return = False
always_use_bars_union = True
nitpicky = False

# -- intersphinx, offline -----------------------------------------------------------------------
# Each inventory lists only the objects these docs link to, with the real documentation URLs;
# ``docs/_inv/make_inventories.py`` writes them. Paths are relative to this directory.
intersphinx_mapping = {
    "python": ("https://docs.python.org/3", "_inv/python.inv"),
    "aiohttp": ("https://docs.aiohttp.org/en/stable", "_inv/aiohttp.inv"),
    "attrs": ("https://www.attrs.org/en/stable", "_inv/attrs.inv"),
}


# -- public names for private paths -------------------------------------------------------------
# Classes live in private modules (``cartesia_calls._models.AgentCall``) and are documented
# where users import them from (``cartesia_calls.AgentCall``). Type hints and docstrings name
# them either way; this resolves a reference to a private path (or to ``cartesia_calls.errors``)
# to the public name when that name is documented.
_PUBLIC_MODULES = ("cartesia_calls", "cartesia_calls.testing", "cartesia_calls.webhooks")


def _public_target(target: str) -> list[str]:
    """``cartesia_calls._models.AgentCall`` -> ``cartesia_calls.AgentCall`` (and the like)."""
    parts = target.split(".")
    if parts[0] != "cartesia_calls":
        return []
    for index, part in enumerate(parts[1:], start=1):
        if part == "errors" or (part.startswith("_") and not part.startswith("__")):
            rest = ".".join(parts[index + 1 :])
            return [f"{public}.{rest}" for public in _PUBLIC_MODULES] if rest else []
    return []


def _resolve_public(app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: Any) -> Any:
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    domain: Any = env.get_domain("py")
    for candidate in _public_target(target):
        matches = domain.find_obj(env, "", "", candidate, None, 1)
        if matches:
            new = node.deepcopy()
            new["reftarget"] = candidate
            ref = domain.resolve_xref(
                env, node["refdoc"], app.builder, node["reftype"], candidate, new, contnode
            )
            if ref is None:
                found = domain.resolve_any_xref(
                    env, node["refdoc"], app.builder, candidate, new, contnode
                )
                ref = found[0][1] if found else None
            return ref
    return None


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the private-to-public reference resolver."""
    app.connect("missing-reference", _resolve_public)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
