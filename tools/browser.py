"""Headless Chromium for the book's tools and tests: where it is, how it is started, and a very
small Chrome DevTools Protocol (CDP) client. One place for all of it: ``tools/pdf.py`` prints the
PDF with it, ``tests/site`` (through ``tests/site/cdp.py``) checks the site with it.

- :func:`find_chromium` honours ``$CHROMIUM`` (a path or a command name), else looks for the
  usual names on ``PATH``; :func:`require_chromium` says how to install it when there is none.
- :data:`HEADLESS_FLAGS`: the flags that work in a container (no sandbox, no GPU, no network
  calls of the browser's own, a throw-away profile).
- :func:`serve` serves a folder (the built site) on 127.0.0.1 as a static host does: text
  compressed with gzip when the browser asks for it (so page weights are what readers download).
- :class:`Browser` starts Chromium with ``--remote-debugging-port=0``, reads the websocket address
  from its stderr, and speaks CDP over one websocket (``websocket-client``) using a flattened
  session per page: navigate, wait for load, evaluate JavaScript, record requests (with their
  sizes), page errors and console errors, take screenshots, send real key presses and mouse
  clicks, emulate a width or the print medium, print to PDF.
"""
from __future__ import annotations

import base64
import contextlib
import functools
import gzip
import http.server
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import websocket  # websocket-client

CHROMIUM_NAMES = ('chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable')
# Headless flags that work as root in a container, without a GPU, offline.
HEADLESS_FLAGS = ('--headless', '--no-sandbox', '--disable-gpu',
                  '--disable-background-networking', '--disable-component-update',
                  '--disable-sync', '--no-first-run', '--no-default-browser-check',
                  '--disable-extensions', '--mute-audio')
INSTALL_HINT = ('on Debian/Ubuntu `apt-get install chromium`, or set CHROMIUM to a '
                'Chrome/Chromium binary')


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome executable (``$CHROMIUM`` first), or None."""
    wanted = os.environ.get('CHROMIUM')
    for name in ([wanted] if wanted else CHROMIUM_NAMES):
        path = shutil.which(name)
        if path:
            return path
    return None


def require_chromium() -> str:
    """Like :func:`find_chromium`, but a missing browser is an error that says what to do."""
    path = find_chromium()
    if path is None:
        wanted = os.environ.get('CHROMIUM')
        raise FileNotFoundError(
            f'CHROMIUM={wanted!r} is not an executable: ' + INSTALL_HINT if wanted else
            'Chromium is needed: ' + INSTALL_HINT)
    return path


def headless_command(executable: str, profile: str, *extra: str) -> list[str]:
    """The command line of a headless Chromium with a throw-away ``profile`` directory."""
    return [executable, *HEADLESS_FLAGS, f'--user-data-dir={profile}', *extra]


COMPRESSIBLE = ('.html', '.css', '.js', '.json', '.svg', '.txt', '.map', '.xml')


class StaticHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, quietly; text gzip-compressed when asked for (as GitHub Pages, Netlify or
    Read the Docs serve it)."""
    compress = True

    def log_message(self, *args) -> None:
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path.split('?', 1)[0]))
        if (self.compress and path.is_file() and path.suffix in COMPRESSIBLE
                and 'gzip' in self.headers.get('Accept-Encoding', '')):
            data = gzip.compress(path.read_bytes(), compresslevel=6)
            self.send_response(200)
            self.send_header('Content-Type', self.guess_type(str(path)))
            self.send_header('Content-Encoding', 'gzip')
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            return io.BytesIO(data)
        return super().send_head()


