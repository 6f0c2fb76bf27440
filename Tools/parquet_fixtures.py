#!/usr/bin/env python3
"""Writes the Parquet fixtures of Tests/KuaiParquetTests (Tests/Fixtures/parquet) and DuckDB's
answer for each, so the Swift tests compare kuai's reading cell by cell with DuckDB's.

    python3 Tools/parquet_fixtures.py            # rewrite every fixture and expected file

The same 300-row table (NULLs in every column, a low- and a high-cardinality string, dates,
microsecond timestamps, doubles with fractions) is written by DuckDB (each compression; format v1
and v2 pages with DELTA_BINARY_PACKED / DELTA_LENGTH_BYTE_ARRAY / BYTE_STREAM_SPLIT; small row
groups), by pyarrow (each compression; data pages v1 and v2; dictionary off with
DELTA_BINARY_PACKED, DELTA_BYTE_ARRAY, DELTA_LENGTH_BYTE_ARRAY, BYTE_STREAM_SPLIT; small pages;
millisecond and nanosecond timestamps; INT96) and by Polars; a table of TINYINT and SMALLINT by
DuckDB. index.json maps each fixture to its
expected file (`expected-<hash>.json`, shared by fixtures with the same answer): DuckDB's `SELECT *`
over the file, canonicalised: dates as days since 1970-01-01, timestamps as epoch microseconds,
doubles as repr() text, NULL as null.
"""
import hashlib
import json
import os
import sys

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "parquet")
ROWS = 300

SOURCE = f"""
SELECT
  CASE WHEN i % 17 = 3 THEN NULL ELSE (i * 7919) % 100003 - 50000 END::INTEGER AS i32,
  CASE WHEN i % 13 = 5 THEN NULL ELSE 1746288110642 + i * 987654321 END::BIGINT AS i64,
  CASE WHEN i % 11 = 7 THEN NULL ELSE round(i * 1.37 - 200, 2) END::DOUBLE AS d,
  CASE WHEN i % 19 = 2 THEN NULL ELSE ['chat', 'shop', 'game', 'talent', 'other', ''][i % 6 + 1] END AS cat,
  CASE WHEN i % 23 = 9 THEN NULL ELSE 'room-' || (i * 31) % 997 || '-é' END AS name,
  CASE WHEN i % 29 = 4 THEN NULL ELSE DATE '2025-05-04' + (i % 40)::INTEGER END AS dt,
  CASE WHEN i % 31 = 8 THEN NULL ELSE TIMESTAMP '2025-05-04 00:00:00' + to_microseconds(i * 123456789) END AS ts,
  CASE WHEN i % 37 = 1 THEN NULL ELSE i % 3 = 0 END AS flag
FROM range({ROWS}) t(i)
"""


def duckdb_files(con):
    out = []
    for codec in ["snappy", "zstd", "gzip", "lz4_raw", "uncompressed"]:
        out.append((f"duckdb-{codec}", f"(FORMAT parquet, COMPRESSION {codec}, ROW_GROUP_SIZE 128)"))
    out.append(("duckdb-v2-zstd", "(FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION v2, ROW_GROUP_SIZE 200)"))
    for name, opts in out:
        con.execute(f"COPY ({SOURCE}) TO '{ROOT}/{name}.parquet' {opts}")
    return [n for n, _ in out]


# TINYINT and SMALLINT at their bounds, with NULLs: DuckDB writes them as INT32 with the converted
# types INT_8 / INT_16 and no logical type.
NARROW_SOURCE = f"""
SELECT i,
  CASE WHEN i % 7 = 3 THEN NULL WHEN i = {ROWS} THEN 127 WHEN i = {ROWS} + 1 THEN -128
       ELSE (i * 37) % 256 - 128 END::TINYINT AS t,
  CASE WHEN i % 5 = 1 THEN NULL WHEN i = {ROWS} THEN 32767 WHEN i = {ROWS} + 1 THEN -32768
       ELSE (i * 7919) % 65536 - 32768 END::SMALLINT AS s
FROM range({ROWS} + 2) r(i) ORDER BY i
"""


def narrow_files(con):
    con.execute(f"COPY ({NARROW_SOURCE}) TO '{ROOT}/narrow-ints-by-duckdb.parquet' (FORMAT parquet)")
    return ["narrow-ints-by-duckdb"]


