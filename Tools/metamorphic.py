#!/usr/bin/env python3
"""Metamorphic testing of kuai in the style of SQLancer (Rigger and Su): random predicates and expressions
over the KuaiLive fixtures, checked by relations that must hold whatever the right answer is, and
(when DuckDB 2.0.1 is installed) against DuckDB's answer to the same query.

Usage
    python3 Tools/metamorphic.py --kuai .build/release/kuai-query [--seed 1] [--checks 2000]
            [--fixtures seed,mini,edge] [--no-duckdb] [-v]
    python3 Tools/metamorphic.py --write-suite Tests/KuaiEndToEndTests/Metamorphic/checks.txt
            --seed 1 --checks 150         write the fixed-seed checks the Swift test suite runs
                                          (MetamorphicTests; no kuai or DuckDB needed to write them)

The relations (each check is a pair of queries whose answers must be equal as multisets of rows)
    tlp_where     SELECT e FROM T  =  SELECT e FROM T WHERE p  UNION ALL  ... WHERE NOT (p)
                                      UNION ALL  ... WHERE (p) IS NULL          (ternary logic partitioning)
    tlp_aggregate SELECT count(*), sum(x), min(y), max(y) FROM T  =  the same over the three partitions,
                  recombined: count and sum by sum, min by min, max by max
    tlp_group     SELECT k, count(*), sum(x) FROM T GROUP BY k  =  per-partition groups recombined by k
    tlp_distinct  SELECT DISTINCT k FROM T  =  DISTINCT k WHERE p  UNION  ... NOT (p)  UNION  ... IS NULL
    norec         SELECT count(*) FROM T WHERE p  =  SELECT sum(CASE WHEN p THEN 1 ELSE 0 END) FROM T
                  (the optimizer can use p in the first, never in the second: non-optimizing reference)
T is one KuaiLive table or an inner join of two (click/gift/comment JOIN room ON live_id); p and e are
random, typed, nested up to depth 3: comparisons, IS [NOT] NULL, BETWEEN, IN, LIKE, AND/OR/NOT, CASE,
coalesce, arithmetic, string and date functions, NULL constants and values sampled from the data.
Differential: with DuckDB, both queries of every check are also run in DuckDB over the same fixture
and compared (as multisets; numbers within 1e-9 relative).

A query kuai refuses where DuckDB answers is a mismatch; one both refuse (an overflow) is skipped.
Exit status 1 when any mismatch is found; each is printed with its SQL.
"""
import argparse
import importlib.util
import os
import random
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location("oracle", os.path.join(ROOT, "Tools", "oracle.py"))
oracle = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(oracle)

JOINS = [("click", "room"), ("gift", "room"), ("comment", "room")]
BIG_MULT = [2, 3, 10, 1000]
SMALL = ["0", "1", "-1", "2", "7", "100"]
CONSTANTS = {"SMALL": SMALL, "BIG_MULT": BIG_MULT}
STRINGS = ["''", "'a'", "'other'", "'shop'", "'M'", "'F'", "'中'", "'%'", "'0-5'", "'x y'"]
# The expressions of each type beyond columns, constants, CASE and coalesce: `{t}` is an expression of
# the same type, `{BIGINT}` (etc.) one of that type, `{SMALL}` a constant of that list, `{a|b}` a or b.
FORMS = {
    "BIGINT": [
        "({t} + {t})",
        "({t} - {SMALL})",
        "({t} * {BIG_MULT})",
        "({t} // {3|1000|-7})",
        "({t} % {2|10|-3})",
        "abs({t})",
        "length({VARCHAR})",
        "year({DATE})",
        "CAST({DOUBLE} > 1 AS BIGINT)",
        "sign({t})",
    ],
    "DOUBLE": [
        "({BIGINT} / {3|1000.0|-7|0})",
        "CAST({BIGINT} AS DOUBLE)",
        "round({t}, {0|2|-1})",
        "({t} * {0.5|2})",
        "abs({t})",
    ],
    "VARCHAR": [
        "lower({t})",
        "upper({t})",
        "substr({t}, {1|2|0|-2}, {1|3})",
        "({t} || {t})",
        "trim({t})",
        "replace({t}, 'a', 'b')",
        "CAST({BIGINT} AS VARCHAR)",
    ],
    "DATE": [
        "({t} + {1|-30|365})",
        "CAST(date_trunc('month', {t}) AS DATE)",
    ],
}
DATES = ["DATE '2025-05-05'", "DATE '2020-01-01'", "DATE '1970-01-01'", "DATE '2025-05-18'"]


