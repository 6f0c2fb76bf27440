#!/usr/bin/env python3
"""Parquet timings and sizes of issue 14, must-show 3, kuai and DuckDB in the same run:

    python3 Tools/parquet_bench.py --data ../kl-1.0 [--bin .build/release] [--work DIR] [--runs N]

(1) Export: `COPY t TO 't.parquet' (FORMAT parquet, COMPRESSION zstd)` of every table, kuai-query
    over a kuai store against DuckDB over its own database (the COPY timed inside one warm
    process); kuai both as the whole process per table and as its own `--timer` figure (the
    statement, process start and store open excluded: like for like with DuckDB's); file sizes
    side by side.
(2) Import: `kuai-convert FOLDER -o STORE` over DuckDB's zstd files (whole process) against
    DuckDB's read of the same files into its own database (`CREATE TABLE t AS SELECT * FROM
    't.parquet'` for every table, then CHECKPOINT, timed inside one process).
Both engines read the same data (the CSVs typed as Tools/oracle.py's KUAILIVE). Timings are
noisy on a shared machine: compare the two columns of one run, not runs with each other. With
`--runs N` every export is run N times, alternating the engines, and each table's figure is the
fastest of its N runs for both engines (the small tables take 10-20 ms, where one run's noise
decides the ratio).
"""
import argparse
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import build_duck_db, bytes_of, duck_script, duck_setup, last_json, run_measured  # noqa: E402
from oracle import KUAILIVE, parse_run_arguments  # noqa: E402

TABLES = list(KUAILIVE)


def kuai_export(bin_dir, store, out):
    """Per table: (whole process seconds, kuai's own --timer seconds of the COPY), of one run."""
    os.makedirs(out, exist_ok=True)
    secs = {}
    for t in TABLES:
        sql = f'COPY "{t}" TO \'{out}/{t}.parquet\' (FORMAT parquet, COMPRESSION zstd)'
        s, _, rc, _, err = run_measured([os.path.join(bin_dir, "kuai-query"), "--store", store, "--timer", sql])
        if rc != 0:
            sys.exit(f"kuai COPY {t} failed: {err[-500:]}")
        timer = re.search(r"Run Time \(s\): real ([0-9.]+)", err)
        secs[t] = (s, float(timer.group(1)) if timer else s)
    return secs


def duck_export(dbfile, out):
    os.makedirs(out, exist_ok=True)
    body = f"con = duckdb.connect({dbfile!r}, read_only=True)\n" + duck_setup(None) + f"""
res = {{}}
for t in {TABLES!r}:
    t0 = time.perf_counter()
    con.execute(f'COPY "{{t}}" TO \\'{out}/{{t}}.parquet\\' (FORMAT parquet, COMPRESSION zstd)')
    res[t] = time.perf_counter() - t0
print(json.dumps(res))
"""
    _, _, rc, stdout, err = run_measured([sys.executable, "-c", duck_script(body)])
    if rc != 0:
        sys.exit(f"DuckDB COPY failed: {err[-500:]}")
    return last_json(stdout)


def fastest_exports(args, store, dbfile, k_out, d_out):
    """Runs both exports `args.runs` times, alternating, and keeps each table's fastest figures:
    kuai's (whole process, --timer) and DuckDB's seconds."""
    best_k, best_d = {}, {}
    for _ in range(args.runs):
        for d in (k_out, d_out):
            shutil.rmtree(d, ignore_errors=True)
        ks = kuai_export(args.bin, store, k_out)
        ds = duck_export(dbfile, d_out)
        for t in TABLES:
            old = best_k.get(t, (float("inf"), float("inf")))
            best_k[t] = (min(old[0], ks[t][0]), min(old[1], ks[t][1]))
            best_d[t] = min(best_d.get(t, float("inf")), ds[t])
    return best_k, best_d


