"""Drive the app and a floor app under gunicorn on the same database, in the same run.

Run from the repository root, on a database made by bench/data.py::

    python bench/web.py --url sqlite:////tmp/bench.db
    python bench/web.py --url postgresql://postgres@127.0.0.1:5432/bench --rounds 3 --seconds 5

Both servers listen on loopback only, with the same number of gunicorn workers.
Two measurements, interleaved path by path with the floor so both see the same
machine load, over several rounds; medians are printed:

- under load: ``wrk`` (``--connections`` connections, random job numbers, IMEIs,
  phones) for ``--seconds`` per path per round: requests/s, p50 and p99, and the
  ratio to the floor's requests/s;
- one request at a time (keep-alive): median and p99 per path, and the ratio of the
  median to the floor page's median.

The floor (bench/floor.py) is Flask + SQLAlchemy + Jinja loading one job by number.
The app is served as bench/authfloor.py (the app plus a no-op API call and an empty
signed-in page: what every path pays before its own work, measured the same way).
Writes (intake POST, parts issue) change the database: run it on a bench copy.  At
the end each app worker's resident memory (VmRSS) is printed, after at least
``--rss-after`` requests (e.g. 10000) when given.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import phonenumbers
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.data import BENCH_PASSWORD, BENCH_TOKEN_PREFIX

SP = "sz01"
USERS = {"desk": f"receptionist1_{SP}", "bench": f"engineer1_{SP}", "manager": f"manager1_{SP}",
         "clerk": f"clerk1_{SP}"}


# -- servers ---------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(app: str, env: dict, workers: int, threads: int, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads), "-b",
           f"127.0.0.1:{port}", "--chdir", str(ROOT), "--log-level", "warning", app]
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                requests.get(base + "/healthz" if "authfloor" in app else base + "/jobs/none", timeout=30)
                return proc, base
            except requests.RequestException:
                time.sleep(0.2)
    except BaseException:
        stop(proc)
        raise
    stop(proc)
    raise RuntimeError(f"{app} did not start; see {log}")


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


def worker_rss_mb(proc: subprocess.Popen) -> list[float]:
    """Each gunicorn worker's resident memory (VmRSS of /proc/<pid>/status), in MB."""
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(proc.pid)], check=False, capture_output=True, text=True)
    sizes = []
    for pid in out.stdout.split():
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:  # the worker was recycled meanwhile
            continue
        found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        if found:
            sizes.append(int(found.group(1)) / 1024)
    return sizes


def drive_to(base: str, specs: dict, total: int, connections: int) -> int:
    """Requests (read paths, mixed) until the app has answered about ``total`` more; returns how many."""
    reads = [name for name in ("scan API", "job page", "scan API by IMEI", "IMEI check") if name in specs]
    done = 0
    while done < total and reads:
        for name in reads:
            done += wrk(base, specs[name], 2, connections)["requests"]
            if done >= total:
                break
    return done


# -- sample data ------------------------------------------------------------------

def samples(url: str) -> dict:
    """Job numbers, IMEIs and phones of the bench service point, from the database."""
    from sqlalchemy import create_engine, text

    from config import normalise_database_url

    engine = create_engine(normalise_database_url(url))
    with engine.connect() as conn:
        sp_id = conn.execute(text("SELECT id FROM service_points WHERE code = :c"), {"c": SP.upper()}).scalar()
        top = conn.execute(text("SELECT max(id) FROM jobs")).scalar()
        ids = random.Random(7).sample(range(1, top + 1), 4000)
        rows = conn.execute(text(
            "SELECT j.number, j.imei, c.phone, c.name FROM jobs j JOIN customers c ON c.id = j.customer_id "
            "WHERE j.id IN ({}) AND j.service_point_id = :sp".format(",".join(map(str, ids)))), {"sp": sp_id}).all()
        open_jobs = conn.execute(text(
            "SELECT number FROM jobs WHERE service_point_id = :sp AND status IN ('diagnosing', 'repairing', "
            "'awaiting_parts') AND status <> 'collected'"), {"sp": sp_id}).scalars().all()
        part = conn.execute(text("SELECT sku FROM parts ORDER BY id LIMIT 1")).scalar()
    engine.dispose()
    return {"numbers": [r[0] for r in rows], "imeis": [r[1] for r in rows if r[1]],
            "phones": [r[2] for r in rows], "names": [r[3] for r in rows], "open_jobs": list(open_jobs),
            "part": part}


