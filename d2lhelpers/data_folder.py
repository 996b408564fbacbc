"""Writing files into the data folder safely (used by :mod:`d2lhelpers.data`, chapter 09).

* atomic: a file is written under a hidden temporary name
  (``.<name>.<pid>@<host>.<random>.part``) in the same folder, checked, then renamed;
* durable: the file is flushed to disk (``fsync``) before the rename, the folder after it;
* shared: new files get mode ``0o666`` minus the umask (``0644`` under the usual ``022``), so
  a folder one user prepares can be read by the others (a class on one JupyterHub);
* tidy: temporary files left by a run that was killed (``kill -9``, a power cut) are removed
  by the next run: files untouched for :data:`STALE_PART_SECONDS`, or whose writer process
  (on this machine) is gone;
* wary: what stands where a data file (or folder) should be is looked at with ``lstat`` /
  ``stat`` before anything opens it (:func:`not_a_file`, :func:`not_a_folder`): a folder, a
  named pipe (FIFO), a device, a socket, a broken or looping symbolic link is named as such;
  files are opened non-blocking and checked again on the open descriptor
  (:func:`open_regular`), so a FIFO swapped in never blocks a read;
* honest: writing fails with :class:`WriteError` (the folder's fault: permission, read-only,
  disk full), reading the source with :class:`SourceError` (the source's fault), and
  :func:`unwritable_message` says which folder, why, and what to do.
"""
from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import socket
import stat
import time
from pathlib import Path
from typing import Callable, Iterable

# A temporary file untouched for this long belongs to a run that died (a live writer touches
# its file every megabyte, many times a second).
STALE_PART_SECONDS = 600

REASONS = {
    errno.ENOSPC: 'the disk is full',
    errno.EDQUOT: 'your disk quota is used up',
    errno.EROFS: 'it is on a read-only file system',
    errno.EACCES: 'permission denied: you may not write there',
    errno.EPERM: 'permission denied: you may not write there',
}


_KINDS = ((stat.S_ISDIR, 'a folder'), (stat.S_ISFIFO, 'a named pipe (FIFO)'),
          (stat.S_ISCHR, 'a character device'), (stat.S_ISBLK, 'a block device'),
          (stat.S_ISSOCK, 'a socket'))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), 'not a regular file')


def _examine(path: Path, want) -> str | None:
    """None when ``path`` is missing or ``want(mode)`` holds (through symlinks); else what it is."""
    try:
        st = os.lstat(path)
    except PermissionError:    # a folder we may not look into: the caller says so
        raise
    except OSError:            # nothing there
        return None
    link = ''
    if stat.S_ISLNK(st.st_mode):
        try:
            target = os.readlink(path)
        except OSError:
            target = '?'
        try:
            st = os.stat(path)
        except OSError as err:
            if err.errno == errno.ELOOP:
                return f'a symbolic link that loops (to {target}, which leads back to itself)'
            if err.errno in (errno.ENOENT, errno.ENOTDIR):
                return f'a broken symbolic link (to {target}, which does not exist)'
            return f'a symbolic link to {target} that cannot be followed ({err.strerror})'
        link = f'a symbolic link to {target}, which is '
    if want(st.st_mode):
        return None
    return link + ('a file' if stat.S_ISREG(st.st_mode) else _kind(st.st_mode))


def not_a_file(path: Path) -> str | None:
    """What stands at ``path`` if it is not a regular file (a symlink to one is fine), e.g.
    ``'a folder'``; None for a regular file or nothing at all. Never opens it."""
    return _examine(path, stat.S_ISREG)


def not_a_folder(path: Path) -> str | None:
    """What stands at ``path`` if it is not a folder (a symlink to one is fine); None for a
    folder or nothing at all."""
    return _examine(path, stat.S_ISDIR)


class NotAFile(OSError):
    """:func:`open_regular` found something other than a regular file: ``what`` it is."""

    def __init__(self, path: Path, what: str):
        super().__init__(errno.EINVAL, f'it is {what}, not a regular file', str(path))
        self.what = what


def in_the_way(path: Path, what: str, should_be: str) -> str:
    """Why ``path`` cannot be used (it is ``what``, where ``should_be``) and what to do."""
    rm = 'rm -r' if what.endswith('a folder') else 'rm'
    link = ' (for a link this removes only the link)' if 'symbolic link' in what else ''
    return (f'{path} is {what}, where {should_be}. Nothing was read from it or written into '
            f'it. Remove it with {rm} {path}{link}, or move it away, then run again to prepare '
            f'the data anew; or point D2L_DATA_DIR at another folder.')


