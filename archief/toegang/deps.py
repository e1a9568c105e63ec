# SPDX-License-Identifier: EUPL-1.2
"""FastAPI dependencies: who is calling, and their `Access` for this request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from archief.auth.tokens import InvalidToken, service_subject, subject_from_claims
from archief.toegang import organisatie
from archief.toegang.access import Access
from policies.engine import ROLLEN
from policies.subject import ANONIEM, Subject


def caller(request: Request, authorization: Annotated[str | None, Header()] = None) -> Subject:
    """The subject behind the bearer token; no token at all means the public."""
    if authorization is None:
        return ANONIEM
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise InvalidToken("malformed", "send the token as `Authorization: Bearer <token>`")
    container = request.app.state.container
    settings = container.settings
    service = service_subject(token, settings.api.service_tokens, settings.auth)
    if service is not None:
        return service
    if container.tokens is None:
        raise InvalidToken(
            "not_accepted", "this server accepts no user tokens (no OIDC issuer configured)"
        )
    claims = container.tokens.verify(token)
    with container.sessions() as session:
        return subject_from_claims(
            claims,
            settings.auth,
            known_roles=ROLLEN,
            dienst_of=lambda afdeling: organisatie.dienst_of(session, afdeling),
        )


def access(request: Request, subject: Annotated[Subject, Depends(caller)]) -> Access:
    """The caller with the live policy: a policy change counts from the next request on."""
    container = request.app.state.container
    with container.sessions() as session:
        policy = container.policies.current(session)
    request.state.subject = subject
    return Access(subject=subject, policy=policy)


CurrentAccess = Annotated[Access, Depends(access)]
