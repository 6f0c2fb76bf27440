#!/usr/bin/env python3
"""Parquet round trips of issue 14, must-show 1, each compared cell by cell.

    python3 Tools/parquet_roundtrip.py [--data ../kl-0.01] [--bin .build/release] [--work DIR]

(a) Their files -> kuai: the KuaiLive tables (typed as Tools/oracle.py's KUAILIVE) are written as
    Parquet by DuckDB (snappy, zstd, gzip, lz4_raw, uncompressed; and format v2 pages), pyarrow
    (snappy, zstd, gzip, lz4, none; data pages v1 and v2) and Polars (zstd, snappy, gzip, lz4,
    uncompressed). Each folder goes through `kuai-convert FOLDER -o STORE`; every table's
    `SELECT * ... ORDER BY ALL` from kuai-query must equal DuckDB's over the same Parquet file
    (Tools/oracle.py's comparison rule, CSV text).
(b) kuai -> Parquet -> DuckDB, pyarrow, Polars: `COPY t TO 'x.parquet' (FORMAT parquet,
    COMPRESSION c)` from a store converted from the CSVs, for every codec kuai writes; DuckDB's
    `SELECT * ... ORDER BY ALL` over kuai's file must equal kuai's own answer (CSV text), and
    pyarrow's and Polars' rows must equal DuckDB's rows over the same file, cell by cell.
Exit status 1 when anything differs.
"""
import argparse
import os
import shutil
import subprocess
import sys

import duckdb
import polars as pl
import pyarrow.parquet as pq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
from bench import csv_source  # noqa: E402
from oracle import KUAILIVE, parse_run_arguments  # noqa: E402

TABLES = list(KUAILIVE)


def run(cmd, out=None):
    with open(out, "w") if out else open(os.devnull, "w") as f:
        p = subprocess.run(cmd, stdout=f, stderr=subprocess.PIPE, text=True)
    return p.returncode, p.stderr.strip()


def write_foreign(con, work):
    """Folders of Parquet files written by the other engines: name -> folder."""
    folders = {}

    def folder(name):
        d = os.path.join(work, "in", name)
        os.makedirs(d, exist_ok=True)
        folders[name] = d
        return d

    for codec in ["snappy", "zstd", "gzip", "lz4_raw", "uncompressed"]:
        d = folder(f"duckdb-{codec}")
        for t in TABLES:
            con.execute(f'COPY "{t}" TO \'{d}/{t}.parquet\' (FORMAT parquet, COMPRESSION {codec})')
    d = folder("duckdb-v2-zstd")
    for t in TABLES:
        con.execute(f'COPY "{t}" TO \'{d}/{t}.parquet\' (FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION v2)')
    arrow = {t: con.sql(f'SELECT * FROM "{t}"').to_arrow_table() for t in TABLES}
    for codec in ["snappy", "zstd", "gzip", "lz4", "none"]:
        d = folder(f"pyarrow-{codec}")
        for t in TABLES:
            pq.write_table(arrow[t], f"{d}/{t}.parquet", compression=codec)
    d = folder("pyarrow-zstd-v2")
    for t in TABLES:
        pq.write_table(arrow[t], f"{d}/{t}.parquet", compression="zstd", data_page_version="2.0")
    for codec in ["zstd", "snappy", "gzip", "lz4", "uncompressed"]:
        d = folder(f"polars-{codec}")
        for t in TABLES:
            pl.from_arrow(arrow[t]).write_parquet(f"{d}/{t}.parquet", compression=codec)
    return folders


def duck_csv(con, sql, path):
    con.execute(f"COPY ({sql}) TO '{path}' (HEADER)")


def compare_table(con, kuai_query, store, t, parquet, work):
    """kuai's SELECT * over the store against DuckDB's over the Parquet file; None when equal."""
    k_out, d_out = os.path.join(work, "k.csv"), os.path.join(work, "d.csv")
    rc, err = run([kuai_query, "--store", store, "--format", "csv", f'SELECT * FROM "{t}" ORDER BY ALL'], k_out)
    if rc != 0:
        return f"kuai-query failed: {err[-300:]}"
    duck_csv(con, f"SELECT * FROM '{parquet}' ORDER BY ALL", d_out)
    return oracle.csv_file_diff(d_out, k_out)