def duplicate_numbers(url: str) -> int:
    from sqlalchemy import create_engine, text

    from config import normalise_database_url

    engine = create_engine(normalise_database_url(url))
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) - count(DISTINCT number) FROM jobs")).scalar()
    engine.dispose()
    return int(n)


def session_cookie(base: str, username: str) -> str:
    s = requests.Session()
    page = s.get(base + "/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    r = s.post(base + "/login", data={"username": username, "password": BENCH_PASSWORD, "csrf_token": token},
               allow_redirects=False)
    assert r.status_code == 302, f"login of {username} failed ({r.status_code})"
    return "; ".join(f"{k}={v}" for k, v in s.cookies.items())


def bearer(role: str) -> str:
    return "Bearer " + BENCH_TOKEN_PREFIX + USERS[role]


def prepare_requisitions(base: str, data: dict, count: int) -> list[int]:
    """Stock for one part and ``count`` pending requisitions on open jobs, to issue under load."""
    clerk = {"Authorization": bearer("clerk")}
    manager = {"Authorization": bearer("manager")}
    r = requests.post(base + "/api/v1/stock/receipts", json={"sku": data["part"], "qty": count * 2 + 10,
                                                             "note": "bench"}, headers=clerk)
    assert r.status_code in (200, 201), r.text
    ids = []
    http = requests.Session()
    for i in range(count):
        number = data["open_jobs"][i % len(data["open_jobs"])]
        r = http.post(f"{base}/api/v1/jobs/{number}/requisitions", headers=manager,
                      json={"lines": [{"sku": data["part"], "qty": 1}], "note": "bench"})
        if r.status_code == 201:
            ids.append(r.json()["id"])
    return ids


INTAKE = {
    "customer": {"name": "压测 Bench", "phone": "PHONE", "email": None},
    "device": {"imei": "IMEI", "imei2": None, "brand": "Xiaomi", "model": "Redmi 12", "colour": "black"},
    "proof": None,
    "fault": {"category": "no_power", "description": "dead after charging", "component": "handset"},
    "condition": {"liquid_damage": False, "physical_damage": False, "seals_intact": True, "notes": ""},
    "accessories": [],
    "estimate": {"amount": "0.00", "ceiling": "300.00"},
    "consent": {"data_disclaimer": True, "lock_removed": True},
}


#: Words of bench/data.py's fault texts: each is in about a tenth of the history.
FAULT_WORDS = ["screen", "battery drains", "charge", "camera", "speaker", "water", "logo", "button", "signal"]


