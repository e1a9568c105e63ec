# SPDX-License-Identifier: EUPL-1.2
"""OIDC bearer tokens and service tokens, against a local issuer and JWKS.

No identity provider and no database: keys are generated per module, the JWKS
is a file or a tiny HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr, ValidationError

from archief import problems
from archief.auth.tokens import (
    InvalidToken,
    JwksSource,
    TokenVerifier,
    service_subject,
    subject_from_claims,
)
from archief.errors import PortError
from archief.settings import AuthSettings, Settings
from policies.subject import Subject
from tests.oidc import EC_KID, RSA_KID, LocalIssuer, new_ec_key, new_rsa_key, public_jwk, public_pem

KNOWN_ROLES = frozenset({"publiek", "medewerker", "archivaris", "systeem"})
ORGANISATIE = {"BZ-PAS": "Burgerzaken", "RO-VERG": "Ruimte"}


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> LocalIssuer:
    return LocalIssuer(tmp_path_factory.mktemp("idp"), ec=True)


@pytest.fixture(scope="module")
def verifier(issuer: LocalIssuer) -> TokenVerifier:
    return TokenVerifier(issuer.settings())


def refused(verifier: TokenVerifier, token: str, reason: str) -> InvalidToken:
    """Assert the token is refused for `reason`, with a message that does not echo it."""
    with pytest.raises(InvalidToken) as caught:
        verifier.verify(token)
    error = caught.value
    assert (error.reason, error.status, error.code) == (reason, 401, "invalid_token")
    assert error.extra == {"reason": reason}
    if token:
        for part in token.split("."):
            assert len(part) < 8 or part not in error.detail
    return error


def subject(claims: dict[str, Any], settings: AuthSettings) -> Subject:
    return subject_from_claims(claims, settings, known_roles=KNOWN_ROLES, dienst_of=ORGANISATIE.get)


# -- forging what no honest issuer signs --------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(header: dict[str, Any], claims: dict[str, Any], sign: Callable[[bytes], bytes]) -> str:
    """A compact JWS built by hand, so PyJWT's own refusals to sign do not stop us."""
    head = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())
    return head + "." + _b64(sign(head.encode()))


# -- tokens that verify ---------------------------------------------------------


def test_rs256_token_verifies(issuer: LocalIssuer, verifier: TokenVerifier) -> None:
    claims = verifier.verify(issuer.mint("u1", roles=["medewerker"]))
    assert claims["sub"] == "u1"
    assert claims["iss"] == issuer.issuer
    assert claims["aud"] == "archief"


def test_es256_token_verifies(issuer: LocalIssuer, verifier: TokenVerifier) -> None:
    token = issuer.mint("u2", algorithm="ES256")
    assert json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "==")) == {
        "alg": "ES256",
        "kid": EC_KID,
        "typ": "JWT",
    }
    assert verifier.verify(token)["sub"] == "u2"


def test_audience_list_containing_ours(issuer: LocalIssuer, verifier: TokenVerifier) -> None:
    token = issuer.mint("u1", aud=["account", "archief"])
    assert verifier.verify(token)["aud"] == ["account", "archief"]


def test_leeway_covers_small_clock_skew(issuer: LocalIssuer, verifier: TokenVerifier) -> None:
    now = int(time.time())
    assert verifier.verify(issuer.mint("u1", exp=now - 10, nbf=now + 10, iat=now + 10))


def test_token_without_kid_when_the_set_has_one_key(tmp_path: Path) -> None:
    single = LocalIssuer(tmp_path)
    token = single.mint("u1", headers={"kid": None})
    assert TokenVerifier(single.settings()).verify(token)["sub"] == "u1"


def test_jwk_without_alg_fits_every_pinned_algorithm_of_its_type(tmp_path: Path) -> None:
    local = LocalIssuer(tmp_path)
    key = local.keys[RSA_KID]
    local.jwks_path.write_text(json.dumps({"keys": [public_jwk(key, RSA_KID, alg=None)]}))
    settings = local.settings(algorithms=["RS256", "PS256"])
    verifier = TokenVerifier(settings)
    assert verifier.verify(local.mint("u1"))
    assert verifier.verify(local.mint("u1", algorithm="PS256"))


