# SPDX-License-Identifier: EUPL-1.2
"""The access world (own catalog, index and OIDC issuer) for the audit and version tests."""

from tests.access.conftest import client, issuer, world

__all__ = ["client", "issuer", "world"]
