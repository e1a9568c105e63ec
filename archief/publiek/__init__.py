# SPDX-License-Identifier: EUPL-1.2
"""The public face: /publiek pages, feeds, widget, sitemap (issue 7)."""
