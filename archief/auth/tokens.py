# SPDX-License-Identifier: EUPL-1.2
"""Bearer tokens: OIDC JWTs verified against the issuer's JWKS, and service tokens.

The verifier trusts nothing in a token before its signature checks out, and
even then only what the settings pin: the header's `alg` must be one of
`auth.algorithms` and must fit the key it names (an RSA key never verifies an
HMAC), and `iss`, `aud` and `exp` must be present and right. Each refusal is
an `InvalidToken` (401) saying what was wrong, never echoing the token; an
identity provider we cannot reach is a `PortError` (503), because then the
token is not at fault.
"""

from __future__ import annotations

import hmac
import json
import math
import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Final

import httpx
import jwt
import structlog
from pydantic import SecretStr

from archief.errors import ArchiefError, PortError
from archief.settings import AuthSettings
from policies.subject import Subject

log = structlog.get_logger(__name__)

SERVICE = "identity"  # the PortError service name
FETCH_TIMEOUT_SECONDS: Final = 5.0
# An unknown kid (or a failed fetch) triggers at most one fetch per this many
# seconds, so tokens with made-up kids cannot make us hammer the IdP.
REFETCH_INTERVAL_SECONDS: Final = 30.0
# Far above any real token (Keycloak's with many roles are a few KiB); bounds the work.
MAX_TOKEN_CHARS: Final = 16 * 1024
REQUIRED_CLAIMS: Final = ("exp", "iss", "aud")
PUBLIEK: Final = "publiek"

_RSA_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
_EC_CURVES = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}
_OKP_CURVES = frozenset({"Ed25519", "Ed448"})


class InvalidToken(ArchiefError):
    """The bearer token is not one we accept; `reason` says which check failed.

    Reasons: malformed, algorithm, kid_required, unknown_kid, signature,
    expired, not_yet_valid, audience, issuer, missing_claim, claims.
    """

    code = "invalid_token"
    status = 401
    title = "Ongeldig token"

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail, reason=reason)
        self.reason = reason


# -- the key set -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SigningKey:
    """One JWKS key, ready to verify with each pinned algorithm it fits."""

    kid: str | None
    by_algorithm: Mapping[str, jwt.PyJWK]


def _fits(jwk: Mapping[str, Any], algorithm: str) -> bool:
    """Whether a key of this type (and curve) can verify this algorithm at all."""
    kty = jwk.get("kty")
    if algorithm in _RSA_ALGORITHMS:
        return kty == "RSA"
    if algorithm in _EC_CURVES:
        return kty == "EC" and jwk.get("crv") == _EC_CURVES[algorithm]
    if algorithm == "EdDSA":
        return kty == "OKP" and jwk.get("crv") in _OKP_CURVES
    # HS* and none: no key in a public key set may ever verify those.
    return False


def _clip(value: object) -> str:
    """A header value fit for a log line: short, whatever the sender put there."""
    text = repr(value)
    return text if len(text) <= 64 else text[:61] + "..."


def _unusable(jwk: Mapping[str, Any]) -> str | None:
    """Why this JWKS entry can never verify a token, or None if it might."""
    if jwk.get("use", "sig") != "sig":
        return "not a signature key"
    if "d" in jwk or jwk.get("kty") == "oct":
        # Private or symmetric material has no place in a published key set.
        return "secret key material"
    if not isinstance(jwk.get("kid", ""), str):
        return "kid is not a string"
    return None


