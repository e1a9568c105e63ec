# SPDX-License-Identifier: EUPL-1.2
"""A local OIDC issuer for tests: key pairs, a JWKS file and tokens, no IdP.

    issuer = LocalIssuer(tmp_path, ec=True)
    verifier = TokenVerifier(issuer.settings())
    token = issuer.mint("u1", roles=["medewerker"], afdeling="BZ-PAS")

`mint` signs a valid RS256 token; keyword overrides replace claims (None
removes one) or, as `headers=`, `key=` and `algorithm=`, change how it is
signed. A `kid` in `headers` that the issuer holds selects that key.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec as elliptic
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from archief.settings import AuthSettings

PrivateKey = rsa.RSAPrivateKey | elliptic.EllipticCurvePrivateKey

ISSUER = "https://idp.test/realms/archief"
AUDIENCE = "archief"
RSA_KID = "rsa-1"
EC_KID = "ec-1"


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def new_ec_key() -> elliptic.EllipticCurvePrivateKey:
    return elliptic.generate_private_key(elliptic.SECP256R1())


def natural_algorithm(key: PrivateKey) -> str:
    """The algorithm a key of this type signs with by default."""
    return "RS256" if isinstance(key, rsa.RSAPrivateKey) else "ES256"


def public_jwk(key: PrivateKey, kid: str | None, **members: Any) -> dict[str, Any]:
    """The public half of `key` as a JWK with use=sig and its alg; `members` add or replace."""
    if isinstance(key, rsa.RSAPrivateKey):
        jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    else:
        jwk = ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
    jwk.update({"use": "sig", "alg": natural_algorithm(key)})
    if kid is not None:
        jwk["kid"] = kid
    jwk.update(members)
    return {k: v for k, v in jwk.items() if v is not None}


def public_pem(key: PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


class LocalIssuer:
    """Signs tokens like an IdP would and publishes its keys as a JWKS file."""

    def __init__(
        self,
        directory: Path,
        *,
        issuer: str = ISSUER,
        audience: str = AUDIENCE,
        ec: bool = False,
        lifetime_seconds: int = 300,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.lifetime_seconds = lifetime_seconds
        self.jwks_path = directory / "jwks.json"
        self.keys: dict[str, PrivateKey] = {RSA_KID: new_rsa_key()}
        if ec:
            self.keys[EC_KID] = new_ec_key()
        self.write_jwks()

    def add_key(self, kid: str, *, ec: bool = False) -> PrivateKey:
        """A new signing key (a rotation), published in the JWKS file at once."""
        key: PrivateKey = new_ec_key() if ec else new_rsa_key()
        self.keys[kid] = key
        self.write_jwks()
        return key

    def jwks(self) -> dict[str, Any]:
        return {"keys": [public_jwk(key, kid) for kid, key in self.keys.items()]}

    def write_jwks(self) -> None:
        self.jwks_path.write_text(json.dumps(self.jwks()), encoding="utf-8")

    def settings(self, **kw: Any) -> AuthSettings:
        """Auth settings trusting this issuer through its JWKS file; `kw` overrides."""
        base: dict[str, Any] = {"issuer": self.issuer, "audience": self.audience}
        if "jwks_url" not in kw:
            base["jwks_file"] = self.jwks_path
        return AuthSettings.model_validate({**base, **kw})

    def claims(
        self,
        sub: str,
        *,
        roles: Sequence[str] = (),
        afdeling: str | None = None,
        name: str | None = None,
    ) -> dict[str, Any]:
        """A valid claim set: issued now, usable now, expiring after the lifetime."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": sub,
            "iat": now,
            "nbf": now,
            "exp": now + self.lifetime_seconds,
            "roles": list(roles),
        }
        if afdeling is not None:
            claims["afdeling"] = afdeling
        if name is not None:
            claims["name"] = name
        return claims

    def mint(
        self,
        sub: str,
        *,
        roles: Sequence[str] = (),
        afdeling: str | None = None,
        name: str | None = None,
        **overrides: Any,
    ) -> str:
        """A signed token; see the module docstring for what `overrides` can do."""
        headers: dict[str, Any] = dict(overrides.pop("headers", None) or {})
        algorithm: str | None = overrides.pop("algorithm", None)
        kid = headers.setdefault("kid", self._default_kid(algorithm))
        if kid is None:
            del headers["kid"]  # headers={"kid": None}: a token that names no key
        key: PrivateKey = overrides.pop("key", None) or self.keys.get(kid) or self.keys[RSA_KID]
        claims = self.claims(sub, roles=roles, afdeling=afdeling, name=name)
        for claim, value in overrides.items():
            if value is None:
                claims.pop(claim, None)
            else:
                claims[claim] = value
        return jwt.encode(
            claims, key, algorithm=algorithm or natural_algorithm(key), headers=headers
        )

    def _default_kid(self, algorithm: str | None) -> str:
        if algorithm is not None and algorithm.startswith("ES") and EC_KID in self.keys:
            return EC_KID
        return RSA_KID
