# SPDX-License-Identifier: EUPL-1.2
"""BagIt 1.0 (RFC 8493) packages: written whole or not at all, and checked.

`BagSchrijver` builds a bag in a hidden temporary directory beside its
final place and renames it into place only when every file, manifest and
tag file is written and synced: a failed build leaves nothing that looks
like a package. Payload MUST arrive as streams and is hashed while it is
written, never held whole in memory; a stream whose SHA-256 differs from
the one announced fails the build.

`valideer` checks a bag as a receiving repository would: every manifest
line (the file exists and has that SHA-256), no payload file missing from
the manifest, Payload-Oxum, the tag manifest, and every MDTO sidecar
against the XSD. It returns the problems; an empty list means a good bag.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import BinaryIO

from archief.bewaring.overbrenging import mdto
from archief.errors import ArchiefError, IntegrityError
from archief.storage.common import CHUNK

BAGIT_TXT = "bagit.txt"
BAG_INFO = "bag-info.txt"
MANIFEST = "manifest-sha256.txt"
TAGMANIFEST = "tagmanifest-sha256.txt"
VERSIE = "1.0"
_HEX = re.compile(r"[0-9a-f]{64}")
_OXUM = re.compile(r"(\d+)\.(\d+)")
# RFC 8493 2.1.3: only CR, LF and % are percent-encoded in manifest paths.
_CODERING = {"%": "%25", "\n": "%0A", "\r": "%0D"}
_DECODERING = re.compile(r"%(25|0A|0D)", re.IGNORECASE)


class PakketFout(ArchiefError):
    """The package cannot be written where it should go."""

    code = "pakket_fout"
    status = 409
    title = "Pakket kan niet worden geschreven"


def codeer(pad: str) -> str:
    return "".join(_CODERING.get(c, c) for c in pad)


def decodeer(pad: str) -> str:
    return _DECODERING.sub(lambda m: chr(int(m.group(1), 16)), pad)


def _veilig(rel: str) -> PurePosixPath:
    """A payload path relative to data/: no absolute paths, no `..`, no empty parts."""
    pad = PurePosixPath(rel)
    if pad.is_absolute() or not pad.parts or any(p in ("", ".", "..") for p in pad.parts):
        raise PakketFout(f"unsafe path in package: {rel!r}")
    if "\x00" in rel:
        raise PakketFout(f"unsafe path in package: {rel!r}")
    return pad


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True, slots=True)
class Geschreven:
    """One payload file as written: its path under data/, size, SHA-256 and first bytes."""

    pad: str
    omvang: int
    sha256: str
    kop: bytes


@dataclass(frozen=True, slots=True)
class Bag:
    """A finished bag: where it is, and the SHA-256 of its tag manifest (its fingerprint)."""

    pad: Path
    sha256: str
    omvang: int
    bestanden: int


class BagSchrijver:
    """Write one bag under `map`/`naam`; use as a context manager so failures clean up."""

    def __init__(self, map: Path, naam: str) -> None:
        if not naam or "/" in naam or naam.startswith("."):
            raise PakketFout(f"invalid package name {naam!r}")
        self.map = map.resolve()
        self.doel = self.map / naam
        if self.doel.exists():
            raise PakketFout(f"{self.doel} exists already; a package is never overwritten")
        self.map.mkdir(parents=True, exist_ok=True)
        # Hidden and beside the target: same filesystem, so the final rename is atomic.
        self.tmp = self.map / f".{naam}.tmp-{uuid.uuid4().hex[:12]}"
        (self.tmp / "data").mkdir(parents=True)
        self._payload: dict[str, tuple[str, int]] = {}
        self._klaar = False

    def __enter__(self) -> BagSchrijver:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._klaar:
            self.weg()

    def weg(self) -> None:
        """Remove the unfinished bag."""
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _bestand(self, rel: str) -> Path:
        pad = _veilig(rel)
        key = pad.as_posix()
        if key in self._payload:
            raise PakketFout(f"{key} is written twice into the package")
        target = self.tmp / "data" / Path(*pad.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def schrijf_stroom(
        self, rel: str, stroom: BinaryIO, *, sha256: str, omvang: int | None = None
    ) -> Geschreven:
        """Copy a stream into data/`rel`, hashing as it goes; refuse a hash that differs."""
        target = self._bestand(rel)
        digest = hashlib.sha256()
        size = 0
        kop = b""
        with target.open("xb") as out:
            while chunk := stroom.read(CHUNK):
                if len(kop) < 16:
                    kop += chunk[: 16 - len(kop)]
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        found = digest.hexdigest()
        if found != sha256 or (omvang is not None and size != omvang):
            raise IntegrityError(
                f"{rel}: the stored original hashes to {found} ({size} bytes), "
                f"the catalog says {sha256} ({omvang} bytes); the package is not written",
                verwacht=sha256,
                gevonden=found,
            )
        self._payload[PurePosixPath(rel).as_posix()] = (found, size)
        return Geschreven(rel, size, found, kop)

    def schrijf_bytes(self, rel: str, data: bytes) -> Geschreven:
        """Write a small payload file (an MDTO sidecar) whole."""
        target = self._bestand(rel)
        with target.open("xb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        found = hashlib.sha256(data).hexdigest()
        self._payload[PurePosixPath(rel).as_posix()] = (found, len(data))
        return Geschreven(rel, len(data), found, data[:16])

    @property
    def omvang(self) -> int:
        return sum(size for _, size in self._payload.values())

    def _tag(self, naam: str, tekst: str) -> str:
        data = tekst.encode()
        path = self.tmp / naam
        path.write_bytes(data)
        _fsync(path)
        return hashlib.sha256(data).hexdigest()

    def sluit(self, info: list[tuple[str, str]], *, bagging_date: date) -> Bag:
        """Write manifests and tag files, sync, and rename the bag into place."""
        if self.doel.exists():
            raise PakketFout(f"{self.doel} exists already; a package is never overwritten")
        octets, streams = self.omvang, len(self._payload)
        tags = {
            BAGIT_TXT: self._tag(
                BAGIT_TXT, f"BagIt-Version: {VERSIE}\nTag-File-Character-Encoding: UTF-8\n"
            )
        }
        manifest = "".join(
            f"{sha}  data/{codeer(rel)}\n" for rel, (sha, _) in sorted(self._payload.items())
        )
        tags[MANIFEST] = self._tag(MANIFEST, manifest)
        regels = [
            *info,
            ("Bagging-Date", bagging_date.isoformat()),
            ("Payload-Oxum", f"{octets}.{streams}"),
        ]
        # A value must stay on its line: a newline would start a label of its own.
        tags[BAG_INFO] = self._tag(
            BAG_INFO, "".join(f"{label}: {' '.join(value.split())}\n" for label, value in regels)
        )
        tagmanifest = "".join(f"{sha}  {naam}\n" for naam, sha in sorted(tags.items()))
        vingerafdruk = self._tag(TAGMANIFEST, tagmanifest)
        for directory in (*sorted(p for p in self.tmp.rglob("*") if p.is_dir()), self.tmp):
            _fsync(directory)
        self.tmp.rename(self.doel)
        _fsync(self.map)
        self._klaar = True
        return Bag(self.doel, vingerafdruk, octets, streams)


# -- checking --------------------------------------------------------------------


def _hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def vingerafdruk(pad: Path) -> str | None:
    """The SHA-256 of the bag's tag manifest, which covers everything else; None if absent."""
    path = pad / TAGMANIFEST
    return _hash(path) if path.is_file() and not path.is_symlink() else None