def _signing_key(jwk: object, algorithms: Sequence[str]) -> SigningKey | None:
    """The usable form of one JWKS entry, or None (logged) when we ignore it."""
    if not isinstance(jwk, dict):
        log.warning("auth.jwks_key_ignored", reason="not a JSON object")
        return None
    kid = jwk.get("kid")
    reason = _unusable(jwk)
    if reason is not None:
        log.info("auth.jwks_key_ignored", kid=_clip(kid), reason=reason)
        return None
    by_algorithm: dict[str, jwt.PyJWK] = {}
    for algorithm in algorithms:
        # A key that names its alg is bound to it; one that does not fits any
        # pinned algorithm of its type.
        if _fits(jwk, algorithm) and jwk.get("alg", algorithm) == algorithm:
            try:
                by_algorithm[algorithm] = jwt.PyJWK(jwk, algorithm=algorithm)
            except jwt.PyJWTError as exc:
                log.warning("auth.jwks_key_ignored", kid=_clip(kid), reason=str(exc))
    if not by_algorithm:
        log.info("auth.jwks_key_ignored", kid=_clip(kid), reason="fits no pinned algorithm")
        return None
    return SigningKey(kid=kid, by_algorithm=by_algorithm)


class _Unavailable(Exception):
    """The key set cannot be had; becomes a PortError once the failure is recorded."""


def _parse_jwks(document: object, algorithms: Sequence[str]) -> tuple[SigningKey, ...]:
    """The signing keys in a JWKS document that fit the pinned algorithms."""
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list):
        raise _Unavailable("the JWKS is not a JSON object with a list of keys")
    usable = tuple(k for k in (_signing_key(jwk, algorithms) for jwk in keys) if k)
    if not usable:
        raise _Unavailable(f"the JWKS holds no signing key for the pinned {list(algorithms)}")
    return usable


def _read_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _Unavailable(f"cannot read the JWKS file {path}: {exc}") from exc


def _download(url: str) -> str:
    try:
        response = httpx.get(url, timeout=FETCH_TIMEOUT_SECONDS)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise _Unavailable(f"cannot fetch the JWKS from {url}: {exc}") from exc
    return response.text


class JwksSource:
    """The issuer's public keys, from a file or URL, cached and refetched sparingly.

    Nothing is fetched until the first token arrives, so the API starts while
    the IdP is down. A key set that once loaded keeps serving when a later
    fetch fails (the IdP cannot sign new tokens then either); with none loaded
    yet, a failure is a PortError, and the next attempt waits the refetch
    interval so requests do not queue behind fetch timeouts.
    """

    def __init__(
        self,
        settings: AuthSettings,
        *,
        clock: Callable[[], float] = time.monotonic,
        refetch_interval: float = REFETCH_INTERVAL_SECONDS,
    ) -> None:
        if settings.jwks_file is not None:
            self._read: Callable[[], str] = partial(_read_file, settings.jwks_file)
        elif settings.jwks_url is not None:
            self._read = partial(_download, settings.jwks_url)
        else:
            raise ValueError("auth.jwks_url or auth.jwks_file is needed to verify tokens")
        self._algorithms = tuple(settings.algorithms)
        self._cache_seconds = settings.jwks_cache_seconds
        self._clock = clock
        self._refetch_interval = refetch_interval
        self._lock = threading.Lock()
        self._keys: tuple[SigningKey, ...] | None = None
        self._loaded_at = -math.inf
        self._failure: str | None = None
        self._failed_at = -math.inf
        self._refetched_at = -math.inf  # the last fetch an unknown kid caused

    def signing_keys(self, kid: str | None) -> tuple[SigningKey, ...]:
        """Every key when `kid` is None, else those with that kid (refetching once if none)."""
        with self._lock:
            keys, fresh = self._current()
            if kid is None:
                return keys
            found = tuple(k for k in keys if k.kid == kid)
            # Neither right after a fetch, nor sooner than the interval after the
            # last refetch or failed fetch.
            last = max(self._refetched_at, self._failed_at)
            now = self._clock()
            if found or fresh or now - last < self._refetch_interval:
                return found
            # Perhaps the IdP rotated its keys since we last looked.
            self._refetched_at = now
            log.info("auth.jwks_refetch", kid=_clip(kid))
            return tuple(k for k in self._load(now) if k.kid == kid)

    def _current(self) -> tuple[tuple[SigningKey, ...], bool]:
        """The key set to use now, and whether it was fetched just now."""
        now = self._clock()
        if self._keys is not None and now - self._loaded_at < self._cache_seconds:
            return self._keys, False
        if self._failure is not None and now - self._failed_at < self._refetch_interval:
            if self._keys is not None:
                return self._keys, False
            raise PortError(SERVICE, f"{self._failure} (not retried for a while)")
        try:
            return self._load(now), True
        except PortError as exc:
            if self._keys is None:
                raise
            log.warning("auth.jwks_stale", detail=exc.detail)
            return self._keys, False

    def _load(self, now: float) -> tuple[SigningKey, ...]:
        """Fetch and parse the key set; record a failure, so it is not retried at once."""
        try:
            text = self._read()
            try:
                document = json.loads(text)
            except ValueError as exc:
                raise _Unavailable("the JWKS is not valid JSON") from exc
            keys = _parse_jwks(document, self._algorithms)
        except _Unavailable as exc:
            self._failure, self._failed_at = str(exc), now
            raise PortError(SERVICE, str(exc)) from exc
        self._keys, self._loaded_at, self._failure = keys, now, None
        log.info("auth.jwks_loaded", keys=len(keys))
        return keys


