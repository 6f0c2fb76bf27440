#!/usr/bin/env python3
"""Conformance suite generator: every function kuai registers, called with edge arguments, answered by
DuckDB 2.0.1, written as corpus records (Tests/KuaiEndToEndTests/Corpus/conformance-*.slt).

Usage
    python3 Tools/conformance.py --kuai .build/debug/kuai-query     regenerate the conformance-*.slt files
    python3 Tools/conformance.py --kuai ... --check                 also run the records through kuai and
                                                                    print every difference

What it does
 1. Reads kuai's function surface from `SELECT * FROM duckdb_functions()` (Formats/query-language.md,
    "Listing the functions"): every scalar overload, aggregate, window function, operator and cast,
    with parameter and result types.
 2. For each overload, builds calls from edge values of its parameter types (EDGE below: NULL, 0,
    negative and positive, TINYINT/SMALLINT/INTEGER/BIGINT/HUGEINT extremes, NaN and infinities, empty and non-ASCII
    strings, DATE/TIMESTAMP at the epoch and far away, negative digits, zero divisors); two parameters
    take the product of their lists, more a fixed-seed sample of it.
 3. Runs the calls in DuckDB in one query per overload (`SELECT i, f(a, b) FROM (VALUES ...) t(i, a, b)
    ORDER BY i`). When DuckDB raises, the rows are split in halves until the rows that raise are
    found: each becomes an `error` record, the rest stay one `query` record. An overload DuckDB does
    not know at all (a binder error for every row) becomes one `error` record.
 4. Writes the records with DuckDB's answers, in the format of Tools/oracle.py (fixture `seed`;
    the calls read no table). CorpusTests runs them without DuckDB.
Aggregates run over groups (every value, only NULLs, one value); window functions over an ordered
VALUES list; casts over every value of the source type plus strings written for the target type.
Functions whose answer depends on row order (first, string_agg without ORDER BY, ...) are called on
groups where the order cannot matter.
"""
import argparse
import importlib.util
import itertools
import os
import random
import subprocess
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location("oracle", os.path.join(ROOT, "Tools", "oracle.py"))
oracle = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(oracle)

OUT = oracle.CORPUS
MAX_ROWS = 160          # calls per overload (rows of one VALUES list)
MAX_ERRORS = 12         # error records per overload (each raising call is one record)


def cast(v, t):
    return f"CAST({v} AS {t})"