def pyarrow_files(con):
    table = con.sql(SOURCE).to_arrow_table()
    if not isinstance(table, pa.Table):
        table = table.read_all()
    names = []

    def write(name, t, **kw):
        pq.write_table(t, f"{ROOT}/{name}.parquet", **kw)
        names.append(name)

    for codec in ["snappy", "zstd", "gzip", "lz4", "none"]:
        write(f"pyarrow-{codec}-v1", table, compression=codec, data_page_version="1.0", data_page_size=1024)
    write("pyarrow-zstd-v2", table, compression="zstd", data_page_version="2.0", data_page_size=1024)
    write("pyarrow-snappy-v2", table, compression="snappy", data_page_version="2.0", row_group_size=100)
    write(
        "pyarrow-delta-v2", table, compression="zstd", data_page_version="2.0", use_dictionary=False,
        column_encoding={"i32": "DELTA_BINARY_PACKED", "i64": "DELTA_BINARY_PACKED", "d": "BYTE_STREAM_SPLIT",
                         "cat": "DELTA_BYTE_ARRAY", "name": "DELTA_LENGTH_BYTE_ARRAY", "ts": "DELTA_BINARY_PACKED"})
    write(
        "pyarrow-delta-v1", table, compression="snappy", data_page_version="1.0", use_dictionary=False,
        data_page_size=512,
        column_encoding={"i32": "DELTA_BINARY_PACKED", "i64": "DELTA_BINARY_PACKED", "cat": "DELTA_BYTE_ARRAY",
                         "name": "DELTA_BYTE_ARRAY"})
    ms = table.set_column(6, "ts", table.column("ts").cast(pa.timestamp("ms"), safe=False))
    write("pyarrow-ts-millis", ms, compression="snappy")
    ns = table.set_column(6, "ts", table.column("ts").cast(pa.timestamp("ns")))
    write("pyarrow-ts-nanos", ns, compression="snappy")
    write("pyarrow-int96", table, compression="snappy", use_deprecated_int96_timestamps=True)
    return names


def polars_files(con):
    df = pl.from_arrow(con.sql(SOURCE).to_arrow_table())
    df.write_parquet(f"{ROOT}/polars-zstd.parquet")
    df.write_parquet(f"{ROOT}/polars-lz4.parquet", compression="lz4")
    return ["polars-zstd", "polars-lz4"]


def expected(con, name, index):
    path = f"{ROOT}/{name}.parquet"
    cols = con.execute(f"DESCRIBE SELECT * FROM '{path}'").fetchall()
    exprs = []
    for col, typ, *_ in cols:
        q = f'"{col}"'
        if typ == "DATE":
            exprs.append(f"({q} - DATE '1970-01-01')::BIGINT")
        elif typ.startswith("TIMESTAMP"):
            exprs.append(f"epoch_us({q}::TIMESTAMP)")
        elif typ in ("DOUBLE", "FLOAT"):
            exprs.append(f"{q}::DOUBLE")
        else:
            exprs.append(q)
    rows = con.execute(f"SELECT {', '.join(exprs)} FROM '{path}'").fetchall()
    canon = []
    for r in rows:
        canon.append([repr(v) if isinstance(v, float) else v for v in r])
    doc = {"columns": [c[0] for c in cols], "types": [c[1] for c in cols], "rows": canon}
    text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False) + "\n"
    key = "expected-" + hashlib.sha1(text.encode()).hexdigest()[:10] + ".json"
    with open(f"{ROOT}/{key}", "w") as f:
        f.write(text)
    index[name] = key


def main():
    os.makedirs(ROOT, exist_ok=True)
    con = duckdb.connect()
    names = duckdb_files(con) + narrow_files(con) + pyarrow_files(con) + polars_files(con)
    for f in os.listdir(ROOT):
        if f.startswith("expected-"):
            os.remove(f"{ROOT}/{f}")
    index = {}
    for n in names:
        expected(con, n, index)
    with open(f"{ROOT}/index.json", "w") as f:
        json.dump(index, f, indent=1, sort_keys=True)
        f.write("\n")
    total = sum(os.path.getsize(f"{ROOT}/{n}.parquet") for n in names)
    print(f"{len(names)} fixtures, {total} bytes of Parquet in {os.path.normpath(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
