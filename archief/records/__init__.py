# SPDX-License-Identifier: EUPL-1.2
"""Records: immutable originals in dossiers, each in one layer."""