class Source:
    """A FROM clause and its columns: [(sql reference, type)]."""

    def __init__(self, sql, columns):
        self.sql, self.columns = sql, columns

    def of(self, t):
        return [c for c, ty in self.columns if ty == t]


def source(rng):
    if rng.random() < 0.25:
        a, b = rng.choice(JOINS)
        cols = [(f'l."{c}"', t) for c, t in oracle.KUAILIVE[a]] + [(f'r."{c}"', t) for c, t in oracle.KUAILIVE[b]]
        return Source(f'"{a}" l JOIN "{b}" r ON l.live_id = r.live_id', cols)
    t = rng.choice(sorted(oracle.KUAILIVE))
    return Source(f'"{t}" t', [(f't."{c}"', ty) for c, ty in oracle.KUAILIVE[t]])


class Gen:
    """Random typed expressions over a Source."""

    def __init__(self, rng, src):
        self.rng, self.src = rng, src

    def pick(self, xs):
        return self.rng.choice(xs)

    def const(self, t):
        r = self.rng.random()
        if r < 0.08:
            return f"CAST(NULL AS {t})"
        if t == "BIGINT":
            return self.pick(SMALL + ["1746406923456", "-5", "86400000"])
        if t == "VARCHAR":
            return self.pick(STRINGS)
        if t == "DATE":
            return self.pick(DATES)
        if t == "DOUBLE":
            return self.pick(["0.5", "-1.25", "1000.0", "CAST('nan' AS DOUBLE)", "1e10"])
        return self.pick(["true", "false"])

    def expr(self, t, d):
        cols = self.src.of(t)
        r = self.rng.random()
        if d <= 0 or r < 0.35:
            if cols and self.rng.random() < 0.8:
                return self.pick(cols)
            return self.const(t)
        if r < 0.45:
            return f"CASE WHEN {self.pred(d - 1)} THEN {self.expr(t, d - 1)} ELSE {self.expr(t, d - 1)} END"
        if r < 0.52:
            return f"coalesce({self.expr(t, d - 1)}, {self.expr(t, d - 1)})"
        if t in FORMS:
            return self.form(t, d)
        return self.pred(d)

    def form(self, t, d):
        """One of FORMS[t] (chosen first) with its slots filled from left to right."""
        def slot(m):
            name = m.group(1)
            if name == "t":
                return self.expr(t, d - 1)
            if name in FORMS:
                return self.expr(name, d - 1)
            return str(self.pick(CONSTANTS.get(name) or name.split("|")))
        return re.sub(r"\{([^}]*)\}", slot, self.pick(FORMS[t]))

    def pred(self, d):
        r = self.rng.random()
        if d <= 0 or r < 0.45:
            t = self.pick(["BIGINT", "BIGINT", "VARCHAR", "DATE", "DOUBLE"])
            k = self.rng.random()
            if k < 0.55:
                op = self.pick(["=", "<>", "<", "<=", ">", ">="])
                return f"{self.expr(t, d - 1)} {op} {self.expr(t, d - 1)}"
            if k < 0.65:
                return f"{self.expr(t, d - 1)} IS {self.pick(['', 'NOT '])}NULL"
            if k < 0.75:
                return f"{self.expr(t, d - 1)} {self.pick(['', 'NOT '])}BETWEEN {self.const(t)} AND {self.const(t)}"
            if k < 0.85:
                vals = ", ".join(self.const(t) for _ in range(self.rng.randint(1, 4)))
                return f"{self.expr(t, d - 1)} {self.pick(['', 'NOT '])}IN ({vals})"
            if k < 0.93:
                pat = self.pick(["'%a%'", "'o%'", "'_'", "'%'", "''", "'%-%'", "'中%'"])
                return f"{self.expr('VARCHAR', d - 1)} {self.pick(['', 'NOT '])}{self.pick(['LIKE', 'ILIKE'])} {pat}"
            return f"{self.expr(t, d - 1)} IS {self.pick(['', 'NOT '])}DISTINCT FROM {self.expr(t, d - 1)}"
        if r < 0.65:
            return f"({self.pred(d - 1)} AND {self.pred(d - 1)})"
        if r < 0.85:
            return f"({self.pred(d - 1)} OR {self.pred(d - 1)})"
        return f"NOT ({self.pred(d - 1)})"


