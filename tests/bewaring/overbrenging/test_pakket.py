# SPDX-License-Identifier: EUPL-1.2
"""The package itself: tampering found by `valideer`, hostile metadata escaped,
invalid MDTO refused, and a build that fails leaving nothing behind.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import tracemalloc
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information
from sqlalchemy import select

from archief.audit.chain import SYSTEEM
from archief.bewaring.overbrenging import bagit, mapping, mdto, service
from archief.bewaring.overbrenging.pakket import Stap
from archief.catalog.models import Overbrenging, Record
from archief.clock import AMSTERDAM
from archief.composition import Container
from archief.errors import IntegrityError
from archief.intake.service import ensure_dossier
from archief.settings import Settings
from archief.storage.common import original_key
from archief.storage.s3 import S3ObjectStore
from policies.subject import Subject
from tests.access.conftest import headers
from tests.bewaring.overbrenging.conftest import afsluiten, due, kenmerk, record
from tests.oidc import LocalIssuer

ARIE = Subject("arie", ("archivaris",))
NS = {"m": mdto.NS}


def _dag() -> date:
    return datetime.now(AMSTERDAM).date()


def _vandaag() -> str:
    return _dag().isoformat()


def _bag(client: TestClient, issuer: LocalIssuer, k: str) -> dict[str, Any]:
    resp = client.post(
        "/overbrengingen",
        json={"peildatum": _vandaag(), "dossiers": [k]},
        headers=headers(issuer, ARIE),
    )
    assert resp.status_code == 201, resp.text
    return resp.json()  # type: ignore[no-any-return]


def _rewrite_manifests(bag: Path) -> None:
    """Make manifest and tag manifest agree with the payload again (a careful forger)."""
    lines = []
    payload = sorted(p for p in (bag / "data").rglob("*") if p.is_file())
    for path in payload:
        rel = path.relative_to(bag).as_posix()
        lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {rel}\n")
    (bag / bagit.MANIFEST).write_text("".join(lines))
    oxum = f"Payload-Oxum: {sum(p.stat().st_size for p in payload)}.{len(payload)}"
    info = [
        oxum if line.startswith("Payload-Oxum:") else line
        for line in (bag / bagit.BAG_INFO).read_text().splitlines()
    ]
    (bag / bagit.BAG_INFO).write_text("\n".join(info) + "\n")
    tags = [
        f"{hashlib.sha256((bag / n).read_bytes()).hexdigest()}  {n}\n"
        for n in sorted((bagit.BAGIT_TXT, bagit.BAG_INFO, bagit.MANIFEST))
    ]
    (bag / bagit.TAGMANIFEST).write_text("".join(tags))


def _tampered(source: Path, tmp: Path, tamper: Callable[[Path], None]) -> list[str]:
    copy = tmp / uuid.uuid4().hex
    shutil.copytree(source, copy, symlinks=True)
    assert bagit.valideer(copy) == []
    tamper(copy)
    return bagit.valideer(copy)


def test_valideer_finds_every_kind_of_tampering(
    wereld: Container, client: TestClient, issuer: LocalIssuer, tmp_path: Path
) -> None:
    k = kenmerk()
    due(wereld, k, 2)
    ob = _bag(client, issuer, k)
    source = Path(ob["pakket"])
    first = ob["items"][0]["pad"]
    sidecar = next(p for p in (source / "data").rglob(f"*{mdto.SIDECAR}")).relative_to(source)

    def change_file(bag: Path) -> None:
        (bag / first).write_bytes(b"andere inhoud")

    def change_manifest(bag: Path) -> None:
        manifest = (bag / bagit.MANIFEST).read_text().splitlines()
        _, rel = manifest[0].split(maxsplit=1)
        manifest[0] = f"{'0' * 64}  {rel}"
        (bag / bagit.MANIFEST).write_text("\n".join(manifest) + "\n")

    def add_file(bag: Path) -> None:
        (bag / "data" / "verstopt.txt").write_text("niet vermeld")

    def drop_file(bag: Path) -> None:
        (bag / first).unlink()

    def change_oxum(bag: Path) -> None:
        info = (bag / bagit.BAG_INFO).read_text()
        (bag / bagit.BAG_INFO).write_text(info.replace("Payload-Oxum: ", "Payload-Oxum: 1"))

    def invalid_mdto(bag: Path) -> None:
        root = etree.parse(str(bag / sidecar)).getroot()
        for el in root.xpath("//m:waardering", namespaces=NS):
            el.getparent().remove(el)
        (bag / sidecar).write_bytes(etree.tostring(root))
        _rewrite_manifests(bag)

    def symlink(bag: Path) -> None:
        (bag / "data" / "link").symlink_to("/etc/hostname")

    def escape(bag: Path) -> None:
        with (bag / bagit.MANIFEST).open("a") as manifest:
            manifest.write(f"{'a' * 64}  data/../../buiten.txt\n")

    found = {
        name: _tampered(source, tmp_path, tamper)
        for name, tamper in {
            "file": change_file,
            "manifest": change_manifest,
            "extra": add_file,
            "missing": drop_file,
            "oxum": change_oxum,
            "mdto": invalid_mdto,
            "symlink": symlink,
            "escape": escape,
        }.items()
    }

    assert any(first in p and "SHA-256 is" in p for p in found["file"])
    assert any(p.startswith("manifest-sha256.txt regel 1") for p in found["manifest"])
    assert any(
        "tagmanifest-sha256.txt" in p and "manifest-sha256.txt" in p for p in found["manifest"]
    )
    assert "data/verstopt.txt: not in manifest-sha256.txt" in found["extra"]
    assert any("Payload-Oxum" in p for p in found["extra"])
    assert any(first in p and "missing" in p for p in found["missing"])
    assert any("Payload-Oxum" in p for p in found["oxum"])
    assert any("bag-info.txt" in p and "SHA-256" in p for p in found["oxum"])
    # A forger who fixes every checksum is still caught by the XSD.
    assert len(found["mdto"]) >= 1
    assert all(p.startswith(str(sidecar)) for p in found["mdto"]), found["mdto"]
    assert any("waardering" in p or "archiefvormer" in p for p in found["mdto"])
    assert "data/link: a symlink" in found["symlink"]
    assert any("unsafe path" in p for p in found["escape"])
    assert bagit.valideer(source) == []
    assert bagit.valideer(tmp_path / "bestaat-niet") != []


def test_hostile_metadata_is_escaped_and_still_validates(
    wereld: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    k = f"../{kenmerk()}/ & <dossier>"
    rid, did = record(wereld, k)
    afsluiten(wereld, did)
    controls = "".join(chr(c) for c in range(1, 32))
    title = "<script>alert('x')</script> ]]> &amp; " + controls + " é\u202e " + "lang " * 20_000
    with wereld.sessions.begin() as session:
        rec = session.get(Record, rid)
        assert rec is not None
        rec.titel = title
        rec.filename = "../../etc/passwd\n<x>|y?*#&.txt"

    ob = _bag(client, issuer, k)

    bag = Path(ob["pakket"])
    assert bagit.valideer(bag) == []
    (stuk,) = (bag / "data").rglob(f"{rid}{mdto.SIDECAR}")
    data = stuk.read_bytes()
    assert b"<script>" not in data and b"&lt;script&gt;" in data
    naam = etree.fromstring(data).xpath("//m:informatieobject/m:naam", namespaces=NS)[0].text
    expected = "".join(c if c in "\t\n\r" or ord(c) >= 32 else "\ufffd" for c in title)
    assert naam == expected
    # Every path stays inside the bag, with none of the forbidden characters.
    (original,) = (bag / "data").rglob("*passwd*.txt")
    assert original.resolve().is_relative_to(bag.resolve())
    assert not set('<>:"\\|?*#& \n') & set(original.name)
    assert original.parent.name == rid
    assert original.parent.parent.parent == bag / "data"


def test_mdto_that_breaks_the_schema_is_refused() -> None:
    lijst = mdto.Verwijzing("Begrippenlijst Waarderingen MDTO")
    io_ = mdto.Informatieobject(
        identificatie=(mdto.Identificatie("r-1", "archief"),),
        naam="Stuk",
        waardering=mdto.Begrip("Blijvend te bewaren", lijst, "B"),
        archiefvormer=(mdto.Verwijzing("Gemeente"),),
        beperking_gebruik=(mapping.openbaarheid("openbaar", "openbaar"),),
    )
    assert mdto.valideer_xml(mdto.naar_bytes(mdto.informatieobject(io_), "stuk")) == []

    # Required elements missing: refused, naming them.
    without = replace(io_, archiefvormer=())
    with pytest.raises(mdto.MdtoOngeldig) as exc:
        mdto.naar_bytes(mdto.informatieobject(without), "stuk zonder archiefvormer")
    assert exc.value.code == "mdto_ongeldig"
    assert any("archiefvormer" in p or "beperkingGebruik" in p for p in exc.value.problemen)
    root = mdto.informatieobject(io_)
    for el in root.xpath("//m:waardering", namespaces=NS):
        el.getparent().remove(el)
    with pytest.raises(mdto.MdtoOngeldig) as missing:
        mdto.naar_bytes(root, "stuk zonder waardering")
    assert any("waardering" in p for p in missing.value.problemen)
    # Not well-formed, wrong namespace, a wrong type: each is a problem.
    assert mdto.valideer_xml(b"<MDTO>")[0].startswith("geen goedgevormde XML")
    assert mdto.valideer_xml(b"<MDTO xmlns='urn:x'/>") != []
    bad_size = mdto.bestand(
        mdto.Bestand(
            identificatie=(mdto.Identificatie("b", "archief"),),
            naam="b.txt",
            omvang=1,
            bestandsformaat=mdto.Begrip("text/plain", mapping.MEDIATYPES),
            checksum=(mdto.Checksum(mapping.SHA256, "00", datetime(2026, 1, 1, tzinfo=UTC)),),
            is_representatie_van=mdto.Verwijzing("Stuk"),
        )
    )
    bad_size.xpath("//m:omvang", namespaces=NS)[0].text = "veel"
    with pytest.raises(mdto.MdtoOngeldig):
        mdto.naar_bytes(bad_size, "bestand")
    # Text XML cannot carry at all is replaced, never written raw.
    assert mdto.tekst("a\x00b\ud800c\ufffed") == "a\ufffdb\ufffdc\ufffdd"


def test_a_build_with_invalid_mdto_writes_nothing(
    wereld: Container,
    client: TestClient,
    issuer: LocalIssuer,
    pakketten: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    k = kenmerk()
    ids = due(wereld, k, 2)
    before = set(pakketten.iterdir())
    real = mapping.archiefstuk

    def without_archiefvormer(*args: Any, **kwargs: Any) -> mdto.Informatieobject:
        return replace(real(*args, **kwargs), archiefvormer=())

    monkeypatch.setattr(mapping, "archiefstuk", without_archiefvormer)
    resp = client.post(
        "/overbrengingen",
        json={"peildatum": _vandaag(), "dossiers": [k]},
        headers=headers(issuer, ARIE),
    )

    assert resp.status_code == 422
    assert resp.json()["code"] == "mdto_ongeldig"
    assert any("archiefvormer" in p or "beperkingGebruik" in p for p in resp.json()["problemen"])
    assert set(pakketten.iterdir()) == before  # no bag, no temporary directory
    with wereld.sessions() as session:
        failed = [o for o in session.scalars(select(Overbrenging)) if o.dossiers == [k]]
    assert [(o.status, (o.fout or "").split(":")[0]) for o in failed] == [
        ("mislukt", "mdto_ongeldig")
    ]
    monkeypatch.undo()
    ok = _bag(client, issuer, k)
    assert {i["record_id"] for i in ok["items"]} == set(ids)


class _Held:
    """A task queue that only remembers: transfer tests need stored bytes, not processing."""

    def enqueue(self, task: str, *args: str) -> None:
        pass

    def ping(self, timeout: float = 10.0) -> str:
        return "held"

    def check(self) -> str:
        return "held"


def _own(own: tuple[Container, Settings], tmp_path: Path) -> Container:
    container, mine = own
    settings = mine.model_copy(
        update={
            "bewaring": mine.bewaring.model_copy(
                update={
                    "overbrenging": mine.bewaring.overbrenging.model_copy(
                        update={"map": tmp_path / "pakketten"}
                    )
                }
            )
        }
    )
    return replace(container, settings=settings, queue=_Held())


def _stored(c: Container, k: str, data: bytes) -> tuple[str, str]:
    dossier = ensure_dossier(c.sessions, c.clock, kenmerk=k, titel=k, afdeling="wijkzaken")
    item = c.intake.receive(
        io.BytesIO(data), name="groot.txt", dossier_id=dossier.id, laag="afdeling"
    )
    assert item.record_id is not None and item.sha256 is not None, item.reason
    return item.record_id, item.sha256


def test_a_changed_original_fails_the_build_and_leaves_nothing(
    own: tuple[Container, Settings], tmp_path: Path
) -> None:
    c = _own(own, tmp_path)
    assert isinstance(c.store, S3ObjectStore)
    k = kenmerk()
    good = "\n".join(uuid.uuid4().hex for _ in range(300)).encode()
    rid, sha = _stored(c, k, good)
    with c.sessions() as session:
        did = session.scalars(select(Record.dossier_id).where(Record.id == rid)).one()
    afsluiten(c, did)
    # Someone with bucket access replaces the bytes behind the catalog's back.
    other = good.replace(b"a", b"b")
    c.store.client.put_object(c.store.bucket, original_key(sha), io.BytesIO(other), len(other))

    with pytest.raises(IntegrityError) as exc:
        service.maak(c, peildatum=_dag(), dossiers=[k], actor=SYSTEEM)

    assert exc.value.extra["gevonden"] == hashlib.sha256(other).hexdigest()
    map_ = tmp_path / "pakketten"
    assert list(map_.iterdir()) == []
    with c.sessions() as session:
        (ob,) = session.scalars(select(Overbrenging)).all()
        statuses = set(session.scalars(select(Record.status)))
    assert ob.status == "mislukt" and (ob.fout or "").startswith("integrity_error")
    assert statuses == {"actief"}


def test_originals_stream_through_without_being_held_in_memory(
    own: tuple[Container, Settings], tmp_path: Path
) -> None:
    c = _own(own, tmp_path)
    k = kenmerk()
    # 24 MiB of text: far more than the 1 MiB chunks the build reads at a time.
    line = (uuid.uuid4().hex * 4 + "\n").encode()
    big = line * (24 * 1024 * 1024 // len(line))
    rid, sha = _stored(c, k, big)
    with c.sessions() as session:
        did = session.scalars(select(Record.dossier_id).where(Record.id == rid)).one()
    afsluiten(c, did)
    steps: list[Stap] = []

    tracemalloc.start()
    try:
        ob_id = service.maak(
            c,
            peildatum=_dag(),
            dossiers=[k],
            actor=SYSTEEM,
            voortgang=steps.append,
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < len(big) // 3, f"peak {peak} bytes for a {len(big)}-byte original"
    assert steps[-1].gedaan == steps[-1].totaal == 1 and steps[-1].bytes >= len(big)
    with c.sessions() as session:
        ob = session.get(Overbrenging, ob_id)
        assert ob is not None and ob.pakket is not None
    (copy,) = Path(ob.pakket).rglob("groot.txt")
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == sha
    assert bagit.valideer(Path(ob.pakket)) == []
