"""The benchmark report's summary: every goal of the service issues beside its measure, and the chart image."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Ratio:
    """A service's throughput against its bare baseline measured in the same run."""

    what: str
    measured: float
    baseline: float
    unit: str
    goal: float
    paired: float | None = None  # the section's median of per-round ratios, when it pairs rounds

    @property
    def ratio(self) -> float:
        if self.paired is not None:
            return self.paired
        return self.measured / self.baseline if self.baseline else 0.0

    @property
    def met(self) -> bool:
        return self.ratio >= self.goal


@dataclass(frozen=True)
class Latency:
    what: str
    p99_seconds: float
    goal_seconds: float

    @property
    def met(self) -> bool:
        return self.p99_seconds < self.goal_seconds


@dataclass(frozen=True)
class Check:
    """A goal that is a bound or a yes/no rather than a ratio (a page's weight, what a repeat visit fetches)."""

    what: str
    measured: str
    goal: str
    met: bool


Figures = dict[str, Any]
# Each section's figures (bench/<module>.py returns them) → the goals its issue set.
RATIOS: dict[str, Callable[[Figures], list[Ratio]]] = {
    "bench.notifier_throughput": lambda f: [
        Ratio("notifier: mails sent", f["notifier"], f["raw"], "mails/s", 0.5)],
    "bench.registration_bench": lambda f: [
        Ratio("registration: PUT /api/v1/dossier", f["put"], f["bare_put"], "req/s", 0.4),
        Ratio("registration: submission", f["submission"], f["bare_submission"], "req/s", 0.4)],
    "bench.validation_bench": lambda f: [
        Ratio("validation: submitted → case stored", f["validation"], f["bare"], "events/s", 0.5)],
    "bench.contact_relay_bench": lambda f: [
        Ratio("contact-relay: intake", f["intake"], f["bare"], "req/s", 0.4)],
    "bench.directory_bench": lambda f: [
        Ratio("directory: search", f["search_rps"], f["bare_rps"], "req/s", 0.4, f.get("search_ratio")),
        Ratio("directory: profile page", f["profile_rps"], f["bare_rps"], "req/s", 0.7, f.get("profile_ratio"))],
    # The web's baseline is the directory API answering the same query (the page adds one hop and rendering).
    "bench.web_bench": lambda f: [
        Ratio("web: results page (vs directory search)", f["results_rps"], f["api_search_rps"], "req/s", 0.5,
              f.get("results_ratio")),
        Ratio("web: profile page (vs directory profile)", f["profile_rps"], f["api_profile_rps"], "req/s", 0.5,
              f.get("profile_ratio"))],
}
LATENCIES: dict[str, Callable[[Figures], list[Latency]]] = {
    "bench.contact_relay_bench": lambda f: [
        Latency("contact request → forwarding email at 100 req/s", f["latency_p99"], 2.0)],
    "bench.directory_bench": lambda f: [
        Latency("acceptance → searchable", f["acceptance_p99_s"], 1.0)],
}


CHECKS: dict[str, Callable[[Figures], list[Check]]] = {
    "bench.web_bench": lambda f: [
        Check("web: profile page HTML (heaviest seeded profile)", f"{f['profile_html_kb_max']:.1f} kB", "≤ 60 kB",
              f["profile_html_kb_max"] <= 60),
        Check("web: repeat visit, static files fetched again",
              "nothing checked" if f["repeat_visit_static_requests"] is None
              else f"{f['repeat_visit_static_requests']} of {f['static_files']}", "0",
              f["repeat_visit_static_requests"] == 0)],
}


def goals(figures: dict[str, Figures]) -> tuple[list[Ratio], list[Latency]]:
    ratios = [r for name, f in figures.items() if name in RATIOS for r in RATIOS[name](f)]
    latencies = [lat for name, f in figures.items() if name in LATENCIES for lat in LATENCIES[name](f)]
    return ratios, latencies


def checks(figures: dict[str, Figures]) -> list[Check]:
    return [c for name, f in figures.items() if name in CHECKS for c in CHECKS[name](f)]


def summary_markdown(ratios: list[Ratio], latencies: list[Latency], chart: str | None,
                     bounds: list[Check] | None = None) -> str:
    lines = ["## Summary: every goal beside its measure", "",
             "| benchmark | measured | bare baseline (same run) | ratio | goal | |", "|---|---:|---:|---:|---:|---|"]
    lines += [f"| {r.what} | {r.measured:.0f} {r.unit} | {r.baseline:.0f} {r.unit} | {r.ratio:.0%}"
              f"{' †' if r.paired is not None else ''} | ≥ {r.goal:.0%} | {'met' if r.met else '**NOT met**'} |"
              for r in ratios]
    if any(r.paired is not None for r in ratios):
        lines += ["", "† the median of each round's ratio to the baseline measured just before it (the rates shown are "
                  "the median rounds, so they need not divide to it); see the section."]
    if latencies:
        lines += ["", "| latency | p99 | goal | |", "|---|---:|---:|---|"]
        lines += [f"| {lat.what} | {lat.p99_seconds:.2f} s | < {lat.goal_seconds:.0f} s | "
                  f"{'met' if lat.met else '**NOT met**'} |" for lat in latencies]
    if bounds:
        lines += ["", "| bound | measured | goal | |", "|---|---:|---:|---|"]
        lines += [f"| {c.what} | {c.measured} | {c.goal} | {'met' if c.met else '**NOT met**'} |" for c in bounds]
    if chart:
        lines += ["", f"![Each service against its bare baseline]({chart})"]
    return "\n".join(lines)


def draw_chart(ratios: list[Ratio], latencies: list[Latency], path: Path) -> None:
    """Bars: each ratio against its goal; beside them each latency p99 against its goal."""
    import matplotlib
    matplotlib.use("Agg")  # no display: a file only
    import matplotlib.pyplot as plt

    panels = 2 if latencies else 1
    figure, axes = plt.subplots(1, panels, figsize=(7 * panels, 0.6 * max(len(ratios), 3) + 1.5), squeeze=False)
    left = axes[0][0]
    names = [r.what for r in ratios][::-1]
    values = [r.ratio * 100 for r in ratios][::-1]
    colours = ["#2e7d32" if r.met else "#c62828" for r in ratios][::-1]
    left.barh(names, values, color=colours)
    for y, r in enumerate(ratios[::-1]):
        left.plot([r.goal * 100] * 2, [y - 0.4, y + 0.4], color="black", linewidth=2)
        left.text(r.ratio * 100 + 1, y, f"{r.ratio:.0%}", va="center", fontsize=8)
    left.set_xlabel("% of the bare baseline's throughput (black mark: goal)")
    left.set_xlim(0, max([100, *values]) * 1.15)
    if latencies:
        right = axes[0][1]
        names = [lat.what for lat in latencies][::-1]
        right.barh(names, [lat.p99_seconds for lat in latencies][::-1],
                   color=["#2e7d32" if lat.met else "#c62828" for lat in latencies][::-1])
        for y, lat in enumerate(latencies[::-1]):
            right.plot([lat.goal_seconds] * 2, [y - 0.4, y + 0.4], color="black", linewidth=2)
        right.set_xlim(0, max(max(lat.p99_seconds, lat.goal_seconds) for lat in latencies) * 1.15)
        right.set_xlabel("p99 latency, seconds (black mark: goal)")
    figure.suptitle("Activateurs — make bench (green: goal met, red: not met)")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