# -- tokens that must be refused --------------------------------------------------


def test_alg_none(issuer: LocalIssuer, verifier: TokenVerifier) -> None:
    header = {"alg": "none", "typ": "JWT", "kid": RSA_KID}
    token = forge(header, issuer.claims("u1", roles=["archivaris"]), lambda _: b"")
    error = refused(verifier, token, "algorithm")
    assert "'none'" in error.detail


@pytest.mark.parametrize("alg", ["none", "None", "NONE", ""])
def test_alg_none_spellings(issuer: LocalIssuer, verifier: TokenVerifier, alg: str) -> None:
    token = forge({"alg": alg, "kid": RSA_KID}, issuer.claims("u1"), lambda _: b"")
    refused(verifier, token, "algorithm")


def test_hs256_signed_with_the_rsa_public_key(issuer: LocalIssuer, verifier: TokenVerifier) -> None:
    # The classic confusion: a verifier that lets the header pick HMAC would
    # take the public key PEM, which anyone has, as the shared secret.
    pem = public_pem(issuer.keys[RSA_KID])
    for header in ({"alg": "HS256", "typ": "JWT", "kid": RSA_KID}, {"alg": "HS256"}):
        token = forge(
            header,
            issuer.claims("u1", roles=["archivaris"]),
            lambda data: hmac.new(pem, data, hashlib.sha256).digest(),
        )
        refused(verifier, token, "algorithm")


def test_hs256_against_a_symmetric_key_in_the_jwks(tmp_path: Path) -> None:
    local = LocalIssuer(tmp_path)
    secret = b"s" * 32
    oct_key = {"kty": "oct", "kid": "hmac", "use": "sig", "alg": "HS256", "k": _b64(secret)}
    local.jwks_path.write_text(json.dumps({"keys": [*local.jwks()["keys"], oct_key]}))
    # Even pinning HS256 is impossible, so the oct key can never be used.
    with pytest.raises(ValidationError):
        local.settings(algorithms=["RS256", "HS256"])
    token = forge(
        {"alg": "HS256", "kid": "hmac"},
        local.claims("u1"),
        lambda data: hmac.new(secret, data, hashlib.sha256).digest(),
    )
    refused(TokenVerifier(local.settings()), token, "algorithm")


def test_algorithm_outside_the_pinned_list(issuer: LocalIssuer, verifier: TokenVerifier) -> None:
    # RS384 with the right RSA key and kid: a fine signature, an algorithm we did not pin.
    error = refused(verifier, issuer.mint("u1", algorithm="RS384"), "algorithm")
    assert "'RS384'" in error.detail
    assert "RS256, ES256" in error.detail