def paths(data: dict, cookies: dict, requisitions: list[int]) -> dict[str, dict]:
    """What each measured path requests: method, URL paths (one drawn at random), headers, body."""
    desk = {"Authorization": bearer("desk")}
    return {
        # what every API call and every page pays before its own work (bench/authfloor.py)
        "signed-in no-op API": {"paths": ["/api/v1/bench-noop"], "headers": desk},
        "signed-in empty page": {"paths": ["/bench-noop"], "headers": {"Cookie": cookies["desk"]}},
        "scan API": {"paths": [f"/api/v1/scan/{n}" for n in data["numbers"]], "headers": desk},
        "scan API by IMEI": {"paths": [f"/api/v1/scan/{i}" for i in data["imeis"]], "headers": desk},
        "scan miss": {"paths": [f"/api/v1/scan/SZ01-{random.Random(n).randrange(7_000_000, 8_000_000)}"
                                for n in range(200)], "headers": desk},
        "job page": {"paths": [f"/jobs/{n}" for n in data["numbers"]], "headers": {"Cookie": cookies["desk"]}},
        "job search by phone": {"paths": ["/api/v1/jobs?q=" + p.replace("+", "%2B") for p in data["phones"]],
                                "headers": desk},
        "IMEI check": {"paths": [f"/api/v1/imei/{i}" for i in data["imeis"]], "headers": desk},
        "bench board": {"paths": ["/bench/board"], "headers": {"Cookie": cookies["manager"]}},
        "uncollected": {"paths": ["/pickup/uncollected"], "headers": {"Cookie": cookies["desk"]}},
        "home page": {"paths": ["/"], "headers": {"Cookie": cookies["desk"]}},
        # issue 16: the rest of the counter's paths
        "job search by last 4": {"paths": [f"/api/v1/jobs?q={p[-4:]}" for p in data["phones"]], "headers": desk},
        "job search by name": {"paths": ["/api/v1/jobs?q=" + quote(n) for n in data["names"]], "headers": desk},
        "job search by a name word": {"paths": ["/api/v1/jobs?q=" + quote(n.split()[-1]) for n in data["names"]
                                                if " " in n] or ["/api/v1/jobs?q=Wong"], "headers": desk},
        "job search by fault text": {"paths": ["/api/v1/jobs?q=" + quote(w) for w in FAULT_WORDS], "headers": desk},
        # The same searches a page of 5: what they cost when 10k and 1M jobs give as
        # many rows (at 10k a name or a last four matches a few jobs, at 1M a page).
        "job search by last 4, 5 a page": {"paths": [f"/api/v1/jobs?limit=5&q={p[-4:]}" for p in data["phones"]],
                                           "headers": desk},
        "job search by name, 5 a page": {"paths": ["/api/v1/jobs?limit=5&q=" + quote(n) for n in data["names"]],
                                         "headers": desk},
        "job search by fault text, 5 a page": {"paths": ["/api/v1/jobs?limit=5&q=" + quote(w) for w in FAULT_WORDS],
                                               "headers": desk},
        # (bench/data.py makes some numbers phonenumbers calls invalid: the lookup refuses those)
        "customer lookup": {"paths": ["/api/v1/customers/lookup?phone=" + quote(p) for p in data["phones"]
                                      if phonenumbers.is_valid_number(phonenumbers.parse(p))], "headers": desk},
        "pickup counter": {"paths": ["/pickup"], "headers": {"Cookie": cookies["desk"]}},
        "jobs page": {"paths": ["/jobs/"], "headers": {"Cookie": cookies["desk"]}},
        "jobs page search by name": {"paths": ["/jobs/?q=" + quote(n) for n in data["names"]],
                                     "headers": {"Cookie": cookies["desk"]}},
        "low stock": {"paths": ["/parts/"], "headers": {"Cookie": cookies["clerk"]}},
        # Writes last in each round: new intakes are open jobs the lists above would show.
        "intake POST": {"method": "POST", "paths": ["/api/v1/jobs"], "body": json.dumps(INTAKE, ensure_ascii=False),
                        "headers": {**desk, "Content-Type": "application/json"}},
        "parts issue": {"method": "POST", "paths": [f"/api/v1/requisitions/{i}/issue" for i in requisitions],
                        "sequential": True, "headers": {"Authorization": bearer("clerk"),
                                                        "Content-Type": "application/json"}, "body": "{}"},
    }


# -- load with wrk -------------------------------------------------------------------

LUA = r"""
local spec = %(spec)s
local n = 0
local nthreads = %(threads)d
started = 0
function setup(thread) started = started + 1; thread:set("tid", started) end
function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919 + math.floor(os.clock() * 1000000))
end
local function imei()
  local s = "86" .. string.format("%%06d", math.random(0, 999999)) .. string.format("%%06d", math.random(0, 999999))
  local sum = 0
  for i = 1, 14 do
    local d = tonumber(s:sub(i, i))
    if i %% 2 == 0 then d = d * 2; if d > 9 then d = d - 9 end end
    sum = sum + d
  end
  return s .. tostring((10 - sum %% 10) %% 10)
end
request = function()
  n = n + 1
  local path
  if spec.sequential then
    local i = ((n - 1) * nthreads + (tid or 1) - 1) %% #spec.paths + 1
    path = spec.paths[i]
  else
    path = spec.paths[math.random(#spec.paths)]
  end
  local body = spec.body
  if body then
    body = body:gsub('"IMEI"', '"' .. imei() .. '"'):gsub('"PHONE"', '"139' .. string.format("%%08d", math.random(0, 99999999)) .. '"')
  end
  return wrk.format(spec.method or "GET", path, spec.headers, body)
end
"""


