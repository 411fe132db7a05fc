"""deploy/monitoring/alerts.yml: well-formed Prometheus rules, on metrics that exist under those names."""

from __future__ import annotations

import importlib
import re

import pytest
import yaml
from prometheus_client import REGISTRY

from tests.support.infra import ROOT

RULES = ROOT / "deploy" / "monitoring" / "alerts.yml"
APPS = ("registration", "validation", "directory", "contact_relay", "notifier")
PROMQL_WORDS = {"max", "min", "sum", "avg", "count", "by", "without", "rate", "increase", "and", "or", "unless",
                "on", "ignoring", "group_left", "group_right", "bool"}


def _rules() -> list[dict]:
    return [rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]]


def _our_metric_names() -> set[str]:
    for app in APPS:  # importing each service's wiring registers its metrics
        importlib.import_module(f"activateurs.{app}.app")
    names: set[str] = set()
    for family in REGISTRY.collect():
        names.add(family.name)
        if family.type == "counter":  # exposed with the suffix, even before its first sample
            names.add(f"{family.name}_total")
        names.update(sample.name for sample in family.samples)
    return names


def _metrics_in(expression: str) -> set[str]:
    without_strings = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expression)
    without_ranges = re.sub(r"\[[^\]]*\]", "", without_strings)
    names = set(re.findall(r"\b[a-z_][a-z0-9_]*\b", re.sub(r"\{[^}]*\}", "", without_ranges)))
    return {name for name in names if name not in PROMQL_WORDS} - {"job", "queue"}


def test_every_rule_is_complete():
    rules = _rules()
    assert len({rule["alert"] for rule in rules}) == len(rules) >= 5
    for rule in rules:
        assert rule["expr"] and re.fullmatch(r"\d+[smh]", rule["for"]), rule["alert"]
        assert rule["labels"]["severity"] in {"warning", "critical"}, rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]


@pytest.mark.parametrize("rule", _rules(), ids=lambda rule: rule["alert"])
def test_every_metric_an_alert_reads_is_exported(rule):
    ours = _our_metric_names()
    for name in _metrics_in(rule["expr"]):
        assert name in ours or name.startswith("rabbitmq_"), f"{rule['alert']}: no metric named {name}"


def test_rabbitmq_exports_the_per_queue_metrics_the_alerts_read():
    uses_queues = any("rabbitmq_queue_messages" in rule["expr"] for rule in _rules())
    config = (ROOT / "deploy" / "k8s" / "base" / "rabbitmq.yaml").read_text()
    assert not uses_queues or "prometheus.return_per_object_metrics = true" in config
