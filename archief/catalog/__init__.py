# SPDX-License-Identifier: EUPL-1.2
"""The relational catalog: what exists, where it lives, in which dossier and layer."""
