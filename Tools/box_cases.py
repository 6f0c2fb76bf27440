#!/usr/bin/env python3
"""Expected box tables (kuai-query --format table) from DuckDB 2.0.1's box renderer.

Case files (Tests/KuaiOutputTests/Cases/*.txt) hold records:

    case NAME [width=W] [rows=R]
    SQL (one or more lines, DuckDB's dialect, run by both engines)
    ----
    the table DuckDB draws for it (filled by --regenerate)
    ====

`width` is the maximum width in characters (default 80), `rows` the maximum rows shown (default
40), as DuckDB's CLI passes them to its box renderer (Python's `DuckDBPyRelation.show(max_width,
max_rows)` uses the same renderer). Lines starting with `#` outside records are comments.

    python3 Tools/box_cases.py --regenerate   # rewrite the expected tables from DuckDB
    python3 Tools/box_cases.py --check        # exit 1 when a stored table differs from DuckDB's
"""
import contextlib
import glob
import io
import os
import sys

import duckdb

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "..", "Tests", "KuaiOutputTests", "Cases")


def parse(text):
    """Yields (header, sql, expected) per record, and comment lines as (None, line, None)."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith("case "):
            if line:
                yield (None, line, None)
            i += 1
            continue
        header = line
        i += 1
        sql = []
        while lines[i] != "----":
            sql.append(lines[i])
            i += 1
        i += 1
        expected = []
        while lines[i] != "====":
            expected.append(lines[i])
            i += 1
        i += 1
        yield (header, "\n".join(sql), "\n".join(expected))


def render(header, sql):
    opts = dict(p.split("=") for p in header.split()[2:])
    width = int(opts.get("width", "80"))
    rows = int(opts.get("rows", "40"))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        duckdb.connect().sql(sql).show(max_width=width, max_rows=rows)
    return out.getvalue().rstrip("\n")


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "--check"
    if duckdb.__version__ != "2.0.1":
        sys.exit(f"DuckDB 2.0.1 needed (found {duckdb.__version__})")
    failures = 0
    for path in sorted(glob.glob(os.path.join(CASES, "*.txt"))):
        text = open(path, encoding="utf-8").read()
        out = []
        for header, sql, expected in parse(text):
            if header is None:
                out.append(sql)
                continue
            got = render(header, sql)
            if mode == "--check" and got != expected:
                print(f"{os.path.basename(path)}: {header}: differs from DuckDB")
                failures += 1
            out.append(header + "\n" + sql + "\n----\n" + got + "\n====")
        if mode == "--regenerate":
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join(out) + "\n")
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
