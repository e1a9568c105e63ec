# SPDX-License-Identifier: EUPL-1.2
"""Records: immutable originals in dossiers."""

# Until authorisation lands (casbin, issue 4) every caller is the public, and
# the public sees the public layer only: this filter runs inside the query.
PUBLIC_LAYER = "openbaar"
PUBLIC_FILTER = {"term": {"layer": PUBLIC_LAYER}}
