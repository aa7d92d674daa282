"""Sphinx configuration for the cartesia_calls documentation."""

from __future__ import annotations

import cartesia_calls

project = "cartesia_calls"
author = "cartesia_calls developers"
copyright = "2026, cartesia_calls developers"
release = cartesia_calls.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "sphinx.ext.napoleon",
    "sphinx_autodoc_typehints",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "notebooks/.ipynb_checkpoints"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
html_theme = "furo"
html_title = f"cartesia_calls {release}"
# CI has no network: inventories are added with local copies by the docs work.
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
nitpicky = False
