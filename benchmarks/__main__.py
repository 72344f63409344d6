"""Run every benchmark module; write benchmarks/out/latest.json and a readable summary.

`BENCH_QUICK=1 make bench` runs a small version of each for a quick look.
"""
from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import platform
import sys
from pathlib import Path

MODULES = ["benchmarks.minutes", "benchmarks.followup", "benchmarks.offline", "benchmarks.capture_heap",
           "benchmarks.server", "benchmarks.replication", "benchmarks.photos", "benchmarks.caches",
           "benchmarks.units", "benchmarks.survey_report", "benchmarks.documents", "benchmarks.capture_live"]
OUT = Path(__file__).parent / "out"


def machine() -> dict:
    return {"platform": platform.platform(), "python": platform.python_version(),
            "cpus": os.cpu_count(), "processor": platform.processor() or platform.machine()}


def main() -> int:
    quick = os.environ.get("BENCH_QUICK") == "1"
    report = {"when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "quick": quick, "machine": machine(), "results": {}}
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        print(f"== {name}", flush=True)
        report["results"][name.split(".")[-1]] = module.run(quick)
    OUT.mkdir(exist_ok=True)
    (OUT / "latest.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    summary = summarize(report)
    (OUT / "latest.txt").write_text(summary)
    print(summary)
    return 0


def summarize(report: dict) -> str:
    lines = [f"survey_app benchmarks, {report['when']} ({'quick' if report['quick'] else 'full'})",
             f"machine: {report['machine']}", ""]
    for area, figures in report["results"].items():
        lines.append(f"[{area}]")
        for figure in figures.get("figures", []):
            verdict = "ok" if figure.get("ok") else "MISSED"
            lines.append(f"  {figure['name']}: {figure['value']} {figure.get('unit', '')} "
                         f"(target {figure.get('target', '-')}) {verdict}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
