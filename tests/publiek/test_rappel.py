# SPDX-License-Identifier: EUPL-1.2
"""The rappelsysteem on the real stack: reminders to the SMTP sink, the overview, the beat entry."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from celery.schedules import crontab
from fastapi.testclient import TestClient
from sqlalchemy import select

from archief.catalog.models import AuditEntry, Dossier, Record
from archief.composition import Container
from archief.publiek.rappel import stuur_rappels
from ingest.priorities import SCHEDULED_PRIORITY
from policies.subject import Subject
from tests.access.conftest import headers
from tests.oidc import LocalIssuer
from tests.publiek.conftest import BOB, MILA, client, dossier, issuer, publiceer, record, world
from tests.publiek.test_reacties import Sink, mail_client, mail_world, smtp

__all__ = ["client", "issuer", "mail_client", "mail_world", "smtp", "world"]


def _publiek(
    world: Container, client: TestClient, issuer: LocalIssuer, *, afdeling: str = "wijkzaken"
) -> tuple[str, str]:
    """A public dossier with its own official address; (id, address)."""
    wie = MILA if afdeling == "wijkzaken" else BOB
    did, _ = dossier(world, afdeling=afdeling)
    rid = record(world, did, "afdeling", "Plan.", titel="Plan")
    adres = f"pl-{uuid.uuid4().hex[:8]}@groningen.example"
    put = client.put(
        f"/dossiers/{did}/publiek",
        json={"verantwoordelijke": "Projectleider", "verantwoordelijke_email": adres,
              "herzien_interval_dagen": 30},
        headers=headers(issuer, wie),
    )  # fmt: skip
    assert put.status_code == 200, put.text
    assert publiceer(client, issuer, did, wie, records=[rid]).status_code == 200
    return did, adres


def _herzien_geleden(world: Container, dossier_id: str, dagen: int) -> None:
    """Move the dossier's clock back (the test stands in for time passing)."""
    with world.sessions.begin() as session:
        d = session.get_one(Dossier, dossier_id)
        now: datetime = world.clock.now()
        d.herzien_op = now - timedelta(days=dagen)
        d.publiek_sinds = now - timedelta(days=dagen + 5)


def test_an_overdue_dossier_gets_one_reminder_per_interval(
    world: Container,
    client: TestClient,
    issuer: LocalIssuer,
    mail_world: Container,
    smtp: tuple[Sink, int],
) -> None:
    sink, _ = smtp
    laat, adres_laat = _publiek(world, client, issuer)
    vers, adres_vers = _publiek(world, client, issuer)
    _herzien_geleden(world, laat, 31)  # interval 30: overdue
    _herzien_geleden(world, vers, 10)  # reviewed recently

    eerste = stuur_rappels(mail_world)
    assert eerste["verstuurd"] >= 1
    [m] = sink.aan(adres_laat)
    assert "Herinnering" in m["Subject"] and laat in m.get_content()
    assert sink.aan(adres_vers) == []
    with world.sessions() as session:
        verstuurd = session.get_one(Dossier, laat).rappel_verstuurd_op
        assert verstuurd is not None
        audit = session.scalars(
            select(AuditEntry).where(
                AuditEntry.actie == "dossier.rappel", AuditEntry.object_id == laat
            )
        ).all()
        assert len(audit) == 1

    # The next run within the interval sends nothing new.
    stuur_rappels(mail_world)
    assert len(sink.aan(adres_laat)) == 1

    # An interval later, still not reviewed: one more.
    with world.sessions.begin() as session:
        session.get_one(Dossier, laat).rappel_verstuurd_op = verstuurd - timedelta(days=30)
    stuur_rappels(mail_world)
    assert len(sink.aan(adres_laat)) == 2
    assert sink.aan(adres_vers) == []


def test_the_overview_lists_the_overdue_dossiers_the_caller_sees(
    world: Container, client: TestClient, issuer: LocalIssuer, mail_client: TestClient
) -> None:
    eigen, _ = _publiek(world, client, issuer)
    ander, _ = _publiek(world, client, issuer, afdeling="onderwijs")
    vers, _ = _publiek(world, client, issuer)
    _herzien_geleden(world, eigen, 40)
    _herzien_geleden(world, ander, 40)
    mijn = {eigen, ander, vers}

    def overzicht(who: Subject, **params: str) -> set[str]:
        resp = mail_client.get(
            "/publiek-beheer/achterstallig", params=params, headers=headers(issuer, who)
        )
        assert resp.status_code == 200, resp.text
        rows = resp.json()
        assert all(r["dagen_achterstallig"] >= 0 for r in rows)
        return {r["dossier_id"] for r in rows}

    # Both are online, so both are visible to every civil servant ...
    assert overzicht(MILA) & mijn == {eigen, ander}
    # ... and each afdeling's own are the ones it can fix.
    assert overzicht(MILA, alleen_eigen="true") & mijn == {eigen}
    assert overzicht(BOB, alleen_eigen="true") & mijn == {ander}
    # Withdrawn from the public: still due for review (publiek_sinds), but
    # no longer visible outside its afdeling.
    with world.sessions() as session:
        [openbaar] = session.scalars(
            select(Record.id).where(Record.dossier_id == ander, Record.laag == "openbaar")
        ).all()
    intrek = mail_client.delete(f"/records/{openbaar}/publicatie", headers=headers(issuer, BOB))
    assert intrek.status_code == 200, intrek.text
    assert overzicht(MILA) & mijn == {eigen}
    assert overzicht(BOB) & mijn == {eigen, ander}  # eigen is still online
    assert mail_client.get("/publiek-beheer/achterstallig").status_code == 401

    # Reviewing restarts the clock: gone from the overview, audited. Who sees
    # but may not change the dossier gets 403; who does not see it, 404.
    herzien = mail_client.post(f"/dossiers/{eigen}/herzien", headers=headers(issuer, BOB))
    assert herzien.status_code == 403
    herzien = mail_client.post(f"/dossiers/{ander}/herzien", headers=headers(issuer, MILA))
    assert herzien.status_code == 404
    resp = mail_client.post(f"/dossiers/{eigen}/herzien", headers=headers(issuer, MILA))
    assert resp.status_code == 200, resp.text
    assert overzicht(MILA) & mijn == set()
    with world.sessions() as session:
        assert session.scalars(
            select(AuditEntry).where(
                AuditEntry.actie == "dossier.herzien", AuditEntry.object_id == eigen
            )
        ).all()


def test_the_beat_schedule_runs_the_reminders(mail_world: Container) -> None:
    from ingest.publiek_tasks import TASK_RAPPEL  # noqa: PLC0415
    from ingest.worker import create_celery  # noqa: PLC0415

    app = create_celery(mail_world.settings)
    entry = app.conf.beat_schedule["publiek-rappel"]
    assert entry["task"] == TASK_RAPPEL
    assert entry["schedule"] == crontab(minute="7", hour="8", day_of_week="1-5")
    assert entry["options"]["priority"] == SCHEDULED_PRIORITY
    assert TASK_RAPPEL in app.tasks
