#!/usr/bin/env python3
"""Checks that kuai-query gives DuckDB's answer to every benchmark query (no timing).

usage: python3 Tools/compare_bench_queries.py [--data /work/kl-0.01] [--queries q04,q05] [bench.py options]
Same as `python3 Tools/bench.py --answers-only`: converts DATA with kuai-convert, builds a DuckDB
database from the same CSVs, runs each ../shared/bench/queries/*.sql once in both and compares the
CSV answers by the corpus rule (Tools/oracle.py). Exit status 1 when any answer differs.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

if __name__ == "__main__":
    args = sys.argv[1:]
    if "--data" not in args:
        args = ["--data", "/work/kl-0.01"] + args
    sys.argv = [sys.argv[0], "--answers-only"] + args
    sys.exit(bench.main())