def make_check(rng, fixture):
    """(kind, fixture, query_a, query_b): two queries whose answers must be equal as multisets."""
    src = source(rng)
    g = Gen(rng, src)
    p = g.pred(3)
    parts = [f"WHERE {p}", f"WHERE NOT ({p})", f"WHERE ({p}) IS NULL"]
    kind = rng.choice(["tlp_where", "tlp_where", "tlp_aggregate", "tlp_group", "tlp_distinct", "norec", "norec"])
    frm = f"FROM {src.sql}"
    if kind == "tlp_where":
        n = rng.randint(1, 3)
        sel = ", ".join(f"{g.expr(rng.choice(['BIGINT', 'VARCHAR', 'DATE', 'BIGINT']), 2)} AS e{i}" for i in range(n))
        a = f"SELECT {sel} {frm}"
        b = " UNION ALL ".join(f"SELECT {sel} {frm} {w}" for w in parts)
    elif kind == "tlp_aggregate":
        x = g.expr("BIGINT", 2)
        y = g.expr(rng.choice(["BIGINT", "VARCHAR", "DATE"]), 2)
        agg = f"count(*) AS c, sum({x}) AS s, min({y}) AS mn, max({y}) AS mx"
        a = f"SELECT {agg} {frm}"
        b = ("SELECT sum(c) AS c, sum(s) AS s, min(mn) AS mn, max(mx) AS mx FROM ("
             + " UNION ALL ".join(f"SELECT {agg} {frm} {w}" for w in parts) + ") u")
    elif kind == "tlp_group":
        k = g.expr(rng.choice(["BIGINT", "VARCHAR", "DATE"]), 1)
        x = g.expr("BIGINT", 2)
        a = f"SELECT {k} AS k, count(*) AS c, sum({x}) AS s {frm} GROUP BY 1"
        b = ("SELECT k, sum(c) AS c, sum(s) AS s FROM ("
             + " UNION ALL ".join(f"SELECT {k} AS k, count(*) AS c, sum({x}) AS s {frm} {w} GROUP BY 1" for w in parts)
             + ") u GROUP BY k")
    elif kind == "tlp_distinct":
        k = g.expr(rng.choice(["BIGINT", "VARCHAR", "DATE"]), 2)
        a = f"SELECT DISTINCT {k} AS k {frm}"
        b = " UNION ".join(f"SELECT DISTINCT {k} AS k {frm} {w}" for w in parts)
    else:
        a = f"SELECT count(*) AS n {frm} WHERE {p}"
        b = f"SELECT coalesce(sum(CASE WHEN {p} THEN 1 ELSE 0 END), 0) AS n {frm}"
    return kind, fixture, a, b

# ----------------------------------------------------------------------------- comparing answers


def canon(rows):
    """Rows (header dropped) sorted, for a multiset comparison."""
    return sorted(rows[1:])


def multiset_diff(a_text, b_text):
    """None when the two CSV answers hold the same rows (any order, numbers compared loosely)."""
    a, b = canon(oracle.parse_csv(a_text)), canon(oracle.parse_csv(b_text))
    if len(a) != len(b):
        return f"{len(a)} rows vs {len(b)} rows"
    if a == b:
        return None
    # numbers can differ in their text (3 vs 3.0, summation order): sort numerically where possible
    def key(row):
        return [(0, float(x), "") if oracle._FLOAT.match(x) else (1, 0.0, x) for x in row]
    a, b = sorted(a, key=key), sorted(b, key=key)
    for i, (x, y) in enumerate(zip(a, b)):
        if len(x) != len(y) or not all(oracle.fields_equal(u, v, True) for u, v in zip(x, y)):
            return f"row {i}: {x} vs {y}"
    return None


class Kuai:
    """Runs queries through kuai-query (a store per fixture, built with kuai-convert)."""

    def __init__(self, query_bin):
        conv = os.path.join(os.path.dirname(query_bin), "kuai-convert")
        self.runner = oracle.KuaiRunner(query_bin, conv)
        self.runs = 0

    def run(self, fixture, sql):
        self.runs += 1
        s, text = self.runner.run(fixture, sql)
        return s, text


