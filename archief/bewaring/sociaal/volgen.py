# SPDX-License-Identifier: EUPL-1.2
"""Follow Mastodon accounts: poll each outbox once and file what is new.

Used by `archief sociaal volg` (one account, by hand) and by the scheduled
task (every account in `bewaring.sociaal.accounts`, ingest/sociaal_tasks.py).
A poll stops at the first page whose posts are all filed already (see
`connector.haal_outbox`), so a regular poll costs one or two requests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import structlog

from archief.audit.chain import SYSTEEM, Actor
from archief.bewaring.sociaal import repository
from archief.bewaring.sociaal.archiveren import Archivering, Doel, Poorten, Uitkomst, Verslag
from archief.bewaring.sociaal.connector import haal_outbox
from archief.errors import ArchiefError
from archief.settings import SociaalSettings

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Volgverslag:
    """One poll: what was filed, how many pages were fetched, why it stopped."""

    outbox: str
    verslag: Verslag
    paginas: int
    gestopt: str

    def samenvatting(self) -> dict[str, Any]:
        """Return the poll as plain data (the scheduled task's result)."""
        return {
            "outbox": self.outbox,
            "paginas": self.paginas,
            "gestopt": self.gestopt,
            **self.verslag.samenvatting(),
        }


def volg(
    poorten: Poorten,
    outbox: str,
    doel: Doel,
    *,
    actor: Actor = SYSTEEM,
    warc: bool = False,
    max_paginas: int = 20,
    timeout: float = 10.0,
    client: httpx.Client | None = None,
    voortgang: Callable[[Uitkomst], None] | None = None,
) -> Volgverslag:
    """Poll one outbox and file its new posts in the target dossier."""
    archivering = Archivering(poorten, doel, bron=outbox, actor=actor)

    def known(platform_id: str) -> bool:
        with poorten.sessions() as session:
            return repository.bekend(session, "mastodon", platform_id) is not None

    oogst = haal_outbox(
        outbox,
        known=known,
        max_paginas=max_paginas,
        timeout=timeout,
        client=client,
        clock=poorten.clock,
    )
    # Oldest first, so a reply is filed after the post it answers and joins its thread.
    verslag = archivering.archiveer(
        reversed(oogst.berichten), warc=warc, paginas=oogst.paginas, voortgang=voortgang
    )
    return Volgverslag(outbox, verslag, len(oogst.paginas), oogst.gestopt)


def volg_accounts(
    poorten: Poorten,
    settings: SociaalSettings,
    *,
    actor: Actor = SYSTEEM,
    client: httpx.Client | None = None,
) -> list[dict[str, Any]]:
    """Poll every followed account once; one account failing does not stop the others."""
    uitkomsten: list[dict[str, Any]] = []
    for account in settings.accounts:
        doel = Doel(dossier=account.dossier, laag=account.laag, categorie=account.categorie)
        try:
            gevolgd = volg(
                poorten,
                account.outbox,
                doel,
                actor=actor,
                warc=account.warc,
                max_paginas=settings.max_paginas,
                timeout=settings.timeout_seconden,
                client=client,
            )
        except ArchiefError as exc:
            log.warning("sociaal.volgen.mislukt", outbox=account.outbox, code=exc.code)
            uitkomsten.append({"outbox": account.outbox, "fout": exc.code, "detail": exc.detail})
            continue
        if not gevolgd.verslag.in_orde:
            log.warning(
                "sociaal.volgen.onvolledig",
                outbox=account.outbox,
                mislukt=len(gevolgd.verslag.mislukt),
            )
        uitkomsten.append(gevolgd.samenvatting())
    return uitkomsten
