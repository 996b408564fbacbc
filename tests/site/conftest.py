"""Fixtures for the browser tests of the built site (``make site-test``).

The tests read the site that ``make book`` built (``_build/html``; set ``BOOK_HTML`` to test
another build), serve it on 127.0.0.1 from a thread and drive headless Chromium over the
DevTools protocol (see ``cdp.py``). Without Chromium the tests are skipped, except under CI
(``CI`` set), where a missing browser is a failure.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from cdp import Browser, find_chromium, serve

BOOK = Path(__file__).resolve().parents[2]


def site_dir() -> Path:
    return Path(os.environ.get('BOOK_HTML') or BOOK / '_build' / 'html').resolve()


@pytest.fixture(scope='session')
def site() -> Path:
    """The built HTML site; fails clearly when it has not been built."""
    html = site_dir()
    if not (html / 'index.html').is_file():
        pytest.fail(f'no built site at {html} (no index.html): run make book first',
                    pytrace=False)
    return html


@pytest.fixture(scope='session')
def screenshot_dir(site: Path) -> Path:
    """Screenshots go next to the site: ``_build/screenshots/``."""
    path = site.parent / 'screenshots'
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope='session')
def server(site: Path):
    """Serve the site on 127.0.0.1 (a free port) as a static host does (text gzip-compressed:
    page weights are what a reader downloads); yield its base URL."""
    with serve(site) as url:
        yield url


@pytest.fixture(scope='session')
def browser():
    """Headless Chromium; skipped when it is not installed (a failure under CI)."""
    executable = find_chromium()
    if executable is None:
        message = 'Chromium is not installed (apt-get install chromium): browser tests need it'
        if os.environ.get('CI'):
            pytest.fail(message + ' and CI is set', pytrace=False)
        pytest.skip(message)
    with Browser(executable) as b:
        b.open_page()
        yield b
