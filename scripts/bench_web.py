#!/usr/bin/env python
"""Web benchmark (not a test): N concurrent clients on loopback for D seconds against
POST /api/v1/answers with varied questions drawn from ../shared/eval/*.jsonl, then the
warm time-to-first-byte of article pages. Prints a markdown table.

    .venv/bin/curbside --data-dir var ingest            # the full corpus, once
    .venv/bin/python scripts/bench_web.py --data-dir var [--clients 8] [--seconds 60] [--engines 2]

The server runs as a separate process (``curbside serve``) over a scratch data folder
that links the ingested store and indexes but has its own empty editorial database, so
runs are comparable and the real review data is never touched (``--keep-editorial``
uses the real one). Targets (2 cores): p95 <= 500 ms, >= 15 answers/s, TTFB <= 300 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
AUDIENCES = ["physician", "nurse", "pharmacist", "student", "patient"]


def load_questions(eval_dir: Path) -> list[str]:
    qs: list[str] = []
    for path in sorted(eval_dir.glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            for line in f:
                q = (json.loads(line).get("question") or "").strip()
                if q:
                    qs.append(q)
    if not qs:
        sys.exit(f"no questions found in {eval_dir}/*.jsonl")
    return qs


def scratch_data_dir(data_dir: Path) -> Path:
    """A folder whose entries link to ``data_dir`` except the editorial database."""
    scratch = Path(tempfile.mkdtemp(prefix="curbside-bench-"))
    for entry in data_dir.iterdir():
        if not entry.name.startswith("editorial.sqlite"):
            (scratch / entry.name).symlink_to(entry.resolve())
    return scratch


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data_dir: Path, port: int, engines: int) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).with_name("curbside")
    cmd = [str(exe) if exe.exists() else "curbside", "--data-dir", str(data_dir), "serve", "--port", str(port),
           "--engines", str(engines), "--log-level", "warning"]
    # the load comes from one address: the per-client ask limit (web/ratelimit.py) is
    # lifted so the engine's throughput is measured, not the limiter's
    env = {**os.environ, "CURBSIDE_ASK_RATE_PER_MINUTE": "1000000", "CURBSIDE_ASK_BURST": "1000000"}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit("server exited: " + (proc.stderr.read().decode() if proc.stderr else ""))
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/healthz")
            r = c.getresponse()
            body = r.read()
            if r.status == 200:
                return proc
            if r.status == 503:
                proc.terminate()
                sys.exit("the data folder has no ingested corpus: " + body.decode())
        except OSError:
            pass
        time.sleep(0.25)
    proc.terminate()
    sys.exit("server did not start within 180 s")


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


class Load:
    def __init__(self, port: int, questions: list[str], seconds: float, clients: int, seed: int) -> None:
        self.port, self.questions, self.seconds, self.clients = port, questions, seconds, clients
        self.seed = seed
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.cached = 0
        self.urls: list[str] = []

    def client(self, i: int, stop_at: float) -> None:
        rnd = random.Random(self.seed * 1000 + i)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        while time.monotonic() < stop_at:
            body = json.dumps({"question": rnd.choice(self.questions), "audience": rnd.choice(AUDIENCES)})
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/answers", body=body, headers={"Content-Type": "application/json"})
                r = conn.getresponse()
                data = r.read()
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                with self.lock:
                    self.errors.append(f"{type(e).__name__}: {e}")
                continue
            ms = (time.perf_counter() - t0) * 1000
            with self.lock:
                if r.status != 200:
                    self.errors.append(f"{r.status}: {data[:200]!r}")
                    continue
                self.latencies.append(ms)
                payload = json.loads(data)
                self.cached += bool(payload.get("cached"))
                if len(self.urls) < 200:
                    self.urls.append(payload["url"].split(str(self.port), 1)[1])
        conn.close()

    def run(self) -> float:
        stop_at = time.monotonic() + self.seconds
        threads = [threading.Thread(target=self.client, args=(i, stop_at)) for i in range(self.clients)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.perf_counter() - t0


def ttfb(port: int, paths: list[str]) -> list[float]:
    """Warm time to first byte (request sent -> status line and headers received)."""
    out = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for path in paths:
        for warm in (True, False):
            t0 = time.perf_counter()
            conn.request("GET", path, headers={"Accept": "text/html"})
            r = conn.getresponse()
            first = (time.perf_counter() - t0) * 1000
            r.read()
            if not warm and r.status == 200:
                out.append(first)
    conn.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=Path(os.environ.get("CURBSIDE_DATA_DIR", REPO / "var")))
    ap.add_argument("--shared-dir", type=Path, default=Path(os.environ.get("CURBSIDE_SHARED_DIR",
                                                                           REPO.parent / "shared")))
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--engines", type=int, default=2, help="engines in the server's pool (curbside serve --engines)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep-editorial", action="store_true", help="use the data folder's own editorial database")
    args = ap.parse_args()

    questions = load_questions(args.shared_dir / "eval")
    data = args.data_dir if args.keep_editorial else scratch_data_dir(args.data_dir)
    port = free_port()
    proc = start_server(data, port, args.engines)
    try:
        load = Load(port, questions, args.seconds, args.clients, args.seed)
        wall = load.run()
        pages = ttfb(port, load.urls[:100])
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    n = len(load.latencies)
    rate = n / wall if wall else 0.0
    p95 = pct(load.latencies, 95)
    t95 = pct(pages, 95)
    ok = lambda cond: "yes" if cond else "**no**"  # noqa: E731
    print(f"\n{args.clients} clients x {args.seconds:.0f} s on loopback, {args.engines} engine(s), "
          f"{len(questions)} eval questions x {len(AUDIENCES)} audiences, {os.cpu_count()} CPUs\n")
    print("| metric | value | target | met |")
    print("|---|---:|---:|:---:|")
    print(f"| answers | {n} ({load.cached} from the stored-answer fast path) | | |")
    print(f"| errors | {len(load.errors)} | 0 | {ok(not load.errors)} |")
    print(f"| throughput | {rate:.1f} answers/s | >= 15 | {ok(rate >= 15)} |")
    print(f"| latency p50 | {pct(load.latencies, 50):.0f} ms | | |")
    print(f"| latency p95 | {p95:.0f} ms | <= 500 ms | {ok(p95 <= 500)} |")
    print(f"| latency p99 | {pct(load.latencies, 99):.0f} ms | | |")
    print(f"| latency mean | {statistics.fmean(load.latencies) if n else float('nan'):.0f} ms | | |")
    print(f"| article page TTFB p50 (warm, {len(pages)} pages) | {pct(pages, 50):.1f} ms | | |")
    print(f"| article page TTFB p95 (warm) | {t95:.1f} ms | <= 300 ms | {ok(t95 <= 300)} |")
    for e in load.errors[:10]:
        print(f"error: {e}", file=sys.stderr)


if __name__ == "__main__":
    main()