def test_algorithm_that_does_not_fit_the_named_key(
    issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    # ES256 is pinned, but the kid names the RSA key.
    token = issuer.mint("u1", algorithm="ES256", headers={"kid": RSA_KID}, key=issuer.keys[EC_KID])
    refused(verifier, token, "algorithm")
    token = issuer.mint("u1", algorithm="RS256", headers={"kid": EC_KID}, key=issuer.keys[RSA_KID])
    refused(verifier, token, "algorithm")


def test_wrong_issuer(issuer: LocalIssuer, verifier: TokenVerifier) -> None:
    refused(verifier, issuer.mint("u1", iss="https://evil.test/realms/archief"), "issuer")


def test_wrong_audience(issuer: LocalIssuer, verifier: TokenVerifier) -> None:
    refused(verifier, issuer.mint("u1", aud="another-app"), "audience")
    refused(verifier, issuer.mint("u1", aud=["account", "another-app"]), "audience")


def test_expired(issuer: LocalIssuer, verifier: TokenVerifier) -> None:
    now = int(time.time())
    error = refused(verifier, issuer.mint("u1", iat=now - 600, exp=now - 60), "expired")
    assert "expired" in error.detail


def test_nbf_in_the_future(issuer: LocalIssuer, verifier: TokenVerifier) -> None:
    refused(verifier, issuer.mint("u1", nbf=int(time.time()) + 120), "not_yet_valid")


def test_iat_in_the_future(issuer: LocalIssuer, verifier: TokenVerifier) -> None:
    refused(verifier, issuer.mint("u1", iat=int(time.time()) + 120), "not_yet_valid")


def test_unknown_kid(issuer: LocalIssuer, verifier: TokenVerifier) -> None:
    token = issuer.mint("u1", headers={"kid": "no-such-key"})
    error = refused(verifier, token, "unknown_kid")
    assert "no-such-key" not in error.detail


def test_no_kid_when_the_set_has_several_keys(issuer: LocalIssuer, verifier: TokenVerifier) -> None:
    refused(verifier, issuer.mint("u1", headers={"kid": None}), "kid_required")


def test_bad_signature(issuer: LocalIssuer, verifier: TokenVerifier) -> None:
    head, payload, signature = issuer.mint("u1").split(".")
    flipped = ("A" if signature[10] != "A" else "B").join((signature[:10], signature[11:]))
    refused(verifier, f"{head}.{payload}.{flipped}", "signature")
    # A payload swapped under a genuine signature.
    other = issuer.mint("u1", roles=["archivaris"]).split(".")[1]
    refused(verifier, f"{head}.{other}.{signature}", "signature")


def test_other_key_with_the_same_kid(issuer: LocalIssuer, verifier: TokenVerifier) -> None:
    token = issuer.mint("u1", roles=["archivaris"], key=new_rsa_key())
    refused(verifier, token, "signature")


@pytest.mark.parametrize("claim", ["exp", "iss", "aud"])
def test_missing_required_claim(issuer: LocalIssuer, verifier: TokenVerifier, claim: str) -> None:
    removed: dict[str, Any] = {claim: None}
    error = refused(verifier, issuer.mint("u1", **removed), "missing_claim")
    assert repr(claim) in error.detail


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not-a-jwt",
        "a.b",
        "a.b.c",
        "!!!.???.***",
        "WyJSUzI1NiJd.e30.c2ln",  # header is a JSON list
        "x" * 20_000,
    ],
)
def test_malformed(verifier: TokenVerifier, token: str) -> None:
    refused(verifier, token, "malformed")


