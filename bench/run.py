"""`make bench`: every benchmark beside its bare baseline, measured in the same run; a Markdown report and a chart.

Each module of BENCHMARKS has `async def section() -> Section`: its Markdown and its figures.
`make bench ONLY=notifier` runs the sections whose module name contains "notifier".
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import report  # noqa: E402 - needs the repository root on the path

BENCHMARKS = ["bench.notifier_throughput", "bench.registration_bench", "bench.validation_bench",
              "bench.contact_relay_bench", "bench.directory_bench", "bench.web_bench", "bench.scale_bench"]


async def main() -> int:
    only = os.environ.get("ONLY", "")
    sections = []
    for name in BENCHMARKS:
        if only in name:
            print(f"running {name} …", flush=True)
            sections.append((name, await import_module(name).section()))
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    figures = {name: section.figures for name, section in sections}
    ratios, latencies = report.goals(figures)
    chart = None
    if ratios or latencies:
        chart = "goals.png"
        report.draw_chart(ratios, latencies, out / chart)
    text = "\n\n".join([f"# Benchmarks — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
                         f"Machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}. Each figure is beside its "
                         "bare baseline measured in the same run; ratios, not absolute figures, are what compare "
                         "across machines.",
                         report.summary_markdown(ratios, latencies, chart, report.checks(figures)),
                         *(section.markdown for _, section in sections)])
    print(text)
    (out / "report.md").write_text(text + "\n")
    (out / "results.json").write_text(json.dumps(figures, indent=2))
    print(f"\nwritten to {out / 'report.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
