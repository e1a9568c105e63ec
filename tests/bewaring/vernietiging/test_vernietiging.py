# SPDX-License-Identifier: EUPL-1.2
"""Destruction on the real stack: proposal, review, cooling-off, purge, verklaring.

The main test follows one list from proposal to verklaring and then looks
for what it destroyed in every store by that store's own means: the
catalog (every table), Elasticsearch (every index, plus its count of
deleted documents), MinIO (every object version, and the files on its
drive), and the spool directory where workers keep temporary files.

Canaries: each destroyed record carries a unique word in its content and
another in its title and file name.
"""

from __future__ import annotations

import io
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, inspect, select, text, update
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from archief.audit.chain import SYSTEEM, verify
from archief.bewaring import categorie, selectielijst
from archief.bewaring.fixiteit import check as fixity
from archief.bewaring.vernietiging import due
from archief.catalog.models import (
    Content,
    Dossier,
    Page,
    Record,
    RecordVersie,
    Vernietigingslijst,
)
from archief.cli import app
from archief.composition import Container
from archief.intake.service import ensure_dossier
from archief.storage.common import content_prefixes
from archief.storage.s3 import S3ObjectStore
from policies.subject import Subject
from search.index import ElasticsearchIndex
from tests.access import conftest as access_world
from tests.access.conftest import headers
from tests.conftest import minio_drive, minio_trash_wait, settings_env
from tests.oidc import LocalIssuer

ARIE = Subject("arie", ("archivaris",))
AAD = Subject("aad", ("archivaris",))
LOES = Subject("loes", ("leidinggevende",), "wijkzaken")
ALICE = Subject("alice", ("medewerker",), "wijkzaken")

world = access_world.world
issuer = access_world.issuer
client = access_world.client

# Category 2.2 (beleid niet doorgegaan): vernietigen, 5 years after closing.
CATEGORIE = "2.2"
GESLOTEN = date(2015, 1, 2)


def _word() -> str:
    return "kanarie" + uuid.uuid4().hex[:12]


def _file(world: Container, dossier_id: str, body: str, name: str, laag: str = "afdeling") -> str:
    item = world.intake.receive(
        io.BytesIO(body.encode()), name=name, dossier_id=dossier_id, laag=laag
    )
    assert item.record_id is not None, item.reason
    return item.record_id


def _dossier(world: Container, *, due_: bool = True) -> str:
    kenmerk = f"T-VN-{uuid.uuid4().hex[:8]}"
    return ensure_dossier(
        world.sessions, world.clock, kenmerk=kenmerk, titel=kenmerk, afdeling="wijkzaken"
    ).id


def _close_long_ago(world: Container, dossier_id: str) -> None:
    """The dossier was closed in 2015 under a 5-year category: its records are due."""
    with world.sessions.begin() as session:
        dossier = session.get(Dossier, dossier_id)
        assert dossier is not None
        dossier.afgehandeld_op = GESLOTEN
        categorie.set_dossier(
            session,
            dossier,
            CATEGORIE,
            selectielijst.default(),
            actor=SYSTEEM,
            at=world.clock.now(),
        )


def _record(world: Container, record_id: str) -> Record:
    with world.sessions() as session:
        record = session.get(Record, record_id)
        assert record is not None
        session.expunge(record)
        return record


def _propose(client: TestClient, issuer: LocalIssuer, dossier_ids: list[str]) -> dict[str, object]:
    resp = client.post(
        "/vernietigingslijsten",
        json={"dossiers": dossier_ids, "toelichting": "jaarlijkse vernietiging"},
        headers=headers(issuer, ARIE),
    )
    assert resp.status_code == 201, resp.text
    return resp.json()  # type: ignore[no-any-return]


def _review(
    client: TestClient, issuer: LocalIssuer, lijst: str, who: Subject, rol: str, **body: object
) -> tuple[int, dict[str, object]]:
    resp = client.post(
        f"/vernietigingslijsten/{lijst}/beoordelingen",
        json={"rol": rol, "oordeel": "goedgekeurd", **body},
        headers=headers(issuer, who),
    )
    return resp.status_code, resp.json()


