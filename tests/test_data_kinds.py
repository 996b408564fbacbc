"""A data folder that lies (issue 25): something other than a file where a data file should be.

Before: a folder in place of a data file was reported as a truncated file ("it has 4096
bytes"), a broken or looping symbolic link was silently replaced, a FIFO was "truncated".
Now each is named for what it is, with what to do; nothing is read from it (a FIFO never
blocks), nothing is written, nothing half-written is left.
"""
import errno
import os
import shutil
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from d2lhelpers import data, data_folder

NAME = 't10k-labels-idx1-ubyte'


def prepared(root: Path, real_raw: Path) -> Path:
    raw = root / 'FashionMNIST' / 'raw'
    raw.mkdir(parents=True)
    for name in data.FILES:
        shutil.copy(real_raw / name, raw / name)          # copies: the real data is never touched
    return raw


def _socket(path: Path, root: Path):
    s = socket.socket(socket.AF_UNIX)
    here = os.getcwd()
    os.chdir(path.parent)                  # a socket's path is limited to ~107 bytes
    try:
        s.bind(path.name)
    finally:
        os.chdir(here)
    return s


# what to put where the file was, and the words the message must hold
KINDS = {
    'folder': (lambda p, root: p.mkdir(), ['is a folder', 'rm -r']),
    'fifo': (lambda p, root: os.mkfifo(p), ['is a named pipe (FIFO)', 'rm ']),
    'device link': (lambda p, root: p.symlink_to('/dev/zero'),
                    ['symbolic link to /dev/zero, which is a character device', 'link']),
    'socket': (_socket, ['is a socket']),
    'dangling link': (lambda p, root: p.symlink_to(root / 'elsewhere' / NAME),
                      ['broken symbolic link', 'does not exist', 'only the link']),
    'looping link': (lambda p, root: p.symlink_to(p), ['symbolic link that loops']),
    'link to a folder': (lambda p, root: (root / 'dir').mkdir() or p.symlink_to(root / 'dir'),
                         ['which is a folder']),
}


def _in_time(call, seconds=60):
    """``call()``'s exception or result; fails if it does not return within ``seconds``."""
    box = {}

    def run():
        try:
            box['value'] = call()
        except BaseException as err:  # noqa: BLE001 -- handed to the test
            box['error'] = err
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), 'it blocked'
    return box


@pytest.mark.parametrize('kind', list(KINDS))
def test_what_stands_where_a_data_file_should_be_is_named(tmp_path, real_raw, system_copy, kind):
    make, words = KINDS[kind]
    raw = prepared(tmp_path, real_raw)
    (raw / NAME).unlink()
    keep = make(raw / NAME, tmp_path)
    box = _in_time(lambda: data.fashion_mnist_dir(tmp_path, system_dir=system_copy,
                                                  download=False))
    error = box.get('error')
    assert isinstance(error, data.FashionMNISTError), box
    message = str(error)
    assert message.startswith(f'{raw / NAME} is ')
    for word in [*words, f'where the data file {NAME} should be', 'D2L_DATA_DIR',
                 'Nothing was read from it or written into it']:
        assert word in message, (word, message)
    assert 'truncated' not in message and 'bytes' not in message
    assert os.path.lexists(raw / NAME)                    # the learner's thing is left alone
    assert sorted(p.name for p in raw.iterdir()) == sorted(data.FILES)   # no .part file
    for name in data.FILES:
        if name != NAME:
            data.verify_file(raw / name)
    if kind in ('folder', 'fifo', 'device link', 'socket', 'looping link'):
        verified = _in_time(lambda: data.verify_file(raw / NAME))
        assert isinstance(verified.get('error'), data.FashionMNISTError)
        assert words[0] in str(verified['error'])
    del keep


