#!/usr/bin/env python3
"""kuai vs DuckDB on the same KuaiLive files, in the same run: convert time, size, query time, memory.

Usage
    python3 Tools/bench.py --data /work/kl-1.0 --runs 3 [--queries q04,q05] [--skip-convert]
    python3 Tools/bench.py --data /work/kl-0.01 --answers-only       (fast: only checks the answers;
                                                                     also Tools/compare_bench_queries.py)
Options
    --bin DIR        kuai-convert / kuai-query (default: `swift build -c release --show-bin-path`;
                     the script never builds: run `swift build -c release` first)
    --work DIR       where the store, the Parquet files and the DuckDB database go
                     (default /tmp/kuai-bench/<data folder name>)
    --query-dir DIR  the .sql files (default ../shared/bench/queries beside this repository,
                     or /work/shared/bench/queries)
    --threads N      threads for DuckDB (default: all cores, like kuai)
Needs `pip install duckdb==2.0.1`.

What is measured (every engine in its own subprocess; peak memory = the subprocess's max RSS
from os.wait4, which for DuckDB includes the Python interpreter: the "duckdb idle" line shows that
baseline):
  (a) convert: `kuai-convert DATA -o STORE` (wall time of the process) vs DuckDB loading all eight
      CSVs with read_csv and writing them with COPY ... (FORMAT parquet, COMPRESSION lz4), as
      ../shared/bench/reference_bench.py does; store bytes vs Parquet bytes.
  (b) queries: each q*.sql through `kuai-query --store STORE --format csv --timer -f Q.sql` (wall time of the whole
      process: start-up, store open, query, output) vs DuckDB over a persistent database file built
      from the same CSVs and over the Parquet files (time of con.execute(sql).fetchall() inside
      the subprocess, start-up excluded: this favours DuckDB; kuai's own `--timer` line gives the
      like-for-like in-process time, reported beside it). One warm-up run, then the median of
      --runs runs. "same answer" compares kuai's CSV with DuckDB's COPY ... (HEADER) output by the
      corpus rule (Tools/oracle.py: text equal, doubles to a relative 1e-9, DECIMAL numerically).
      Every answer is kept in WORK/answers/<query>.<engine>.csv.
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle import KUAILIVE, csv_diff  # noqa: E402  (the one comparison rule)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TABLES = ["user", "streamer", "room", "click", "comment", "like", "gift", "negative"]


def default_query_dir():
    for d in (os.path.join(ROOT, "..", "shared", "bench", "queries"), "/work/shared/bench/queries"):
        if os.path.isdir(d):
            return os.path.abspath(d)
    return None


def run_measured(cmd, stdin_text=None, timeout=3600):
    """Runs cmd; returns (seconds, peak_rss_MB, returncode, stdout, stderr)."""
    out_f = tempfile.TemporaryFile()
    err_f = tempfile.TemporaryFile()
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE if stdin_text else subprocess.DEVNULL,
                         stdout=out_f, stderr=err_f)
    if stdin_text:
        p.stdin.write(stdin_text.encode())
        p.stdin.close()
    # A blocking wait (a polling loop would add up to its sleep to every measured time); a timer
    # kills a run that exceeds the timeout.
    killer = threading.Timer(timeout, p.kill)
    killer.start()
    try:
        _, status, ru = os.wait4(p.pid, 0)
    finally:
        killer.cancel()
    secs = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    out_f.seek(0)
    err_f.seek(0)
    return secs, ru.ru_maxrss / 1024.0, p.returncode, out_f.read().decode("utf-8", "replace"), \
        err_f.read().decode("utf-8", "replace")


def duck_script(body):
    """A Python program run in a DuckDB subprocess; it prints one JSON line."""
    return "import duckdb, json, time, sys, os\n" + body


def csv_source(data, table):
    cols = ", ".join(f"'{c}': '{t}'" for c, t in KUAILIVE[table])
    return f"read_csv('{data}/{table}.csv', header=true, columns={{{cols}}}, auto_detect=false)"


def duck_setup(threads):
    s = "con.execute('SET enable_progress_bar=false')\n"
    return s + (f"con.execute('SET threads={threads}')\n" if threads else "")


def last_json(out):
    """The JSON object a DuckDB subprocess printed on its last line starting with '{'."""
    for line in reversed(out.strip().split("\n")):
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError(f"no JSON in the output: {out[-300:]!r}")


def bytes_of(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    total = 0
    for dirpath, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(dirpath, f))
    return total


def mb(n):
    return n / 1e6


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--queries", default="")
    ap.add_argument("--bin")
    ap.add_argument("--work")
    ap.add_argument("--query-dir", default=default_query_dir())
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--skip-convert", action="store_true", help="reuse the store, Parquet files and DuckDB database of --work")
    ap.add_argument("--answers-only", action="store_true", help="no timing: run each query once per engine and compare")
    ap.add_argument("--no-parquet", action="store_true", help="skip DuckDB over Parquet in (b)")
    a = ap.parse_args()

    data = os.path.abspath(a.data)
    present = [t for t in TABLES if os.path.exists(f"{data}/{t}.csv")]
    if not present:
        sys.exit(f"no KuaiLive CSVs in {data}")
    work = os.path.abspath(a.work or os.path.join("/tmp/kuai-bench", os.path.basename(data.rstrip("/"))))
    os.makedirs(work, exist_ok=True)
    store, parquet, dbfile = f"{work}/store.kuai", f"{work}/parquet", f"{work}/duck.db"
    bindir = a.bin or subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT,
                                     capture_output=True, text=True).stdout.strip()
    kconv, kquery = os.path.join(bindir, "kuai-convert"), os.path.join(bindir, "kuai-query")
    for b in (kconv, kquery):
        if not os.access(b, os.X_OK):
            sys.exit(f"{b} not found: run `swift build -c release` first (or pass --bin)")
    qfiles = sorted(glob.glob(os.path.join(a.query_dir, "*.sql")))
    if a.queries:
        want = a.queries.split(",")
        qfiles = [q for q in qfiles if any(os.path.basename(q).startswith(w) for w in want)]
    csv_bytes = sum(os.path.getsize(f"{data}/{t}.csv") for t in present)
    print(f"data {data}: {len(present)} tables, {mb(csv_bytes):.1f} MB of CSV; work folder {work}")
    import duckdb
    la = os.getloadavg()
    print(f"DuckDB {duckdb.__version__}, {os.cpu_count()} cores, kuai from {bindir}; "
          f"load average {la[0]:.1f} (timings are noisy when other work runs)\n", flush=True)

    # (a) convert -------------------------------------------------------------------------------
    if not a.skip_convert or not os.path.exists(store):
        secs, rss, rc, out, err = run_measured([kconv, data, "-o", store])
        if rc != 0:
            sys.exit(f"kuai-convert failed (exit {rc}):\n{err[-2000:]}")
        k_conv = (secs, rss, bytes_of(store))
        if err.strip():
            print("kuai-convert says:\n  " + "\n  ".join(err.strip().split("\n")[-len(present) - 2:]))
    else:
        k_conv = None
    need_duck = not a.skip_convert or not os.path.exists(dbfile) or (not a.no_parquet and not os.path.isdir(parquet))
    if need_duck and not a.answers_only:
        os.makedirs(parquet, exist_ok=True)
        body = "con = duckdb.connect()\n" + duck_setup(a.threads) + "t = time.perf_counter()\n"
        for t in present:
            body += f"con.execute('''CREATE TABLE \"{t}\" AS SELECT * FROM {csv_source(data, t)}''')\n"
        body += "t1 = time.perf_counter()\n"
        for t in present:
            body += f"con.execute('''COPY \"{t}\" TO '{parquet}/{t}.parquet' (FORMAT parquet, COMPRESSION lz4)''')\n"
        body += "t2 = time.perf_counter()\nprint(json.dumps({'load': t1 - t, 'write': t2 - t1}))\n"
        secs, rss, rc, out, err = run_measured([sys.executable, "-c", duck_script(body)])
        if rc != 0:
            sys.exit(f"DuckDB convert failed:\n{err[-2000:]}")
        d = last_json(out)
        d_conv = (d["load"] + d["write"], rss, bytes_of(parquet), d["load"], d["write"], secs)
    else:
        d_conv = None
    if not os.path.exists(dbfile) or not a.skip_convert:
        if os.path.exists(dbfile):
            os.remove(dbfile)
        body = f"con = duckdb.connect('{dbfile}')\n" + duck_setup(a.threads)
        for t in present:
            body += f"con.execute('''CREATE TABLE \"{t}\" AS SELECT * FROM {csv_source(data, t)}''')\n"
        body += "con.close()\nprint('{}')\n"
        secs, rss, rc, out, err = run_measured([sys.executable, "-c", duck_script(body)])
        if rc != 0:
            sys.exit(f"building the DuckDB database failed:\n{err[-2000:]}")
    if k_conv and d_conv:
        print("(a) convert                 kuai      DuckDB (read_csv + Parquet LZ4)   ratio kuai/DuckDB")
        print(f"    seconds           {k_conv[0]:9.2f}   {d_conv[0]:9.2f}  (load {d_conv[3]:.2f} + write {d_conv[4]:.2f})   {k_conv[0] / d_conv[0]:6.2f}")
        print(f"    peak MB           {k_conv[1]:9.0f}   {d_conv[1]:9.0f}                          {k_conv[1] / d_conv[1]:6.2f}")
        print(f"    output MB         {mb(k_conv[2]):9.1f}   {mb(d_conv[2]):9.1f}                          {k_conv[2] / d_conv[2]:6.2f}")
        print(f"    CSV MB            {mb(csv_bytes):9.1f}   (store/CSV {k_conv[2] / csv_bytes:.3f}, Parquet/CSV {d_conv[2] / csv_bytes:.3f})\n", flush=True)
    elif k_conv:
        print(f"(a) kuai-convert: {k_conv[0]:.2f} s, peak {k_conv[1]:.0f} MB, store {mb(k_conv[2]):.1f} MB\n", flush=True)

    # (b) queries -------------------------------------------------------------------------------
    runs = 1 if a.answers_only else max(1, a.runs)
    idle = run_measured([sys.executable, "-c", duck_script(f"con = duckdb.connect('{dbfile}', read_only=True)\nprint('{{}}')\n")])
    rows = []
    answers = os.path.join(work, "answers")      # every engine's answer, kept for inspection
    os.makedirs(answers, exist_ok=True)
    for q in qfiles:
        name = os.path.basename(q)[:-4]
        sql = open(q).read().strip().rstrip(";")
        # kuai: warm-up run gives the answer, then `runs` timed runs
        k_times, k_inner, k_peak, k_err, k_out = [], [], 0.0, None, ""
        for i in range(runs + (0 if a.answers_only else 1)):
            secs, rss, rc, out, err = run_measured([kquery, "--store", store, "--format", "csv", "--timer", "-f", q])
            if rc != 0:
                k_err = f"exit {rc}: {err.strip().splitlines()[0] if err.strip() else ''}"
                break
            k_peak = max(k_peak, rss)
            if i == 0:
                k_out = out
                with open(os.path.join(answers, name + ".kuai.csv"), "w") as fh:
                    fh.write(out)
            if a.answers_only or i > 0:
                k_times.append(secs)
                timed = [l for l in err.splitlines() if l.startswith("Run Time (s): real ")]
                if timed:
                    k_inner.append(float(timed[-1].split()[-1]))

        def duck(src_setup, tag):
            body = src_setup + duck_setup(a.threads) + f"sql = {sql!r}\n"
            body += "rel = con.sql(sql)\ntypes = [str(t) for t in rel.types]\n"
            body += f"out = os.path.join({answers!r}, {name + '.' + tag + '.csv'!r})\n"
            body += "con.execute(f\"COPY ({sql}) TO '{out}' (HEADER)\")\ntimes = []\n"
            body += f"for _ in range({0 if a.answers_only else runs}):\n"
            body += "    t = time.perf_counter(); con.execute(sql).fetchall(); times.append(time.perf_counter() - t)\n"
            body += "print(json.dumps({'times': times, 'types': types, 'csv': open(out).read()}))\n"
            secs, rss, rc, out, err = run_measured([sys.executable, "-c", duck_script(body)])
            if rc != 0:
                return None, rss, err.strip().splitlines()[-1] if err.strip() else f"exit {rc}"
            return last_json(out), rss, None

        dres, d_peak, d_err = duck(f"con = duckdb.connect('{dbfile}', read_only=True)\n", "duckdb")
        pres = None
        if not a.no_parquet and not a.answers_only and os.path.isdir(parquet):
            views = "con = duckdb.connect()\n" + "".join(
                f"con.execute('''CREATE VIEW \"{t}\" AS SELECT * FROM '{parquet}/{t}.parquet' ''')\n" for t in present)
            pres, _, _ = duck(views, "duckdb-parquet")
        if k_err:
            same = f"kuai error: {k_err[:80]}"
        elif dres is None:
            same = f"DuckDB error: {d_err[:80]}"
        else:
            d = csv_diff(dres["csv"], k_out, dres["types"])
            same = "yes" if d is None else f"NO: {d[:70]} (see {answers}/{name}.*.csv)"
        k_s = statistics.median(k_times) if k_times and not k_err else None
        ki_s = statistics.median(k_inner) if k_inner and not k_err else None
        d_s = statistics.median(dres["times"]) if dres and dres["times"] else None
        p_s = statistics.median(pres["times"]) if pres and pres["times"] else None
        rows.append((name, k_s, ki_s, d_s, p_s, k_peak if not k_err else None, d_peak, same))
        if a.answers_only:
            print(f"{name:28} {'PASS' if same == 'yes' else 'FAIL'}  {'' if same == 'yes' else same}", flush=True)
        else:
            print(f"  {name} done: {same}", file=sys.stderr, flush=True)

    if a.answers_only:
        bad = sum(1 for r in rows if r[-1] != "yes")
        print(f"{len(rows) - bad} of {len(rows)} bench queries give DuckDB's answer")
        return 1 if bad else 0

    f = lambda v, w=8, p=3: (f"{v:{w}.{p}f}" if v is not None else " " * (w - 1) + "-")
    boot = sorted(run_measured([kquery, "--store", store, "--format", "csv", "SELECT 1"])[0] for _ in range(5))[2]
    print(f"(b) queries, median of {runs} run(s) after a warm-up.\n"
          f"    kuai s = wall time of the whole kuai-query process (`SELECT 1` takes {boot:.3f} s);\n"
          f"    kuai in s = kuai's own `--timer` (store open to last output byte, process start excluded);\n"
          f"    duckdb s = query time inside a warm DuckDB process (connect excluded; idle process peak {idle[1]:.0f} MB);\n"
          f"    ratio = kuai s / duckdb s (whole process against in-process: favours DuckDB); in ratio = kuai in s / duckdb s")
    print(f"{'query':28} | {'kuai s':>8} | {'kuai in s':>9} | {'duckdb s':>8} | {'ratio':>6} | {'in ratio':>8} | {'duck pq s':>9} | {'kuai MB':>7} | {'duck MB':>7} | same answer")
    print("-" * 130)
    for name, k_s, ki_s, d_s, p_s, k_m, d_m, same in rows:
        ratio = k_s / d_s if k_s is not None and d_s else None
        iratio = ki_s / d_s if ki_s is not None and d_s else None
        print(f"{name:28} | {f(k_s)} | {f(ki_s, 9)} | {f(d_s)} | {f(ratio, 6, 2)} | {f(iratio, 8, 2)} | {f(p_s, 9)} | {f(k_m, 7, 0)} | {f(d_m, 7, 0)} | {same}")
    bad = sum(1 for r in rows if r[-1] != "yes")
    print(f"\n{len(rows) - bad} of {len(rows)} queries give DuckDB's answer; load average now {os.getloadavg()[0]:.1f}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