def _cool_off_passed(world: Container, lijst_id: str) -> None:
    """The cooling-off period is over (time travel, the one shortcut these tests take)."""
    with world.sessions.begin() as session:
        session.execute(
            update(Vernietigingslijst)
            .where(Vernietigingslijst.id == lijst_id)
            .values(uitvoerbaar_vanaf=world.clock.now() - timedelta(minutes=1))
        )


def _tables_containing(world: Container, needle: str) -> set[str]:
    """Every catalog table with a row whose text holds `needle`."""
    found = set()
    with world.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            rows = conn.execute(text(f'select * from "{table}"')).all()  # test
            if any(needle in repr(tuple(row)) for row in rows):
                found.add(table)
    return found


def _es_hits(world: Container, needle: str) -> int:
    assert isinstance(world.index, ElasticsearchIndex)
    es = world.index.client
    es.indices.refresh(index="*")
    resp = es.search(
        index="*",
        query={"query_string": {"query": needle, "lenient": True}},
        size=0,
        track_total_hits=True,
    )
    return int(resp["hits"]["total"]["value"])


def _files_containing(root: Path, needle: bytes) -> list[Path]:
    hits = []
    for path in root.rglob("*"):
        try:
            if path.is_file() and needle in path.read_bytes():
                hits.append(path)
        except OSError:
            continue  # a file MinIO removed while we walked
    return hits