def open_regular(path: Path):
    """Open ``path`` for reading in binary, only if it is a regular file (else :class:`NotAFile`).

    Opened with ``O_NONBLOCK``, so that a named pipe cannot block, then checked on the open
    descriptor (no race with the check before it). Other failures are the ``OSError`` of open.
    """
    flags = os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0) | getattr(os, 'O_BINARY', 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotAFile(path, _kind(mode))
        if hasattr(os, 'set_blocking'):
            os.set_blocking(fd, True)
        return os.fdopen(fd, 'rb')
    except BaseException:
        os.close(fd)
        raise


class SourceError(Exception):
    """Reading the source failed (a corrupt or truncated archive); ``__cause__`` says how."""


class WriteError(Exception):
    """Writing into the folder failed; ``oserror`` is the operating system's error."""

    def __init__(self, oserror: OSError):
        super().__init__(str(oserror))
        self.oserror = oserror


def unwritable_message(folder: Path, err: OSError, need: int) -> str:
    """Why Fashion-MNIST cannot be prepared in ``folder`` and the remedy, for a learner."""
    why = REASONS.get(err.errno, err.strerror or str(err))
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        remedy = (f'free about {need / 1e6:.0f} MB there, or point D2L_DATA_DIR at a folder '
                  f'on a disk with that much space')
    else:
        remedy = 'point D2L_DATA_DIR at a folder you can write to'
    return (f'Fashion-MNIST cannot be prepared in {folder}: {why}. Nothing half-written was '
            f'left there. To fix it, {remedy} (in a notebook: os.environ["D2L_DATA_DIR"] = '
            f'os.path.expanduser("~/d2l-data") before loading the data; in a shell: '
            f'export D2L_DATA_DIR=~/d2l-data), then run again.')


def _host() -> str:
    return socket.gethostname().replace('.', '_').replace('@', '_') or 'host'


def part_name(target: Path) -> Path:
    """A fresh hidden temporary name next to ``target``, naming this process and machine."""
    return target.with_name(f'.{target.name}.{os.getpid()}@{_host()}.{secrets.token_hex(4)}'
                            f'.part')


def is_stale(part: Path) -> bool:
    """A temporary file no live run is writing: untouched for long, or its writer is gone."""
    try:
        age = time.time() - part.stat().st_mtime
    except OSError:
        return False
    if age > STALE_PART_SECONDS:
        return True
    fields = part.name.split('.')          # '', name, 'pid@host', token, 'part'
    if len(fields) != 5 or '@' not in fields[2] or os.name != 'posix':
        return False
    pid, _, host = fields[2].partition('@')
    if not pid.isdigit() or host != _host():
        return False                       # another machine's run (a shared folder): wait
    if int(pid) == os.getpid():
        return False                       # another thread of this process is writing it
    try:
        os.kill(int(pid), 0)               # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except OSError:
        return False                       # it exists (another user's process)
    return False


def remove_stale_parts(folder: Path, names: Iterable[str]) -> list[Path]:
    """Delete the stale temporary files of ``names`` in ``folder``; return those removed."""
    names = set(names)
    removed = []
    try:
        parts = [p for p in folder.glob('.*.part') if p.name[1:].split('.')[0] in names]
    except OSError:
        return removed
    for part in parts:
        if is_stale(part):
            with contextlib.suppress(OSError):
                part.unlink()
                removed.append(part)
    return removed


def chunks(source, size: int = 1 << 20):
    """The stream ``source`` in pieces; a failing read raises :class:`SourceError`."""
    while True:
        try:
            chunk = source.read(size)
        except (OSError, EOFError) as err:     # gzip's BadGzipFile is an OSError
            raise SourceError(err) from err
        if not chunk:
            return
        yield chunk


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX); a no-op where folders cannot be opened."""
    if os.name != 'posix':
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomically(target: Path, pieces: Iterable[bytes], check: Callable[[Path], None]) -> None:
    """Write ``pieces`` to ``target`` through a temporary file, renamed once ``check`` passes.

    ``check(tmp)`` raises if the written file is not what it should be. Writing fails with
    :class:`WriteError`, reading ``pieces`` with :class:`SourceError`; in every case (a
    ``KeyboardInterrupt`` too) the temporary file is removed.
    """
    tmp = part_name(target)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_BINARY', 0),
                     0o666)
    except OSError as err:
        raise WriteError(err) from err
    try:
        try:
            with os.fdopen(fd, 'wb') as out:
                for piece in pieces:
                    out.write(piece)
                out.flush()
                os.fsync(out.fileno())
        except OSError as err:
            raise WriteError(err) from err
        check(tmp)
        try:
            os.replace(tmp, target)
        except OSError as err:
            raise WriteError(err) from err
        fsync_folder(target.parent)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def ready_to_write(folder: Path, need: int) -> None:
    """Create ``folder`` and check that ``need`` bytes can be written there (or WriteError)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = part_name(folder / 'write-test')
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        probe.unlink()
    except OSError as err:
        raise WriteError(err) from err
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return
    if free < need:
        raise WriteError(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