@pytest.mark.parametrize('where', ['root', 'FashionMNIST', 'raw'])
def test_a_file_where_a_folder_should_be_is_named(tmp_path, system_copy, where):
    path = {'root': tmp_path / 'root', 'FashionMNIST': tmp_path / 'root' / 'FashionMNIST',
            'raw': tmp_path / 'root' / 'FashionMNIST' / 'raw'}[where]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('notes')
    with pytest.raises(data.FashionMNISTError) as err:
        data.fashion_mnist_dir(tmp_path / 'root', system_dir=system_copy, download=False)
    assert str(err.value).startswith(f'{path} is a file, where a folder should be. ')
    assert path.read_text() == 'notes'


def test_a_fifo_swapped_in_after_the_check_does_not_block_the_read(tmp_path):
    """The descriptor is checked too: reading opens non-blocking and refuses a FIFO."""
    fifo = tmp_path / NAME
    os.mkfifo(fifo)
    for call in (lambda: data._read_idx(fifo, 8, (10000,)), lambda: data._sha256(fifo)):
        box = _in_time(call)
        assert isinstance(box.get('error'), (data.FashionMNISTError, data_folder.NotAFile)), box
        assert 'named pipe (FIFO)' in str(box['error'])


def test_not_a_file_never_opens(tmp_path, monkeypatch):
    fifo = tmp_path / 'fifo'
    os.mkfifo(fifo)
    monkeypatch.setattr(os, 'open', lambda *a, **k: pytest.fail('opened'))
    assert data_folder.not_a_file(fifo) == 'a named pipe (FIFO)'
    assert data_folder.not_a_file(tmp_path / 'missing') is None
    assert data_folder.not_a_folder(tmp_path) is None


UNREADABLE = '''
import sys
from d2lhelpers import data
try:
    data.fashion_mnist_dir(sys.argv[1], system_dir=sys.argv[2], download=False)
except data.FashionMNISTError as err:
    print(err)
'''


def _without_root_powers() -> list[str]:
    """A command prefix under which root obeys file permissions (no DAC capabilities)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which('setpriv')
    if setpriv is None:
        pytest.skip('root reads any file, and setpriv (to drop that power) is not installed')
    return [setpriv, '--inh-caps=-all', '--bounding-set=-dac_override,-dac_read_search']


@pytest.mark.skipif(os.name != 'posix', reason='file modes are POSIX')
@pytest.mark.parametrize('what', ['file', 'raw folder', 'FashionMNIST folder'])
def test_data_that_really_cannot_be_read(tmp_path, real_raw, system_copy, what):
    """Not a patched open: the read really fails (as root, with DAC capabilities dropped).
    Before, a folder that cannot be looked into was reported as missing files."""
    raw = prepared(tmp_path, real_raw)
    locked = {'file': raw / NAME, 'raw folder': raw, 'FashionMNIST folder': raw.parent}[what]
    locked.chmod(0)
    env = {**os.environ, 'PYTHONPATH': str(Path(data.__file__).parent.parent)}
    try:
        done = subprocess.run([*_without_root_powers(), sys.executable, '-c', UNREADABLE,
                               str(tmp_path), str(system_copy)], capture_output=True,
                              text=True, env=env, timeout=300)
        assert stat.S_IMODE(locked.stat().st_mode) == 0       # left as it was
    finally:
        locked.chmod(0o755 if locked.is_dir() else 0o644)
    assert done.returncode == 0, done.stderr
    assert ' cannot be read: Permission denied' in done.stdout, done.stdout
    assert done.stdout.startswith(str(locked)), done.stdout
    assert f'chmod -R a+rX {locked.parent}' in done.stdout and 'D2L_DATA_DIR' in done.stdout
    assert 'missing' not in done.stdout
    assert sorted(p.name for p in raw.iterdir()) == sorted(data.FILES)


def test_an_input_output_error_is_reported_with_the_file(tmp_path, real_raw, monkeypatch):
    raw = prepared(tmp_path, real_raw)

    def broken(path):
        raise OSError(errno.EIO, os.strerror(errno.EIO), str(path))
    monkeypatch.setattr(data_folder, 'open_regular', broken)
    monkeypatch.setattr(data, 'open_regular', broken)
    with pytest.raises(data.FashionMNISTError, match=rf'^{raw / NAME} cannot be read: '
                                                      rf'Input/output error\. Delete it'):
        data.verify_file(raw / NAME)
