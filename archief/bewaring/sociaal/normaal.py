# SPDX-License-Identifier: EUPL-1.2
"""The normalised form of a captured post: what search indexes instead of the raw payload.

Contract:

- Capture MUST write the normalised form beside the original, as
  `derived/<sha256>/sociaal.json`, before the original goes to intake, so
  a worker that picks the content up at once finds it.
- The worker MUST index the text `als_tekst` renders from it (one page), and
  MUST NOT index the raw payload: JSON keys and markup would make every post
  match a query on them, and the text in it is escaped, entity-encoded or
  in another encoding.
- The form MUST name the raw payload's SHA-256; the worker refuses a form
  that names other bytes (`NormaalvormOntbreekt`).

Why capture writes it and the worker does not parse the payload again: the
payload alone does not carry everything. tweets.js does not name its
account; a feed item's namespace and encoding declarations sit on the
feed's root, outside the item's span. The parser that had the whole export
is the one that can read it. The form lives under `derived/`, so it goes
wherever the content's derivatives go (destruction purges it with them).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from archief.bewaring.sociaal.model import Bericht
from archief.clock import AMSTERDAM
from archief.errors import ArchiefError, NotFound
from archief.intake.detect import SOCIAAL_JSON, SOCIAAL_XML, WARC, essence
from archief.ports import ObjectStore
from archief.storage.common import derived_key

FORMAAT = "archief.sociaal.normaal/1"
NAAM = "sociaal.json"
# Media types whose text is this form, never the bytes themselves.
VASTGELEGD = frozenset({SOCIAAL_JSON, SOCIAAL_XML, WARC})
# A normalised form is a post's text and a few fields; anything this large is not one.
MAX_BYTES = 4 * 1024 * 1024

PLATFORMNAAM = {
    "twitter": "X (Twitter)",
    "mastodon": "Mastodon",
    "facebook": "Facebook",
    "feed": "feed",
}


class NormaalvormOntbreekt(ArchiefError):
    """A captured post's normalised form is missing or belongs to other bytes."""

    code = "normaalvorm_ontbreekt"
    status = 422
    title = "Genormaliseerde vorm ontbreekt"


@dataclass(frozen=True, slots=True)
class MediaVerwijzing:
    """One attachment as filed: where it lives, what it shows, its record if the export held it."""

    url: str
    media_type: str | None
    naam: str | None
    beschrijving: str | None
    record_id: str | None = None
    # Why there is no record: "alleen_url" (the export holds no file) or a problem code.
    opmerking: str | None = None

    def als_dict(self) -> dict[str, str | None]:
        """Return the attachment as stored in the form and the catalog."""
        return {
            "url": self.url,
            "media_type": self.media_type,
            "naam": self.naam,
            "beschrijving": self.beschrijving,
            "record_id": self.record_id,
            "opmerking": self.opmerking,
        }


def is_vastgelegd(media_type: str) -> bool:
    """Tell whether content of this type is indexed through its normalised form."""
    return essence(media_type) in VASTGELEGD


def sleutel(sha256: str) -> str:
    """Return where the normalised form of the content with this SHA-256 lives."""
    return derived_key(sha256, NAAM)


def weergavenaam(platform: str, account: str) -> str:
    """Return how people write an account: @naam, @naam@host, or the page or feed name."""
    if platform == "twitter":
        return f"@{account}"
    if platform == "mastodon":
        parts = urlsplit(account)
        path = parts.path.rstrip("/")
        if parts.hostname and "/users/" in path:
            return f"@{path.rsplit('/users/', 1)[1]}@{parts.hostname}"
        if parts.hostname and path.rsplit("/", 1)[-1].startswith("@"):
            return f"{path.rsplit('/', 1)[-1]}@{parts.hostname}"
    return account


def lokale_tijd(moment: datetime) -> str:
    """Return a moment as people in the municipality read it (Amsterdam time)."""
    return moment.astimezone(AMSTERDAM).strftime("%Y-%m-%d %H:%M")


def titel(bericht: Bericht, *, woorden: int = 10, tekens: int = 80) -> str:
    """Return a record title: "@account op 2026-03-01: the first words…"."""
    wie = weergavenaam(bericht.platform, bericht.account)
    if bericht.platform in ("feed", "facebook") and bericht.auteur:
        wie = bericht.auteur
    dag = bericht.geplaatst_op.astimezone(AMSTERDAM).date().isoformat()
    tekst = bericht.titel or bericht.tekst
    if not tekst and bericht.gedeeld_van:
        tekst = f"deelt {bericht.gedeeld_van}"
    gesplitst = tekst.split()
    begin = " ".join(gesplitst[:woorden])
    ingekort = len(gesplitst) > woorden
    if len(begin) > tekens:
        begin, ingekort = begin[:tekens].rstrip(), True
    return f"{wie} op {dag}: {begin}{'…' if ingekort else ''}".rstrip(": ")


