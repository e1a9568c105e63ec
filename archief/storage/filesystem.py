# SPDX-License-Identifier: EUPL-1.2
"""The embedded object store: files under a directory, written atomically."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from archief.errors import IntegrityError, NotFound, PortError
from archief.ports import ObjectInfo
from archief.storage.common import CHUNK, HashingReader, validate_key


class FilesystemObjectStore:
    """Objects as files; metadata in a sidecar `.meta` file.

    A filesystem keeps one version per key, which is all the embedded mode
    promises: `delete` therefore removes the only copy there is.
    """

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, key: str) -> Path:
        return self.root / "objects" / validate_key(key)

    def put(
        self,
        key: str,
        stream: BinaryIO,
        *,
        content_type: str = "application/octet-stream",
        sha256: str | None = None,
        size: int | None = None,
    ) -> ObjectInfo:
        path = self._path(key)
        if sha256 is not None and path.exists():
            existing = self.stat(key)
            if existing.sha256 == sha256:
                return existing
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        except OSError as exc:
            raise PortError("objectstore", f"cannot write under {self.root}: {exc}") from exc
        reader = HashingReader(stream)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := reader.read(CHUNK):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if sha256 is not None and reader.hexdigest != sha256:
                raise IntegrityError(
                    f"content hashes to {reader.hexdigest}, not {sha256}",
                    expected=sha256,
                    actual=reader.hexdigest,
                )
            if size is not None and reader.size != size:
                raise IntegrityError(f"received {reader.size} bytes, announced {size}")
            info = ObjectInfo(key, reader.size, reader.hexdigest, content_type)
            self._meta(path).write_text(
                json.dumps({"content_type": content_type, "sha256": reader.hexdigest})
            )
            Path(tmp).replace(path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                Path(tmp).unlink()
        return info

    @staticmethod
    def _meta(path: Path) -> Path:
        return path.with_name(path.name + ".meta")

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError as exc:
            raise NotFound(f"no object {key}") from exc

    def stat(self, key: str) -> ObjectInfo:
        path = self._path(key)
        if not path.is_file():
            raise NotFound(f"no object {key}")
        meta = json.loads(self._meta(path).read_text())
        return ObjectInfo(key, path.stat().st_size, meta["sha256"], meta["content_type"])

    def delete(self, key: str) -> None:
        path = self._path(key)
        for p in (path, self._meta(path)):
            with contextlib.suppress(FileNotFoundError):
                p.unlink()

    def purge(self, prefix: str) -> int:
        # No versions here: every key under the prefix is its only version.
        keys = list(self.list_keys(prefix))
        for key in keys:
            self.delete(key)
        return len(keys)

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        base = self.root / "objects"
        if not base.exists():
            return
        for path in sorted(base.rglob("*")):
            if path.is_file() and not path.name.endswith(".meta") and ".incoming-" not in path.name:
                key = path.relative_to(base).as_posix()
                if key.startswith(prefix):
                    yield key

    def check(self) -> str:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            probe = self.root / ".ready"
            probe.write_bytes(b"ok")
            probe.unlink()
        except OSError as exc:
            raise PortError("objectstore", f"{self.root} is not writable: {exc}") from exc
        return f"filesystem {self.root}"
