# SPDX-License-Identifier: EUPL-1.2
"""Dossiers: an owning afdeling, a title, wijk labels, a status, and layered records."""
