# SPDX-License-Identifier: EUPL-1.2
"""Retention under the Archiefwet: selectielijst, holds, destruction, transfer, fixity, capture."""