@contextlib.contextmanager
def serve(directory: str | os.PathLike, compress: bool = True):
    """Serve ``directory`` on 127.0.0.1 (a free port) from a thread; yield its base URL."""
    handler = functools.partial(type('Handler', (StaticHandler,), {'compress': compress}),
                                directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f'http://127.0.0.1:{httpd.server_address[1]}/'
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


class CDPError(RuntimeError):
    """The browser answered a command with an error, or did not answer in time."""


@dataclass
class Request:
    url: str
    status: int | None = None
    failed: str | None = None  # the net error text, e.g. net::ERR_CONNECTION_REFUSED
    bytes: int = 0             # bytes received over the wire (headers + body), once finished
    decoded: int = 0           # the body's size once decompressed
    before_load: bool = True   # asked for before the page's load event
    type: str = ''             # Document, Script, Stylesheet, Image, Font, XHR, Fetch, ...


@dataclass
class PageLog:
    requests: dict[str, Request] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)      # uncaught JS exceptions
    console_errors: list[str] = field(default_factory=list)   # console.error and the
    loaded: bool = False                                         # browser's own error log

    def bytes_to_load(self) -> int:
        """Bytes of every request made before the load event (what a reader waits for)."""
        return sum(r.bytes for r in self.requests.values() if r.before_load)

    def decoded_to_load(self) -> int:
        """The same, decompressed (what the browser holds)."""
        return sum(r.decoded for r in self.requests.values() if r.before_load)