def test_validly_signed_payload_that_is_not_json(
    issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    key = issuer.keys[RSA_KID]
    assert isinstance(key, rsa.RSAPrivateKey)
    head = _b64(json.dumps({"alg": "RS256", "kid": RSA_KID}).encode()) + "." + _b64(b"not json")
    signature = key.sign(head.encode(), padding.PKCS1v15(), hashes.SHA256())
    refused(verifier, f"{head}.{_b64(signature)}", "malformed")


def test_kid_that_is_not_a_string(issuer: LocalIssuer, verifier: TokenVerifier) -> None:
    token = forge({"alg": "RS256", "kid": 7}, issuer.claims("u1"), lambda _: b"sig")
    refused(verifier, token, "malformed")


def test_signature_checked_before_claims_are_believed(
    issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    # An expired token with a forged signature is a bad signature, not merely expired.
    genuine = issuer.mint("u1").split(".")
    expired = issuer.mint("u1", exp=int(time.time()) - 600).split(".")
    refused(verifier, f"{expired[0]}.{expired[1]}.{genuine[2]}", "signature")


def test_invalid_token_is_a_401_problem() -> None:
    app = FastAPI()
    problems.install(app)

    @app.get("/x")
    def _x() -> None:
        raise InvalidToken("expired", "the token has expired")

    response = TestClient(app).get("/x")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body["reason"], body["title"]) == (
        "invalid_token",
        "expired",
        "Ongeldig token",
    )


# -- claims to subject ------------------------------------------------------------


def test_subject_from_verified_claims(issuer: LocalIssuer, verifier: TokenVerifier) -> None:
    token = issuer.mint("u1", roles=["medewerker"], afdeling="BZ-PAS", name="A. de Vries")
    assert subject(verifier.verify(token), issuer.settings()) == Subject(
        id="oidc:u1",
        rollen=("medewerker",),
        afdeling="BZ-PAS",
        dienst="Burgerzaken",
        naam="A. de Vries",
    )


def test_keycloak_nested_roles(issuer: LocalIssuer) -> None:
    settings = issuer.settings(roles_claim="realm_access.roles")
    token = issuer.mint(
        "kc-user",
        roles=["systeem"],  # the flat claim is not the one configured: ignored
        realm_access={"roles": ["offline_access", "archivaris", "uma_authorization"]},
    )
    claims = TokenVerifier(settings).verify(token)
    assert subject(claims, settings).rollen == ("archivaris",)


def test_role_map(issuer: LocalIssuer) -> None:
    settings = issuer.settings(
        role_map={"archief-medewerker": "medewerker", "archief-beheer": "bestaat-niet"}
    )
    claims = issuer.claims(
        "u1", roles=["archief-medewerker", "archivaris", "archief-beheer", "medewerker", "x"]
    )
    # Mapped, known as-is, mapped to an unknown role (dropped), duplicate, unknown.
    assert subject(claims, settings).rollen == ("medewerker", "archivaris")


def test_roles_as_a_space_separated_string(issuer: LocalIssuer) -> None:
    settings = issuer.settings(roles_claim="scope")
    claims = {**issuer.claims("u1"), "scope": "openid archivaris profile"}
    assert subject(claims, settings).rollen == ("archivaris",)


@pytest.mark.parametrize("roles", [None, [], ["onbekend"], "", {"archivaris": True}, [7, None]])
def test_no_known_role_is_publiek(issuer: LocalIssuer, roles: object) -> None:
    claims = {**issuer.claims("u1"), "roles": roles}
    assert subject(claims, issuer.settings()).rollen == ("publiek",)


def test_missing_roles_claim_path(issuer: LocalIssuer) -> None:
    settings = issuer.settings(roles_claim="realm_access.roles")
    assert subject(issuer.claims("u1", roles=["archivaris"]), settings).rollen == ("publiek",)


def test_unknown_afdeling_is_dropped(issuer: LocalIssuer) -> None:
    s = subject(issuer.claims("u1", roles=["medewerker"], afdeling="GEHEIM"), issuer.settings())
    assert (s.afdeling, s.dienst, s.rollen) == (None, None, ("medewerker",))


@pytest.mark.parametrize("afdeling", [None, "", ["BZ-PAS"], 3])
def test_absent_or_unreadable_afdeling(issuer: LocalIssuer, afdeling: object) -> None:
    claims = {**issuer.claims("u1"), "afdeling": afdeling}
    s = subject(claims, issuer.settings())
    assert (s.afdeling, s.dienst) == (None, None)


def test_afdeling_and_name_claims_are_configurable(issuer: LocalIssuer) -> None:
    settings = issuer.settings(afdeling_claim="org.afdeling", name_claim="preferred_username")
    claims = {
        **issuer.claims("u1"),
        "org": {"afdeling": "RO-VERG"},
        "preferred_username": "jdevries",
    }
    s = subject(claims, settings)
    assert (s.afdeling, s.dienst, s.naam) == ("RO-VERG", "Ruimte", "jdevries")


@pytest.mark.parametrize("sub", [None, "", 42])
def test_subject_needs_sub(issuer: LocalIssuer, sub: object) -> None:
    claims = {**issuer.claims("u1"), "sub": sub}
    with pytest.raises(InvalidToken) as caught:
        subject(claims, issuer.settings())
    assert caught.value.reason == "missing_claim"


# -- the JWKS over HTTP -----------------------------------------------------------


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class JwksServer:
    """Serves a JWKS document on 127.0.0.1 and counts the requests."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.status = 200
        self.body: bytes | None = None  # when set, served instead of the document
        self.hits = 0
        served = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # the name http.server calls
                served.hits += 1
                body = served.body if served.body is not None else json.dumps(served.document)
                data = body if isinstance(body, bytes) else body.encode()
                self.send_response(served.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep the test output clean

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/certs"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


@pytest.fixture
def http_issuer(tmp_path: Path) -> LocalIssuer:
    return LocalIssuer(tmp_path)


@pytest.fixture
def server(http_issuer: LocalIssuer) -> Iterator[JwksServer]:
    served = JwksServer(http_issuer.jwks())
    yield served
    served.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def http_verifier(issuer: LocalIssuer, server: JwksServer, clock: Clock) -> TokenVerifier:
    settings = issuer.settings(jwks_url=server.url)
    return TokenVerifier(settings, JwksSource(settings, clock=clock))


def test_jwks_over_http_is_cached(
    http_issuer: LocalIssuer, server: JwksServer, clock: Clock
) -> None:
    verifier = http_verifier(http_issuer, server, clock)
    assert server.hits == 0  # nothing is fetched before the first token
    for _ in range(3):
        assert verifier.verify(http_issuer.mint("u1"))["sub"] == "u1"
    assert server.hits == 1
    clock.now += 299
    verifier.verify(http_issuer.mint("u1"))
    assert server.hits == 1
    clock.now += 2  # past jwks_cache_seconds (300)
    verifier.verify(http_issuer.mint("u1"))
    assert server.hits == 2


def test_rotated_key_is_fetched_on_its_unknown_kid(
    http_issuer: LocalIssuer, server: JwksServer, clock: Clock
) -> None:
    verifier = http_verifier(http_issuer, server, clock)
    verifier.verify(http_issuer.mint("u1"))
    http_issuer.add_key("rsa-2")
    server.document = http_issuer.jwks()
    clock.now += 1
    assert verifier.verify(http_issuer.mint("u1", headers={"kid": "rsa-2"}))["sub"] == "u1"
    assert server.hits == 2
    # Both keys now verify from the cache.
    verifier.verify(http_issuer.mint("u1"))
    verifier.verify(http_issuer.mint("u1", headers={"kid": "rsa-2"}))
    assert server.hits == 2


def test_unknown_kid_refetches_at_most_once_per_30_seconds(
    http_issuer: LocalIssuer, server: JwksServer, clock: Clock
) -> None:
    verifier = http_verifier(http_issuer, server, clock)
    verifier.verify(http_issuer.mint("u1"))
    assert server.hits == 1
    garbage = [http_issuer.mint("u1", headers={"kid": f"garbage-{i}"}) for i in range(20)]
    for token in garbage:
        refused(verifier, token, "unknown_kid")
        clock.now += 1
    assert server.hits == 2  # one refetch for twenty garbage kids in twenty seconds
    clock.now += 10  # 30 s after that refetch
    refused(verifier, garbage[0], "unknown_kid")
    assert server.hits == 3
    # Known keys keep working throughout, without fetching.
    verifier.verify(http_issuer.mint("u1"))
    assert server.hits == 3


def test_unknown_kid_right_after_a_fetch_does_not_fetch_again(
    http_issuer: LocalIssuer, server: JwksServer, clock: Clock
) -> None:
    verifier = http_verifier(http_issuer, server, clock)
    refused(verifier, http_issuer.mint("u1", headers={"kid": "garbage"}), "unknown_kid")
    assert server.hits == 1


def test_jwks_url_down_is_a_port_error(http_issuer: LocalIssuer, clock: Clock) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = http_issuer.settings(jwks_url=f"http://127.0.0.1:{port}/certs")
    verifier = TokenVerifier(settings, JwksSource(settings, clock=clock))
    with pytest.raises(PortError) as caught:
        verifier.verify(http_issuer.mint("u1"))
    assert (caught.value.status, caught.value.service) == (503, "identity")
    assert "cannot fetch the JWKS" in caught.value.detail


def test_jwks_server_error_backs_off_then_recovers(
    http_issuer: LocalIssuer, server: JwksServer, clock: Clock
) -> None:
    server.status = 500
    verifier = http_verifier(http_issuer, server, clock)
    token = http_issuer.mint("u1")
    for _ in range(5):
        with pytest.raises(PortError):
            verifier.verify(token)
    assert server.hits == 1  # requests do not queue behind a fetch each
    server.status = 200
    clock.now += 30
    assert verifier.verify(token)["sub"] == "u1"
    assert server.hits == 2


def test_stale_keys_serve_while_the_jwks_cannot_be_refreshed(
    http_issuer: LocalIssuer, server: JwksServer, clock: Clock
) -> None:
    verifier = http_verifier(http_issuer, server, clock)
    verifier.verify(http_issuer.mint("u1"))
    server.status = 503
    clock.now += 301
    assert verifier.verify(http_issuer.mint("u1"))["sub"] == "u1"
    verifier.verify(http_issuer.mint("u1"))
    assert server.hits == 2  # one failed refresh, then a back-off
    # An unknown kid while the IdP is failing does not fetch either.
    refused(verifier, http_issuer.mint("u1", headers={"kid": "new"}), "unknown_kid")
    assert server.hits == 2


@pytest.mark.parametrize(
    "body",
    [b"<html>", b"[]", b'{"keys": {}}', b'{"keys": []}'],
)
def test_unusable_jwks_document_is_a_port_error(
    http_issuer: LocalIssuer, server: JwksServer, clock: Clock, body: bytes
) -> None:
    server.body = body
    with pytest.raises(PortError):
        http_verifier(http_issuer, server, clock).verify(http_issuer.mint("u1"))


def test_jwks_without_a_key_for_the_pinned_algorithms(
    http_issuer: LocalIssuer, server: JwksServer, clock: Clock
) -> None:
    settings = http_issuer.settings(jwks_url=server.url, algorithms=["ES256"])
    verifier = TokenVerifier(settings, JwksSource(settings, clock=clock))
    with pytest.raises(PortError) as caught:
        verifier.verify(http_issuer.mint("u1", algorithm="ES256", key=new_ec_key()))
    assert "no signing key" in caught.value.detail


def test_jwks_keys_we_do_not_use_are_ignored(
    http_issuer: LocalIssuer, server: JwksServer, clock: Clock
) -> None:
    rsa_key = http_issuer.keys[RSA_KID]
    server.document = {
        "keys": [
            public_jwk(rsa_key, "enc-key", use="enc", alg="RSA-OAEP"),
            public_jwk(rsa_key, "rs384-key", alg="RS384"),
            {"kty": "oct", "kid": "hmac", "k": _b64(b"k" * 32)},
            {"kty": "RSA", "kid": "broken", "n": "AQAB"},
            "not an object",
            public_jwk(rsa_key, RSA_KID),
        ]
    }
    verifier = http_verifier(http_issuer, server, clock)
    # Only one key is usable, so a token without kid is fine.
    assert verifier.verify(http_issuer.mint("u1", headers={"kid": None}))
    for kid in ("enc-key", "rs384-key", "hmac", "broken"):
        token = http_issuer.mint("u1", headers={"kid": kid}, key=rsa_key)
        refused(verifier, token, "unknown_kid")


def test_jwks_file_missing_is_a_port_error(tmp_path: Path) -> None:
    local = LocalIssuer(tmp_path)
    settings = local.settings(jwks_file=tmp_path / "absent.json")
    with pytest.raises(PortError):
        TokenVerifier(settings).verify(local.mint("u1"))


# -- settings -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "algorithms",
    [["HS256"], ["none"], ["RS256", "HS512"], ["HS384"], [], ["rs256"], ["RS256", "None"]],
)
def test_only_asymmetric_algorithms_can_be_pinned(algorithms: list[str]) -> None:
    with pytest.raises(ValidationError):
        AuthSettings(algorithms=algorithms)


def test_issuer_needs_exactly_one_jwks_source(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="exactly one"):
        AuthSettings(issuer="https://idp.test")
    with pytest.raises(ValidationError, match="exactly one"):
        AuthSettings(
            issuer="https://idp.test",
            jwks_url="https://idp.test/certs",
            jwks_file=tmp_path / "jwks.json",
        )
    assert AuthSettings(issuer="https://idp.test", jwks_url="https://idp.test/certs")


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://idp.gemeente.nl/certs", True),
        ("http://127.0.0.1:8080/certs", True),
        ("http://localhost/certs", True),
        ("http://idp.gemeente.nl/certs", False),
        ("file:///etc/jwks.json", False),
    ],
)
def test_jwks_url_must_be_https_off_loopback(url: str, ok: bool) -> None:
    if ok:
        assert AuthSettings(jwks_url=url).jwks_url == url
    else:
        with pytest.raises(ValidationError):
            AuthSettings(jwks_url=url)


def test_oidc_off_has_no_verifier() -> None:
    assert AuthSettings().issuer is None
    with pytest.raises(ValueError, match="OIDC is off"):
        TokenVerifier(AuthSettings())


def test_auth_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        "ARCHIEF_AUTH__ISSUER": "https://sso.gemeente.nl/realms/archief",
        "ARCHIEF_AUTH__AUDIENCE": "archief-api",
        "ARCHIEF_AUTH__JWKS_URL": "https://sso.gemeente.nl/realms/archief/certs",
        "ARCHIEF_AUTH__JWKS_FILE": "",
        "ARCHIEF_AUTH__ALGORITHMS": '["RS256"]',
        "ARCHIEF_AUTH__LEEWAY_SECONDS": "10",
        "ARCHIEF_AUTH__ROLES_CLAIM": "realm_access.roles",
        "ARCHIEF_AUTH__ROLE_MAP": '{"archief-medewerker": "medewerker"}',
        "ARCHIEF_AUTH__SERVICE_ROLES": '["systeem", "archivaris"]',
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    auth = Settings().auth
    assert auth.issuer == "https://sso.gemeente.nl/realms/archief"
    assert auth.audience == "archief-api"
    assert auth.jwks_file is None
    assert auth.algorithms == ["RS256"]
    assert auth.leeway_seconds == 10
    assert auth.roles_claim == "realm_access.roles"
    assert auth.role_map == {"archief-medewerker": "medewerker"}
    assert auth.service_roles == ["systeem", "archivaris"]


# -- service tokens ---------------------------------------------------------------


TOKENS = [SecretStr("first-service-token-0123456789"), SecretStr("second-service-token-abcdef")]


def test_service_token_matches() -> None:
    s = service_subject("second-service-token-abcdef", TOKENS, AuthSettings())
    assert s == Subject(id="service:1", rollen=("systeem",))


def test_service_token_roles_come_from_settings() -> None:
    auth = AuthSettings(service_roles=["systeem", "archivaris"])
    s = service_subject("first-service-token-0123456789", TOKENS, auth)
    assert s == Subject(id="service:0", rollen=("systeem", "archivaris"))


@pytest.mark.parametrize(
    "token",
    ["wrong", "", "first-service-token-012345678", "first-service-token-0123456789x", "é"],
)
def test_wrong_service_token(token: str) -> None:
    assert service_subject(token, TOKENS, AuthSettings()) is None


def test_no_service_tokens_configured() -> None:
    assert service_subject("anything", [], AuthSettings()) is None
    # An empty configured token must not let an empty bearer token in.
    assert service_subject("", [SecretStr("")], AuthSettings()) is None