# Edge values per kuai type, as SQL expressions of exactly that type.
EDGE = {
    "BOOLEAN": ["true", "false"],
    "TINYINT": ["0", "1", "-1", "2", "-2", "3", "7", "-7", "10", "100", "127", "-128"],
    "SMALLINT": ["0", "1", "-1", "2", "-2", "3", "7", "-7", "100", "-1000", "32767", "-32768"],
    "INTEGER": ["0", "1", "-1", "2", "-2", "3", "7", "-7", "10", "100", "-1000", "2147483647", "-2147483648"],
    "BIGINT": ["0", "1", "-1", "2", "-2", "42", "-42", "1000", "2147483648", "-2147483649", "1746406923456",
               "9223372036854775807", "-9223372036854775808"],
    "HUGEINT": ["0", "1", "-1", "12345678901234567890123", "-98765432109876543210",
                "170141183460469231731687303715884105727", "-170141183460469231731687303715884105727"],
    "DOUBLE": ["0.0", "'-0.0'", "1.5", "-2.5", "0.5", "2.675", "3.14159", "-1234.5678", "1e308", "-1e-300",
               "123456789012.5", "'nan'", "'inf'", "'-inf'"],
    "VARCHAR": ["''", "'a'", "'Hello World'", "'  padded  '", "'straße'", "'中文字符'", "'😀x'", "'x''y'",
                "'123'", "'-4.5'", "'2025-05-05'", "'%_\\'", "'NULL'"],
    "DATE": ["'1970-01-01'", "'1969-12-31'", "'2025-05-05'", "'2000-02-29'", "'2024-12-31'", "'0001-01-01'",
             "'9999-12-31'", "'1900-03-01'"],
    "TIMESTAMP": ["'1970-01-01 00:00:00'", "'1969-12-31 23:59:59.999999'", "'2025-05-05 12:34:56.789'",
                  "'2000-02-29 23:59:59'", "'0001-01-01 00:00:00'", "'9999-12-31 23:59:59'",
                  "'2025-05-05 00:00:00.000001'"],
    "INTERVAL": ["INTERVAL '0 seconds'", "INTERVAL '1 day'", "INTERVAL '-3 hours'", "INTERVAL '32 days'",
                 "INTERVAL '2 weeks'", "INTERVAL '90 minutes'", "INTERVAL '1500 milliseconds'"],
}
# A shorter list for the second parameter of a product (round's digits, a divisor, ...).
SECOND = {
    "TINYINT": ["0", "1", "-1", "2", "-2", "3", "127"],
    "SMALLINT": ["0", "1", "-1", "2", "-2", "3", "32767"],
    "INTEGER": ["0", "1", "-1", "2", "-2", "3", "2147483647"],
    "BIGINT": ["0", "1", "-1", "2", "-2", "9223372036854775807"],
    "DOUBLE": ["0.0", "1.5", "-2.5", "'nan'", "'inf'"],
    "VARCHAR": ["''", "'a'", "'l'", "'ß'", "'%'", "'_'", "','"],
}
# Strings a cast to each type reads (valid, invalid and at the edges of the range).
CAST_STRINGS = {
    "BOOLEAN": ["'true'", "'FALSE'", "'t'", "'1'", "'0'", "'yes'", "' true '", "'maybe'"],
    "TINYINT": ["'42'", "' -7 '", "'127'", "'128'", "'-128'", "'-129'", "'1e2'", "'0x7F'", "'127.5'", "'x'"],
    "SMALLINT": ["'42'", "'32767'", "'32768'", "'-32768'", "'-32769'", "'1e4'", "'-0x10'", "'32767.4'", "'x'"],
    "INTEGER": ["'42'", "' -7 '", "'2147483647'", "'2147483648'", "'1e3'", "'0x1F'", "'1_000'", "'3.7'", "'+5'",
                "'x'"],
    "BIGINT": ["'42'", "'-9223372036854775808'", "'9223372036854775808'", "'1.5'", "'-2.5'", "'007'", "' 12 '",
               "'1e2'"],
    "HUGEINT": ["'170141183460469231731687303715884105727'", "'170141183460469231731687303715884105728'",
                "'-1'", "'12.5'"],
    "DOUBLE": ["'1.5'", "'-0'", "'1e308'", "'1e309'", "'NaN'", "'-Infinity'", "'inf'", "'.5'", "'5.'", "' 2 '",
               "'1,5'"],
    "DATE": ["'2025-05-05'", "'1970-01-01'", "'2025-5-5'", "'2025-02-30'", "' 2025-05-05 '",
             "'2025-05-05 12:00:00'", "'20250505'", "'-0001-01-01'", "'infinity'", "'5877642-06-25'"],
    "TIMESTAMP": ["'2025-05-05 12:34:56'", "'2025-05-05T12:34:56.123'", "'2025-05-05'", "'2025-05-05 25:00:00'",
                  "'2025-05-05 12:34:56+02'", "'1970-01-01 00:00:00.0000001'", "'x'"],
    "INTERVAL": ["'1 day'", "'2 hours 30 minutes'", "'-1 year'", "'1 fortnight'", "'00:01:30'"],
    "VARCHAR": ["''", "'x'"],
}


def typed(v, t):
    """Edge value v as an expression of kuai type t (NULL typed too)."""
    if t == "INTERVAL" and v.startswith("INTERVAL"):
        return v
    return cast(v, t)


def values_of(t, second=False):
    vals = (SECOND.get(t) if second else None) or EDGE[t]
    return ["NULL"] + vals


def combos(types, seed, short=False):
    """Argument tuples (SQL values, untyped) for a parameter list (short: the short lists only)."""
    if not types:
        return [()]
    if len(types) == 1:
        return [(v,) for v in values_of(types[0])]
    lists = [values_of(types[0], second=short)] + [values_of(t, second=True) for t in types[1:]]
    allc = list(itertools.product(*lists))
    if len(allc) <= MAX_ROWS:
        return allc
    rng = random.Random(seed)
    nulls = [c for c in allc if "NULL" in c][:8]
    rest = [c for c in allc if "NULL" not in c]
    return nulls + sorted(rng.sample(rest, MAX_ROWS - len(nulls)), key=allc.index)