def _regels(path: Path, problemen: list[str]) -> Iterator[tuple[int, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problemen.append(f"{path.name}: not UTF-8")
        return
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield n, line


def lees_info(pad: Path) -> dict[str, list[str]]:
    """The labels of bag-info.txt (continuation lines joined); empty if it is absent."""
    info: dict[str, list[str]] = {}
    path = pad / BAG_INFO
    if not path.is_file():
        return info
    last: tuple[str, int] | None = None
    for _, line in _regels(path, []):
        if line[:1] in (" ", "\t") and last is not None:
            label, index = last
            info[label][index] += " " + line.strip()
            continue
        label, sep, value = line.partition(":")
        if sep:
            info.setdefault(label.strip(), []).append(value.strip())
            last = (label.strip(), len(info[label.strip()]) - 1)
    return info


def _manifest(pad: Path, naam: str, problemen: list[str], *, payload: bool) -> dict[str, str]:
    """Check each line of a manifest; the listed paths (decoded) with their hashes."""
    listed: dict[str, str] = {}
    path = pad / naam
    for n, line in _regels(path, problemen):
        parts = line.split(maxsplit=1)
        if len(parts) != 2 or not _HEX.fullmatch(parts[0].lower()):
            problemen.append(f"{naam} regel {n}: not `<sha256> <path>`")
            continue
        sha, rel = parts[0].lower(), decodeer(parts[1])
        where = f"{naam} regel {n}: {rel}"
        try:
            posix = _veilig(rel)
        except PakketFout:
            problemen.append(f"{where}: unsafe path")
            continue
        if payload and posix.parts[0] != "data":
            problemen.append(f"{where}: payload must be under data/")
            continue
        if not payload and posix.parts[0] == "data":
            problemen.append(f"{where}: the tag manifest lists payload")
            continue
        if posix.as_posix() in listed:
            problemen.append(f"{where}: listed twice")
            continue
        listed[posix.as_posix()] = sha
        target = pad.joinpath(*posix.parts)
        if target.is_symlink() or not target.is_file():
            problemen.append(f"{where}: missing (or not a regular file)")
            continue
        found = _hash(target)
        if found != sha:
            problemen.append(f"{where}: SHA-256 is {found}, the manifest says {sha}")
    return listed


def _payload(pad: Path, problemen: list[str]) -> dict[str, int]:
    """Every file under data/, by bag-relative path, with its size."""
    found: dict[str, int] = {}
    data = pad / "data"
    for root, dirs, files in os.walk(data, followlinks=False):
        for name in dirs:
            if (Path(root) / name).is_symlink():
                problemen.append(f"{(Path(root) / name).relative_to(pad).as_posix()}: a symlink")
        for name in files:
            path = Path(root) / name
            rel = path.relative_to(pad).as_posix()
            if path.is_symlink():
                problemen.append(f"{rel}: a symlink")
                continue
            found[rel] = path.stat().st_size
    return found


def _bagit_txt(pad: Path, problemen: list[str]) -> None:
    declared = {}
    for _, line in _regels(pad / BAGIT_TXT, problemen):
        label, _, value = line.partition(":")
        declared[label.strip()] = value.strip()
    if declared.get("BagIt-Version") != VERSIE:
        problemen.append(f"{BAGIT_TXT}: BagIt-Version is not {VERSIE}")
    if declared.get("Tag-File-Character-Encoding", "").upper() != "UTF-8":
        problemen.append(f"{BAGIT_TXT}: Tag-File-Character-Encoding is not UTF-8")


def _oxum(pad: Path, payload: dict[str, int], problemen: list[str]) -> None:
    oxum = lees_info(pad).get("Payload-Oxum", [])
    match = _OXUM.fullmatch(oxum[0]) if len(oxum) == 1 else None
    actual = (sum(payload.values()), len(payload))
    if match is None:
        problemen.append(f"{BAG_INFO}: Payload-Oxum missing or malformed")
    elif (int(match.group(1)), int(match.group(2))) != actual:
        problemen.append(
            f"{BAG_INFO}: Payload-Oxum {oxum[0]} but the payload is {actual[0]}.{actual[1]}"
        )


def _tagmanifest(pad: Path, problemen: list[str]) -> None:
    tags = _manifest(pad, TAGMANIFEST, problemen, payload=False)
    for required in (BAGIT_TXT, BAG_INFO, MANIFEST):
        if required not in tags:
            problemen.append(f"{TAGMANIFEST}: does not list {required}")


def valideer(pad: Path, *, mdto_xsd: bool = True) -> list[str]:
    """Every problem with the bag at `pad` (empty: it is a valid, complete bag)."""
    pad = Path(pad)
    if not pad.is_dir():
        return [f"{pad}: not a directory"]
    problemen = [
        f"{required}: missing"
        for required in (BAGIT_TXT, BAG_INFO, MANIFEST, TAGMANIFEST)
        if not (pad / required).is_file()
    ]
    if not (pad / "data").is_dir():
        return [*problemen, "data/: missing"]
    if (pad / BAGIT_TXT).is_file():
        _bagit_txt(pad, problemen)
    listed = _manifest(pad, MANIFEST, problemen, payload=True) if (pad / MANIFEST).is_file() else {}
    payload = _payload(pad, problemen)
    problemen += [f"{rel}: not in {MANIFEST}" for rel in sorted(set(payload) - set(listed))]
    _oxum(pad, payload, problemen)
    if (pad / TAGMANIFEST).is_file():
        _tagmanifest(pad, problemen)
    if mdto_xsd:
        for rel in sorted(r for r in payload if r.endswith(mdto.SIDECAR)):
            problemen += [f"{rel}: {p}" for p in mdto.valideer_xml((pad / rel).read_bytes())]
    return problemen
