# SPDX-License-Identifier: EUPL-1.2
"""The audit trail: an append-only, hash-chained log of every action."""