def duck_import(folder, dbfile):
    if os.path.exists(dbfile):
        os.remove(dbfile)
    body = f"con = duckdb.connect({dbfile!r})\n" + duck_setup(None) + f"""
t0 = time.perf_counter()
for t in {TABLES!r}:
    con.execute(f'CREATE TABLE "{{t}}" AS SELECT * FROM \\'{folder}/{{t}}.parquet\\'')
con.execute('CHECKPOINT')
print(json.dumps({{"seconds": time.perf_counter() - t0}}))
"""
    _, rss, rc, stdout, err = run_measured([sys.executable, "-c", duck_script(body)])
    if rc != 0:
        sys.exit(f"DuckDB read failed: {err[-500:]}")
    return last_json(stdout)["seconds"], rss


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=1, help="export runs per engine; the fastest counts")
    args = parse_run_arguments(ap, "/tmp/kuai-parquet-bench", data=None)
    os.makedirs(args.work, exist_ok=True)
    store = os.path.join(args.work, "kl.kuai")
    dbfile = os.path.join(args.work, "kl.duckdb")
    print(f"data {args.data}, kuai from {args.bin}; {args.runs} run(s); load average {os.getloadavg()[0]:.1f}")
    if not os.path.exists(store):
        _, _, rc, _, err = run_measured([os.path.join(args.bin, "kuai-convert"), args.data, "-o", store, "--quiet"])
        if rc != 0:
            sys.exit(f"kuai-convert failed: {err[-500:]}")
    if not os.path.exists(dbfile):
        build_duck_db(args.data, dbfile, TABLES, None)

    k_out, d_out = os.path.join(args.work, "kuai-zstd"), os.path.join(args.work, "duck-zstd")
    ks, ds = fastest_exports(args, store, dbfile, k_out, d_out)
    print("(1) COPY t TO 't.parquet' (FORMAT parquet, COMPRESSION zstd)")
    print(f"  {'table':10} {'kuai s':>8} {'(timer)':>8} {'DuckDB s':>9} {'ratio':>6} {'(timer)':>8} "
          f"{'kuai bytes':>14} {'DuckDB bytes':>14} {'size ratio':>10}")
    tk = tt = td = bk = bd = 0
    for t in TABLES:
        sk, sd = bytes_of(f"{k_out}/{t}.parquet"), bytes_of(f"{d_out}/{t}.parquet")
        (wk, ik) = ks[t]
        tk, tt, td, bk, bd = tk + wk, tt + ik, td + ds[t], bk + sk, bd + sd
        print(f"  {t:10} {wk:8.3f} {ik:8.3f} {ds[t]:9.3f} {wk / ds[t]:6.2f} {ik / ds[t]:8.2f} "
              f"{sk:14,} {sd:14,} {sk / sd:10.3f}")
    print(f"  {'total':10} {tk:8.3f} {tt:8.3f} {td:9.3f} {tk / td:6.2f} {tt / td:8.2f} {bk:14,} {bd:14,} {bk / bd:10.3f}")

    kstore = os.path.join(args.work, "from-duck.kuai")
    shutil.rmtree(kstore, ignore_errors=True)
    secs, krss, rc, _, err = run_measured([os.path.join(args.bin, "kuai-convert"), d_out, "-o", kstore, "--quiet"])
    if rc != 0:
        sys.exit(f"kuai-convert of DuckDB's Parquet failed: {err[-500:]}")
    dsecs, drss = duck_import(d_out, os.path.join(args.work, "from-parquet.duckdb"))
    print("(2) DuckDB's zstd Parquet files into each engine's own storage")
    print(f"  kuai-convert FOLDER -o STORE  {secs:7.2f} s  peak {krss:6.0f} MB")
    print(f"  DuckDB CREATE TABLE AS + CHECKPOINT {dsecs:7.2f} s  peak {drss:6.0f} MB (Python included)")
    print(f"  ratio kuai/DuckDB {secs / dsecs:.2f}; load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    sys.exit(main())
