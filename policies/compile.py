# SPDX-License-Identifier: EUPL-1.2
"""Grants compiled into an Elasticsearch filter, applied inside the query.

The filter goes in the `filter` clause of the search, so totals, facets,
highlights and suggestions only ever see permitted records: nothing is
fetched first and dropped afterwards. The fields are the record's `layer`,
and the `afdeling` and `dienst` owning its dossier.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from policies.engine import Grant

MATCH_NONE: dict[str, Any] = {"match_none": {}}


def _clause(grant: Grant) -> dict[str, Any]:
    layers = {"terms": {"layer": sorted(grant.lagen)}}
    scope = [
        {"term": {field: value}}
        for field, value in (("afdeling", grant.afdeling), ("dienst", grant.dienst))
        if value is not None
    ]
    if not scope:
        return layers
    return {"bool": {"filter": [layers, *scope]}}


def search_filter(grants: Sequence[Grant]) -> dict[str, Any]:
    """One bool filter: a record passes when any grant covers it; no grants, nothing passes."""
    clauses = [_clause(g) for g in grants if g.lagen]
    if not clauses:
        return MATCH_NONE
    if len(clauses) == 1:
        return clauses[0]
    return {"bool": {"should": clauses, "minimum_should_match": 1}}
