"""A district's documents reaching its devices at once: many devices, each 20 documents behind.

    PYTHONPATH=. python bench/behind_devices.py --province SOURCE [--devices 5000] [--seconds 10]
        [--connections 16] [--server-root PATH] [--workers N]

bench/poll_rate.py's "20 behind" asks for one device's page again and again: a server that remembers a
page it just built answers that from memory, which no real evening looks like. Here every request is
another device: `--devices` members spread over one district of the generated province,
each with its own session and its own up-to-date cursor (computed from the database as the feed would
sign it), then 20 documents published to that district, then wrk walks the devices in turn, each
wrk thread its own half, so a device is asked for again only after every other one (at 600 req/s and
5,000 devices, every 8 s). Prints health and the behind rate from the same run, as a ratio, and one JSON
line.
"""

import argparse
import json
import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import httpx
from sqlmodel import Session, create_engine

from bench import province as generated
from bench.oversized_bodies import ROOT, stop_server
from bench.poll_rate import publish_documents, serve, wrk
from server.auth.principal import build
from server.records.members import User
from server.sync.cursor import cursor_key
from server.sync.registry import build_view
from server.sync.service import current_version, delta_cursor

SECRET = "bench-" + "k" * 48  # the key bench/poll_rate.py's serve() gives the server

_SCRIPT = """
local devices = {}
local counter = 0
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  local all = {}
  for line in io.lines("%(path)s") do
    local token, cursor = line:match("^(%%S+) (%%S+)$")
    table.insert(all, {token, cursor})
  end
  -- each thread walks its own half, so two threads never ask for one device at once
  local half = math.floor(#all / 2)
  local first = (id == 0) and 1 or half + 1
  local last = (id == 0) and half or #all
  for i = first, last do table.insert(devices, all[i]) end
end
function request()
  counter = counter + 1
  local d = devices[(counter - 1) %% #devices + 1]
  return wrk.format("GET", "/api/v1/sync?cursor=" .. d[2],
                    {["Authorization"] = "Bearer " .. d[1], ["Accept-Encoding"] = "gzip"})
end
"""


def cursors(url: str, tokens: list[tuple[int, str]]) -> list[tuple[str, str]]:
    """(token, up-to-date cursor) per device, the cursor as the feed signs it for that account's view."""
    key = cursor_key(SECRET)
    engine = create_engine(url)
    out = []
    with Session(engine) as s:
        version = current_version(s)
        for user_id, token in tokens:
            user = s.get(User, user_id)
            assert user is not None
            out.append((token, delta_cursor(build_view(s, build(s, user, None, None)), version, key)))
    engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--province", metavar="SOURCE", required=True,
                        help="the generated province: its data directory (SQLite) or database URL")
    parser.add_argument("--devices", type=int, default=5000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--server-root", type=Path, default=ROOT)
    parser.add_argument("--workers", type=int, default=0, help="serve --workers (0: its default, the cores)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    source = generated.Province(args.province)
    with generated.database(source.url) as conn:
        account = generated.member(conn)
        admin = generated.admin_username(conn)
    if source.files_dir:
        os.environ["SOTAY_FILES_DIR"] = str(source.files_dir)
    with source.scratch() as (data_dir, url):
        db_url = url or f"sqlite:///{data_dir / 'sotay.db'}"
        proc, base = serve(args.server_root.resolve(), data_dir, args.workers, url, demo=False)
        try:
            with generated.database(db_url) as conn:
                user_ids = generated.district_members(conn, account.district_id, args.devices)
                tokens = generated.mint(conn, SECRET, user_ids)
            behind_of = cursors(db_url, list(zip(user_ids, tokens, strict=True)))
            # to the district, as poll_rate's province run: every device above is 20 behind
            publish_documents(base, 20, (account.username, generated.PASSWORD), (admin, generated.PASSWORD),
                              account.district_id)
            sample = httpx.get(base + "/api/v1/sync", params={"cursor": behind_of[-1][1]}, timeout=60,
                               headers={"Authorization": f"Bearer {behind_of[-1][0]}"}).json()
            kinds = Counter(c["type"] for c in sample.get("changes", []))
            print(f"a device's page: {dict(kinds)}, reset {sample.get('reset')}", flush=True)
            with tempfile.TemporaryDirectory() as tmp:
                lines = Path(tmp) / "devices.txt"
                lines.write_text("".join(f"{t} {c}\n" for t, c in behind_of))
                script = Path(tmp) / "devices.lua"
                script.write_text(_SCRIPT % {"path": lines})
                health = wrk(base + "/api/v1/health", args.seconds, args.connections, {})
                behind = wrk(base + "/api/v1/sync", args.seconds, args.connections, {}, script)
        finally:
            stop_server(proc)
    ratio = behind[0] / health[0]
    print(f"{len(behind_of)} devices of the province on {source.engine_name}, 20 documents behind each, "
          f"{args.connections} connections, {args.seconds} s: health {health[0]:.0f} req/s, behind "
          f"{behind[0]:.0f} req/s (p99 {behind[1]}, non-2xx {behind[2]}); ratio to health {ratio:.3f}")
    print(json.dumps({"bench": "behind_devices", "engine": source.engine_name, "devices": len(behind_of),
                      "documents_in_page": kinds.get("document", 0),
                      "health_rps": round(health[0]), "behind_rps": round(behind[0]),
                      "behind_ratio": round(ratio, 3), "behind_p99": behind[1], "non_2xx": behind[2]}))


if __name__ == "__main__":
    main()
