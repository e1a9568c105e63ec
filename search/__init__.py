# SPDX-License-Identifier: EUPL-1.2
"""Elasticsearch: mappings as data, the indexer and the query builder."""
