"""A FUSE file system that keeps, besides what programs see, what a power cut would leave.

Strict POSIX durability, nothing more: a file's data survives once the file is fsynced or
fdatasynced (its whole content at that moment); a name in a folder (create, rename, mkdir,
unlink) survives once that folder is fsynced. A name whose folder was synced but whose file
never was comes back empty, as on a real disk after a crash. syncfs(2) makes nothing
durable here, as on every FUSE file system: the kernel never passes it on to the server.

The power can be cut before the Nth sync (`arm N`) or at once (`cut`): from then on every
operation fails with EIO (the machine is dead: nothing more can become durable or be read).
`reboot` brings back only what was durable and lets programs in again. The kernel keeps no
cache of its own here (entry, attribute and negative timeouts 0, direct I/O), so what a
program reads after `reboot` is what the model says survived.

Run as `python -m tests.integration.power_cut_fs MOUNTPOINT CONTROL_SOCKET` (as root, with
libfuse3 and `mfusepy`); the tests drive it through `PowerCutFs`.
"""

from __future__ import annotations

import ctypes.util
import errno
import importlib.util
import itertools
import json
import os
import shutil
import socket
import socketserver
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

_EMPTY = b""


class Node:
    """A file or folder: what programs see, and what a power cut would leave of it."""

    __slots__ = ("data", "entries", "is_dir", "mode", "mtime", "synced_data", "synced_entries")

    def __init__(self, is_dir: bool, mode: int) -> None:
        self.is_dir = is_dir
        self.mode = mode
        self.mtime = time.time()
        self.data = bytearray()
        self.synced_data = _EMPTY  # a file never synced comes back empty
        self.entries: dict[str, Node] = {}
        self.synced_entries: dict[str, Node] = {}  # a folder never synced comes back empty


class Model:
    """The file system in memory, with the rules of what survives; not thread-safe alone."""

    def __init__(self) -> None:
        self.root = Node(True, 0o755)
        self.handles: dict[int, Node] = {}
        self._numbers = itertools.count(1)
        self.syncs = 0  # syncs since the last reboot
        self.cut_at = 0  # cut the power before this sync (0: never)
        self.is_cut = False

    def check(self) -> None:
        if self.is_cut:
            raise OSError(errno.EIO, "the power is cut")

    def find(self, path: str) -> Node:
        node = self.root
        for name in _names(path):
            if not node.is_dir:
                raise OSError(errno.ENOTDIR, path)
            child = node.entries.get(name)
            if child is None:
                raise OSError(errno.ENOENT, path)
            node = child
        return node

    def parent_of(self, path: str) -> tuple[Node, str]:
        *folders, name = _names(path)
        parent = self.find("/".join(folders))
        if not parent.is_dir:
            raise OSError(errno.ENOTDIR, path)
        return parent, name

    def open(self, node: Node) -> int:
        number = next(self._numbers)
        self.handles[number] = node
        return number

    def sync(self, node: Node) -> None:
        """An fsync or fdatasync of a file, or an fsync of a folder: the point a cut may hit."""
        self.syncs += 1
        if self.cut_at and self.syncs >= self.cut_at:
            self.is_cut = True
            raise OSError(errno.EIO, "the power is cut")
        if node.is_dir:
            node.synced_entries = dict(node.entries)
        else:
            node.synced_data = bytes(node.data)

    def reboot(self) -> None:
        """Forget all that was not durable; what survived is what programs see again."""
        seen: set[int] = set()
        stack = [self.root]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            node.data = bytearray(node.synced_data)
            node.entries = dict(node.synced_entries)
            stack.extend(node.entries.values())
        self.handles.clear()
        self.syncs, self.cut_at, self.is_cut = 0, 0, False


def _names(path: str) -> list[str]:
    return [part for part in path.split("/") if part]


def guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    """One operation at a time; after the cut, every one fails (but closing files)."""

    def run(self: Operations, *args: Any) -> Any:
        with self.lock:
            if method.__name__ not in ("release", "releasedir"):
                self.model.check()
            return method(self, *args)

    run.__name__ = method.__name__
    return run