def lua_value(v) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"[{lua_value(k)}] = {lua_value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "{" + ", ".join(lua_value(x) for x in v) + "}"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    return json.dumps(str(v), ensure_ascii=False)


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(base: str, spec: dict, seconds: float, connections: int, threads: int = 2) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, encoding="utf-8") as fh:
        fh.write(LUA % {"spec": lua_value({k: v for k, v in spec.items() if v is not None}), "threads": threads})
        script = fh.name
    try:
        done = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s", "--latency",
                               "-s", script, base], check=False, capture_output=True, text=True,
                              timeout=seconds + 60)
    finally:
        os.unlink(script)
    out = done.stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if found is None:
        raise RuntimeError(f"wrk failed: {out[-500:]} {done.stderr[-500:]}")
    rps = float(found.group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.MULTILINE))

    def parse(v):
        m = re.match(r"([\d.]+)(\w+)", v)
        return _ms(m.group(1), m.group(2))

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    return {"rps": rps, "p50": parse(lat["50"]), "p99": parse(lat["99"]),
            "errors": int(errors.group(1)) if errors else 0, "requests": int(total.group(1)) if total else 0}


# -- one request at a time ------------------------------------------------------------

def one_at_a_time(base: str, spec: dict, count: int, state: dict) -> list[float]:
    http = requests.Session()
    times = []
    method = spec.get("method", "GET")
    rng = random.Random(len(times) + count)
    for i in range(count + 3):
        if spec.get("sequential"):
            state["next"] = state.get("next", -1) + 1
            path = spec["paths"][state["next"] % len(spec["paths"])]
        else:
            path = rng.choice(spec["paths"])
        body = spec.get("body")
        if body:
            imei_body = "86" + f"{rng.randrange(10**12):012d}"
            from bench.data import luhn_digit

            body = body.replace('"IMEI"', f'"{imei_body + luhn_digit(imei_body)}"').replace(
                '"PHONE"', f'"139{rng.randrange(10**8):08d}"')
        t0 = time.perf_counter()
        r = http.request(method, base + path, headers=spec.get("headers"), data=body, allow_redirects=False)
        elapsed = (time.perf_counter() - t0) * 1000
        if r.status_code >= 500:
            raise RuntimeError(f"{method} {path}: {r.status_code} {r.text[:300]}")
        if i >= 3:  # warm-up
            times.append(elapsed)
    return times


def compare(this: dict, other: dict, name: str) -> None:
    """Each path's median as a multiple of its own run's floor, here and in ``other``."""
    print()
    print(f"Against {name} (one at a time, median x its run's floor):")
    print(f"  {'path':26s} {'this run':>9s} {'other':>9s} {'this/other':>11s}")
    for path, row in this["one_at_a_time"].items():
        there = other.get("one_at_a_time", {}).get(path)
        if there:
            print(f"  {path:26s} {row['x_floor']:9.1f} {there['x_floor']:9.1f} {row['x_floor'] / there['x_floor']:11.2f}")


def p99(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(0.99 * (len(values) - 1)))]


