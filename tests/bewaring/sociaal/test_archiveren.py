# SPDX-License-Identifier: EUPL-1.2
"""Filing captured posts as records, on the real stack (PostgreSQL, MinIO, Elasticsearch).

The pipeline runs in-process (the `eager` container), so a filed post has
been read and indexed when `archiveer` returns, exactly as a worker would.
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from archief.bewaring.selectielijst import Brondata, default
from archief.bewaring.sociaal import bronnen, lees_outbox, lees_tweets, normaal
from archief.bewaring.sociaal.archiveren import Archivering, Doel, OnbekendDossier, Verslag
from archief.bewaring.sociaal.warc import lees_warc
from archief.catalog.models import AuditEntry, Content, Dossier, Record, SociaalBericht
from archief.clock import AMSTERDAM
from archief.composition import Container
from archief.intake.detect import SOCIAAL_JSON, SOCIAAL_XML, WARC
from archief.intake.service import UnknownLayer, ensure_dossier
from archief.ports import SearchQuery
from archief.storage.common import original_key
from ingest import process
from search.index import ElasticsearchIndex
from tests.bewaring.sociaal import exporten

EVERYTHING: dict[str, Any] = {"match_all": {}}


def _dossier(c: Container, *, afgehandeld: date | None = None) -> tuple[str, str]:
    kenmerk = f"T-SOC-{uuid.uuid4().hex[:8]}"
    dossier = ensure_dossier(
        c.sessions, c.clock, kenmerk=kenmerk, titel=kenmerk, afdeling="communicatie"
    )
    if afgehandeld is not None:
        with c.sessions.begin() as session:
            row = session.get(Dossier, dossier.id)
            assert row is not None
            row.status, row.afgehandeld_op = "afgesloten", afgehandeld
    return kenmerk, dossier.id


def _importeer(
    c: Container, platform: str, pad: Path, kenmerk: str, *, warc: bool = False, **kw: Any
) -> Verslag:
    export = bronnen.open_export(platform, pad, account=kw.pop("account", None))
    archivering = Archivering(c, Doel(kenmerk, **kw), bron=f"{platform}:{pad.name}")
    assert export.voorbereid() >= 0
    return archivering.archiveer(
        export.berichten(archivering.overslaan), media=export.media, warc=warc
    )


def _search(c: Container, text: str, dossier_id: str | None = None) -> list[str]:
    assert isinstance(c.index, ElasticsearchIndex)
    c.index.client.indices.refresh(index=c.index.alias)
    query = SearchQuery(
        permission=EVERYTHING, text=text, dossiers=[dossier_id] if dossier_id else [], size=50
    )
    return [h.record_id for h in c.index.search(query).hits]


def _rows(c: Container, dossier_id: str) -> dict[str, SociaalBericht]:
    with c.sessions() as session:
        rows = session.scalars(
            select(SociaalBericht).where(SociaalBericht.dossier_id == dossier_id)
        )
        return {r.platform_id: r for r in rows}


def _record(c: Container, record_id: str) -> Record:
    with c.sessions() as session:
        record = session.get(Record, record_id)
        assert record is not None
        session.expunge(record)
        return record


def _original(c: Container, sha: str) -> bytes:
    with c.store.open(original_key(sha)) as f:
        return f.read()


def _page_text(c: Container, sha: str) -> str:
    return "\n".join(p.text for p in process.page_texts(c, sha))


def _records_in(c: Container, dossier_id: str) -> int:
    with c.sessions() as session:
        return (
            session.scalar(
                select(func.count()).select_from(Record).where(Record.dossier_id == dossier_id)
            )
            or 0
        )


def test_tweets_become_records_byte_exact_categorised_threaded_and_searchable(
    eager: Container, tmp_path: Path
) -> None:
    t = exporten.tag()
    archief = exporten.twitter_archief(tmp_path / "archief", t)
    afgehandeld = date(2024, 6, 30)
    kenmerk, dossier_id = _dossier(eager, afgehandeld=afgehandeld)

    verslag = _importeer(eager, "twitter", archief.root, kenmerk)

    assert verslag.in_orde, verslag.mislukt
    assert (len(verslag.opgeslagen), verslag.dubbel) == (4, 0)
    assert (verslag.media_opgeslagen, verslag.media_alleen_url) == (1, 1)
    export = (archief.root / "data" / "tweets.js").read_bytes()
    berichten = {
        b.platform_id: b
        for b in lees_tweets(export, bron="data/tweets.js", account=archief.account)
    }
    rows = _rows(eager, dossier_id)
    assert set(rows) == set(archief.ids)

    lijst = default()
    want = lijst.archiefactiedatum("20.1", Brondata(afgehandeld_op=afgehandeld))
    for platform_id, row in rows.items():
        bericht = berichten[platform_id]
        record = _record(eager, row.record_id)
        # The original is the raw payload, byte for byte, read back from MinIO.
        stored = _original(eager, record.sha256)
        assert stored == bericht.ruw and stored in export
        assert hashlib.sha256(stored).hexdigest() == record.sha256 == bericht.sha256 == row.sha256
        assert record.media_type == f"{SOCIAAL_JSON}; platform=twitter"
        assert (record.laag, record.dossier_id) == ("openbaar", dossier_id)
        # The category is set and what follows from it derived.
        assert record.categorie == "20.1"
        assert record.archiefnominatie == want.nominatie.value
        assert record.archiefactiedatum == want.archiefactiedatum is not None
        day = bericht.geplaatst_op.astimezone(AMSTERDAM).date().isoformat()
        assert record.titel.startswith(f"@{archief.account} op {day}: ")
        assert (row.account, row.url, row.antwoord_op) == (
            archief.account,
            bericht.url,
            bericht.in_antwoord_op,
        )
        with eager.sessions() as session:
            content = session.get(Content, record.sha256)
            assert content is not None and content.status == "indexed"

    # The thread: both replies belong to the root post's conversation.
    root, reply, reply2, _video = archief.ids
    assert rows[reply].antwoord_op == root and rows[reply2].antwoord_op == reply
    assert rows[reply].gesprek == rows[reply2].gesprek == root
    assert rows[reply].soort == "antwoord"

    # The photo the archive holds is a record of its own, named from the post.
    photo = rows[root].media
    assert photo is not None and len(photo) == 1
    photo_id = photo[0]["record_id"]
    assert photo_id is not None
    photo_record = _record(eager, photo_id)
    assert photo_record.media_type == "image/png"
    assert photo_record.dossier_id == dossier_id
    assert photo_record.categorie == "20.1"
    assert _original(eager, photo_record.sha256) == archief.foto.read_bytes()
    # The video is only a URL: listed, not fetched.
    video = rows[_video].media
    assert video is not None and video[0]["record_id"] is None
    assert video[0]["url"] and str(video[0]["url"]).endswith(f"Opening{t}.mp4")

    # Search holds the normalised text, not the JSON.
    text = _page_text(eager, rows[root].sha256 or "")
    for expected in (
        f"@{archief.account}",
        archief.woord,
        f"https://twitter.com/{archief.account}/status/{root}",
        f"Kaart met de omleiding{t}",
        f"record {photo_id}",
        "2024-03-04 09:15",  # 08:15 UTC, read in Amsterdam
    ):
        assert expected in text, expected
    assert archief.sleutel not in text and "full_text" not in text and "{" not in text
    assert "Antwoord op: " + root in _page_text(eager, rows[reply].sha256 or "")
    # The post first; its photo's title names the post, so it is found too.
    assert _search(eager, archief.woord) == [rows[root].record_id, photo_id]
    assert _search(eager, f"omleiding{t}") == [rows[root].record_id]
    assert _search(eager, archief.sleutel) == []
    assert _search(eager, "in_reply_to_status_id_str", dossier_id) == []
    assert _search(eager, "extended_entities", dossier_id) == []

    with eager.sessions() as session:
        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.dossier_id == dossier_id, AuditEntry.actie == "sociaal.vastgelegd"
            )
        ).one()
        assert entry.details is not None and entry.details["opgeslagen"] == 4


def test_a_second_import_stores_nothing_new_and_names_changed_posts(
    eager: Container, tmp_path: Path
) -> None:
    t = exporten.tag()
    archief = exporten.twitter_archief(tmp_path / "archief", t)
    kenmerk, dossier_id = _dossier(eager)
    first = _importeer(eager, "twitter", archief.root, kenmerk)
    assert len(first.opgeslagen) == 4
    records = _records_in(eager, dossier_id)

    again = _importeer(eager, "twitter", archief.root, kenmerk)
    assert (len(again.opgeslagen), again.dubbel, again.gewijzigd) == (0, 4, [])
    assert again.in_orde
    assert _records_in(eager, dossier_id) == records

    # A newer export where one post was edited, and the same post twice.
    tweets_js = archief.root / "data" / "tweets.js"
    edited = tweets_js.read_text(encoding="utf-8").replace(
        "De haltes blijven bereikbaar.", "De haltes blijven goed bereikbaar."
    )
    tweets_js.write_text(edited, encoding="utf-8")
    other_kenmerk, other_id = _dossier(eager)
    third = _importeer(eager, "twitter", archief.root, other_kenmerk)
    assert (len(third.opgeslagen), third.dubbel) == (0, 4)
    assert third.gewijzigd == [f"twitter:{archief.ids[2]}"]
    assert _records_in(eager, other_id) == 0


def test_a_latin1_feed_item_is_filed_as_is_and_found_with_its_accents(
    eager: Container, tmp_path: Path
) -> None:
    t = exporten.tag()
    data = exporten.rss_latin1(tmp_path / "nieuws.xml", t)
    kenmerk, dossier_id = _dossier(eager)

    verslag = _importeer(eager, "feed", tmp_path / "nieuws.xml", kenmerk)

    assert verslag.in_orde, verslag.mislukt
    assert len(verslag.opgeslagen) == 2
    row = _rows(eager, dossier_id)[f"https://www.voorbeeldstad.nl/nieuws#nieuws-{t}-1"]
    record = _record(eager, row.record_id)
    assert record.media_type == f"{SOCIAAL_XML}; platform=feed; charset=iso-8859-1"
    stored = _original(eager, record.sha256)
    assert stored in data and b"\xe9\xe9n april" in stored and stored.startswith(b"<item>")
    text = _page_text(eager, record.sha256)
    assert "Vanaf één april mag het caféterras" in text and "privé-feesten" in text
    assert "Team Vergunningen" in text and "Cafévergunning voor het plein" in text
    assert record.titel.startswith("Team Vergunningen op 2024-03-12: Cafévergunning")
    assert _search(eager, f"caféterras{t}") == [record.id]
    assert _search(eager, "guid", dossier_id) == []


def test_a_facebook_export_files_its_photos_and_lists_what_it_lacks(
    eager: Container, tmp_path: Path
) -> None:
    t = exporten.tag()
    posts_file, posts = exporten.facebook_export(tmp_path / "fb", t)
    kenmerk, dossier_id = _dossier(eager)

    verslag = _importeer(
        eager, "facebook", tmp_path / "fb", kenmerk, account="Gemeente Voorbeeldstad"
    )

    assert verslag.in_orde and len(verslag.opgeslagen) == 2
    assert (verslag.media_opgeslagen, verslag.media_alleen_url) == (1, 1)
    rows = list(_rows(eager, dossier_id).values())
    with_photo = next(r for r in rows if r.media and r.media[0]["record_id"])
    assert with_photo.media is not None
    photo = _record(eager, str(with_photo.media[0]["record_id"]))
    assert photo.media_type == "image/png"
    assert (
        _original(eager, photo.sha256)
        == (
            tmp_path / "fb" / str(posts[0]["attachments"][0]["data"][0]["media"]["uri"])
        ).read_bytes()
    )
    text = _page_text(eager, with_photo.sha256 or "")
    assert f"Het stadskantoor{t} is vanaf één mei op zaterdag open." in text
    assert f"Entree{t}, café" in text
    assert _search(eager, f"stadskantoor{t}") == [with_photo.record_id]
    assert posts_file.exists()


def test_warc_of_the_batch_is_filed_and_linked(eager: Container, tmp_path: Path) -> None:
    t = exporten.tag()
    actor = f"https://social-{t}.voorbeeldstad.nl/users/gemeente"
    items = exporten.mastodon_items(actor, t)
    archive = tmp_path / "mastodon"
    (archive / "media_attachments" / t).mkdir(parents=True)
    (archive / "media_attachments" / t / "3.png").write_bytes(exporten.png())
    (archive / "outbox.json").write_bytes(exporten.outbox_json(items))
    kenmerk, dossier_id = _dossier(eager)

    verslag = _importeer(eager, "mastodon", archive, kenmerk, warc=True)

    assert verslag.in_orde, verslag.mislukt
    assert len(verslag.opgeslagen) == 3 and verslag.media_opgeslagen == 1
    assert verslag.warc_id is not None
    warc_record = _record(eager, verslag.warc_id)
    assert warc_record.media_type == WARC and warc_record.dossier_id == dossier_id
    assert warc_record.categorie == "20.1"
    stored = _original(eager, warc_record.sha256)
    assert hashlib.sha256(stored).hexdigest() == warc_record.sha256
    resources = {r.record_id: r for r in lees_warc(io.BytesIO(stored)) if r.type == "resource"}
    rows = _rows(eager, dossier_id)
    posts = {b.platform_id: b for b in lees_outbox(exporten.outbox_json(items), bron="x")}
    assert set(rows) == set(posts)
    for platform_id, row in rows.items():
        assert row.warc_id == verslag.warc_id
        assert row.warc_record_id in resources
        assert resources[row.warc_record_id].payload == posts[platform_id].ruw
        assert resources[row.warc_record_id].payload == _original(eager, row.sha256 or "")
    # The reply joined its parent's conversation; the parent was filed in the same run.
    reply = rows[f"{actor}/statuses/2"]
    assert reply.antwoord_op == f"{actor}/statuses/1"
    assert reply.gesprek == rows[f"{actor}/statuses/1"].gesprek
    # The WARC's own text lists what it holds, never the payloads.
    text = _page_text(eager, warc_record.sha256)
    assert all(row.record_id in text for row in rows.values())
    assert "orderedItems" not in text and "attributedTo" not in text
    assert _search(eager, "attributedTo", dossier_id) == []
    hits = _search(eager, f"begroting{t}")
    assert hits[0] == rows[f"{actor}/statuses/3"].record_id and len(hits) == 2  # and its picture


def test_broken_input_is_reported_and_the_rest_of_the_batch_is_filed(
    eager: Container, tmp_path: Path
) -> None:
    t = exporten.tag()
    archief = exporten.twitter_archief(tmp_path / "archief", t)
    tweets_js = archief.root / "data" / "tweets.js"
    elements = json.loads(tweets_js.read_text(encoding="utf-8").split("=", 1)[1])
    elements[1]["tweet"]["created_at"] = "gisteren"  # one post unreadable
    elements.insert(2, {"tweet": {"full_text": "zonder id"}})  # and one without id
    body = json.dumps(elements, indent=1)
    # And the file is cut off in the last post: the posts before it still count.
    tweets_js.write_text(f"window.YTD.tweets.part0 = {body}"[:-40], encoding="utf-8")
    kenmerk, dossier_id = _dossier(eager)

    verslag = _importeer(eager, "twitter", archief.root, kenmerk)

    assert not verslag.in_orde
    assert len(verslag.opgeslagen) == 2
    assert [u.code for u in verslag.mislukt] == ["ongeldige_export"] * 3
    bad_date, no_id, cut = (u.reden or "" for u in verslag.mislukt)
    assert "created_at" in bad_date and "id_str" in no_id and cut
    # Each names the file and the byte where reading stopped, in order.
    assert all(u.wat.startswith("data/tweets.js (byte ") for u in verslag.mislukt)
    positions = [int(u.wat.rsplit(" ", 1)[1].rstrip(")")) for u in verslag.mislukt]
    assert positions == sorted(positions)
    assert len(_rows(eager, dossier_id)) == 2


def test_a_run_refuses_unknown_dossiers_layers_and_categories(eager: Container) -> None:
    kenmerk, _ = _dossier(eager)
    with pytest.raises(OnbekendDossier):
        Archivering(eager, Doel(f"X-{uuid.uuid4().hex}"), bron="x")
    with pytest.raises(UnknownLayer):
        Archivering(eager, Doel(kenmerk, laag="kelder"), bron="x")
    with pytest.raises(Exception, match="selectielijst") as exc:
        Archivering(eager, Doel(kenmerk, categorie="99.9"), bron="x")
    assert getattr(exc.value, "code", None) == "unknown_selectielijst_categorie"


def test_the_worker_refuses_a_normalised_form_of_other_bytes(eager: Container) -> None:
    sha = hashlib.sha256(uuid.uuid4().bytes).hexdigest()
    with pytest.raises(normaal.NormaalvormOntbreekt):
        normaal.lees(eager.store, sha)
    other = hashlib.sha256(b"other").hexdigest()
    body = json.dumps({"formaat": normaal.FORMAAT, "sha256": other}).encode()
    eager.store.put(normaal.sleutel(sha), io.BytesIO(body), size=len(body))
    with pytest.raises(normaal.NormaalvormOntbreekt, match="other bytes"):
        normaal.lees(eager.store, sha)


def test_a_post_twice_in_one_export_is_filed_once(eager: Container, tmp_path: Path) -> None:
    t = exporten.tag()
    actor = f"https://social-{t}.voorbeeldstad.nl/users/gemeente"
    items = exporten.mastodon_items(actor, t)
    edited = json.loads(json.dumps(items[1]))
    edited["object"]["content"] = "<p>Aangepast.</p>"
    (tmp_path / "outbox.json").write_bytes(exporten.outbox_json([*items, items[0], edited]))
    kenmerk, dossier_id = _dossier(eager)

    verslag = _importeer(eager, "mastodon", tmp_path / "outbox.json", kenmerk)

    assert (len(verslag.opgeslagen), verslag.dubbel) == (3, 2)
    assert verslag.gewijzigd == [f"mastodon:{actor}/statuses/2"]
    assert len(_rows(eager, dossier_id)) == 3


def test_a_media_file_that_cannot_be_filed_fails_the_batch_not_the_post(
    eager: Container, tmp_path: Path
) -> None:
    t = exporten.tag()
    _posts_file, posts = exporten.facebook_export(tmp_path / "fb", t)
    uri = str(posts[0]["attachments"][0]["data"][0]["media"]["uri"])
    (tmp_path / "fb" / uri).write_bytes(b"")  # nothing to file
    kenmerk, dossier_id = _dossier(eager)

    verslag = _importeer(eager, "facebook", tmp_path / "fb", kenmerk, account="Gemeente")

    assert len(verslag.opgeslagen) == 2 and not verslag.mislukt
    assert [(u.code, u.record_id) for u in verslag.media_problemen] == [("empty_file", None)]
    assert not verslag.in_orde
    named = {str(m["naam"]): m for r in _rows(eager, dossier_id).values() for m in r.media or []}
    assert (named[uri]["opmerking"], named[uri]["record_id"]) == ("empty_file", None)