# -- verifying a token -------------------------------------------------------

# PyJWT's errors, most specific first, as (reason, what to tell the caller).
_REFUSALS: tuple[tuple[type[jwt.PyJWTError], str, str], ...] = (
    (jwt.ExpiredSignatureError, "expired", "the token has expired"),
    (jwt.ImmatureSignatureError, "not_yet_valid", "the token is not valid yet (nbf or iat)"),
    (jwt.InvalidAudienceError, "audience", "the token is not meant for this audience (aud)"),
    (jwt.InvalidIssuerError, "issuer", "the token comes from an issuer we do not trust (iss)"),
    (jwt.InvalidSignatureError, "signature", "the token's signature does not verify"),
    (jwt.InvalidAlgorithmError, "algorithm", "the token's algorithm is not accepted"),
    (jwt.InvalidIssuedAtError, "claims", "the token's issue time (iat) is not a number"),
    (jwt.DecodeError, "malformed", "the token is not a well-formed JWT"),
)


def _refusal(exc: jwt.PyJWTError) -> InvalidToken:
    if isinstance(exc, jwt.MissingRequiredClaimError):
        return InvalidToken("missing_claim", f"the token lacks the required claim {exc.claim!r}")
    for kind, reason, detail in _REFUSALS:
        if isinstance(exc, kind):
            return InvalidToken(reason, detail)
    return InvalidToken("claims", "the token's claims do not verify")


class TokenVerifier:
    """Verifies OIDC bearer tokens for one issuer and audience."""

    def __init__(self, settings: AuthSettings, source: JwksSource | None = None) -> None:
        if settings.issuer is None:
            raise ValueError("OIDC is off (auth.issuer is not set): there is nothing to verify")
        self._settings = settings
        self._issuer = settings.issuer
        self._source = source if source is not None else JwksSource(settings)

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims once signature, algorithm, iss, aud, exp and nbf check out."""
        header = _header(token)
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm not in self._settings.algorithms:
            raise InvalidToken(
                "algorithm",
                f"the token's algorithm {_shown(algorithm)} is not accepted; "
                f"accepted are {', '.join(self._settings.algorithms)}",
            )
        key = self._key(header.get("kid"), algorithm)
        try:
            return jwt.decode(
                token,
                key,
                algorithms=self._settings.algorithms,
                audience=self._settings.audience,
                issuer=self._issuer,
                leeway=self._settings.leeway_seconds,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.PyJWTError as exc:
            raise _refusal(exc) from exc

    def _key(self, kid: str | None, algorithm: str) -> jwt.PyJWK:
        """The key the token names, bound to the token's (already pinned) algorithm."""
        candidates = self._source.signing_keys(kid)
        if kid is None and len(candidates) > 1:
            raise InvalidToken(
                "kid_required", "the token names no key (kid) and the issuer has several"
            )
        if not candidates:
            log.info("auth.unknown_kid", kid=_clip(kid))
            raise InvalidToken("unknown_kid", "the token is signed with an unknown key id (kid)")
        for candidate in candidates:
            if algorithm in candidate.by_algorithm:
                return candidate.by_algorithm[algorithm]
        raise InvalidToken("algorithm", f"the token's key does not sign with {algorithm}")


