#!/usr/bin/env python3
"""Spark reads kuai's partitioned Parquet export (issue 14, must-show 2):

    python3 Tools/spark_check.py [--data ../kl-0.01] [--bin .build/release] [--work DIR]

Needs pyspark (`pip install pyspark`) and a Java runtime (`apt-get install -y
default-jre-headless`); says which is missing, with the exact error, when one is.
1. kuai-convert the CSVs into a store; `COPY t TO 'export/t' (FORMAT parquet, COMPRESSION zstd,
   PARTITION_BY (p_date))` for every table with a p_date column, `COPY t TO 'export/t/t.parquet'`
   for the others.
2. Spark in local mode (2 cores) reads each folder (`spark.read.parquet`, partition discovery adds
   p_date) as a view and runs q05 and q09 of ../shared/bench/queries unchanged except for one
   setting: `spark.sql.ansi.doubleQuotedIdentifiers=true`, so that `"user"` names the table as in
   DuckDB's dialect (README, "When one machine is not enough").
3. Each answer is compared, row by row and cell by cell, with kuai-query's over the store
   (Tools/oracle.py's rule: text equal, doubles to a relative 1e-9). Exit 1 when they differ.
"""
import argparse
import csv
import io
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
from oracle import KUAILIVE, ROOT, parse_run_arguments  # noqa: E402

QUERIES = ["q05_streamer_popularity", "q09_ltv"]


def kuai(bin_dir, store, sql):
    p = subprocess.run([os.path.join(bin_dir, "kuai-query"), "--store", store, "--format", "csv", sql],
                       capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"kuai-query failed: {p.stderr.strip()[-500:]}\n  {sql}")
    return p.stdout


def spark_session():
    try:
        from pyspark.sql import SparkSession
    except ImportError as e:
        sys.exit(f"pyspark is not installed (pip install pyspark): {e}")
    try:
        s = (SparkSession.builder.master("local[2]").appName("kuai-spark-check")
             .config("spark.ui.enabled", "false").config("spark.driver.memory", "2g")
             .config("spark.sql.ansi.doubleQuotedIdentifiers", "true").getOrCreate())
    except Exception as e:  # no Java runtime, or it cannot start
        sys.exit(f"Spark cannot start (apt-get install -y default-jre-headless): {e}")
    s.sparkContext.setLogLevel("ERROR")
    return s


def as_csv(columns, rows):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow(["" if v is None else repr(v) if isinstance(v, float) else str(v) for v in r])
    return out.getvalue()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--queries", default=os.path.join(ROOT, "..", "shared", "bench", "queries"))
    args = parse_run_arguments(ap, "/tmp/kuai-spark-check")
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    store, export = os.path.join(args.work, "kl.kuai"), os.path.join(args.work, "export")
    p = subprocess.run([os.path.join(args.bin, "kuai-convert"), args.data, "-o", store, "--quiet"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"kuai-convert failed: {p.stderr[-500:]}")
    for t, cols in KUAILIVE.items():
        if any(c == "p_date" for c, _ in cols):
            sql = f'COPY "{t}" TO \'{export}/{t}\' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (p_date))'
        else:
            os.makedirs(f"{export}/{t}", exist_ok=True)
            sql = f'COPY "{t}" TO \'{export}/{t}/{t}.parquet\' (FORMAT parquet, COMPRESSION zstd)'
        kuai(args.bin, store, sql)
    folders = sum(1 for _, d, _ in os.walk(export) for x in d if "=" in x)
    print(f"kuai exported {len(KUAILIVE)} tables to {export} ({folders} partition folders)")
    spark = spark_session()
    print(f"Spark {spark.version} in local mode, Java from {shutil.which('java')}")
    for t in KUAILIVE:
        spark.read.parquet(f"{export}/{t}").createOrReplaceTempView(t)
    failures = 0
    for q in QUERIES:
        sql = open(os.path.join(args.queries, q + ".sql")).read()
        sql = "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))
        df = spark.sql(sql)
        rows = [tuple(float(v) if type(v).__name__ == "Decimal" else v for v in r) for r in df.collect()]
        got = as_csv(df.columns, rows)
        want = kuai(args.bin, store, sql)
        diff = oracle.csv_diff(want, got)
        print(f"  {q:26} {len(rows):3} rows  {'same as kuai' if diff is None else 'DIFFERS: ' + diff}")
        failures += diff is not None
    spark.stop()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
