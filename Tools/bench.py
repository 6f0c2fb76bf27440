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
    --threads N      threads for kuai and DuckDB (default: all cores for each)
    --timeout S      seconds one query run may take (default 1800)
Needs `pip install duckdb==2.0.1`. Tools/bench_folder.py times any number of query folders (and two
kuai builds against each other) the way (b) does, without the conversion.

What is measured (every engine in its own subprocess; peak memory = the subprocess's max RSS
from os.wait4, which for DuckDB includes the Python interpreter: the idle line shows that baseline):
  (a) convert: `kuai-convert DATA -o STORE` (wall time of the process) vs DuckDB loading all eight
      CSVs with read_csv and writing them with COPY ... (FORMAT parquet, COMPRESSION lz4), as
      ../shared/bench/reference_bench.py does; store bytes vs Parquet bytes.
  (b) queries, as Tools/bench_folder.py measures them (its docstring has the details): each *.sql
      through `kuai-query --store STORE --format csv --timer -f Q.sql > file` (wall time of the whole
      process, and kuai's own --timer figure) against DuckDB's in-process
      `COPY (Q) TO 'file.csv' (HEADER)` over a persistent database file built from the same CSVs, and
      over the Parquet files; one warm-up, then the median of --runs runs, the engines taking turns.
      "same answer" compares the CSV files by the corpus rule (Tools/oracle.py csv_file_diff).
      Every answer is kept in WORK/answers/<query>.<engine>.csv.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle import KUAILIVE  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TABLES = ["user", "streamer", "room", "click", "comment", "like", "gift", "negative"]


def shared_bench_dir(sub):
    """../shared/bench/<sub> beside this repository, else /work/shared/bench/<sub> (None if neither)."""
    for d in (os.path.join(ROOT, "..", "shared", "bench", sub), os.path.join("/work/shared/bench", sub)):
        if os.path.isdir(d):
            return os.path.abspath(d)
    return None


def kuai_bin_dir(arg):
    """The folder of kuai-query and kuai-convert: arg, else `swift build -c release --show-bin-path`
    (nothing is built); exits when kuai-query is missing there."""
    bindir = os.path.abspath(arg) if arg else subprocess.run(
        ["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    if not os.access(os.path.join(bindir, "kuai-query"), os.X_OK):
        sys.exit(f"{bindir}/kuai-query not found: run `swift build -c release` first (or pass --bin)")
    return bindir


def run_measured(cmd, stdin_text=None, timeout=3600, stdout_path=None):
    """Runs cmd; returns (seconds, peak_rss_MB, returncode, stdout, stderr). With stdout_path the
    output goes straight to that file (as `> file` in a shell) and the stdout returned is ""."""
    out_f = open(stdout_path, "wb") if stdout_path else tempfile.TemporaryFile()
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
    out = "" if stdout_path else out_f.read().decode("utf-8", "replace")
    out_f.close()
    return secs, ru.ru_maxrss / 1024.0, p.returncode, out, err_f.read().decode("utf-8", "replace")


def duck_script(body):
    """A Python program run in a DuckDB subprocess; it prints one JSON line."""
    return "import duckdb, json, time, sys, os\n" + body


def csv_source(data, table):
    cols = ", ".join(f"'{c}': '{t}'" for c, t in KUAILIVE[table])
    return f"read_csv('{data}/{table}.csv', header=true, columns={{{cols}}}, auto_detect=false)"


def build_duck_db(data, dbfile, tables, threads):
    """A persistent DuckDB database at dbfile (replaced if present) holding the given KuaiLive tables
    of the folder data, typed as Tools/oracle.py KUAILIVE; built in a subprocess, exits on failure."""
    if os.path.exists(dbfile):
        os.remove(dbfile)
    body = f"con = duckdb.connect({dbfile!r})\n" + duck_setup(threads)
    for t in tables:
        create = f'CREATE TABLE "{t}" AS SELECT * FROM {csv_source(data, t)}'
        body += f"con.execute({create!r})\n"
    body += "con.execute('CHECKPOINT')\ncon.close()\nprint('{}')\n"
    secs, rss, rc, out, err = run_measured([sys.executable, "-c", duck_script(body)])
    if rc != 0:
        sys.exit(f"building the DuckDB database failed:\n{err[-2000:]}")


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
    ap.add_argument("--query-dir", default=shared_bench_dir("queries"))
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=1800, help="seconds one query run may take")
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
    bindir = kuai_bin_dir(a.bin)
    kconv = os.path.join(bindir, "kuai-convert")
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
        build_duck_db(data, dbfile, present, a.threads)
    if k_conv and d_conv:
        print("(a) convert                 kuai      DuckDB (read_csv + Parquet LZ4)   ratio kuai/DuckDB")
        print(f"    seconds           {k_conv[0]:9.2f}   {d_conv[0]:9.2f}  (load {d_conv[3]:.2f} + write {d_conv[4]:.2f})   {k_conv[0] / d_conv[0]:6.2f}")
        print(f"    peak MB           {k_conv[1]:9.0f}   {d_conv[1]:9.0f}                          {k_conv[1] / d_conv[1]:6.2f}")
        print(f"    output MB         {mb(k_conv[2]):9.1f}   {mb(d_conv[2]):9.1f}                          {k_conv[2] / d_conv[2]:6.2f}")
        print(f"    CSV MB            {mb(csv_bytes):9.1f}   (store/CSV {k_conv[2] / csv_bytes:.3f}, Parquet/CSV {d_conv[2] / csv_bytes:.3f})\n", flush=True)
    elif k_conv:
        print(f"(a) kuai-convert: {k_conv[0]:.2f} s, peak {k_conv[1]:.0f} MB, store {mb(k_conv[2]):.1f} MB\n", flush=True)

    # (b) queries: Tools/bench_folder.py's measurement (kuai's CSV to a file against DuckDB's COPY TO)
    import bench_folder
    answers = os.path.join(work, "answers")  # every engine's answer, kept for inspection
    os.makedirs(answers, exist_ok=True)
    engines = [bench_folder.Kuai("kuai", bindir, store, a.threads, answers, a.timeout),
               bench_folder.Duck.database(dbfile, a.threads, answers, a.timeout)]
    if not a.no_parquet and not a.answers_only and os.path.isdir(parquet):
        engines.append(bench_folder.Duck.parquet(parquet, present, a.threads, answers, a.timeout))
    bench_folder.describe(engines, a.answers_only)
    prefixes = [p for p in a.queries.split(",") if p]
    runs = max(1, a.runs)
    results = bench_folder.run_folders([a.query_dir], engines, runs, a.answers_only, prefixes)
    return bench_folder.report(results, engines, runs, a.answers_only)


if __name__ == "__main__":
    sys.exit(main())
