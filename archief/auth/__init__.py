# SPDX-License-Identifier: EUPL-1.2
"""Identity: who is calling, from an OIDC bearer token or a service token.

Turning a verified caller into a `policies.subject.Subject` happens here; what
that subject may see is the policy package's business.
"""
