"""The documents of the book in reading order, read from ``_toc.yml`` by Jupyter Book's own
parser (``sphinx_external_toc``, the package that turns ``_toc.yml`` into Sphinx toctrees)."""
from __future__ import annotations

import os

from sphinx_external_toc.parsing import parse_toc_yaml


def toc_docnames(toc_path: str | os.PathLike) -> list[str]:
    """The root document and every file of the table of contents, in reading order,
    without their suffixes (``chapters/03_losses``). Globs and URLs are not documents."""
    site = parse_toc_yaml(toc_path)
    names: list[str] = []

    def visit(docname: str) -> None:
        names.append(docname)
        for tree in site[docname].subtrees:
            for child in tree.files():
                visit(child)

    visit(site.root.docname)
    return names


def toc_parts(toc_path: str | os.PathLike) -> list[tuple[str | None, list[str]]]:
    """The root document's toctrees in order: ``(caption, [docname, ...])`` per part."""
    site = parse_toc_yaml(toc_path)
    return [(tree.caption, tree.files()) for tree in site[site.root.docname].subtrees]