def test_a_list_runs_from_proposal_to_verklaring_and_leaves_no_remnant(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    assert isinstance(world.store, S3ObjectStore)
    inhoud, titel, nieuw = _word(), _word(), _word()
    dossier = _dossier(world)
    # R1: destroyed, with an earlier version of its content.
    r1 = _file(world, dossier, f"Notitie over de speeltuin. {inhoud}", f"notitie-{titel}.txt")
    old_sha = _record(world, r1).sha256
    resp = client.post(
        f"/records/{r1}/versies",
        files={"file": (f"notitie-{titel}-v2.txt", f"Herzien. {nieuw} {inhoud}".encode())},
        headers=headers(issuer, ALICE),
    )
    assert resp.status_code in (200, 201), resp.text
    # R2: destroyed, but the same bytes are filed in a dossier that is not due.
    gedeeld = _word()
    r2 = _file(world, dossier, f"Gedeelde bijlage {gedeeld}", "bijlage.txt")
    elsewhere = _file(world, _dossier(world), f"Gedeelde bijlage {gedeeld}", "bijlage.txt")
    # R3: a hold is placed on it during the cooling-off period.
    r3 = _file(world, dossier, f"Brief aan bewoners {_word()}", "brief.txt")
    _close_long_ago(world, dossier)
    r1_now = _record(world, r1)
    assert (r1_now.archiefnominatie, r1_now.archiefactiedatum) == ("vernietigen", date(2020, 1, 2))
    shas = {old_sha, r1_now.sha256}
    assert len(shas) == 2
    # A worker that crashed left its scratch directory behind.
    spool = world.settings.ingest.spool_dir
    leftover = spool / f"extract-{r1_now.sha256[:16]}-crashed"
    leftover.mkdir(parents=True, exist_ok=True)
    (leftover / "original").write_bytes(f"Herzien. {nieuw} {inhoud}".encode())

    lijst = _propose(client, issuer, [dossier])
    lid = str(lijst["id"])
    assert {i["record_id"] for i in lijst["items"]} == {r1, r2, r3}  # type: ignore[attr-defined]
    assert lijst["openstaande_rollen"] == ["leidinggevende", "archivaris"]
    # The proposer may not review, nor may anyone in a role they do not hold.
    assert _review(client, issuer, lid, ARIE, "archivaris")[0] == 409
    assert _review(client, issuer, lid, AAD, "leidinggevende")[0] == 409
    code, body = _review(client, issuer, lid, LOES, "leidinggevende")
    assert code == 201, body
    assert (body["status"], body["openstaande_rollen"]) == ("ter_beoordeling", ["archivaris"])
    resp = client.post(f"/vernietigingslijsten/{lid}/uitvoering", headers=headers(issuer, ARIE))
    assert (resp.status_code, resp.json()["code"]) == (409, "vernietiging_geweigerd")
    code, body = _review(client, issuer, lid, AAD, "archivaris", toelichting="akkoord")
    assert (code, body["status"]) == (201, "goedgekeurd")
    resp = client.post(f"/vernietigingslijsten/{lid}/uitvoering", headers=headers(issuer, ARIE))
    assert (resp.status_code, resp.json()["code"]) == (409, "wachttijd_loopt")
    resp = client.post(
        "/blokkades",
        json={"dossier": dossier, "record_id": r3, "grond": "klacht", "reden": "klacht 2026-17"},
        headers=headers(issuer, ARIE),
    )
    assert resp.status_code == 201, resp.text
    _cool_off_passed(world, lid)
    # Only archivists execute.
    resp = client.post(f"/vernietigingslijsten/{lid}/uitvoering", headers=headers(issuer, LOES))
    assert resp.status_code == 403

    resp = client.post(f"/vernietigingslijsten/{lid}/uitvoering", headers=headers(issuer, ARIE))
    assert resp.status_code == 200, resp.text
    done = resp.json()
    assert done["status"] == "uitgevoerd"
    assert done["aantallen"] == {"vernietigd": 2, "overgeslagen": 1}
    skipped = next(i for i in done["items"] if i["record_id"] == r3)
    assert "held" in skipped["reden"]
    assert done["uitvoering"]["index_verwijderd_over"] == 0
    assert done["uitvoering"]["inhoud_gedeeld"] == 1

    # --- the stub, and every path to the content --------------------------------
    # Alice works in the owning afdeling: she may read and download its records.
    alice = headers(issuer, ALICE)
    stub = client.get(f"/records/{r1}", headers=alice).json()
    assert (stub["status"], stub["titel"]) == ("vernietigd", "[vernietigd]")
    for path in (
        f"/records/{r1}/download",
        f"/records/{r1}/pages",
        f"/records/{r1}/versies/1/download",
    ):
        resp = client.get(path, headers=alice)
        assert (resp.status_code, resp.json()["code"]) == (410, "vernietigd"), path
    resp = client.patch(f"/records/{r1}", json={"titel": "terug"}, headers=headers(issuer, ALICE))
    assert (resp.status_code, resp.json()["code"]) == (409, "record_niet_actief")
    assert client.get(f"/records/{r3}/download", headers=alice).status_code == 200
    assert client.get(f"/records/{elsewhere}/download", headers=alice).status_code == 200

    # --- no remnant: catalog ------------------------------------------------------
    with world.sessions() as session:
        versies = session.scalars(select(RecordVersie).where(RecordVersie.record_id == r1)).all()
        assert len(versies) >= 3
        assert {(v.titel, v.filename) for v in versies} == {("[vernietigd]", None)}
        assert not session.scalars(select(Page).where(Page.sha256.in_(shas))).all()
        assert {
            c.status for c in session.scalars(select(Content).where(Content.sha256.in_(shas)))
        } == {"vernietigd"}
        assert verify(session, world.store).ok
    assert _tables_containing(world, inhoud) == set()
    assert _tables_containing(world, nieuw) == set()
    # Titles live on in the audit trail only: it is evidence, and hash-chained.
    assert _tables_containing(world, titel) == {"audit"}

    # --- no remnant: search -------------------------------------------------------
    for word in (inhoud, nieuw, titel):
        assert _es_hits(world, word) == 0, word
    assert _es_hits(world, gedeeld) >= 1  # the record in the other dossier stays findable
    assert isinstance(world.index, ElasticsearchIndex)
    stats = world.index.client.indices.stats(index=world.index.alias, metric="docs")
    assert stats["_all"]["primaries"]["docs"]["deleted"] == 0

    # --- no remnant: object store (every version) and MinIO's drive ------------------
    store = world.store
    for sha in shas:
        for prefix in content_prefixes(sha):
            left = list(
                store.client.list_objects(
                    store.bucket, prefix=prefix, recursive=True, include_version=True
                )
            )
            assert left == [], prefix
    drive = minio_drive(world.settings.objectstore.endpoint)
    # MinIO first moves deleted data to its trash (.minio.sys/tmp/.trash) and
    # removes it from disk every delete_cleanup_interval (deploy/local/up
    # sets 20 s; MinIO's default is 5 min): nothing may be left outside the
    # trash at once, and nothing at all once MinIO has emptied it.
    trash = drive / ".minio.sys" / "tmp" / ".trash"
    deadline = time.monotonic() + minio_trash_wait(world.settings.objectstore.endpoint)
    for needle in (inhoud, nieuw):
        found = _files_containing(drive, needle.encode())
        assert [p for p in found if trash not in p.parents] == [], found
        while found and time.monotonic() < deadline:
            time.sleep(2)
            found = _files_containing(drive, needle.encode())
        assert found == [], found

    # --- no remnant: temporary files ---------------------------------------------
    assert not leftover.exists()
    assert _files_containing(spool, inhoud.encode()) == []

    # --- the verklaring ----------------------------------------------------------
    vid = done["verklaring_record_id"]
    verklaring = _record(world, vid)
    assert (verklaring.archiefnominatie, verklaring.laag) == ("blijvend_bewaren", "organisatie")
    with store.open(verklaring.object_key) as f:
        body_text = f.read().decode()
    for expected in (done["kenmerk"], r1, r2, r3, "2.2", "leidinggevende", "archivaris", "akkoord"):
        assert expected in body_text, expected
    assert "Archiefbesluit 1995" in body_text
    for secret in (titel, inhoud, nieuw):
        assert secret not in body_text
    # Fixity no longer looks for what was destroyed.
    report = fixity(world)
    assert report.afwijkingen == []


def test_the_database_lets_only_destruction_redact_history(world: Container) -> None:
    dossier = _dossier(world)
    rid = _file(world, dossier, f"Verslag {_word()}", "verslag.txt")
    blank = update(RecordVersie).where(RecordVersie.record_id == rid)
    with pytest.raises(DBAPIError, match="append-only"), world.sessions.begin() as session:
        session.execute(blank.values(titel="[vernietigd]", filename=None))
    with pytest.raises(DBAPIError, match="only redact"), world.sessions.begin() as session:
        session.execute(text("select set_config('archief.vernietiging', 'VL-test', true)"))
        session.execute(blank.values(titel="[vernietigd]", filename=None, laag="openbaar"))
    with pytest.raises(DBAPIError, match="only redact"), world.sessions.begin() as session:
        session.execute(text("select set_config('archief.vernietiging', 'VL-test', true)"))
        session.execute(blank.values(titel="iets anders"))
    with pytest.raises(DBAPIError, match="append-only"), world.sessions.begin() as session:
        session.execute(text("select set_config('archief.vernietiging', 'VL-test', true)"))
        session.execute(delete(RecordVersie).where(RecordVersie.record_id == rid))
    with world.sessions() as session:
        assert session.scalar(select(RecordVersie.titel).where(RecordVersie.record_id == rid)) == (
            "verslag"
        )


def test_reviewers_can_take_records_off_or_reject_the_list(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    dossier = _dossier(world)
    keep = _file(world, dossier, f"Nota {_word()}", "nota.txt")
    other = _file(world, dossier, f"Memo {_word()}", "memo.txt")
    _close_long_ago(world, dossier)
    lid = str(_propose(client, issuer, [dossier])["id"])
    # The same records cannot be on two running lists.
    resp = client.post(
        "/vernietigingslijsten", json={"dossiers": [dossier]}, headers=headers(issuer, ARIE)
    )
    assert (resp.status_code, resp.json()["code"]) == (422, "niets_te_vernietigen")
    code, body = _review(
        client,
        issuer,
        lid,
        LOES,
        "leidinggevende",
        uitzonderingen=[{"record_id": keep, "reden": "nog nodig voor bezwaar"}],
    )
    assert code == 201, body
    statuses = {i["record_id"]: i["status"] for i in body["items"]}  # type: ignore[attr-defined]
    assert statuses == {keep: "uitgezonderd", other: "opgenomen"}
    # Rejecting needs a reason; with one, the list is closed and its records free again.
    code, body = _review(client, issuer, lid, AAD, "archivaris", oordeel="afgewezen")
    assert code == 409
    code, body = _review(
        client, issuer, lid, AAD, "archivaris", oordeel="afgewezen", toelichting="te vroeg"
    )
    assert (code, body["status"]) == (201, "afgewezen")
    again = _propose(client, issuer, [dossier])
    assert {i["record_id"] for i in again["items"]} == {keep, other}  # type: ignore[attr-defined]
    # Titles show only to whoever may read the record (the archivist may, here).
    assert all(i["titel"] for i in again["items"])  # type: ignore[attr-defined]
    resp = client.get(f"/vernietigingslijsten/{again['id']}", headers=headers(issuer, ALICE))
    assert resp.status_code == 403


def test_the_scheduled_task_executes_a_list_that_is_due(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    from ingest.bewaring_tasks import TASK_VERNIETIGING  # noqa: PLC0415
    from ingest.worker import create_celery  # noqa: PLC0415

    dossier = _dossier(world)
    rid = _file(world, dossier, f"Oud besluit {_word()}", "besluit.txt")
    _close_long_ago(world, dossier)
    lijst = _propose(client, issuer, [dossier])
    assert _review(client, issuer, str(lijst["id"]), LOES, "leidinggevende")[0] == 201
    assert _review(client, issuer, str(lijst["id"]), AAD, "archivaris")[0] == 201
    task = create_celery(world.settings).tasks[TASK_VERNIETIGING]
    # Still cooling off: the night's run leaves it alone.
    assert str(lijst["kenmerk"]) not in task.apply().get()
    assert _record(world, rid).status != "vernietigd"
    _cool_off_passed(world, str(lijst["id"]))
    assert task.apply().get()[str(lijst["kenmerk"])] == 1
    assert _record(world, rid).status == "vernietigd"


def test_the_cli_and_the_schedule_execute_what_is_due(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    dossier = _dossier(world)
    rid = _file(world, dossier, f"Oud besluit {_word()}", "besluit.txt")
    _close_long_ago(world, dossier)
    env = {**settings_env(world.settings), "COLUMNS": "250"}  # rich tables: whole ids
    runner = CliRunner()
    result = runner.invoke(
        app, ["vernietiging", "voorstel", "--dossier", "T-NIET-BESTAAND"], env=env
    )
    assert result.exit_code == 2, result.output
    with world.sessions() as session:
        kenmerk = session.scalar(select(Dossier.kenmerk).where(Dossier.id == dossier))
    result = runner.invoke(app, ["vernietiging", "voorstel", "--dossier", str(kenmerk)], env=env)
    assert result.exit_code == 0, result.output
    with world.sessions() as session:
        lijst = session.scalars(
            select(Vernietigingslijst).order_by(Vernietigingslijst.aangemaakt_op.desc())
        ).first()
        assert lijst is not None
    # The CLI's operator is not AAD or LOES: the API reviews.
    assert _review(client, issuer, lijst.id, LOES, "leidinggevende")[0] == 201
    assert _review(client, issuer, lijst.id, AAD, "archivaris")[0] == 201
    result = runner.invoke(app, ["vernietiging", "uitvoeren", lijst.kenmerk], env=env)
    assert result.exit_code == 2 and "cooling-off" in result.output, result.output
    assert lijst.id not in due(world)
    _cool_off_passed(world, lijst.id)
    assert lijst.id in due(world)
    result = runner.invoke(app, ["vernietiging", "uitvoeren", lijst.kenmerk], env=env)
    assert result.exit_code == 0, result.output
    assert "1 destroyed" in result.output
    assert _record(world, rid).status == "vernietigd"
    assert lijst.id not in due(world)
    result = runner.invoke(app, ["vernietiging", "toon", lijst.kenmerk], env=env)
    assert result.exit_code == 0 and rid in result.output
