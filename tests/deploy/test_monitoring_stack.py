"""deploy/monitoring: the Grafana dashboard reads metrics our code exports, its data sources are provisioned,
Prometheus scrapes every service, the collector's pipeline is whole, and compose runs them all (no engine needed)."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from tests.deploy.test_compose import _resolved
from tests.support.infra import ROOT
from tests.support.metrics import exported_metric_names, metrics_in

MONITORING = ROOT / "deploy" / "monitoring"
DASHBOARD = MONITORING / "grafana" / "dashboards" / "activateurs.json"
PORTS = {"registration": 8001, "validation": 8002, "directory": 8003, "contact-relay": 8004, "notifier": 8005,
         "web": 8000}
# The golden signals read the HTTP metrics (shared/http_metrics.py); the backlogs, these gauges.
BACKLOG_GAUGES = {"outbox_waiting", "outbox_oldest_waiting_seconds", "notifier_mails_waiting",
                  "notifier_mails_oldest_waiting_seconds", "directory_publications_overdue"}


def _panels() -> list[dict]:
    return [panel for panel in json.loads(DASHBOARD.read_text())["panels"] if panel["type"] != "row"]


def _expressions() -> list[str]:
    return [target["expr"] for panel in _panels() for target in panel["targets"]]


def _datasource_uids() -> dict[str, str]:
    provisioned = yaml.safe_load((MONITORING / "grafana" / "provisioning" / "datasources" / "datasources.yaml")
                                 .read_text())["datasources"]
    return {source["uid"]: source["type"] for source in provisioned}


def test_every_panel_has_a_provisioned_data_source_and_queries():
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] and dashboard["title"]
    panels = _panels()
    assert len(panels) >= 10 and len({panel["id"] for panel in dashboard["panels"]}) == len(dashboard["panels"])
    sources = _datasource_uids()
    assert set(sources.values()) >= {"prometheus", "jaeger"}, "metrics and traces"
    for panel in panels:
        assert panel["title"] and panel["description"], panel
        assert sources.get(panel["datasource"]["uid"]) == panel["datasource"]["type"], panel["title"]
        assert panel["targets"], f"{panel['title']}: no query"
        for target in panel["targets"]:
            assert target["expr"].strip() and target["refId"], panel["title"]
            assert sources.get(target["datasource"]["uid"]) == target["datasource"]["type"], panel["title"]


@pytest.mark.parametrize("expression", _expressions())
def test_every_metric_a_panel_reads_is_exported(expression):
    ours = exported_metric_names()
    names = metrics_in(expression)
    assert names, f"no metric in {expression}"
    for name in names:
        assert name in ours or name.startswith("rabbitmq_"), f"no metric named {name} (in {expression})"


def test_the_dashboard_shows_the_golden_signals_and_every_backlog():
    read = set().union(*(metrics_in(expression) for expression in _expressions()))
    assert {"http_requests_total", "http_request_duration_seconds_bucket"} <= read
    assert BACKLOG_GAUGES <= read
    assert "rabbitmq_queue_messages" in read, "the dead-letter queues' depth"
    expressions = " ".join(_expressions())
    assert 'status=~"5.."' in expressions
    assert {"0.5", "0.95", "0.99"} <= set(re.findall(r"histogram_quantile\((0\.\d+)", expressions))


def test_prometheus_scrapes_every_service_rabbitmq_per_queue_and_loads_the_alerts():
    config = yaml.safe_load((MONITORING / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    for name, port in PORTS.items():
        assert jobs[name]["static_configs"][0]["targets"] == [f"{name}:{port}"], name
        assert jobs[name].get("metrics_path", "/metrics") == "/metrics"
    assert jobs["rabbitmq"]["metrics_path"] == "/metrics/per-object"
    assert jobs["rabbitmq"]["static_configs"][0]["targets"] == ["rabbitmq:15692"]
    assert config["rule_files"] == ["/etc/prometheus/alerts.yml"]


def test_the_collector_receives_otlp_and_exports_to_jaeger():
    config = yaml.safe_load((MONITORING / "otel-collector.yaml").read_text())
    pipeline = config["service"]["pipelines"]["traces"]
    assert pipeline["receivers"] == ["otlp"] and config["receivers"]["otlp"]["protocols"]["http"]["endpoint"] \
        .endswith(":4318")
    for kind in ("receivers", "processors", "exporters"):
        assert set(pipeline[kind]) <= set(config[kind]), kind
    assert config["exporters"][pipeline["exporters"][0]]["endpoint"] == "jaeger:4317"
    removed = {action["key"] for action in config["processors"]["attributes/no-client-address"]["actions"]}
    assert {"client.address", "url.query"} <= removed


def test_compose_runs_the_stack_with_this_configuration_and_tracing_off_by_default(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPOSE_PROFILES", "monitoring")  # as `--profile monitoring`
    monkeypatch.delenv("OTEL_TRACES_EXPORTER", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    services = _resolved(tmp_path)["services"]
    stack = {"otel-collector", "jaeger", "prometheus", "grafana"}
    assert stack <= set(services)
    for name in stack:
        assert services[name]["profiles"] == ["monitoring"], name
        assert re.search(r":v?\d", services[name]["image"]), f"{name}: a pinned image"
    mounted = {volume["source"].removeprefix(str(ROOT) + "/") for name in stack
               for volume in services[name].get("volumes", ()) if volume["type"] == "bind"}
    assert {"deploy/monitoring/otel-collector.yaml", "deploy/monitoring/prometheus.yml",
            "deploy/monitoring/alerts.yml", "deploy/monitoring/grafana/provisioning",
            "deploy/monitoring/grafana/dashboards"} <= mounted
    assert services["jaeger"]["environment"]["COLLECTOR_OTLP_ENABLED"] == "true"
    for name in PORTS:
        environment = services[name]["environment"]
        assert environment["OTEL_TRACES_EXPORTER"] == "none", f"{name}: tracing off unless asked for"
        assert environment["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4318"
