"""The documents of the book, read from a Jupyter Book 1.x ``_toc.yml``."""
import re
from pathlib import Path

import yaml


def toc_docnames(toc_path: Path) -> list[str]:
    """The root document and every file of the table of contents, in reading order,
    without their suffixes (``chapters/03_losses``)."""
    toc = yaml.safe_load(Path(toc_path).read_text(encoding='utf-8'))
    names = [toc['root']]

    def walk(node):
        if isinstance(node, dict):
            if 'file' in node:
                names.append(node['file'])
            for key, value in node.items():
                if key != 'file':
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in toc.items() if k != 'root'})
    return [re.sub(r'\.(ipynb|md)$', '', name) for name in names]