def _header(token: str) -> dict[str, Any]:
    """The unverified JOSE header; only to pick the key, never to trust."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        raise InvalidToken("malformed", "the token is empty or far too long")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidToken("malformed", "the token is not a well-formed JWT") from exc
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise InvalidToken("malformed", "the token's key id (kid) is not a string")
    return header


def _shown(algorithm: object) -> str:
    """The header's alg for a message: only a short plain name is repeated back."""
    if isinstance(algorithm, str) and len(algorithm) <= 16 and algorithm.isalnum():
        return repr(algorithm)
    return "(absent or unreadable)"


# -- claims to subject -------------------------------------------------------


def _claim(claims: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path ("realm_access.roles"), or None."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _claimed_roles(value: Any) -> list[str]:
    """Role names from a list of strings, or a space-separated string (scope style)."""
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str)]
    return []


def _rollen(
    claims: Mapping[str, Any], settings: AuthSettings, known_roles: Collection[str]
) -> tuple[str, ...]:
    rollen: list[str] = []
    for claimed in _claimed_roles(_claim(claims, settings.roles_claim)):
        rol = settings.role_map.get(claimed, claimed)
        if rol not in known_roles:
            log.info("auth.role_dropped", claimed=_clip(claimed), mapped_to=_clip(rol))
        elif rol not in rollen:
            rollen.append(rol)
    # Someone the IdP vouches for but gives no archief role sees what the public sees.
    return tuple(rollen) or (PUBLIEK,)


def _afdeling_and_dienst(
    claims: Mapping[str, Any], settings: AuthSettings, dienst_of: Callable[[str], str | None]
) -> tuple[str | None, str | None]:
    afdeling = _claim(claims, settings.afdeling_claim)
    if afdeling is None:
        return None, None
    if not isinstance(afdeling, str) or not afdeling:
        log.info("auth.afdeling_unreadable", claim=settings.afdeling_claim)
        return None, None
    dienst = dienst_of(afdeling)
    if dienst is None:
        # An afdeling the organisation does not know must not match any record's.
        log.info("auth.afdeling_unknown", afdeling=_clip(afdeling))
        return None, None
    return afdeling, dienst


def subject_from_claims(
    claims: Mapping[str, Any],
    settings: AuthSettings,
    *,
    known_roles: Collection[str],
    dienst_of: Callable[[str], str | None],
) -> Subject:
    """The policy subject for verified claims.

    `known_roles` are the roles the policy knows; `dienst_of` gives the dienst
    of an afdeling, or None when the organisation has no such afdeling.
    """
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise InvalidToken("missing_claim", "the token lacks a subject (sub)")
    afdeling, dienst = _afdeling_and_dienst(claims, settings, dienst_of)
    naam = _claim(claims, settings.name_claim)
    return Subject(
        id=f"oidc:{sub}",
        rollen=_rollen(claims, settings, known_roles),
        afdeling=afdeling,
        dienst=dienst,
        naam=naam if isinstance(naam, str) else None,
    )


# -- service tokens ----------------------------------------------------------


def service_subject(
    token: str, api_tokens: Sequence[SecretStr], auth: AuthSettings
) -> Subject | None:
    """The service subject whose configured token this is, or None.

    Every configured token is compared in constant time, so timing tells
    neither how much of a token matched nor which one did.
    """
    given = token.encode()
    match: int | None = None
    for i, secret in enumerate(api_tokens):
        expected = secret.get_secret_value().encode()
        same = hmac.compare_digest(given, expected)
        # An empty configured token is a misconfiguration, never a way in.
        if same and expected and match is None:
            match = i
    if match is None:
        return None
    return Subject(id=f"service:{match}", rollen=tuple(auth.service_roles))
