"""The Prometheus metric names our code exports, and the metric names a PromQL expression reads."""

from __future__ import annotations

import importlib
import re

from prometheus_client import REGISTRY

# The web exports the same HTTP metrics (shared/http_metrics.py) and nothing of its own.
APPS = ("registration", "validation", "directory", "contact_relay", "notifier")
PROMQL_WORDS = {"max", "min", "sum", "avg", "count", "by", "without", "rate", "increase", "and", "or", "unless",
                "on", "ignoring", "group_left", "group_right", "bool", "histogram_quantile", "topk", "bottomk",
                "irate", "label_values"}
# Label names PromQL expressions group or filter by (never metric names).
LABELS = {"job", "queue", "le", "status", "method", "route", "outcome", "routing_key", "handler"}
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "summary": ("_sum", "_count")}


def exported_metric_names() -> set[str]:
    """Every name the services' /metrics may show, their samples' suffixes included, even before a first sample."""
    for app in APPS:  # importing each service's wiring registers its metrics
        importlib.import_module(f"activateurs.{app}.app")
    names: set[str] = set()
    for family in REGISTRY.collect():
        names.add(family.name)
        names.update(family.name + suffix for suffix in SUFFIXES.get(family.type, ()))
        names.update(sample.name for sample in family.samples)
    return names


def metrics_in(expression: str) -> set[str]:
    without_strings = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expression)
    without_ranges = re.sub(r"\[[^\]]*\]", "", without_strings)
    without_selectors = re.sub(r"\{[^}]*\}", "", without_ranges)
    without_groupings = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", without_selectors)
    names = set(re.findall(r"(?<![$\w])[a-z_][a-z0-9_]*\b", without_groupings))
    return names - PROMQL_WORDS - LABELS
