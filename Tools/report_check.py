#!/usr/bin/env python3
"""kuai-report's numbers against DuckDB 2.0.1, and the time to build the report, in one run.

Usage
    python3 Tools/report_check.py --data CSV_DIR --store STORE [--recipes DIR] [--html OUT.html]
                                  [--bin DIR] [--threads N]
    python3 Tools/report_check.py --write-expected
        writes DuckDB's answer to every built-in recipe over Samples/kuailive-mini into
        Tests/KuaiReportTests/Expected/NAME.csv (first line `# types: T1|T2|...`), which the
        test suite compares with kuai's (ReportBuilderTests; no DuckDB needed there)

What the check does
  1. Runs `kuai-report --store STORE -o OUT.html [--recipes DIR]` (wall time of the process; the
     page's own "Built in" time and per-recipe seconds are read back from the page).
  2. Loads into an in-memory DuckDB the CSVs of CSV_DIR whose tables the store holds (so a store
     with missing tables is missing them for DuckDB too), with the KuaiLive types (Tools/oracle.py),
     and runs each recipe's SQL (the file after its header, exactly what kuai ran), timing each.
  3. Compares the page with DuckDB's answers, recipe by recipe:
     - a recipe whose `tables` are not all in the store must say so (data-status="missing",
       naming exactly the missing tables);
     - a recipe DuckDB rejects must have failed in kuai too;
     - otherwise every table cell of the section (data-ref="ROW:COL", data-v = the value's text)
       must equal DuckDB's cell by the corpus rule (Tools/oracle.py: text equal, doubles to a
       relative 1e-9, DECIMAL as exact text); every cell of DuckDB's answer must appear; every drawn
       mark (an SVG element with data-ref and data-v) must equal its cell as a number.
  Exit 1 when anything differs. Timing: kuai-report's wall and CPU time (process start to page
  written, all recipes; CPU from wait4) against DuckDB's summed query wall and CPU time over tables
  already in memory (CSV load time printed apart; CPU from getrusage around each query); both
  engines on all cores unless --threads. CPU seconds are the steadier figure on a busy machine.
Needs `pip install duckdb==2.0.1`; the release build of kuai-report (`swift build -c release`).
"""
import argparse
import csv
import glob
import html.parser
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle import KUAILIVE, fields_equal  # noqa: E402  (the one comparison rule)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILTIN = os.path.join(ROOT, "Samples", "recipes")
EXPECTED = os.path.join(ROOT, "Tests", "KuaiReportTests", "Expected")