def part_a(con, bin_dir, work):
    print("(a) Parquet written by DuckDB, pyarrow, Polars -> kuai-convert -> kuai-query, against DuckDB over the files")
    failures = 0
    for name, folder in write_foreign(con, work).items():
        store = os.path.join(work, f"store-{name}.kuai")
        shutil.rmtree(store, ignore_errors=True)
        rc, err = run([os.path.join(bin_dir, "kuai-convert"), folder, "-o", store, "--quiet"])
        if rc != 0:
            print(f"  {name:22} kuai-convert failed: {err[-300:]}")
            failures += 1
            continue
        bad = []
        for t in TABLES:
            d = compare_table(con, os.path.join(bin_dir, "kuai-query"), store, t, f"{folder}/{t}.parquet", work)
            if d:
                bad.append(f"{t}: {d}")
        rows = sum(con.sql(f"SELECT count(*) FROM '{folder}/{t}.parquet'").fetchall()[0][0] for t in TABLES)
        print(f"  {name:22} {len(TABLES) - len(bad)}/{len(TABLES)} tables equal, {rows:,} rows" +
              ("" if not bad else "; " + "; ".join(bad)))
        failures += bool(bad)
    return failures


def sort_rows(rows):
    return sorted((tuple(r) for r in rows), key=lambda r: tuple((v is None, v if v is not None else 0) for v in r))


def part_b(con, bin_dir, data, work):
    print("(b) kuai COPY ... (FORMAT parquet) -> DuckDB, pyarrow, Polars")
    store = os.path.join(work, "kuai-from-csv.kuai")
    shutil.rmtree(store, ignore_errors=True)
    rc, err = run([os.path.join(bin_dir, "kuai-convert"), data, "-o", store, "--quiet"])
    if rc != 0:
        print(f"  kuai-convert {data} failed: {err[-300:]}")
        return 1
    kq = os.path.join(bin_dir, "kuai-query")
    failures = 0
    for codec in ["zstd", "snappy", "gzip", "lz4_raw", "uncompressed"]:
        out = os.path.join(work, "out", codec)
        os.makedirs(out, exist_ok=True)
        bad = []
        for t in TABLES:
            f = f"{out}/{t}.parquet"
            rc, err = run([kq, "--store", store, f'COPY "{t}" TO \'{f}\' (FORMAT parquet, COMPRESSION {codec})'])
            if rc != 0:
                bad.append(f"{t}: COPY failed: {err[-300:]}")
                continue
            d = compare_table(con, kq, store, t, f, work)
            if d:
                bad.append(f"{t} DuckDB: {d}")
            duck_rows = sort_rows(con.sql(f"SELECT * FROM '{f}'").fetchall())
            arrow_rows = sort_rows(tuple(r.values()) for r in pq.read_table(f).to_pylist())
            if arrow_rows != duck_rows:
                bad.append(f"{t} pyarrow: rows differ from DuckDB's")
            polars_rows = sort_rows(pl.read_parquet(f).rows())
            if polars_rows != duck_rows:
                bad.append(f"{t} Polars: rows differ from DuckDB's")
        print(f"  kuai-{codec:14} {len(TABLES) - len(bad)}/{len(TABLES)} tables equal in DuckDB, pyarrow and Polars" +
              ("" if not bad else "; " + "; ".join(bad)))
        failures += bool(bad)
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--skip-export", action="store_true", help="only part (a)")
    args = parse_run_arguments(ap, "/tmp/kuai-parquet-roundtrip")
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    con = duckdb.connect()
    for t in TABLES:
        con.execute(f'CREATE TABLE "{t}" AS SELECT * FROM {csv_source(args.data, t)}')
    print(f"data {args.data}, kuai from {args.bin}, DuckDB {duckdb.__version__}, pyarrow {pq.__name__ and __import__('pyarrow').__version__}, Polars {pl.__version__}")
    failures = part_a(con, args.bin, args.work)
    if not args.skip_export:
        failures += part_b(con, args.bin, args.data, args.work)
    print("all equal" if failures == 0 else f"{failures} groups differ")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
