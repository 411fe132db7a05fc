"""`make bench`: each benchmark beside its bare baseline, measured in the same run; prints and writes a report."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.notifier_throughput import notifier_run, raw_loop  # noqa: E402
from tests.support.infra import DatabaseFactory  # noqa: E402
from tests.support.smtp import free_port  # noqa: E402

MAILS = 2000
GOAL = 0.5


async def main() -> int:
    port = free_port()
    sink = subprocess.Popen([sys.executable, str(ROOT / "bench" / "smtp_sink.py"), str(port)],
                            stdout=subprocess.PIPE, text=True)
    databases = DatabaseFactory()
    try:
        assert sink.stdout is not None and sink.stdout.readline().strip() == "ready"
        await raw_loop(port, 200)  # warm-up: connections, imports, template cache
        with tempfile.TemporaryDirectory() as logs:
            baseline = await raw_loop(port, MAILS)
            notifier = await notifier_run(port, MAILS, databases, Path(logs))
    finally:
        await databases.drop_all()
        sink.terminate()
        sink.wait(10)

    ratio = notifier.per_second / baseline.per_second
    lines = [
        f"# Benchmarks — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        "| benchmark | mails | seconds | mails/s |",
        "|---|---:|---:|---:|",
        *(f"| {r.name} | {r.mails} | {r.seconds:.2f} | {r.per_second:.0f} |" for r in (baseline, notifier)),
        "",
        f"Notifier / raw loop: **{ratio:.0%}** (goal ≥ {GOAL:.0%}: {'met' if ratio >= GOAL else 'NOT met'}).",
    ]
    report = "\n".join(lines)
    print(report)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.md").write_text(report + "\n")
    (out / "results.json").write_text(json.dumps({
        "notifier_mails_per_second": notifier.per_second, "raw_loop_mails_per_second": baseline.per_second,
        "ratio": ratio, "mails": MAILS}, indent=2))
    print(f"\nwritten to {out / 'report.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