def read_recipe(path):
    """(name, sql, tables) as Formats/report-recipe.md defines them."""
    with open(path, encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    tables = []
    while i < len(lines) and lines[i].startswith("--"):
        body = lines[i][2:].lstrip(" \t")
        if body.startswith("tables:"):
            tables = [t.strip() for t in body[len("tables:"):].split(",") if t.strip()]
        i += 1
    return os.path.basename(path)[:-4], "\n".join(lines[i:]), tables


def recipes(extra_dir):
    """Built-in recipes by name, then --recipes ones; a name replaces the earlier recipe."""
    out = {}
    for d in [BUILTIN] + ([extra_dir] if extra_dir else []):
        for path in sorted(glob.glob(os.path.join(d, "*.sql"))):
            r = read_recipe(path)
            out[r[0]] = r
    return list(out.values())


def duck_connect(data, tables, threads):
    import duckdb
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {threads}")
    for t in tables:
        cols = KUAILIVE.get(t)
        path = os.path.join(data, t + ".csv")
        if cols is None or not os.path.exists(path):
            continue
        spec = ", ".join(f"'{n}': '{ty}'" for n, ty in cols)
        con.execute(f'CREATE TABLE "{t}" AS SELECT * FROM read_csv(\'{path}\', header=true, '
                    f'columns={{{spec}}}, auto_detect=false)')
    return con


def cpu_seconds():
    """User + system CPU time of this process so far (every DuckDB thread included)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def duck_answer(con, sql):
    """(CSV text, rows as CSV fields incl. header, DuckDB type names, wall seconds, CPU seconds)."""
    c0 = cpu_seconds()
    t0 = time.time()
    rel = con.sql(sql)
    types = [str(t) for t in rel.types]
    with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as f:
        path = f.name
    try:
        rel.write_csv(path, header=True)
        seconds = time.time() - t0
        cpu = cpu_seconds() - c0
        with open(path, newline="", encoding="utf-8") as f:
            text = f.read()
    finally:
        os.unlink(path)
    return text, list(csv.reader(io.StringIO(text, newline=""))), types, seconds, cpu


class Page(html.parser.HTMLParser):
    """Sections of a kuai-report page: status, seconds, table cells and drawn marks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sections = {}
        self.current = None
        self.in_missing = False
        self.in_code = False
        self.built = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and "data-recipe" in a:
            self.current = {"status": a["data-status"], "seconds": float(a["data-seconds"]), "cells": [],
                            "marks": [], "missing": []}
            self.sections[a["data-recipe"]] = self.current
        elif self.current is not None and "data-ref" in a:
            r, c = (int(x) for x in a["data-ref"].split(":"))
            entry = (r, c, a.get("data-v"))
            if tag == "td":
                self.current["cells"].append(entry)
            elif "data-v" in a:
                self.current["marks"].append(entry)
        elif tag == "div" and a.get("class") == "missing":
            self.in_missing = True
        elif tag == "code" and self.in_missing:
            self.in_code = True

    def handle_endtag(self, tag):
        if tag == "section":
            self.current = None
        elif tag == "div":
            self.in_missing = False
        elif tag == "code":
            self.in_code = False

    def handle_data(self, data):
        if self.in_code and self.current is not None:
            self.current["missing"].append(data)
        if "Built in " in data and self.built is None:
            try:
                self.built = float(data.split("Built in ")[1].split(" s")[0])
            except (IndexError, ValueError):
                pass


def compare(section, rows, types):
    """A list of differences between a page section and DuckDB's answer (header + rows)."""
    diffs = []
    decimal = [t.startswith("DECIMAL") for t in types]
    body = rows[1:]
    seen = set()
    for r, c, v in section["cells"]:
        if r >= len(body) or c >= len(body[r]):
            diffs.append(f"cell {r}:{c} is not in DuckDB's {len(body)} rows")
            continue
        expected = body[r][c]
        got = "" if v is None else v
        if not fields_equal(expected, got, decimal[c]):
            diffs.append(f"cell {r}:{c}: page {got!r}, DuckDB {expected!r}")
        seen.add((r, c))
    missing = [(r, c) for r in range(len(body)) for c in range(len(body[r])) if (r, c) not in seen]
    if missing:
        diffs.append(f"{len(missing)} of DuckDB's cells are not in the page (first {missing[0]})")
    for r, c, v in section["marks"]:
        try:
            x, y = float(v), float(body[r][c])
        except (ValueError, IndexError):
            diffs.append(f"mark {r}:{c}: {v!r} against {body[r][c] if r < len(body) else '?'!r}")
            continue
        if abs(x - y) > 1e-9 * max(abs(x), abs(y)):
            diffs.append(f"mark {r}:{c}: drawn {x}, DuckDB {y}")
    return diffs


def store_tables(store):
    with open(os.path.join(store, "manifest.json")) as f:
        return [t["name"] for t in json.load(f)["tables"]]


def write_expected():
    os.makedirs(EXPECTED, exist_ok=True)
    data = os.path.join(ROOT, "Samples", "kuailive-mini")
    con = duck_connect(data, list(KUAILIVE), None)
    for name, sql, _ in recipes(None):
        text, _, types, _, _ = duck_answer(con, sql)
        with open(os.path.join(EXPECTED, name + ".csv"), "w", encoding="utf-8", newline="") as f:
            f.write("# types: " + "|".join(types) + "\n" + text)
        print(f"wrote {os.path.relpath(os.path.join(EXPECTED, name + '.csv'), ROOT)}")
    return 0


def default_bin():
    out = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT,
                         capture_output=True, text=True)
    return out.stdout.strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", help="folder of the KuaiLive CSVs the store was converted from")
    ap.add_argument("--store")
    ap.add_argument("--recipes")
    ap.add_argument("--html", help="where the page goes (default: a temporary file)")
    ap.add_argument("--bin", help="folder of the kuai-report binary (default: the release build)")
    ap.add_argument("--threads", type=int)
    ap.add_argument("--write-expected", action="store_true")
    args = ap.parse_args()
    if args.write_expected:
        return write_expected()
    if not args.data or not args.store:
        ap.error("--data and --store are required")
    exe = os.path.join(args.bin or default_bin(), "kuai-report")
    page_path = args.html or os.path.join(tempfile.mkdtemp(prefix="kuai-report-check-"), "report.html")
    cmd = [exe, "--store", args.store, "-o", page_path, "--quiet"]
    if args.recipes:
        cmd += ["--recipes", args.recipes]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    t0 = time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    kuai_wall = time.time() - t0
    kuai_cpu = usage.ru_utime + usage.ru_stime
    returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read()
    print(f"$ {' '.join(cmd)}\n  exit {returncode}, {kuai_wall:.2f} s wall, {kuai_cpu:.2f} s CPU, "
          f"peak {usage.ru_maxrss // 1024} MB; load average {os.getloadavg()[0]:.1f}")
    for line in stderr.splitlines():
        print("  | " + line)
    if returncode not in (0, 3):
        return 1
    page = Page()
    with open(page_path, encoding="utf-8") as f:
        page.feed(f.read())

    present = store_tables(args.store)
    t0 = time.time()
    con = duck_connect(args.data, present, args.threads)
    load = time.time() - t0
    print(f"DuckDB {__import__('duckdb').__version__}: loaded {len(present)} tables from {args.data} in {load:.2f} s")
    print(f"{'recipe':28} {'kuai s':>8} {'duckdb s':>9} {'rows':>6} {'cells':>6} {'marks':>6}  result")
    problems, duck_total, duck_cpu, kuai_total = 0, 0.0, 0.0, 0.0
    for name, sql, tables in recipes(args.recipes):
        section = page.sections.get(name)
        if section is None:
            print(f"{name:28} missing from the page")
            problems += 1
            continue
        kuai_total += section["seconds"]
        lacking = [t for t in tables if t.lower() not in {p.lower() for p in present}]
        if lacking:
            ok = section["status"] == "missing" and sorted(section["missing"]) == sorted(lacking)
            print(f"{name:28} {section['seconds']:8.3f} {'-':>9} {'-':>6} {'-':>6} {'-':>6}  "
                  f"{'says tables missing: ' + ', '.join(lacking) if ok else 'DIFF: expected missing ' + ', '.join(lacking)}")
            problems += 0 if ok else 1
            continue
        try:
            _, rows, types, seconds, cpu = duck_answer(con, sql)
        except Exception as e:  # DuckDB rejects the SQL: kuai must have failed too
            ok = section["status"] == "failed"
            print(f"{name:28} {section['seconds']:8.3f} {'-':>9} {'-':>6} {'-':>6} {'-':>6}  "
                  f"{'both fail' if ok else 'DIFF: DuckDB fails, kuai ' + section['status']}: {str(e).splitlines()[0][:80]}")
            problems += 0 if ok else 1
            continue
        duck_total += seconds
        duck_cpu += cpu
        diffs = [f"page status {section['status']}"] if section["status"] not in ("drawn", "empty") else []
        diffs += compare(section, rows, types)
        print(f"{name:28} {section['seconds']:8.3f} {seconds:9.3f} {len(rows) - 1:6} {len(section['cells']):6} "
              f"{len(section['marks']):6}  {'same' if not diffs else 'DIFF: ' + diffs[0]}")
        for d in diffs[1:4]:
            print(" " * 30 + d)
        problems += 1 if diffs else 0
    print(f"kuai-report: {kuai_wall:.2f} s wall, {kuai_cpu:.2f} s CPU for the whole page (store open, "
          f"every recipe, drawing, writing; recipes {kuai_total:.2f} s, page says built in {page.built} s)")
    print(f"DuckDB:      {duck_total:.2f} s wall, {duck_cpu:.2f} s CPU for the same queries (tables already "
          f"in memory; CSV load {load:.2f} s apart); load average now {os.getloadavg()[0]:.1f}")
    print("numbers: " + ("every chart equals DuckDB's answer" if not problems else f"{problems} recipe(s) differ"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
