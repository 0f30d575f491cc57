"""Run the province-scale benchmarks on both engines and write their table into docs/benchmarks.md.

    PYTHONPATH=. python bench/run_all.py [--postgres URL] [--seconds 10] [--skip-search] [--dry-run]

Each bench runs in its own process against a server of its own (`python -m server serve`, its default
workers), prints JSON lines, and this script gathers them into the table between the markers
`<!-- run_all:start -->` and `<!-- run_all:end -->` of docs/benchmarks.md, with the machine, the date,
the engine and the workers. Nothing here is a test: the figures are for reading, beside their targets.
"""

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- run_all:start -->", "<!-- run_all:end -->"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def bench(script: str, *args: str) -> list[dict]:
    """The JSON lines a bench printed (its other lines go to this process's stderr)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(f"{script} failed:\n{proc.stdout}\n{proc.stderr}")
    rows = []
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            rows.append(json.loads(line))
        else:
            print(f"  {script}: {line}", file=sys.stderr)
    return rows


def search_p99(*args: str) -> dict:
    """search_bench prints a table: the staff's "nghi quyet" row is the issue's figure."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "search_bench.py"), "--runs", "40", *args],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600, check=True).stdout
    for line in out.splitlines():
        match = re.match(r"q=nghi quyet \(no marks\)\s+staff\s+(\d+)\s+([\d.]+)\s+([\d.]+)", line)
        if match:
            return {"total": int(match.group(1)), "p50_ms": float(match.group(2)),
                    "p99_ms": float(match.group(3))}
    raise RuntimeError(f"no staff 'nghi quyet' row in:\n{out}")


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()}"


def table(results: dict[str, dict]) -> str:
    def cell(engine: str, key: str) -> str:
        return results.get(engine, {}).get(key, "not measured")

    rows = [
        ("up-to-date sync poll, req/s ÷ health (16 connections)", "≥ 0.5", "idle"),
        ("sync 20 documents behind, req/s ÷ health; p99", "≥ 0.2; p99 < 50 ms", "behind"),
        ("first sync of a member device (demo data)", "< 300 ms, < 200 KB", "first"),
        ("check-in evening, closed loop: 5,000 from 500 clients; recorded, errors, ÷ health",
         "5,000, 0 errors, ≥ 0.3", "closed"),
        ("the same 5,000 at 500/s (open loop): recorded, errors, p99", "5,000, 0 errors, p99 < 100 ms",
         "open"),
        ("search over 50,000 documents, staff \"nghi quyet\": p99", "< 50 ms", "search"),
        ("push: SSE clients, one publish", "10,000 within 2 s, < 500 MB", "sse"),
    ]
    engines = [e for e in ("SQLite", "PostgreSQL") if e in results]
    head = "| figure | target | " + " | ".join(engines) + " |\n| --- | --- | " + " | ".join(
        "---" for _ in engines) + " |\n"
    return head + "".join(
        f"| {label} | {target} | " + " | ".join(cell(e, key) for e in engines) + " |\n"
        for label, target, key in rows)


def measure(engine: str, pg: str | None, seconds: int, search: bool) -> dict:
    extra = ["--postgres", pg] if pg else []
    out: dict[str, str] = {}
    poll = bench("poll_rate.py", "--seconds", str(seconds), *extra)[0]
    out["idle"] = f"**{poll['idle_ratio']}** (p99 {poll['idle_p99']})"
    out["behind"] = f"**{poll['behind20_ratio']}**; p99 {poll['behind20_p99']}"
    out["first"] = f"**{poll['first_sync_ms']} ms**, {poll['first_sync_kb']} KB"
    workers = poll["workers"]
    for row in bench("checkin_evening.py", *extra):
        errors = sum(row["errors"].values())
        if row["mode"] == "closed":
            out["closed"] = f"{row['recorded']:,}, {errors} errors, **{row['ratio_to_health']}**"
        else:
            out["open"] = f"{row['recorded']:,}, {errors} errors, **p99 {row['p99_ms']} ms**"
    sse = bench("sse_fanout.py", *extra)[0]
    out["sse"] = (f"{sse['heard_within_2s']:,} of {sse['clients']:,} within 2 s (last {sse['last_ms']} ms), "
                  f"**{sse['server_rss_mb']} MB**")
    if search:
        found = search_p99(*extra)
        out["search"] = (f"**p99 {found['p99_ms']:.0f} ms** (p50 {found['p50_ms']:.0f} ms, "
                         f"{found['total']:,} found)")
    out["workers"] = str(workers)
    print(f"{engine}: {out}", file=sys.stderr)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", default=PG_DEFAULT, help="base URL; '' for SQLite only")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--skip-search", action="store_true", help="search_bench builds 50,000 documents")
    parser.add_argument("--dry-run", action="store_true", help="print the table, leave the docs alone")
    args = parser.parse_args()
    results = {"SQLite": measure("SQLite", None, args.seconds, not args.skip_search)}
    if args.postgres:
        results["PostgreSQL"] = measure("PostgreSQL", args.postgres, args.seconds, not args.skip_search)
    workers = ", ".join(f"{e}: {r.pop('workers')}" for e, r in results.items())
    text = (f"{START}\nRun by `bench/run_all.py` on {datetime.date.today():%d/%m/%Y}, {machine()}; "
            f"server `python -m server serve` with its default workers ({workers}).\n\n"
            + table(results) + END)
    print(text)
    if args.dry_run:
        return
    doc = DOC.read_text()
    if START in doc and END in doc:
        doc = doc[:doc.index(START)] + text + doc[doc.index(END) + len(END):]
    else:
        heading = "## The issue's table (bench/run_all.py)\n\n"
        doc = doc.replace("## Latest run", heading + text + "\n\n## Latest run", 1)
    DOC.write_text(doc)


if __name__ == "__main__":
    main()
