# SPDX-License-Identifier: EUPL-1.2
"""The archief-analysis Elasticsearch plugin, checked on the running node by its own script."""

from __future__ import annotations

import subprocess

from archief.settings import Settings
from tests.conftest import ROOT

VERIFY = ROOT / "deploy/local/elasticsearch/analysis-plugin/verify.sh"


def test_plugin_components_behave_like_the_reference(stack_settings: Settings) -> None:
    proc = subprocess.run(
        ["bash", str(VERIFY), str(stack_settings.search.url)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "all analysis checks passed" in proc.stdout