def values_sql(rows, types, extra=None):
    """`(VALUES (1, a, b), ...) t(i, a0, a1)`: every value cast to its parameter type."""
    cols = ["i"] + [f"a{k}" for k in range(len(types))]
    out = []
    for n, r in enumerate(rows, 1):
        head = [str(n)] + ([str(extra[n - 1])] if extra else [])
        out.append("(" + ", ".join(head + [typed(v, t) for v, t in zip(r, types)]) + ")")
    names = ["i"] + (["g"] if extra else []) + cols[1:]
    return "(VALUES " + ", ".join(out) + ") t(" + ", ".join(names) + ")"


# ----------------------------------------------------------------------------- records per kind

# Functions whose result is as long as an argument says: the largest lengths are left out.
BUILDS_LENGTH = {"lpad", "rpad"}
HUGE_LENGTHS = {"2147483647", "9223372036854775807"}

# Functions whose every call gives a new answer: no record can hold DuckDB's (corpus 39-random.slt
# checks their properties instead).
NONDETERMINISTIC = {"random"}
ORDER_SENSITIVE = {"first", "arbitrary", "any_value", "string_agg", "group_concat", "listagg", "last",
                   "arg_min", "arg_max", "min_by", "max_by", "arg_min_null", "arg_max_null", "list", "array_agg",
                   "mode"}


def scalar_sql(name, params, varargs, rows):
    types = params + ([varargs] if varargs else [])
    args = ", ".join(f"a{k}" for k in range(len(types)))
    return f"SELECT i, {name}({args}) AS r FROM {values_sql(rows, types)} ORDER BY i", types


def operator_sql(op, params, rows):
    if len(params) == 1:
        expr = f"{op} a0" if op == "NOT" else f"{op}a0"
    else:
        expr = f"a0 {op} a1"
    return f"SELECT i, {expr} AS r FROM {values_sql(rows, params)} ORDER BY i", params


def cast_sql(kind, params, ret, rows):
    return f"SELECT i, {kind}(a0 AS {ret}) AS r FROM {values_sql(rows, params)} ORDER BY i", params


def aggregate_groups(name, t):
    """Rows (one value each) and their groups: every value / only NULLs / one value / a value and NULLs."""
    vals = EDGE[t]
    if name in ORDER_SENSITIVE:
        one = vals[1] if len(vals) > 1 else vals[0]
        return [(1, one), (1, one), (2, "NULL"), (2, "NULL"), (3, vals[0]), (4, "NULL"), (4, one), (4, "NULL")]
    groups = [(1, v) for v in vals] + [(1, "NULL")]
    groups += [(2, "NULL"), (2, "NULL"), (3, vals[0]), (4, vals[-1]), (4, "NULL"), (4, vals[-1])]
    if t in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "DOUBLE"):
        big = vals[-2]
        groups += [(5, big), (5, big), (5, big)]
    return groups


def aggregate_sql(name, params, second_const):
    """One query: GROUP BY g over the groups of `aggregate_groups`."""
    t = params[0]
    groups = aggregate_groups(name, t)
    if len(params) == 2 and second_const is None:
        u = params[1]
        uvals = values_of(u, second=True)
        rows = [(v, uvals[k % len(uvals)]) for k, (_, v) in enumerate(groups)]
    else:
        rows = [(v,) for _, v in groups]
    types = params if (len(params) == 2 and second_const is None) else [t]
    src = values_sql(rows, types, extra=[g for g, _ in groups])
    args = ", ".join(f"a{k}" for k in range(len(types)))
    if second_const is not None:
        args += f", {second_const}"
    return f"SELECT g, {name}({args}) AS r FROM {src} GROUP BY g ORDER BY g", None


def window_sql(name, params, rows):
    types = params
    args = ", ".join(f"a{k}" for k in range(len(types)))
    if len(types) == 2:     # ntile(n)/lag(x, n)/nth_value(x, n): the second argument constant
        args = "a0, 1"
        types = params[:1]
        rows = [r[:1] for r in rows]
    if name in ("rank", "dense_rank", "percent_rank", "cume_dist"):
        over = "ORDER BY a0" if types else "ORDER BY i % 3"
    elif name == "ntile":
        return (f"SELECT i, ntile(3) OVER (ORDER BY i) AS r FROM {values_sql(rows, types)} ORDER BY i", types)
    else:
        over = "PARTITION BY i % 2 ORDER BY i"
    return f"SELECT i, {name}({args}) OVER ({over}) AS r FROM {values_sql(rows, types)} ORDER BY i", types


# ----------------------------------------------------------------------------- DuckDB side


