# SPDX-License-Identifier: EUPL-1.2
"""Toegang (access): the organisation, policy versions, and deciding per request.

Every read and write path asks an `Access` (one per request) whether the
caller may act; search asks it for the one compiled filter of the request.
"""
