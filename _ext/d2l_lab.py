"""The training lab's data file, written into the site when a page shows the lab (a Sphinx
extension, loaded from ``_config.yml``: ``sphinx.local_extensions``).

The lab (``d2lhelpers/explorers/training.py``) fetches nothing until the reader presses 训练;
then it inserts ``<script src="_static/d2l-fashion-subset.js">`` (a script, not fetch/XHR,
so that it works from ``file://``). That file is cut here, when the site is built, from the
Fashion-MNIST data d2lhelpers prepares: it is never committed.
"""
from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)


def write_lab_data(app: Sphinx, exception) -> None:
    if exception or app.builder.format != 'html':
        return
    out = Path(app.outdir)
    if not any('data-kind="training"' in p.read_text(encoding='utf-8', errors='ignore')
               for p in out.rglob('*.html')):
        return
    from d2lhelpers.explorers.training import DATA_FILE, data_script, lab_subset
    text = data_script(lab_subset())
    path = out / '_static' / DATA_FILE
    if not path.is_file() or path.read_text(encoding='ascii') != text:
        tmp = path.with_suffix('.tmp')
        tmp.write_text(text, encoding='ascii')
        tmp.replace(path)
    logger.info(f'training lab: {path.name}, {len(text):,} bytes')


def setup(app: Sphinx) -> dict:
    app.connect('build-finished', write_lab_data)
    return {'version': '1.0', 'parallel_read_safe': True, 'parallel_write_safe': True}
