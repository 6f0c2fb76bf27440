#!/usr/bin/env python3
"""DuckDB 2.0.1's SUMMARIZE rows for Tests/KuaiEndToEndTests/SummarizeTests.swift.

Loads the `mini` fixture (Samples/kuailive-mini) as Tools/oracle.py does and prints each SUMMARIZE
of the test as `|`-separated rows (NULL as an empty field), to paste into the test's expected text:

    python3 Tools/summarize_expected.py
"""
import os
import sys

import duckdb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402

QUERIES = [
    "SUMMARIZE click",
    "SUMMARIZE SELECT user_id, watch_live_time / 1000 AS seconds, epoch_ms(timestamp) AS ts, "
    "CAST(epoch_ms(timestamp) AS DATE) AS day, CASE WHEN watch_live_time > 60000 THEN 'long' END AS kind "
    "FROM click WHERE live_id % 3 = 0",
]

con = duckdb.connect()
oracle.load_fixture(con, "mini")
for sql in QUERIES:
    print(sql)
    for row in con.sql(sql).fetchall():
        print("|".join("" if v is None else str(v) for v in row))
