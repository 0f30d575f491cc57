"""Run the province-scale benchmarks on both engines and write their table into docs/benchmarks.md.

    PYTHONPATH=. python bench/run_all.py [--postgres URL] [--seconds 10] [--skip-search] [--dry-run]
    PYTHONPATH=. python bench/run_all.py --province DIR [--province-postgres URL] [--generate] ...

Each bench runs in its own process against a server of its own (`python -m server serve`, its default
workers), prints JSON lines, and this script gathers them into the table between the markers
`<!-- run_all:start -->` and `<!-- run_all:end -->` of docs/benchmarks.md, with the machine, the date,
the engine and the workers. Nothing here is a test: the figures are for reading, beside their targets.

Without `--province` each bench builds its own data (the demo province, synthetic cells). With it, every
bench runs on the generated province (`python -m server generate`, see bench/province.py): DIR is the SQLite
data directory holding it, `--province-postgres` the URL of a PostgreSQL database holding the same (`''`:
SQLite only); `--generate` first generates whichever is missing (250,000 members, 10,000 cells, 50,000
documents, 12 months, seed 1), timed. The table goes between `<!-- run_all:province:start -->` and
`<!-- run_all:province:end -->`.
"""

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- run_all:start -->", "<!-- run_all:end -->"
PROVINCE_START, PROVINCE_END = "<!-- run_all:province:start -->", "<!-- run_all:province:end -->"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
GENERATE = ["--members", "250000", "--cells", "10000", "--documents", "50000", "--months", "12",
            "--seed", "1"]


def bench(script: str, *args: str) -> list[dict]:
    """The JSON lines a bench printed (every line is echoed on this process's stderr)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(f"{script} failed:\n{proc.stdout}\n{proc.stderr}")
    rows = []
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            rows.append(json.loads(line))
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


def table(results: dict[str, dict], province: bool = False) -> str:
    def cell(engine: str, key: str) -> str:
        return results.get(engine, {}).get(key, "not measured")

    rows = [
        ("up-to-date sync poll, req/s ÷ health (16 connections)", "≥ 0.5", "idle"),
        ("sync 20 documents behind, req/s ÷ health; p99", "≥ 0.2; p99 < 50 ms", "behind"),
        ("first sync of a member device (a province member: a year of meetings)" if province else
         "first sync of a member device (demo data)", "< 300 ms, < 200 KB", "first"),
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


def measure(engine: str, extra: list[str], seconds: int, search: bool) -> dict:
    """The table's cells for one engine; `extra`: the benches' data option (--postgres URL, --province
    SOURCE, or none: SQLite on their own data). A bench that fails leaves its cells "failed" (its output on
    stderr) and the others run."""
    out: dict[str, str] = {"workers": str(os.cpu_count())}

    def poll() -> None:
        row = bench("poll_rate.py", "--seconds", str(seconds), *extra)[0]
        out["idle"] = f"**{row['idle_ratio']}** (p99 {row['idle_p99']})"
        out["behind"] = f"**{row['behind20_ratio']}**; p99 {row['behind20_p99']}"
        out["first"] = f"**{row['first_sync_ms']} ms**, {row['first_sync_kb']} KB"
        out["workers"] = str(row["workers"])

    def evening() -> None:
        for row in bench("checkin_evening.py", *extra):
            errors = sum(row["errors"].values())
            if row["mode"] == "closed":
                out["closed"] = f"{row['recorded']:,}, {errors} errors, **{row['ratio_to_health']}**"
            else:
                out["open"] = f"{row['recorded']:,}, {errors} errors, **p99 {row['p99_ms']} ms**"

    def sse() -> None:
        row = bench("sse_fanout.py", *extra)[0]
        out["sse"] = (f"{row['heard_within_2s']:,} of {row['clients']:,} within 2 s "
                      f"(last {row['last_ms']} ms), **{row['server_rss_mb']} MB**")

    def find() -> None:
        found = search_p99(*extra)
        out["search"] = (f"**p99 {found['p99_ms']:.0f} ms** (p50 {found['p50_ms']:.0f} ms, "
                         f"{found['total']:,} found)")

    def behind() -> None:
        # poll_rate asks for one device's page again and again; on the province every request is another
        # device of a district, as an evening's publication reaches them (behind_devices.py).
        row = bench("behind_devices.py", "--devices", "5000", "--seconds", str(seconds), *extra)[0]
        out["behind"] = (f"**{row['behind_ratio']}**; p99 {row['behind_p99']} "
                         f"({row['devices']:,} devices, each asked once per {row['devices']:,} requests)")

    steps = [(poll, ("idle", "behind", "first")), (evening, ("closed", "open")), (sse, ("sse",))]
    if "--province" in extra:
        steps.insert(1, (behind, ("behind",)))
    if search:
        steps.append((find, ("search",)))
    for step, keys in steps:
        try:
            step()
        except (RuntimeError, subprocess.SubprocessError, KeyError, IndexError, ValueError) as exc:
            print(f"{engine}: {step.__name__} failed: {exc}", file=sys.stderr)
            for key in keys:
                out.setdefault(key, "failed")
    print(f"{engine}: {out}", file=sys.stderr)
    return out


def generate(source: str) -> float | None:
    """Generate the province into `source` (a data directory or a PostgreSQL URL) unless it holds one;
    the seconds it took, or None if it was there."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("SOTAY_DATABASE_URL", None)
    if source.startswith("postgresql"):
        base, name = source.rsplit("/", 1)
        admin = create_engine(base + "/postgres", isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
                    return None
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
        env["SOTAY_DATABASE_URL"] = source
        data_dir = Path(f"/tmp/sotay-generate-{name}")  # the secret key and files of that run; unused after
    else:
        data_dir = Path(source)
        if (data_dir / "sotay.db").exists():
            return None
    data_dir.mkdir(parents=True, exist_ok=True)
    env["SOTAY_DATA_DIR"] = str(data_dir)
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "server", "generate", *GENERATE], cwd=ROOT, env=env, check=True)
    took = time.monotonic() - started
    print(f"generated {source} in {took:.0f} s", file=sys.stderr)
    return took


