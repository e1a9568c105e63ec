# SPDX-License-Identifier: EUPL-1.2
"""Streaming multipart uploads: the file goes to a spool file as it arrives, fields to memory.

Used by every endpoint that takes a file (intake, new versions), so none of
them ever holds a whole upload in memory.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from python_multipart.multipart import MultipartParser, parse_options_header

from archief.errors import ArchiefError
from archief.intake.service import SpoolWriter


class BadUpload(ArchiefError):
    code = "bad_upload"
    status = 400
    title = "Ongeldige upload"


async def receive_multipart(request: Request, writer: SpoolWriter) -> tuple[dict[str, str], str]:
    """Stream the body through a multipart parser: the file goes to disk, fields to memory."""
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise BadUpload("send the file as multipart/form-data")
    fields: dict[str, str] = {}
    state: dict[str, Any] = {"name": None, "filename": None, "buf": bytearray(), "headers": {}}
    files: list[str] = []

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["field"] = data[start:end].decode("latin-1").lower()

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["headers"][state["field"]] = data[start:end]

    def on_headers_finished() -> None:
        _, disp = parse_options_header(state["headers"].get("content-disposition", b""))
        state["name"] = disp.get(b"name", b"").decode("utf-8", errors="replace")
        raw = disp.get(b"filename")
        state["filename"] = None if raw is None else raw.decode("utf-8", errors="replace")
        if state["filename"] is not None:
            if files:
                raise BadUpload("send one file per request")
            files.append(state["filename"])

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if state["filename"] is not None:
            writer.write(data[start:end])
        else:
            state["buf"] += data[start:end]
            if len(state["buf"]) > 4096:
                raise BadUpload(f"form field {state['name']!r} is too long")

    def on_part_end() -> None:
        if state["filename"] is None and state["name"]:
            fields[state["name"]] = state["buf"].decode("utf-8", errors="replace")
        state.update(name=None, filename=None, buf=bytearray(), headers={})

    parser = MultipartParser(
        boundary,
        {
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    async for chunk in request.stream():
        parser.write(chunk)
    parser.finalize()
    if not files:
        raise BadUpload("no file part in the upload")
    return fields, files[0]