# -- the run ------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--single", type=int, default=40, help="requests per path one at a time, per round")
    parser.add_argument("--only", nargs="*", help="measure only these paths (names as printed)")
    parser.add_argument("--no-load", action="store_true", help="skip the wrk runs")
    parser.add_argument("--json", help="write the figures here too")
    parser.add_argument("--rss-after", type=int, default=0, metavar="N",
                        help="before reading the workers' memory, send read requests until N were answered")
    parser.add_argument("--against", help="the --json of another run (e.g. 10k jobs): print each path's "
                                          "x-floor beside it")
    args = parser.parse_args(argv)

    logs = Path(tempfile.mkdtemp(prefix="bench-web-"))
    db_url = args.url
    env = {"DATABASE_URL": db_url, "SECRET_KEY": "bench-secret", "WORKSHOP_ENV": "production", "SESSION_COOKIE_SECURE": "0",  # plain http on loopback
           "WORKSHOP_INSTANCE_PATH": str(logs / "instance"), "FLOOR_DATABASE_URL": db_url}
    print(f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"database: {db_url.split('@')[-1]}   gunicorn: {args.workers} workers x {args.threads} threads   "
          f"wrk: {args.connections} connections, {args.seconds:g} s x {args.rounds} rounds")
    data = samples(db_url)
    app_proc, app = start("bench.authfloor:app", env, args.workers, args.threads, logs / "app.log")
    try:
        floor_proc, floor = start("bench.floor:app", env, args.workers, args.threads, logs / "floor.log")
    except BaseException:
        stop(app_proc)
        raise
    try:
        cookies = {role: session_cookie(app, USERS[role]) for role in ("desk", "manager", "clerk")}
        wanted = args.only
        issue_count = 0 if wanted and "parts issue" not in wanted else (
            args.rounds * (args.single + 3) + (0 if args.no_load else int(args.rounds * args.seconds * 80)))
        requisitions = prepare_requisitions(app, data, issue_count) if issue_count else [0]
        specs = {k: v for k, v in paths(data, cookies, requisitions).items() if not wanted or k in wanted}
        floor_spec = {"paths": [f"/jobs/{n}" for n in data["numbers"]], "headers": {}}
        load: dict[str, list] = {k: [] for k in specs}
        floor_load: list = []
        single: dict[str, list] = {k: [] for k in specs}
        floor_single: list = []
        state: dict[str, dict] = {k: {} for k in specs}
        for rnd in range(args.rounds):
            for name, spec in specs.items():
                floor_single += one_at_a_time(floor, floor_spec, args.single, {})
                single[name] += one_at_a_time(app, spec, args.single, state[name])
                if not args.no_load:
                    floor_load.append(wrk(floor, floor_spec, args.seconds, args.connections))
                    load[name].append(wrk(app, spec, args.seconds, args.connections))
            print(f"round {rnd + 1}/{args.rounds} done", flush=True)
        total_requests = sum(r["requests"] for rs in load.values() for r in rs) + sum(
            len(v) for v in single.values())
        if args.rss_after and total_requests < args.rss_after:
            # Memory is read after at least --rss-after requests (issue 13: <= 150 MB after 10,000).
            total_requests += drive_to(app, {k: v for k, v in paths(data, cookies, [0]).items()},
                                       args.rss_after - total_requests, args.connections)
        rss = worker_rss_mb(app_proc)
    finally:
        stop(app_proc)
        stop(floor_proc)

    med = statistics.median
    floor_med = med(floor_single)
    out = {"one_at_a_time": {}, "load": {}, "floor": {}}
    print()
    print("One request at a time (keep-alive), all rounds:")
    print(f"  {'path':24s} {'median ms':>10s} {'p99 ms':>8s} {'x floor':>8s}")
    print(f"  {'floor page':24s} {floor_med:10.1f} {p99(floor_single):8.1f} {1:8.1f}")
    out["floor"]["one_at_a_time"] = {"median_ms": floor_med, "p99_ms": p99(floor_single)}
    for name, times in single.items():
        m = med(times)
        print(f"  {name:24s} {m:10.1f} {p99(times):8.1f} {m / floor_med:8.1f}")
        out["one_at_a_time"][name] = {"median_ms": m, "p99_ms": p99(times), "x_floor": m / floor_med}
    if not args.no_load:
        f_rps = med([r["rps"] for r in floor_load])
        print()
        print(f"Under load ({args.connections} connections; medians of {args.rounds} rounds):")
        print(f"  {'path':24s} {'req/s':>8s} {'p50 ms':>8s} {'p99 ms':>8s} {'ratio':>6s} {'non-2xx':>8s}")
        print(f"  {'floor page':24s} {f_rps:8.0f} {med([r['p50'] for r in floor_load]):8.1f} "
              f"{med([r['p99'] for r in floor_load]):8.1f} {1:6.2f}")
        out["floor"]["load"] = {"rps": f_rps, "p50_ms": med([r["p50"] for r in floor_load]),
                                "p99_ms": med([r["p99"] for r in floor_load])}
        for name, runs in load.items():
            rps = med([r["rps"] for r in runs])
            row = {"rps": rps, "p50_ms": med([r["p50"] for r in runs]), "p99_ms": med([r["p99"] for r in runs]),
                   "ratio": rps / f_rps, "non_2xx": sum(r["errors"] for r in runs)}
            out["load"][name] = row
            print(f"  {name:24s} {rps:8.0f} {row['p50_ms']:8.1f} {row['p99_ms']:8.1f} {row['ratio']:6.2f} "
                  f"{row['non_2xx']:8d}")
    print()
    print(f"app worker RSS (VmRSS) after {total_requests} requests: " + ", ".join(f"{r:.0f} MB" for r in rss))
    duplicates = duplicate_numbers(db_url)
    print(f"duplicate job numbers after the run: {duplicates}")
    out["duplicate_numbers"] = duplicates
    out["rss_mb"] = rss
    out["requests"] = total_requests
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))
    if args.against:
        compare(out, json.loads(Path(args.against).read_text()), args.against)
    print(f"(server logs in {logs})")


if __name__ == "__main__":
    main()