def write(text_: str, start: str, end: str, heading: str) -> None:
    doc = DOC.read_text()
    if start in doc and end in doc:
        doc = doc[:doc.index(start)] + text_ + doc[doc.index(end) + len(end):]
    else:
        doc = doc.replace("## Latest run", heading + text_ + "\n\n## Latest run", 1)
    DOC.write_text(doc)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", default=PG_DEFAULT, help="base URL; '' for SQLite only")
    parser.add_argument("--province", metavar="DIR", help="the generated province's SQLite data directory")
    parser.add_argument("--province-postgres", metavar="URL",
                        default=PG_DEFAULT.rsplit("/", 1)[0] + "/sotay_province",
                        help="the generated province on PostgreSQL ('' for SQLite only)")
    parser.add_argument("--generate", action="store_true", help="generate the province(s) if missing")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--skip-search", action="store_true", help="search_bench builds 50,000 documents")
    parser.add_argument("--dry-run", action="store_true", help="print the table, leave the docs alone")
    args = parser.parse_args()
    sources: dict[str, list[str]] = {}
    if args.province:
        sources["SQLite"] = ["--province", args.province]
        if args.province_postgres:
            sources["PostgreSQL"] = ["--province", args.province_postgres]
        if args.generate:
            for engine, (_, source) in sources.items():
                took = generate(source)
                if took is not None:
                    print(f"{engine}: generated in {took:.0f} s", file=sys.stderr)
    else:
        sources["SQLite"] = []
        if args.postgres:
            sources["PostgreSQL"] = ["--postgres", args.postgres]
    results = {engine: measure(engine, extra, args.seconds, not args.skip_search)
               for engine, extra in sources.items()}
    workers = ", ".join(f"{e}: {r.pop('workers')}" for e, r in results.items())
    start, end = (PROVINCE_START, PROVINCE_END) if args.province else (START, END)
    data = (" on the generated province (`python -m server generate " + " ".join(GENERATE) + "`)"
            if args.province else "")
    block = (f"{start}\nRun by `bench/run_all.py` on {datetime.date.today():%d/%m/%Y}{data}, {machine()}; "
             f"server `python -m server serve` with its default workers ({workers}).\n\n"
             + table(results, bool(args.province)) + end)
    print(block)
    if args.dry_run:
        return
    heading = ("## The issue's table on the generated province (bench/run_all.py --province)\n\n"
               if args.province else "## The issue's table (bench/run_all.py)\n\n")
    write(block, start, end, heading)


if __name__ == "__main__":
    main()
