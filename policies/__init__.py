# SPDX-License-Identifier: EUPL-1.2
"""casbin model and default policies as data, their loader, and the compiler to search filters."""
