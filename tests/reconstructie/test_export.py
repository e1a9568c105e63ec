# SPDX-License-Identifier: EUPL-1.2
"""Every use is in the audit trail first; the export is one self-contained, escaped file."""

from __future__ import annotations

import re
from datetime import datetime

from fastapi.testclient import TestClient

from archief.audit.chain import verify
from archief.composition import Container
from archief.reconstructie.service import digest_of_export
from tests.access.conftest import headers
from tests.oidc import LocalIssuer
from tests.reconstructie.conftest import HOSTILE, OLGA, Geschiedenis, uses


def test_every_use_is_audited_and_the_report_can_be_checked(
    world: Container, client: TestClient, issuer: LocalIssuer, geschiedenis: Geschiedenis
) -> None:
    g = geschiedenis
    olga = headers(issuer, OLGA)
    as_of = g.t2.isoformat()
    before = len(uses(world, g.dossier_id))

    api = client.get(f"/dossiers/{g.dossier_id}", params={"as_of": as_of}, headers=olga)
    assert api.status_code == 200
    exported = client.get(
        f"/dossiers/{g.dossier_id}/reconstructie",
        params={"as_of": as_of, "format": "json"},
        headers=olga,
    )
    assert exported.status_code == 200
    assert exported.headers["content-disposition"].startswith("attachment;")
    page = client.get(
        f"/dossiers/{g.dossier_id}/reconstructie", params={"as_of": as_of}, headers=olga
    )
    assert page.status_code == 200

    entries = uses(world, g.dossier_id)[before:]
    assert [(e.details or {}).get("format") for e in entries] == ["json", "json", "html"]
    assert [(e.details or {}).get("via") for e in entries] == ["api", "export", "export"]
    for entry in entries:
        assert entry.actor == "oidc:olga"
        assert entry.details is not None
        assert entry.details["machtiging"] == g.machtiging
        assert datetime.fromisoformat(str(entry.details["as_of"])) == g.t2

    # What was handed out is what the trail says was handed out.
    for resp, entry in ((api, entries[0]), (exported, entries[1])):
        body = resp.json()
        assert entry.details is not None
        assert digest_of_export(body["data"]) == body["verantwoording"]["data_sha256"]
        assert entry.details["sha256"] == body["verantwoording"]["data_sha256"]
        assert body["verantwoording"]["gebruik_seq"] == entry.seq
        assert body["verantwoording"]["keten"]["ok"] is True
        assert body["verantwoording"]["keten"]["seq"] < entry.seq
    # Same moment, same data: the hash does not depend on when it was asked.
    assert entries[0].details is not None and entries[1].details is not None
    assert entries[0].details["sha256"] == entries[1].details["sha256"]
    with world.sessions() as session:
        report = verify(session)
        assert report.ok, report.problems


def test_the_html_export_is_self_contained_and_escaped(
    client: TestClient, issuer: LocalIssuer, geschiedenis: Geschiedenis
) -> None:
    g = geschiedenis
    resp = client.get(
        f"/dossiers/{g.dossier_id}/reconstructie",
        params={"as_of": g.t3.isoformat(), "format": "html"},
        headers=headers(issuer, OLGA),
    )
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/html")
    disposition = resp.headers["content-disposition"]
    name = re.fullmatch(r'attachment; filename="([A-Za-z0-9._-]+)"', disposition)
    assert name is not None, disposition
    assert name.group(1).startswith("reconstructie-T-REC-")
    assert name.group(1).endswith(".html")

    html = resp.text
    lowered = html.lower()
    assert "<script" not in lowered
    assert re.search(r"\b(src|href|action|srcset)\s*=", lowered) is None
    assert "http://" not in lowered
    assert "https://" not in lowered
    assert "url(" not in lowered
    assert "@import" not in lowered
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>Heidepark</b>" not in html
    assert "Speeltuin &lt;b&gt;Heidepark&lt;/b&gt;" in html
    # In Dutch, with the sections the ombudsman needs.
    for heading in (
        f"Reconstructie dossier {g.kenmerk} per",
        "Documenten met versie en laag",
        "Wie kon wat zien",
        "Beleidsversie",
        "Besluitstappen",
        "Auditgebeurtenissen",
        "Verantwoording",
    ):
        assert heading in html, heading
    assert g.machtiging in html
    # The late record (made before T3) is listed; the JSON data and the page agree on the hash.
    assert "Nagekomen brief" in html
    data = client.get(
        f"/dossiers/{g.dossier_id}",
        params={"as_of": g.t3.isoformat()},
        headers=headers(issuer, OLGA),
    ).json()
    assert digest_of_export(data["data"]) in html


def test_an_unknown_format_is_refused(
    client: TestClient, issuer: LocalIssuer, geschiedenis: Geschiedenis
) -> None:
    resp = client.get(
        f"/dossiers/{geschiedenis.dossier_id}/reconstructie",
        params={"as_of": geschiedenis.t1.isoformat(), "format": "pdf"},
        headers=headers(issuer, OLGA),
    )
    assert resp.status_code == 422
    assert resp.headers["content-type"].startswith("application/problem+json")