def run_checks(a):
    rng = random.Random(a.seed)
    fixtures = a.fixtures.split(",")
    kuai = Kuai(a.kuai)
    duck = None
    if not a.no_duckdb:
        try:
            duck = oracle.DuckOracle(determinism=False)
        except ImportError:
            print("DuckDB not installed: metamorphic relations only", file=sys.stderr)
    counts = {"checks": 0, "queries": 0, "skipped": 0, "mismatch": 0, "differential": 0}
    t0 = time.time()
    for n in range(a.checks):
        kind, fixture, qa, qb = make_check(rng, fixtures[n % len(fixtures)])
        (sa, ta), (sb, tb) = kuai.run(fixture, qa), kuai.run(fixture, qb)
        counts["queries"] += 2
        if duck:
            da, db = duck.run(fixture, qa), duck.run(fixture, qb)
            counts["queries"] += 2
            for q, (s, t), (ds, dt, _) in ((qa, (sa, ta), da), (qb, (sb, tb), db)):
                problem = None
                if s == "crash":
                    problem = f"kuai crashed: {t}"
                elif s == "ok" and ds == "ok":
                    problem = multiset_diff(dt, t)
                elif s != ds:
                    problem = f"kuai {s} ({t[:200] if s != 'ok' else 'rows'}), DuckDB {ds} ({dt[:200] if ds != 'ok' else 'rows'})"
                if problem:
                    counts["differential"] += 1
                    print(f"DIFFERENTIAL [{kind} #{n} {fixture}] {problem}\n  {q}\n", flush=True)
        if sa != "ok" or sb != "ok":
            if "crash" in (sa, sb):
                counts["mismatch"] += 1
                print(f"CRASH [{kind} #{n} {fixture}]\n  A: {qa}\n  B: {qb}\n  {ta if sa != 'ok' else tb}\n")
            else:
                counts["skipped"] += 1
                if a.verbose:
                    print(f"skipped (error) [{kind} #{n}]: {(ta if sa != 'ok' else tb)[:200]}")
            continue
        counts["checks"] += 1
        d = multiset_diff(ta, tb)
        if d:
            counts["mismatch"] += 1
            print(f"MISMATCH [{kind} #{n} {fixture}] {d}\n  A: {qa}\n  B: {qb}\n", flush=True)
        elif a.verbose:
            print(f"ok [{kind} #{n}]")
    dt = time.time() - t0
    print(f"seed {a.seed}: {a.checks} checks generated, {counts['checks']} compared, {counts['skipped']} skipped "
          f"(an error in kuai), {counts['queries']} queries run ({'with' if duck else 'without'} DuckDB), "
          f"{counts['mismatch']} metamorphic mismatches, {counts['differential']} differential mismatches, "
          f"{dt:.0f} s")
    return 1 if counts["mismatch"] or counts["differential"] else 0


def write_suite(a):
    rng = random.Random(a.seed)
    fixtures = a.fixtures.split(",")
    out = [f"# Metamorphic checks (TLP, NoREC) from `python3 Tools/metamorphic.py --write-suite {os.path.relpath(a.write_suite, ROOT)}"
           f" --seed {a.seed} --checks {a.checks}`;",
           "# MetamorphicTests runs each pair through kuai: the two answers must hold the same rows.",
           "# A check is `check <kind> <fixture>`, then query A and query B, one line each.", ""]
    for n in range(a.checks):
        kind, fixture, qa, qb = make_check(rng, fixtures[n % len(fixtures)])
        out += [f"check {kind} {fixture}", qa, qb, ""]
    os.makedirs(os.path.dirname(a.write_suite), exist_ok=True)
    with open(a.write_suite, "w", encoding="utf-8") as f:
        f.write("\n".join(out))
    print(f"wrote {a.checks} checks to {a.write_suite}")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kuai", metavar="KUAI_QUERY")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--checks", type=int, default=500)
    ap.add_argument("--fixtures", default="seed,mini,edge")
    ap.add_argument("--no-duckdb", action="store_true")
    ap.add_argument("--write-suite", metavar="FILE")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    if a.write_suite:
        return write_suite(a)
    if not a.kuai:
        ap.error("--kuai PATH/kuai-query is needed to run checks")
    return run_checks(a)


if __name__ == "__main__":
    sys.exit(main())