class Generator:
    def __init__(self, duck):
        self.duck = duck
        self.records = {}          # file -> list of lines
        self.calls = 0
        self.covered = set()

    def run(self, sql):
        return self.duck.run("seed", sql)

    def emit(self, file, title, sql, status, text, types):
        out = self.records.setdefault(file, [])
        out.append(f"# {title}")
        if status == "ok":
            lines = ["(empty)" if l == "" else l for l in text.split("\n")[:-1]]
            out += ["query seed", sql, "---- types: " + "|".join(types)] + lines + [""]
        else:
            out += ["error seed", sql, "----", text] + [""]

    def add_rows(self, file, title, make, rows):
        """Runs make(rows) in DuckDB; splits raising row sets until each error is one record."""
        self.calls += len(rows)
        errors = []

        def go(rs):
            sql, _ = make(rs)
            status, text, types = self.run(sql)
            if status == "ok":
                return [(rs, sql, text, types)]
            if len(rs) == 1 or text.startswith(("Binder Error", "Catalog Error", "Parser Error")):
                errors.append((sql, text))
                return []
            h = len(rs) // 2
            return go(rs[:h]) + go(rs[h:])

        sql, _ = make(rows)
        status, text, types = self.run(sql)
        if status == "error" and text.startswith(("Binder Error", "Catalog Error", "Parser Error")):
            self.emit(file, title + " (DuckDB refuses it)", sql, status, text, None)
            return
        good = [(rows, sql, text, types)] if status == "ok" else go(rows)
        ok_rows = [r for rs, *_ in good for r in rs]
        if status != "ok" and ok_rows:
            sql, _ = make(ok_rows)
            s2, t2, ty2 = self.run(sql)
            if s2 == "ok":
                self.emit(file, title, sql, s2, t2, ty2)
        elif status == "ok":
            self.emit(file, title, sql, status, text, types)
        for sql, text in errors[:MAX_ERRORS]:
            self.emit(file, title + " raises", sql, "error", text, None)

    def scalar(self, f):
        name, params, varargs = f["name"], f["params"], f["varargs"]
        types = params + ([varargs] if varargs else [])
        rows = combos(types, zlib.crc32(f"{name}({','.join(types)})".encode()))  # stable across runs
        if name in BUILDS_LENGTH:
            # lpad(s, 2147483647, p) is a 2 GiB string in DuckDB (and kuai): no such call in the suite
            rows = [r for r in rows if not any(v in HUGE_LENGTHS for v in r)]
        title = f"{name}({', '.join(params + ([varargs + ', ...'] if varargs else []))}) -> {f['ret']}"
        self.add_rows("conformance-scalar.slt", title, lambda rs: scalar_sql(name, params, varargs, rs), rows)

    def operator(self, f):
        op, params = f["name"], f["params"]
        rows = combos(params, 7, short=True)
        title = f"{op} ({', '.join(params)}) -> {f['ret']}"
        self.add_rows("conformance-operator.slt", title, lambda rs: operator_sql(op, params, rs), rows)

    def cast(self, f):
        kind, params, ret = f["name"], f["params"], f["ret"]
        src = params[0]
        rows = [(v,) for v in values_of(src)]
        if src == "VARCHAR":
            rows += [(v,) for v in CAST_STRINGS.get(ret, [])]
        title = f"{kind}({src} AS {ret})"
        self.add_rows("conformance-cast.slt", title, lambda rs: cast_sql(kind, params, ret, rs), rows)

    def aggregate(self, f):
        name, params = f["name"], f["params"]
        if not params:
            sql = f"SELECT g, {name}(*) AS r FROM (VALUES (1, 1), (1, 2), (2, NULL)) t(g, a) GROUP BY g ORDER BY g"
            self.calls += 1
            status, text, types = self.run(sql)
            self.emit("conformance-aggregate.slt", f"{name}(*)", sql, status, text, types)
            return
        consts = [None]
        if len(params) == 2 and f.get("const"):
            consts = {"DOUBLE": ["0.5", "0.0", "1.0", "0.25"], "VARCHAR": ["','", "''", "' | '"]}[params[1]]
        for c in consts:
            sql, _ = aggregate_sql(name, params, c)
            self.calls += sql.count("), (") + 1
            status, text, types = self.run(sql)
            title = f"{name}({', '.join(params)}) -> {f['ret']}" + (f" with {c}" if c else "")
            if status == "error" and not text.startswith(("Binder Error", "Catalog Error", "Parser Error")):
                # an overflow or a bad constant: keep it as an error record (the rows are few)
                pass
            self.emit("conformance-aggregate.slt", title, sql, status, text, types)

    def window(self, f):
        name, params = f["name"], f["params"]
        rows = [(v,) + (("1",) if len(params) == 2 else ()) for v in values_of(params[0])] if params else \
            [() for _ in range(7)]
        title = f"{name}({', '.join(params)}) OVER -> {f['ret']}"
        self.add_rows("conformance-window.slt", title, lambda rs: window_sql(name, params, rs), rows)


