"""The browser tests' CDP client: it lives in ``tools/browser.py`` (shared with ``tools/pdf.py``:
one place for the Chromium lookup, its flags and the DevTools protocol). Import it from here
in the site tests (``from cdp import Browser``)."""
from tools.browser import (CDPError, HEADLESS_FLAGS, Browser, PageLog, Request,  # noqa: F401
                           find_chromium, require_chromium, serve)