class Operations:
    """The FUSE operations (mfusepy calls those a class has) over a `Model`, one at a time."""

    use_ns = True  # times in nanoseconds

    def __init__(self, model: Model, lock: threading.Lock) -> None:
        self.model, self.lock = model, lock

    @guarded
    def getattr(self, path: str, fh: int | None = None) -> dict[str, Any]:
        node = self.model.find(path)
        kind = stat.S_IFDIR if node.is_dir else stat.S_IFREG
        now = int(node.mtime * 1e9)
        return {
            "st_mode": kind | node.mode,
            "st_nlink": 2 if node.is_dir else 1,
            "st_size": len(node.data),
            "st_mtime": now,
            "st_ctime": now,
            "st_atime": now,
            "st_uid": os.getuid(),
            "st_gid": os.getgid(),
        }

    @guarded
    def readdir(self, path: str, fh: int) -> list[str]:
        return [".", "..", *self.model.find(path).entries]

    @guarded
    def opendir(self, path: str) -> int:
        node = self.model.find(path)
        if not node.is_dir:
            raise OSError(errno.ENOTDIR, path)
        return self.model.open(node)

    @guarded
    def releasedir(self, path: str, fh: int) -> int:
        self.model.handles.pop(fh, None)
        return 0

    @guarded
    def fsyncdir(self, path: str, datasync: int, fh: int) -> int:
        self.model.sync(self.model.handles[fh])
        return 0

    @guarded
    def mkdir(self, path: str, mode: int) -> int:
        parent, name = self.model.parent_of(path)
        if name in parent.entries:
            raise OSError(errno.EEXIST, path)
        parent.entries[name] = Node(True, mode & 0o7777)
        parent.mtime = time.time()
        return 0

    @guarded
    def rmdir(self, path: str) -> int:
        parent, name = self.model.parent_of(path)
        node = self.model.find(path)
        if not node.is_dir:
            raise OSError(errno.ENOTDIR, path)
        if node.entries:
            raise OSError(errno.ENOTEMPTY, path)
        del parent.entries[name]
        return 0

    @guarded
    def create(self, path: str, mode: int, fi: Any = None) -> int:
        parent, name = self.model.parent_of(path)
        node = parent.entries.get(name)
        if node is None:
            node = parent.entries[name] = Node(False, mode & 0o7777)
            parent.mtime = time.time()
        return self.model.open(node)

    @guarded
    def open(self, path: str, flags: int) -> int:
        node = self.model.find(path)
        if flags & os.O_TRUNC:
            node.data = bytearray()
        return self.model.open(node)

    @guarded
    def release(self, path: str, fh: int) -> int:
        self.model.handles.pop(fh, None)
        return 0

    @guarded
    def read(self, path: str, size: int, offset: int, fh: int) -> bytes:
        return bytes(self.model.handles[fh].data[offset : offset + size])

    @guarded
    def write(self, path: str, data: bytes, offset: int, fh: int) -> int:
        node = self.model.handles[fh]
        if offset > len(node.data):
            node.data.extend(bytes(offset - len(node.data)))
        node.data[offset : offset + len(data)] = data
        node.mtime = time.time()
        return len(data)

    @guarded
    def truncate(self, path: str, length: int, fh: int | None = None) -> int:
        node = self.model.handles[fh] if fh in self.model.handles else self.model.find(path)
        del node.data[length:]
        node.data.extend(bytes(length - len(node.data)))
        return 0

    @guarded
    def fsync(self, path: str, datasync: int, fh: int) -> int:
        self.model.sync(self.model.handles[fh])
        return 0

    @guarded
    def unlink(self, path: str) -> int:
        parent, name = self.model.parent_of(path)
        if self.model.find(path).is_dir:
            raise OSError(errno.EISDIR, path)
        del parent.entries[name]
        return 0

    @guarded
    def rename(self, old: str, new: str) -> int:
        source, old_name = self.model.parent_of(old)
        target, new_name = self.model.parent_of(new)
        node = self.model.find(old)
        replaced = target.entries.get(new_name)
        if replaced is not None and replaced is not node:
            if replaced.is_dir and not node.is_dir:
                raise OSError(errno.EISDIR, new)
            if node.is_dir and not replaced.is_dir:
                raise OSError(errno.ENOTDIR, new)
            if replaced.is_dir and replaced.entries:
                raise OSError(errno.ENOTEMPTY, new)
        del source.entries[old_name]
        target.entries[new_name] = node
        return 0

    @guarded
    def chmod(self, path: str, mode: int) -> int:
        self.model.find(path).mode = mode & 0o7777
        return 0

    @guarded
    def chown(self, path: str, uid: int, gid: int) -> int:
        return 0

    @guarded
    def utimens(self, path: str, times: tuple[int, int] | None = None) -> int:
        self.model.find(path).mtime = times[1] / 1e9 if times else time.time()
        return 0

    @guarded
    def statfs(self, path: str) -> dict[str, int]:
        return {"f_bsize": 4096, "f_frsize": 4096, "f_blocks": 1 << 20, "f_bfree": 1 << 19,
                "f_bavail": 1 << 19, "f_files": 1 << 20, "f_ffree": 1 << 19,
                "f_namemax": 255}  # fmt: skip


