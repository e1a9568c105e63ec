# SPDX-License-Identifier: EUPL-1.2
"""The leak oracle on the public face: every /publiek path against casbin, for every caller.

A sibling of tests/access/test_oracle.py, reusing its generated
organisations and tally. Hypothesis builds dossiers in generated wijken
with records in every layer; some are published through the one-action
dossier endpoint and some of those withdrawn again. A record is public
when casbin lets the anonymous public read its final place (and it sits in
the public layer): the public face shows exactly those, to the anonymous
public and to every logged-in subject alike (their own rights never widen
a public page). Paths compared, per (subject, record): public search hit,
total and highlight, the dossier page (and whether it exists), the wijk
page, the wijk and dossier feeds, the widget, the sitemap, the download
and the Woo metadata. Every body is scanned for the canary word, the title
word and the id of each non-public record, and for the titles of dossiers
without public records. Figures go to var/test-artifacts/publiek-oracle.json.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archief.audit.chain import SYSTEEM
from archief.composition import Container
from archief.toegang import organisatie
from policies.engine import OPENBAAR, ROLLEN, Policy
from policies.subject import ANONIEM, Subject, Target
from tests.access.conftest import headers, refresh, with_dienst
from tests.access.test_oracle import Tally, _check, _organisation
from tests.oidc import LocalIssuer
from tests.publiek.conftest import client, dossier, issuer, record, world
from tests.publiek.test_feeds import atom_ids, rss_ids, sitemap_records

__all__ = ["client", "issuer", "world"]  # the package's fixtures, used by name

PATHS = (
    "search_hit",
    "search_total",
    "highlight",
    "dossier_page",
    "dossier_exists",
    "dossier_feed",
    "wijk_page",
    "wijk_feed",
    "widget",
    "sitemap",
    "download",
    "metadata",
)
MIN_TUPLES = 2_000
REPORT = Path("var/test-artifacts/publiek-oracle.json")
# Who may move a record out of each layer into the public one (beleid.csv).
PUBLISHER = {"afdeling": "medewerker", "organisatie": "medewerker", "raad": "leidinggevende"}


@dataclass(frozen=True)
class Rec:
    id: str
    dossier: int
    token: str
    target: Target

    @property
    def secrets(self) -> tuple[str, ...]:
        return (f"kanarie{self.token}", f"titel{self.token}", self.id)


@dataclass(frozen=True)
class Dos:
    id: str
    kenmerk: str
    titel: str
    wijken: tuple[str, ...]


def _scan(body: str, who: str, hidden: list[str], tally: Tally, where: str) -> None:
    for secret in hidden:
        if secret in body:
            tally.leaks.append(f"{where}: {who} saw {secret}")


def place(
    world: Container,
    client: TestClient,
    issuer: LocalIssuer,
    tag: str,
    data: st.DataObject,
    policy: Policy,
) -> tuple[list[Dos], list[Rec], list[str]]:
    """Dossiers in two generated wijken, records in every layer, some published and withdrawn."""
    shape = data.draw(st.lists(st.integers(1, 3), min_size=2, max_size=3), label="org")
    text, afdelingen = _organisation(tag, shape)
    with world.sessions.begin() as session:
        organisatie.load(session, text, by=SYSTEEM, now=world.clock.now())
    codes = sorted(afdelingen)
    wijken = [f"{tag}w0", f"{tag}w1"]
    # The first dossier lies in a wijk, so every world has wijk pages, feeds
    # and a widget to check; Hypothesis would otherwise often start with none.
    first = data.draw(
        st.tuples(st.sampled_from(codes), st.sets(st.sampled_from(wijken), min_size=1)),
        label="first dossier",
    )
    more = data.draw(
        st.lists(
            st.tuples(st.sampled_from(codes), st.sets(st.sampled_from(wijken), max_size=2)),
            min_size=1,
            max_size=2,
        ),
        label="dossiers",
    )
    plan = [first, *more]
    dossiers = []
    for i, (afdeling, in_wijken) in enumerate(plan):
        titel = f"dossiertitel{tag}d{i}"
        did, k = dossier(world, wijken=tuple(sorted(in_wijken)), titel=titel, afdeling=afdeling)
        dossiers.append(Dos(did, k, titel, tuple(sorted(in_wijken))))
    placed = data.draw(
        st.lists(
            st.tuples(
                st.integers(0, len(dossiers) - 1),
                st.sampled_from(policy.laag_codes),
                st.sampled_from(["blijft", "publiceren", "publiceren_en_intrekken"]),
            ),
            min_size=10,
            max_size=14,
        ),
        label="records",
    )
    records, final = [], {}
    to_publish: dict[tuple[int, str], list[str]] = {}
    to_withdraw: list[tuple[str, Subject]] = []
    for n, (d, laag, actie) in enumerate(placed):
        token = f"{tag}r{n:03d}"
        afdeling = plan[d][0]
        rid = record(
            world,
            dossiers[d].id,
            laag,
            f"Verslag over de kanarie{token} in de wijk.\n",
            titel=f"titel{token}",
        )
        final[rid] = laag
        role = PUBLISHER.get(laag)
        if role is not None and actie != "blijft":
            publisher = with_dienst(world, Subject(f"{tag}-{role}-{afdeling}", (role,), afdeling))
            to_publish.setdefault((d, role), []).append(rid)
            final[rid] = OPENBAAR
            if actie == "publiceren_en_intrekken":
                to_withdraw.append((rid, publisher))
                final[rid] = laag
        records.append(Rec(rid, d, token, Target(laag, afdeling, afdelingen[afdeling])))
    for (d, role), ids in to_publish.items():
        afdeling = plan[d][0]
        who = Subject(f"{tag}-{role}-{afdeling}", (role,), afdeling)
        resp = client.post(
            f"/dossiers/{dossiers[d].id}/publicatie",
            json={"records": ids},
            headers=headers(issuer, who),
        )
        assert resp.status_code == 200, resp.text
    for rid, who in to_withdraw:
        resp = client.delete(f"/records/{rid}/publicatie", headers=headers(issuer, who))
        assert resp.status_code == 200, resp.text
    records = [
        Rec(r.id, r.dossier, r.token, Target(final[r.id], r.target.afdeling, r.target.dienst))
        for r in records
    ]
    refresh(world)
    return dossiers, records, codes


# One request as a caller makes it: (status, the body to parse, everything to scan).
# Over HTTP the last two are the same text; in Chromium (test_e2e_chromium.py)
# the scan also covers the DOM the browser built and the text it showed.
Fetch = Callable[[str, dict[str, str | int]], tuple[int, str, str]]


def http_fetch(client: TestClient, auth: dict[str, str]) -> Fetch:
    def fetch(path: str, params: dict[str, str | int]) -> tuple[int, str, str]:
        resp = client.get(path, params=params, headers=auth)
        return resp.status_code, resp.text, resp.text

    return fetch


def one_subject(
    fetch: Fetch,
    who: str,
    dossiers: list[Dos],
    records: list[Rec],
    public: set[str],
    tally: Tally,
) -> None:
    """Every public path for one caller, each (record, path) checked against `public`."""
    hidden = [s for r in records if r.id not in public for s in r.secrets]
    public_dossiers = {r.dossier for r in records if r.id in public}
    hidden += [d.titel for i, d in enumerate(dossiers) if i not in public_dossiers]

    def get(path: str, where: str, **params: str | int) -> tuple[int, str]:
        status, body, everything = fetch(path, params)
        # The search page repeats the query (the canary searched for); that
        # echo is the caller's own words. A hit would also show the title
        # word, the id and a <mark>ed highlight, which are scanned and checked.
        echo = str(params.get("q", ""))
        _scan(everything.replace(echo, "") if echo else everything, who, hidden, tally, where)
        return status, body

    get("/publiek", "home")
    _, alles = get("/publiek/feeds/alles.atom", "alles")
    atom_ids(alles.encode())
    _, sitemap = get("/publiek/sitemap.xml", "sitemap")
    in_sitemap = set(sitemap_records(sitemap.encode()))

    for i, d in enumerate(dossiers):
        status, page = get(f"/publiek/dossiers/{d.kenmerk}", "dossier")
        _check(tally, "dossier_exists", status == 200, i in public_dossiers, f"{who} {d.kenmerk}")
        fstatus, feed = get(f"/publiek/dossiers/{d.kenmerk}/feed.rss", "dossier_feed")
        in_feed = set(rss_ids(feed.encode())) if fstatus == 200 else set()
        for r in (r for r in records if r.dossier == i):
            what = f"{who} on {r.target}"
            _check(tally, "dossier_page", status == 200 and r.id in page, r.id in public, what)
            _check(tally, "dossier_feed", r.id in in_feed, r.id in public, what)

    for wijk in sorted({w for d in dossiers for w in d.wijken}):
        status, page = get(f"/publiek/wijken/{wijk}", "wijk")
        fstatus, feed = get(f"/publiek/wijken/{wijk}/feed.atom", "wijk_feed")
        in_feed = set(atom_ids(feed.encode())) if fstatus == 200 else set()
        _, widget = get(f"/publiek/wijken/{wijk}/widget", "widget", aantal=20)
        for r in records:
            if wijk not in dossiers[r.dossier].wijken:
                continue
            what, want = f"{who} on {r.target} in {wijk}", r.id in public
            _check(tally, "wijk_page", status == 200 and r.id in page, want, what)
            _check(tally, "wijk_feed", r.id in in_feed, want, what)
            _check(tally, "widget", r.id in widget, want, what)

    for r in records:
        want, what = r.id in public, f"{who} on {r.target}"
        _check(tally, "sitemap", r.id in in_sitemap, want, what)
        _, found = get("/publiek", "search", q=f"kanarie{r.token}")
        _check(tally, "search_hit", f"#record-{r.id}" in found, want, what)
        total = "1 document gevonden" in found
        _check(tally, "search_total", total, want, what)
        _check(tally, "highlight", f"<mark>kanarie{r.token}</mark>" in found, want, what)
        status, body = get(f"/publiek/records/{r.id}/download", "download")
        _check(tally, "download", status == 200 and f"kanarie{r.token}" in body, want, what)
        status, _ = get(f"/publiek/records/{r.id}/metadata.xml", "metadata")
        _check(tally, "metadata", status == 200, want, what)


def run_oracle(
    world: Container,
    client: TestClient,
    issuer: LocalIssuer,
    fetch_as: Callable[[Subject], Fetch],
    *,
    examples: int,
    subjects: tuple[int, int],
) -> Tally:
    """Generate `examples` worlds and check every public path for the public and some callers."""
    tally = Tally(Counter(), [], [])
    with world.sessions() as session:
        policy = world.policies.current(session)

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def run(data: st.DataObject) -> None:
        tag = f"po{uuid.uuid4().hex[:6]}"
        dossiers, records, codes = place(world, client, issuer, tag, data, policy)
        public = {
            r.id
            for r in records
            if r.target.laag == OPENBAAR and policy.enforce(ANONIEM, r.target, "read")
        }
        people = data.draw(
            st.lists(
                st.tuples(
                    st.lists(st.sampled_from(ROLLEN), min_size=1, max_size=3, unique=True),
                    st.none() | st.sampled_from(codes),
                ),
                min_size=subjects[0],
                max_size=subjects[1],
            ),
            label="subjects",
        )
        callers = [ANONIEM] + [
            with_dienst(world, Subject(f"{tag}-s{i}", tuple(rollen), afdeling))
            for i, (rollen, afdeling) in enumerate(people)
        ]
        for subject in callers:
            who = f"{subject.rollen}@{subject.afdeling}"
            one_subject(fetch_as(subject), who, dossiers, records, public, tally)
        tally.examples += 1

    run()
    return tally


def report(tally: Tally, path: Path, name: str, capsys: pytest.CaptureFixture[str]) -> int:
    """Write the figures to `path`, print the one-line summary; return the tuple count."""
    total = sum(tally.tuples.values())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "examples": tally.examples,
                "tuples": total,
                "per_path": dict(tally.tuples),
                "mismatches": tally.mismatches[:50],
                "leaks": tally.leaks[:50],
                "leak_count": len(tally.leaks),
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    with capsys.disabled():
        print(  # noqa: T201  # the tuple and leak counts are the report
            f"\n{name}: {total} (subject, record, path) tuples over "
            f"{tally.examples} worlds, {len(tally.mismatches)} disagreements, "
            f"{len(tally.leaks)} leaks"
        )
    return total


def test_every_public_path_agrees_with_enforce_for_the_public(
    world: Container,
    client: TestClient,
    issuer: LocalIssuer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    tally = run_oracle(
        world,
        client,
        issuer,
        lambda subject: http_fetch(client, headers(issuer, subject)),
        examples=5,
        subjects=(3, 5),
    )
    total = report(tally, REPORT, "public leak oracle", capsys)
    assert not tally.leaks, tally.leaks[:10]
    assert not tally.mismatches, tally.mismatches[:10]
    assert total >= MIN_TUPLES
    assert set(tally.tuples) == set(PATHS)
