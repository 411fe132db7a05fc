"""deploy/monitoring/alerts.yml: well-formed Prometheus rules, on metrics that exist under those names."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.support.infra import ROOT
from tests.support.metrics import exported_metric_names, metrics_in

RULES = ROOT / "deploy" / "monitoring" / "alerts.yml"


def _rules() -> list[dict]:
    return [rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]]


def test_every_rule_is_complete():
    rules = _rules()
    assert len({rule["alert"] for rule in rules}) == len(rules) >= 5
    for rule in rules:
        assert rule["expr"] and re.fullmatch(r"\d+[smh]", rule["for"]), rule["alert"]
        assert rule["labels"]["severity"] in {"warning", "critical"}, rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]


@pytest.mark.parametrize("rule", _rules(), ids=lambda rule: rule["alert"])
def test_every_metric_an_alert_reads_is_exported(rule):
    ours = exported_metric_names()
    for name in metrics_in(rule["expr"]):
        assert name in ours or name.startswith("rabbitmq_"), f"{rule['alert']}: no metric named {name}"


def test_rabbitmq_exports_the_per_queue_metrics_the_alerts_read():
    uses_queues = any("rabbitmq_queue_messages" in rule["expr"] for rule in _rules())
    config = (ROOT / "deploy" / "k8s" / "base" / "rabbitmq.yaml").read_text()
    assert not uses_queues or "prometheus.return_per_object_metrics = true" in config
