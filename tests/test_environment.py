"""Which ipywidgets the tests and the chapters' kernels really use (``make test-ipywidgets7``).

``make test-ipywidgets7`` puts Colab's ipywidgets 7.7 in front of the venv's 8.x through
``PYTHONPATH`` and sets ``D2L_EXPECT_IPYWIDGETS=7.7``. These tests fail when the version seen
by pytest, or by a kernel started the way nbval starts the chapters' kernels, is not that one,
so the Colab check cannot silently run on ipywidgets 8. Without the variable they are skipped.
"""
from __future__ import annotations

import os

import pytest

EXPECTED = os.environ.get('D2L_EXPECT_IPYWIDGETS')

pytestmark = pytest.mark.skipif(not EXPECTED, reason='D2L_EXPECT_IPYWIDGETS is not set '
                                '(make test-ipywidgets7 sets it)')


def _matches(version: str) -> bool:
    return version == EXPECTED or version.startswith(f'{EXPECTED}.')


def test_pytest_process_uses_the_expected_ipywidgets():
    import ipywidgets

    assert _matches(ipywidgets.__version__), (
        f'expected ipywidgets {EXPECTED}.x, got {ipywidgets.__version__} '
        f'from {ipywidgets.__file__}')


def test_nbval_kernel_uses_the_expected_ipywidgets(tmp_path):
    from nbval.kernel import CURRENT_ENV_KERNEL_NAME, start_new_kernel

    km, kc = start_new_kernel(kernel_name=CURRENT_ENV_KERNEL_NAME, cwd=str(tmp_path))
    printed: list[str] = []

    def collect(msg) -> None:
        if msg['msg_type'] == 'stream':
            printed.append(msg['content']['text'])

    try:
        reply = kc.execute_interactive('import ipywidgets; print(ipywidgets.__version__)',
                                       output_hook=collect, timeout=120)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert reply['content']['status'] == 'ok', reply['content']
    version = ''.join(printed).strip()
    assert _matches(version), f'the kernel nbval starts imports ipywidgets {version!r}'