def serve_control(model: Model, lock: threading.Lock, address: str) -> None:
    """Answer `arm N`, `cut`, `reboot` and `status` on a Unix socket, one JSON line each."""

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            for raw in self.rfile:
                command, *argument = raw.decode().split()
                with lock:
                    if command == "arm":
                        model.cut_at = model.syncs + int(argument[0])
                    elif command == "cut":
                        model.is_cut = True
                    elif command == "reboot":
                        model.reboot()
                    reply = {"syncs": model.syncs, "cut": model.is_cut}
                self.wfile.write((json.dumps(reply) + "\n").encode())

    server = socketserver.UnixStreamServer(address, Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()


def main(mountpoint: str, control: str) -> None:
    """Mount the file system and serve until it is unmounted."""
    import mfusepy  # noqa: PLC0415

    model, lock = Model(), threading.Lock()
    serve_control(model, lock, control)
    mfusepy.FUSE(
        Operations(model, lock),
        mountpoint,
        foreground=True,
        nothreads=True,
        fsname="runplane-power-cut",
        direct_io=True,
        hard_remove=True,
        entry_timeout=0,
        attr_timeout=0,
        negative_timeout=0,
    )


def fsync(path: str | Path) -> None:
    """fsync a file or a folder by path (the test's own, independent of runplane's)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def unavailable() -> str | None:
    """Why this file system cannot be mounted here, or None if it should work."""
    if not os.path.exists("/dev/fuse"):
        return "no /dev/fuse on this machine (FUSE is not available)"
    if importlib.util.find_spec("mfusepy") is None:
        return "mfusepy is not installed: pip install -e '.[dev]'"
    if ctypes.util.find_library("fuse3") is None:
        return "libfuse3 is not installed (Debian: apt-get install fuse3)"
    if os.geteuid() != 0 and shutil.which("fusermount3") is None:
        return "not root and no fusermount3 to mount with (Debian: apt-get install fuse3)"
    return None


class PowerCutFs:
    """The test's side: start the daemon, mount, cut the power, reboot, unmount."""

    def __init__(self, mountpoint: Path, control: Path) -> None:
        self.mountpoint, self._control = mountpoint, control
        self._process: subprocess.Popen[bytes] | None = None
        self._socket: socket.socket | None = None

    def mount(self, timeout: float = 20) -> None:
        """Start the daemon and wait for the mount; RuntimeError with its words if it fails."""
        self.mountpoint.mkdir(parents=True, exist_ok=True)
        root = str(Path(__file__).resolve().parents[2])
        log = self._control.with_suffix(".log")
        with log.open("wb") as errors:  # a file, not a pipe: nobody reads it while it runs
            self._process = subprocess.Popen(
                [sys.executable, "-m", "tests.integration.power_cut_fs", str(self.mountpoint),
                 str(self._control)],
                cwd=root, stdout=subprocess.DEVNULL, stderr=errors,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while not os.path.ismount(self.mountpoint):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.unmount()
                words = log.read_text(errors="replace").strip()
                raise RuntimeError(words.splitlines()[-1] if words else "the mount timed out")
            time.sleep(0.02)
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._socket.connect(str(self._control))

    def command(self, line: str) -> dict[str, Any]:
        """Send one control command; the model's sync count and whether the power is cut."""
        assert self._socket is not None, "not mounted"
        self._socket.sendall((line + "\n").encode())
        reply = b""
        while not reply.endswith(b"\n"):
            chunk = self._socket.recv(4096)
            if not chunk:
                raise RuntimeError("the power-cut file system's daemon went away")
            reply += chunk
        result: dict[str, Any] = json.loads(reply)
        return result

    def arm(self, syncs: int) -> None:
        """Cut the power just before the `syncs`-th sync from now."""
        self.command(f"arm {syncs}")

    def cut(self) -> None:
        self.command("cut")

    def reboot(self) -> None:
        """Back with what survived (every program using the mount must have exited)."""
        self.command("reboot")

    def syncs(self) -> int:
        return int(self.command("status")["syncs"])

    def _mounted(self) -> bool:
        """In the mount table; `os.path.ismount` says no once the daemon is gone."""
        point = str(self.mountpoint).replace(" ", "\\040")
        with open("/proc/self/mounts") as table:
            return any(line.split()[1] == point for line in table)

    def unmount(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        for how in (["fusermount3", "-u"], ["umount"], ["umount", "-l"]):
            if not self._mounted() or shutil.which(how[0]) is None:
                continue
            subprocess.run([*how, str(self.mountpoint)], check=False,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        if self._process is not None:
            try:  # a file still open on the mount delays a lazy unmount: end the daemon
                self._process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self._process.terminate()
                self._process.wait()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
