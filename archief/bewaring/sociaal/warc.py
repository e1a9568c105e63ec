# SPDX-License-Identifier: EUPL-1.2
"""Write one WARC file per capture run, and read it back.

Layout (WARC/1.1, each record gzipped on its own so tools can seek):

1. one `warcinfo` record describing the run;
2. one `response` record per fetched page (connector runs only): the HTTP
   status line, the headers and the body exactly as received;
3. one `resource` record per post: `ruw` as the block, the post URL as
   `WARC-Target-URI` (a `urn:archief:sociaal:` URN where the platform gives
   no URL). When the post came from a fetched page, `WARC-Concurrent-To`
   names that page's `response` record: both come from one capture event.

Digests are SHA-256 (base32, as WARC tools expect): `WARC-Block-Digest`
over the whole block, `WARC-Payload-Digest` over the payload (for a
resource record both are the digest of `ruw`). `Archief-Sha256` repeats the
hex digest the catalog uses, so a record can be matched without recoding.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archief.bewaring.sociaal.model import Bericht, OngeldigeExport, Pagina
from archief.errors import IntegrityError
from archief.ports import Clock

# The body is stored decoded; these describe the transfer, not what is kept.
_TRANSFER_HEADERS = {"transfer-encoding", "content-encoding", "content-length"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class WarcVerslag:
    """What a run wrote: the record id of every post and page, to link from the catalog."""

    berichten: dict[tuple[str, str], str] = field(default_factory=dict)
    paginas: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class WarcRecord:
    """One record read back from a WARC file, its digests verified."""

    type: str
    record_id: str
    target_uri: str | None
    headers: dict[str, str]
    http_status: int | None
    http_headers: tuple[tuple[str, str], ...]
    payload: bytes


def digest(data: bytes) -> str:
    """Return a WARC digest label (`sha256:<base32>`) for `data`."""
    return "sha256:" + base64.b32encode(hashlib.sha256(data).digest()).decode("ascii")


def _safe(value: str) -> str:
    # Header values come from exports and servers; a CR or LF would let them
    # forge WARC headers or records of their own.
    return _CONTROL.sub(lambda m: f"%{ord(m.group()):02X}", value)


def _date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def schrijf_warc(
    uit: BinaryIO,
    berichten: Iterable[Bericht],
    *,
    bestandsnaam: str,
    clock: Clock,
    paginas: Iterable[Pagina] = (),
    info: Mapping[str, str] | None = None,
) -> WarcVerslag:
    """Write a gzipped WARC of a capture run to `uit`; return the record ids written."""
    writer = WARCWriter(uit, gzip=True, warc_version="1.1")
    fields: dict[str, str] = {
        "software": "archief (het geheugen van de gemeente)",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
    }
    fields.update({k: _safe(v) for k, v in (info or {}).items()})
    writer.write_record(writer.create_warcinfo_record(_safe(bestandsnaam), fields))
    verslag = WarcVerslag()
    for pagina in paginas:
        record = _response(writer, pagina)
        writer.write_record(record)
        verslag.paginas[pagina.url] = record.rec_headers.get_header("WARC-Record-ID")
    for bericht in berichten:
        record = _resource(writer, bericht, clock.now(), verslag.paginas.get(bericht.bron))
        writer.write_record(record)
        verslag.berichten[bericht.sleutel] = record.rec_headers.get_header("WARC-Record-ID")
    return verslag


def _resource(writer: Any, bericht: Bericht, now: datetime, pagina_id: str | None) -> Any:
    headers = {
        "WARC-Date": _date(now),
        "WARC-Block-Digest": digest(bericht.ruw),
        "WARC-Payload-Digest": digest(bericht.ruw),
        "Archief-Platform": bericht.platform,
        "Archief-Platform-Id": _safe(bericht.platform_id),
        "Archief-Account": _safe(bericht.account),
        "Archief-Geplaatst-Op": _date(bericht.geplaatst_op),
        "Archief-Bron": _safe(bericht.bron),
        "Archief-Sha256": bericht.sha256,
    }
    if pagina_id:
        headers["WARC-Concurrent-To"] = pagina_id
    return writer.create_warc_record(
        _safe(bericht.doel_uri),
        "resource",
        payload=io.BytesIO(bericht.ruw),
        length=len(bericht.ruw),
        warc_content_type=bericht.ruw_media_type,
        warc_headers_dict=headers,
    )


def _response(writer: Any, pagina: Pagina) -> Any:
    kept = [(_safe(k), _safe(v)) for k, v in pagina.headers if k.lower() not in _TRANSFER_HEADERS]
    # Keep what the transfer headers said without letting them describe the stored body.
    kept += [
        (f"X-Archief-Orig-{_safe(k)}", _safe(v))
        for k, v in pagina.headers
        if k.lower() in _TRANSFER_HEADERS
    ]
    kept.append(("Content-Length", str(len(pagina.body))))
    protocol = pagina.http_versie if pagina.http_versie.startswith("HTTP/") else "HTTP/1.1"
    http_headers = StatusAndHeaders(
        f"{pagina.status} {_safe(pagina.reden)}".strip(), kept, protocol=protocol
    )
    http_headers.compute_headers_buffer()
    block = http_headers.headers_buff + pagina.body
    return writer.create_warc_record(
        _safe(pagina.url),
        "response",
        payload=io.BytesIO(pagina.body),
        length=len(pagina.body),
        http_headers=http_headers,
        warc_headers_dict={
            "WARC-Date": _date(pagina.opgehaald_op),
            "WARC-Block-Digest": digest(block),
            "WARC-Payload-Digest": digest(pagina.body),
            "Archief-Sha256": pagina.sha256,
        },
    )


def lees_warc(invoer: BinaryIO, *, bron: str = "warc") -> Iterator[WarcRecord]:
    """Yield every record of a WARC file, refusing one whose digests do not match."""
    try:
        for record in ArchiveIterator(invoer, check_digests="raise"):
            payload = record.content_stream().read()
            headers = dict(record.rec_headers.headers)
            if (
                "Archief-Sha256" in headers
                and hashlib.sha256(payload).hexdigest() != headers["Archief-Sha256"]
            ):
                raise IntegrityError(f"{bron}: {headers.get('WARC-Record-ID')} Archief-Sha256")
            http = record.http_headers if record.rec_type == "response" else None
            yield WarcRecord(
                type=record.rec_type,
                record_id=headers.get("WARC-Record-ID", ""),
                target_uri=headers.get("WARC-Target-URI"),
                headers=headers,
                http_status=int(http.get_statuscode()) if http else None,
                http_headers=tuple(http.headers) if http else (),
                payload=payload,
            )
    except ArchiveLoadFailed as exc:
        if "digest" in str(exc):
            raise IntegrityError(f"{bron}: {exc}") from exc
        raise OngeldigeExport(bron, f"geen leesbare WARC: {exc}") from exc