def van_bericht(
    bericht: Bericht, media: Sequence[MediaVerwijzing], *, gesprek: str | None
) -> dict[str, Any]:
    """Return the normalised form of a post, its attachments as filed."""
    return {
        "formaat": FORMAAT,
        "soort": "bericht",
        "sha256": bericht.sha256,
        "platform": bericht.platform,
        "platform_id": bericht.platform_id,
        "account": bericht.account,
        "auteur": bericht.auteur,
        "geplaatst_op": bericht.geplaatst_op.isoformat(),
        "url": bericht.doel_uri,
        "titel": bericht.titel,
        "tekst": bericht.tekst,
        "bericht_soort": bericht.soort,
        "in_antwoord_op": bericht.in_antwoord_op,
        "gesprek": gesprek,
        "gedeeld_van": bericht.gedeeld_van,
        "media": [m.als_dict() for m in media],
    }


def van_warc(
    sha256: str,
    *,
    bestandsnaam: str,
    bron: str,
    records: Iterable[Mapping[str, str | None]],
) -> dict[str, Any]:
    """Return the form of a capture run's WARC file: what it holds, never the payloads."""
    return {
        "formaat": FORMAAT,
        "soort": "warc",
        "sha256": sha256,
        "bestandsnaam": bestandsnaam,
        "bron": bron,
        "records": [dict(r) for r in records],
    }


def als_tekst(vorm: Mapping[str, Any]) -> str:
    """Render a normalised form as the text search indexes."""
    if vorm.get("soort") == "warc":
        return _warc_tekst(vorm)
    platform = str(vorm.get("platform") or "")
    account = str(vorm.get("account") or "")
    auteur = str(vorm.get("auteur") or account)
    wie = weergavenaam(platform, auteur) if auteur == account else auteur
    moment = _moment(vorm.get("geplaatst_op"))
    regels = [
        f"{wie} op {PLATFORMNAAM.get(platform, platform)}, {moment}".strip(", "),
    ]
    if auteur != account:
        regels.append(f"Account: {weergavenaam(platform, account)}")
    if vorm.get("titel"):
        regels.append(str(vorm["titel"]))
    if vorm.get("tekst"):
        regels += ["", str(vorm["tekst"]), ""]
    for label, veld in (
        ("Adres", "url"),
        ("Antwoord op", "in_antwoord_op"),
        ("Gedeeld van", "gedeeld_van"),
    ):
        if vorm.get(veld):
            regels.append(f"{label}: {vorm[veld]}")
    media = [m for m in vorm.get("media") or [] if isinstance(m, dict)]
    if media:
        regels.append("Media:")
        regels += [_medium(m) for m in media]
    return "\n".join(regels).strip() + "\n"


def _moment(value: object) -> str:
    if not isinstance(value, str):
        return ""
    try:
        return lokale_tijd(datetime.fromisoformat(value))
    except ValueError:
        return value


def _medium(medium: Mapping[str, Any]) -> str:
    wat = medium.get("naam") or medium.get("url") or "?"
    details = [str(medium["media_type"])] if medium.get("media_type") else []
    if medium.get("record_id"):
        details.append(f"record {medium['record_id']}")
    else:
        details.append(f"niet opgehaald: {medium.get('url')}")
    regel = f"- {wat} ({'; '.join(details)})"
    if medium.get("beschrijving"):
        regel += f": {medium['beschrijving']}"
    return regel


def _warc_tekst(vorm: Mapping[str, Any]) -> str:
    records = [r for r in vorm.get("records") or [] if isinstance(r, dict)]
    posts = [r for r in records if r.get("type") == "resource"]
    regels = [
        f"WARC-bestand {vorm.get('bestandsnaam')}: {len(posts)} bericht(en), "
        f"{len(records) - len(posts)} opgehaalde pagina('s)",
        f"Bron: {vorm.get('bron')}",
    ]
    for r in records:
        regel = f"- {r.get('type')} {r.get('target_uri')}"
        if r.get("record_id"):
            regel += f" (record {r['record_id']})"
        regels.append(regel)
    return "\n".join(regels) + "\n"


def schrijf(store: ObjectStore, vorm: Mapping[str, Any]) -> None:
    """Store a normalised form beside the original it describes."""
    body = json.dumps(vorm, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    store.put(
        sleutel(str(vorm["sha256"])),
        io.BytesIO(body),
        content_type="application/json; charset=utf-8",
        size=len(body),
    )


def lees(store: ObjectStore, sha256: str) -> dict[str, Any]:
    """Return the normalised form of this content, checked to describe these bytes."""
    try:
        with store.open(sleutel(sha256)) as f:
            body = f.read(MAX_BYTES + 1)
    except NotFound as exc:
        raise NormaalvormOntbreekt(
            f"no normalised form for {sha256}: captured posts are filed with one"
        ) from exc
    if len(body) > MAX_BYTES:
        raise NormaalvormOntbreekt(f"the normalised form of {sha256} is over {MAX_BYTES} bytes")
    try:
        vorm = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NormaalvormOntbreekt(f"the normalised form of {sha256} is not JSON") from exc
    if not isinstance(vorm, dict) or vorm.get("formaat") != FORMAAT:
        raise NormaalvormOntbreekt(f"the normalised form of {sha256} is not {FORMAAT}")
    if vorm.get("sha256") != sha256:
        raise NormaalvormOntbreekt(f"the normalised form under {sha256} describes other bytes")
    return vorm


def tekst(store: ObjectStore, sha256: str) -> str:
    """Return the text to index for captured content: its normalised form, rendered."""
    return als_tekst(lees(store, sha256))