def read_listing(kuai_query, store):
    p = subprocess.run([kuai_query, "--store", store, "--format", "csv", "--",
                        "SELECT function_name, function_type, parameter_types, varargs, return_type "
                        "FROM duckdb_functions() ORDER BY ALL"], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"kuai-query failed: {p.stderr.strip()}")
    rows = oracle.parse_csv(p.stdout)[1:]
    out = []
    for name, kind, params, varargs, ret in rows:
        if name in NONDETERMINISTIC:
            continue
        out.append({"name": name, "kind": kind, "params": [x for x in params.split(", ") if x],
                    "varargs": varargs or None, "ret": ret})
    return out


HEADER = """# Conformance suite ({what}): generated by Tools/conformance.py from kuai's duckdb_functions() listing,
# answers from DuckDB 2.0.1. Do not edit by hand: re-run `python3 Tools/conformance.py --kuai PATH/kuai-query`.
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kuai", required=True, metavar="KUAI_QUERY")
    ap.add_argument("--kuai-convert")
    ap.add_argument("--check", action="store_true", help="run the written records through kuai")
    ap.add_argument("--only", help="comma-separated function names (debugging; writes nothing)")
    a = ap.parse_args()
    conv = a.kuai_convert or os.path.join(os.path.dirname(a.kuai), "kuai-convert")
    kr = oracle.KuaiRunner(a.kuai, conv)
    store = kr.store("seed")
    if isinstance(store, Exception):
        raise SystemExit(str(store))
    listing = read_listing(a.kuai, store)
    gen = Generator(oracle.DuckOracle(determinism=False))
    only = set(a.only.split(",")) if a.only else None
    for f in listing:
        if only and f["name"] not in only:
            continue
        kind = f["kind"]
        # a DOUBLE or VARCHAR second argument of an aggregate is a constant (quantile's fraction,
        # string_agg's separator): the probe cannot tell a constant from a column of that type
        f["const"] = kind == "aggregate" and len(f["params"]) == 2 and f["params"][1] in ("DOUBLE", "VARCHAR")
        if kind in ("scalar", "operator", "cast", "window", "aggregate"):
            getattr(gen, kind)(f)
            gen.covered.add((kind, f["name"]))
    names = {k: sorted(n for kk, n in gen.covered if kk == k) for k, _ in gen.covered}
    print(f"{len(listing)} overloads, {len(gen.covered)} functions/operators "
          + ", ".join(f"{k} {len(v)}" for k, v in sorted(names.items())) + f", {gen.calls} calls")
    if only:
        for file, lines in gen.records.items():
            print("\n".join(lines))
        return 0
    for f in os.listdir(OUT):
        if f.startswith("conformance-") and f.endswith(".slt") and f not in gen.records:
            os.remove(os.path.join(OUT, f))
    for file, lines in sorted(gen.records.items()):
        what = file[len("conformance-"):-len(".slt")]
        with open(os.path.join(OUT, file), "w", encoding="utf-8") as fh:
            fh.write(HEADER.format(what=what) + "\n" + "\n".join(lines))
        print(f"wrote {file}: {sum(1 for l in lines if l.startswith(('query ', 'error ')))} records")
    if a.check:
        bad = 0
        for file in sorted(gen.records):
            for r in oracle.parse_corpus(os.path.join(OUT, file)):
                if not isinstance(r, oracle.Record):
                    continue
                status, text = kr.run(r.fixture, r.sql)
                if r.kind == "error":
                    why = None if status == "error" else "kuai gives no error"
                else:
                    why = (oracle.csv_diff(r.expected_csv(), text, r.types) if status == "ok"
                           else f"{status}: {text}")
                if why:
                    bad += 1
                    print(f"DIFF {file}:{r.line}: {why}\n     {r.sql[:200]}")
        print(f"{bad} records differ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
