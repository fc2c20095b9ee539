"""The test workflow runs the same command as CI and the README: `make test`."""

from __future__ import annotations

import yaml

from helpers import ROOT


def test_the_test_workflow_runs_make_test_on_push_and_pull_requests():
    workflow = yaml.safe_load((ROOT / ".github/workflows/test.yml").read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert "push" in triggers and "pull_request" in triggers
    steps = workflow["jobs"]["test"]["steps"]
    assert [s["uses"] for s in steps if "uses" in s] == ["actions/checkout@v6", "actions/setup-python@v6"]
    assert [s["run"] for s in steps if "run" in s] == ["make test"]
    assert (ROOT / ".ci/run").read_text(encoding="utf-8").strip().endswith("make test")