class Browser:
    """Headless Chromium driven over CDP. Use as a context manager."""

    def __init__(self, executable: str | None = None, width: int = 1280, height: int = 900):
        self.width, self.height = width, height
        self._profile = tempfile.TemporaryDirectory(prefix='chromium-cdp-',
                                                    ignore_cleanup_errors=True)
        args = headless_command(executable or require_chromium(), self._profile.name,
                                '--hide-scrollbars', '--remote-debugging-port=0',
                                f'--window-size={width},{height}', 'about:blank')
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     text=True)
        ws_url = self._read_ws_url()
        # Keep reading Chromium's stderr so that a full pipe never blocks it.
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        self.ws = websocket.create_connection(ws_url, timeout=60, suppress_origin=True)
        self._next_id = 0
        self._events: list[dict] = []
        self.session: str | None = None
        self.log = PageLog()

    def _read_ws_url(self, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                if self.proc.poll() is not None:
                    break
                continue
            seen.append(line)
            match = re.search(r'DevTools listening on (ws://\S+)', line)
            if match:
                return match.group(1)
        self.proc.kill()
        raise CDPError('Chromium did not start a DevTools endpoint:\n' + ''.join(seen[-20:]))

    def _drain_stderr(self) -> None:
        try:
            for _ in self.proc.stderr:
                pass
        except (ValueError, OSError):
            pass

    # -- protocol -----------------------------------------------------------------------
    def send(self, method: str, params: dict | None = None, session: bool = True,
             timeout: float = 60.0) -> dict:
        self._next_id += 1
        msg = {'id': self._next_id, 'method': method, 'params': params or {}}
        if session and self.session:
            msg['sessionId'] = self.session
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline)
            if reply is None:
                raise CDPError(f'no answer to {method} within {timeout} s')
            if reply.get('id') == self._next_id:
                if 'error' in reply:
                    raise CDPError(f"{method}: {reply['error']}")
                return reply.get('result', {})

    def _receive(self, deadline: float) -> dict | None:
        """Read one message (handling events on the way); None on timeout."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        self.ws.settimeout(remaining)
        try:
            msg = json.loads(self.ws.recv())
        except websocket.WebSocketTimeoutException:
            return None
        if 'method' in msg:
            self._on_event(msg)
        return msg

    def _on_event(self, msg: dict) -> None:
        method, params = msg['method'], msg.get('params', {})
        log = self.log
        if method == 'Network.requestWillBeSent':
            log.requests[params['requestId']] = Request(
                params['request']['url'], before_load=not log.loaded,
                type=params.get('type', ''))
        elif method == 'Network.dataReceived':
            req = log.requests.get(params['requestId'])
            if req is not None:
                req.decoded += int(params.get('dataLength') or 0)
        elif method == 'Network.loadingFinished':
            req = log.requests.get(params['requestId'])
            if req is not None:
                req.bytes = int(params.get('encodedDataLength') or 0)
        elif method == 'Network.responseReceived':
            req = log.requests.setdefault(params['requestId'], Request(params['response']['url']))
            req.status = params['response']['status']
        elif method == 'Network.loadingFailed':
            req = log.requests.setdefault(params['requestId'], Request('?'))
            if not params.get('canceled'):
                req.failed = params.get('errorText', 'failed')
        elif method == 'Page.loadEventFired':
            log.loaded = True
        elif method == 'Runtime.exceptionThrown':
            details = params['exceptionDetails']
            text = details.get('exception', {}).get('description') or details.get('text')
            log.errors.append(str(text))
        elif method == 'Runtime.consoleAPICalled' and params.get('type') == 'error':
            log.console_errors.append(' '.join(
                str(a.get('value', a.get('description', ''))) for a in params.get('args', [])))
        elif method == 'Log.entryAdded' and params['entry'].get('level') == 'error':
            entry = params['entry']
            log.console_errors.append(f"{entry.get('source')}: {entry.get('text')} "
                                      f"({entry.get('url', '')})")

    def pump(self, seconds: float) -> None:
        """Handle events for ``seconds``."""
        deadline = time.monotonic() + seconds
        while self._receive(deadline) is not None:
            pass

    # -- pages --------------------------------------------------------------------------
    def open_page(self) -> None:
        """Open a fresh tab and attach to it (network, page, runtime events on)."""
        target = self.send('Target.createTarget', {'url': 'about:blank'}, session=False)
        attached = self.send('Target.attachToTarget',
                             {'targetId': target['targetId'], 'flatten': True}, session=False)
        self.session = attached['sessionId']
        for domain in ('Network', 'Page', 'Runtime', 'Log'):
            self.send(f'{domain}.enable')
        self.send('Network.setCacheDisabled', {'cacheDisabled': True})
        self._set_viewport(self.width, self.height)

    def goto(self, url: str, timeout: float = 60.0, settle: float = 0.5) -> PageLog:
        """Navigate, wait for the load event and for the network to go quiet."""
        self.log = PageLog()
        result = self.send('Page.navigate', {'url': url})
        if result.get('errorText'):
            raise CDPError(f"navigating to {url}: {result['errorText']}")
        deadline = time.monotonic() + timeout
        while not self.log.loaded:
            if self._receive(deadline) is None:
                raise CDPError(f'{url} did not finish loading within {timeout} s')
        self.pump(settle)
        return self.log

    def evaluate(self, expression: str, timeout: float = 60.0):
        """Run ``expression`` in the page (promises are awaited) and return its value."""
        result = self.send('Runtime.evaluate',
                           {'expression': expression, 'awaitPromise': True,
                            'returnByValue': True}, timeout=timeout)
        if 'exceptionDetails' in result:
            details = result['exceptionDetails']
            raise CDPError('JavaScript error: ' + str(
                details.get('exception', {}).get('description') or details.get('text')))
        return result['result'].get('value')

    def wait_for(self, expression: str, timeout: float = 30.0, interval: float = 0.2):
        """Poll ``expression`` until it is truthy; return its value (or the last falsy one)."""
        deadline = time.monotonic() + timeout
        value = self.evaluate(expression)
        while not value and time.monotonic() < deadline:
            self.pump(interval)
            value = self.evaluate(expression)
        return value

    def screenshot(self, path: Path, max_height: int = 16000) -> None:
        """Write a PNG of the whole page (up to ``max_height`` CSS pixels) to ``path``.

        The viewport is made as tall as the page for the shot (what a reader would see when
        scrolling through), then restored.
        """
        height = self.evaluate('document.documentElement.scrollHeight') or self.height
        height = max(self.height, min(int(height), max_height))
        scroll = self.evaluate('[scrollX, scrollY]')
        self.evaluate('scrollTo(0, 0)')
        self._set_viewport(self.width, height)
        try:
            self.pump(0.5)
            shot = self.send('Page.captureScreenshot', {'format': 'png'})
        finally:
            self._set_viewport(self.width, self.height)
            self.evaluate(f'scrollTo({scroll[0]}, {scroll[1]})')
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot['data']))

    def screenshot_element(self, path: Path, element_js: str, width: int | None = None) -> None:
        """Write a PNG of one element (``element_js``: a JS expression giving it) to ``path``.

        The window is made ``width`` wide (default: the usual width) and tall enough for the
        element, which is scrolled just below the page's sticky header; then restored.
        """
        rect_js = ('(() => { const r = (%s).getBoundingClientRect(); return {x: r.left + scrollX, '
                   'y: r.top + scrollY, width: r.width, height: r.height}; })()' % element_js)
        self._set_viewport(width or self.width, self.height)
        self.pump(0.2)
        rect = self.evaluate(rect_js)
        try:
            self._set_viewport(width or self.width, max(self.height, int(rect['height']) + 240))
            self.pump(0.2)
            rect = self.evaluate(rect_js)
            self.evaluate(f'scrollTo(0, {max(0.0, rect["y"] - 120)})')
            self.pump(0.1)
            shot = self.send('Page.captureScreenshot', {
                'format': 'png', 'captureBeyondViewport': False,
                'clip': {**{k: float(rect[k]) for k in ('x', 'y', 'width', 'height')},
                         'scale': 1}})
        finally:
            self._set_viewport(self.width, self.height)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot['data']))

    def element_png(self, rect: dict) -> bytes:
        """PNG of a region of the page (document coordinates, CSS pixels)."""
        shot = self.send('Page.captureScreenshot', {
            'format': 'png', 'captureBeyondViewport': False,
            'clip': {**{k: float(rect[k]) for k in ('x', 'y', 'width', 'height')}, 'scale': 1}})
        return base64.b64decode(shot['data'])

    # -- real input events ----------------------------------------------------------------
    _KEYS = {'ArrowRight': 39, 'ArrowLeft': 37, 'ArrowUp': 38, 'ArrowDown': 40, 'Home': 36,
             'End': 35, 'Tab': 9, 'Enter': 13, ' ': 32}

    def press(self, key: str, shift: bool = False) -> None:
        """Press and release ``key`` (e.g. ``'ArrowRight'``) on the focused element (with
        Shift held: ``shift``)."""
        code = self._KEYS[key]
        common = {'key': key, 'code': 'Space' if key == ' ' else key,
                  'windowsVirtualKeyCode': code, 'nativeVirtualKeyCode': code,
                  'modifiers': 8 if shift else 0}
        self.send('Input.dispatchKeyEvent', {'type': 'rawKeyDown', **common})
        if key == ' ':
            self.send('Input.dispatchKeyEvent', {'type': 'char', 'text': ' ', **common})
        self.send('Input.dispatchKeyEvent', {'type': 'keyUp', **common})

    def click(self, x: float, y: float) -> None:
        """A left mouse click at viewport coordinates (CSS pixels)."""
        self.send('Input.dispatchMouseEvent', {'type': 'mouseMoved', 'x': x, 'y': y})
        for kind in ('mousePressed', 'mouseReleased'):
            self.send('Input.dispatchMouseEvent', {'type': kind, 'x': x, 'y': y,
                                                   'button': 'left', 'clickCount': 1})

    def emulate_media(self, media: str = '', features: list[dict] | None = None) -> None:
        """Emulate a CSS medium ('print', 'screen'; '' to stop) and media features, e.g.
        ``[{'name': 'prefers-color-scheme', 'value': 'dark'}]``."""
        self.send('Emulation.setEmulatedMedia', {'media': media, 'features': features or []})

    def print_pdf(self, path: Path, timeout: float = 600.0, **params) -> None:
        """Print the page to ``path`` (``Page.printToPDF`` with ``params``), read as a stream
        so that a long book does not have to fit into one websocket message."""
        result = self.send('Page.printToPDF', {'transferMode': 'ReturnAsStream', **params},
                           timeout=timeout)
        handle = result['stream']
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, 'wb') as out:
            while True:
                chunk = self.send('IO.read', {'handle': handle, 'size': 1 << 20})
                data = chunk.get('data', '')
                out.write(base64.b64decode(data) if chunk.get('base64Encoded') else
                          data.encode('latin-1'))
                if chunk.get('eof'):
                    break
        self.send('IO.close', {'handle': handle})

    def set_width(self, width: int | None = None) -> None:
        """Emulate a window ``width`` CSS pixels wide (a phone: ~400); None: the default."""
        self._set_viewport(width or self.width, self.height)

    def _set_viewport(self, width: int, height: int) -> None:
        self.send('Emulation.setDeviceMetricsOverride',
                  {'width': width, 'height': height, 'deviceScaleFactor': 1, 'mobile': False})

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:
            pass
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._profile.cleanup()

    def __enter__(self) -> 'Browser':
        return self

    def __exit__(self, *exc) -> None:
        self.close()
