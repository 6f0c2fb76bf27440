#!/usr/bin/env python3
"""Differential test of kuai-query against DuckDB 2.0.1 on generated queries.

Usage
    python3 Tools/difftest.py --kuai .build/release/kuai-query --kuai-convert .build/release/kuai-convert
                              [--n 2000] [--seed 1] [--classes strings,casts,...] [--jobs 2] [--out FILE]
                              [--kuailive ../kl-0.01]
    python3 Tools/difftest.py --kuai ... --kuai-convert ... --sql 'SELECT ...'   one query, both answers

The data: the `edge` fixture's KuaiLive tables (NULLs, dangling keys; with --kuailive a folder of
KuaiLive CSVs instead, e.g. ../kl-0.01: several blocks per table) plus three small tables written as CSV
and converted into the same store (so their VARCHAR columns are stored dictionaries):
    s(id, a, b)      strings: NULL, unicode (case mappings, combining marks, flags), LIKE wildcards,
                     backslashes, numbers, dates and timestamps as text
    n(id, i, x, k)   BIGINT extremes, DOUBLE edge values, a small group key with NULLs
    d(id, d, e)      DATEs: year 1, 9999, leap days, the epoch's neighbours
DuckDB loads the same CSVs with the same column types (tables that read back differently stop the run).
Each query class (CLASSES: scalar strings, numbers, casts, dates; aggregates with FILTER / DISTINCT /
HAVING over empty and all-NULL groups; joins with NULL and mixed-type keys; IN / NOT IN with NULLs;
ORDER BY ... NULLS FIRST / LAST with LIMIT / OFFSET; set operations; string keys) generates SQL from a
seeded random stream; both engines run it. Answers are compared with Tools/oracle.py's rule (CSV text,
doubles to 1e-9, DECIMAL exact), result types through `typeof` columns the generator adds, and an error
in one engine only is a mismatch. The summary counts per class; FILE (default: in a temporary folder)
lists each mismatch with both answers. Expected noise: sums of DOUBLEs that cancel (1e300 - 1e300)
depend on the order of addition, which differs between the engines.
"""
import argparse
import concurrent.futures
import csv
import os
import random
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402

ROOT = oracle.ROOT

# ----------------------------------------------------------------------------- data

STRS = ['abc', 'ABC', '', None, 'héllo', '日本語', 'a_b%c', 'a\\b', '  pad  ', 'x,y', 'Straße', '😀emoji',
        'foo.bar', '12', '-3.5', '2024-02-29', 'true', ' 42 ', '1e3', 'nan', 'Inf ', 'ab ab ab', '%', '_', 'aBc',
        'ÀÉÎ', 'a"q', 'tab\there', 'line\nbreak', '2024-02-29 12:34:56', '0', '-0', '9223372036854775808',
        '127', '  ', 'x', 'zzz', 'NULL', '1.5', '+7', '0001-01-01', '1 day', 'FALSE', 't', 'İstanbul', 'ǅemal',
        'ΣΑΣ', 'ﬁne', 'Ａｂｃ', 'µ', 'e\u0301t', '🇫🇷', 'a%_\\', '0x1F', '1_000', ' 2024-02-29T12:00:00Z ']
INTS = [0, 1, -1, 2, 7, -7, 10, 100, None, 127, 128, -128, 255, 32767, -32768, 2147483647, -2147483648,
        9223372036854775807, -9223372036854775808, 1000000, 42, 3, None, 5]
DBLS = [0.0, 1.5, -1.5, 2.5, 3.5, -2.5, 0.1, 1e300, -1e300, 1e-300, None, 123456.789, 0.5, -0.5, 1e15, 2.0,
        None, 99.99, -0.0, 7.0, 1e18, 1e19, -3.25, 4.75]
DATES = ['0001-01-01', '9999-12-31', '2000-02-29', '1900-02-28', '1969-12-31', '1970-01-01', '2024-02-29',
         '2023-12-31', '2021-01-03', '2020-12-31', None, '1600-03-01', '2100-03-01', '2024-03-31', '2023-01-01',
         '2022-01-02', '1999-12-31', '0100-02-28', '2038-01-19', '1582-10-10']
EXTRA = {"s": [("id", "BIGINT"), ("a", "VARCHAR"), ("b", "VARCHAR")],
         "n": [("id", "BIGINT"), ("i", "BIGINT"), ("x", "DOUBLE"), ("k", "BIGINT")],
         "d": [("id", "BIGINT"), ("d", "DATE"), ("e", "DATE")]}


def write_fixture(folder, kuailive=None):
    """The edge fixture's KuaiLive tables (or those of the folder `kuailive`, e.g. ../kl-0.01: several
    blocks per table) and the tables s, n, d."""
    os.makedirs(folder, exist_ok=True)
    src = kuailive or oracle.FIXTURES["edge"]
    for f in os.listdir(src):
        if f.endswith(".csv"):
            shutil.copy(os.path.join(src, f), folder)
    e = lambda v: "" if v is None else v  # noqa: E731
    with open(os.path.join(folder, "s.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "a", "b"])
        for i, a in enumerate(STRS):
            w.writerow([i + 1, e(a), e(STRS[(i * 7 + 3) % len(STRS)])])
    with open(os.path.join(folder, "n.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "i", "x", "k"])
        for j, (i, x) in enumerate(zip(INTS, DBLS)):
            w.writerow([j + 1, e(i), "" if x is None else repr(x), "" if j % 5 == 4 else j % 4])
    with open(os.path.join(folder, "d.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "d", "e"])
        for j, d in enumerate(DATES):
            w.writerow([j + 1, e(d), e(DATES[(j * 3 + 1) % len(DATES)])])


def load_duck(con, folder):
    for f in sorted(os.listdir(folder)):
        if not f.endswith(".csv"):
            continue
        t = f[:-4]
        cols = oracle.KUAILIVE.get(t) or EXTRA[t]
        spec = ", columns={" + ", ".join(f"'{c}': '{ty}'" for c, ty in cols) + "}, auto_detect=false"
        p = os.path.join(folder, f)
        con.execute(f'CREATE TABLE "{t}" AS SELECT * FROM read_csv(\'{p}\', header=true, delim=\',\', '
                    f'quote=\'"\', escape=\'"\'{spec})')

# ----------------------------------------------------------------------------- generators


BS = '\\'  # a backslash, named for use inside f-string expressions (Python 3.11)
RAW = '\x01'


class Gen:
    """Typed random expressions over one table's columns."""

    def __init__(self, rng, cols):
        self.r = rng
        self.cols = cols  # type -> [column names]

    def ql(self, *vals):
        """One of `vals` as SQL: a string literal, or the raw text after RAW."""
        v = self.pick(vals)
        return v[1:] if v.startswith(RAW) else "'" + v.replace("'", "''") + "'"

    def pick(self, xs):
        return self.r.choice(xs)

    def chance(self, p):
        return self.r.random() < p

    def col(self, ty):
        cs = self.cols.get(ty) or []
        return self.pick(cs) if cs else None

    # strings
    STR_LITS = ["'abc'", "''", "NULL", "'日本'", "'é'", "'%'", "'_'", "'a_'", "'ß'", "' '", "'x,y'", "'AbC'",
                "'a\\b'", "'😀'", "'ab'", "'b'", "'-'", "'12'", "'  x  '", "'İ'", "'σ'", "'é'"]

    def s(self, d=2):
        c = self.col("s")
        if d <= 0 or self.chance(0.25):
            if c and self.chance(0.75):
                return c
            return self.pick(self.STR_LITS)
        x = lambda: self.s(d - 1)  # noqa: E731
        i = lambda: self.i(d - 1)  # noqa: E731
        small = lambda: self.pick(["0", "1", "2", "3", "-1", "-2", "5", "-5", "100", "NULL", "-100"])  # noqa: E731
        choices = [
            lambda: f"upper({x()})", lambda: f"lower({x()})", lambda: f"concat({x()}, {x()})",
            lambda: f"({x()} || {x()})", lambda: f"substring({x()}, {small()})",
            lambda: f"substring({x()}, {small()}, {small()})", lambda: f"substr({x()}, {i()}, {small()})",
            lambda: f"left({x()}, {small()})", lambda: f"right({x()}, {small()})",
            lambda: f"lpad({x()}, {self.pick(['0','1','3','6','-1'])}, {self.ql('*', 'ab', 'é', ' ')})",
            lambda: f"rpad({x()}, {self.pick(['0','1','3','6','-1'])}, {self.ql('*', 'ab', 'é', ' ')})",
            lambda: f"repeat({x()}, {self.pick(['0','1','2','3','-1','NULL'])})",
            lambda: f"replace({x()}, {self.pick(self.STR_LITS)}, {self.pick(self.STR_LITS)})",
            lambda: f"trim({x()})", lambda: f"ltrim({x()})", lambda: f"rtrim({x()})",
            lambda: f"trim({x()}, {self.ql('a', ' a', 'é', '', '%_')})",
            lambda: f"ltrim({x()}, {self.ql('a', ' a', 'é', '')})",
            lambda: f"rtrim({x()}, {self.ql('c', ' c', 'é', '')})",
            lambda: f"split_part({x()}, {self.ql(' ', ',', '', 'b', 'ab', RAW + 'NULL')}, {small()})",
            lambda: f"reverse({x()})", lambda: f"md5({x()})",
            lambda: f"chr({self.pick(['65', '233', '26085', '128512', '97'])})",
            lambda: f"concat_ws({self.ql(',', '', RAW + 'NULL', '-')}, {x()}, {x()})",
            lambda: f"coalesce({x()}, {x()})", lambda: f"nullif({x()}, {x()})",
            lambda: f"CASE WHEN {self.b(d - 1)} THEN {x()} ELSE {x()} END",
            lambda: f"regexp_replace({x()}, {self.pick(self.REGEX)}, {self.ql('X', '', '<' + BS + '0>')}{self.pick(self.OPT_G)})",
            lambda: f"regexp_extract({x()}, {self.pick(self.REGEX)})",
            lambda: f"CAST({self.any_nonstr(d - 1)} AS VARCHAR)",
            lambda: f"strftime({self.dt(d - 1)}, {self.pick(self.FMTS)})",
        ]
        return self.pick(choices)()

    OPT_G = ['', ", 'g'"]
    OPT_I = ['', ", 'i'"]
    STR_LISTS = ["'abc', NULL", "'', 'ABC'", 'NULL, NULL']
    REGEX = ["'a'", "'[a-c]+'", "'.'", "'^.'", "'.$'", "'\\d+'", "'\\s'", "'(b)(c)?'", "'é|日'", "'x*'", "'\\.'"]
    FMTS = ["'%Y-%m-%d'", "'%d/%m/%y'", "'%j'", "'%a %A %b %B'", "'%H:%M:%S.%f'", "'%G-W%V-%u'", "'%U %W %w'",
            "'%Y%%'", "'%-d %-m %-H'", "'%c'", "'%x %X'", "'%I %p'", "'%y'", "'%z %Z'", "'%g %m'"]

    def i(self, d=2):
        c = self.col("i")
        if d <= 0 or self.chance(0.3):
            if c and self.chance(0.6):
                return c
            return self.pick(["0", "1", "-1", "7", "NULL", "2147483647", "-9223372036854775808", "3", "42"])
        x = lambda: self.i(d - 1)  # noqa: E731
        choices = [
            lambda: f"length({self.s(d - 1)})", lambda: f"strlen({self.s(d - 1)})",
            lambda: f"strpos({self.s(d - 1)}, {self.pick(self.STR_LITS)})",
            lambda: f"instr({self.s(d - 1)}, {self.s(d - 1)})",
            lambda: f"position({self.pick(self.STR_LITS)} IN {self.s(d - 1)})",
            lambda: f"ascii({self.s(d - 1)})",
            lambda: f"({x()} {self.pick(['+', '-', '*', '//', '%'])} {x()})",
            lambda: f"abs({x()})", lambda: f"sign({x()})",
            lambda: f"TRY_CAST({self.s(d - 1)} AS {self.pick(['INTEGER', 'BIGINT', 'SMALLINT', 'TINYINT', 'HUGEINT'])})",
            lambda: f"{self.pick(['year', 'month', 'day', 'dayofweek', 'isodow', 'dayofyear', 'week', 'quarter', 'isoyear', 'decade', 'century', 'millennium', 'yearweek'])}({self.dt(d - 1)})",
            lambda: f"date_part('{self.pick(self.PARTS)}', {self.dt(d - 1)})",
            lambda: f"date_diff('{self.pick(self.UNITS)}', {self.dt(d - 1)}, {self.dt(d - 1)})",
            lambda: f"date_sub('{self.pick(self.UNITS)}', {self.dt(d - 1)}, {self.dt(d - 1)})",
            lambda: f"({self.date(d - 1)} - {self.date(d - 1)})",
            lambda: f"CAST({self.f(d - 1)} AS BIGINT)" if self.chance(0.3) else f"TRY_CAST({self.f(d - 1)} AS INTEGER)",
            lambda: f"greatest({x()}, {x()})", lambda: f"least({x()}, {x()}, NULL)",
            lambda: f"CASE WHEN {self.b(d - 1)} THEN {x()} END",
        ]
        return self.pick(choices)()

    PARTS = ["year", "month", "day", "hour", "minute", "second", "millisecond", "microsecond", "epoch", "dow",
             "isodow", "doy", "week", "quarter", "isoyear", "decade", "century", "millennium", "yearweek",
             "dayofweek", "weekday", "dayofyear", "weekofyear", "decs", "mils", "useconds"]
    UNITS = ["year", "month", "day", "hour", "minute", "second", "millisecond", "microsecond", "week", "quarter",
             "decade", "century", "millennium", "isoyear", "dow", "doy", "mon", "d", "h", "min", "s", "ms",
             "us", "w", "yr"]
    TRUNC = ["year", "month", "day", "hour", "minute", "second", "millisecond", "microsecond", "week", "quarter",
             "decade", "century", "millennium", "isoyear", "yearweek"]

    def f(self, d=2):
        c = self.col("f")
        if d <= 0 or self.chance(0.3):
            if c and self.chance(0.6):
                return c
            return self.pick(["0.0", "-0.0", "'nan'::DOUBLE", "'inf'::DOUBLE", "'-inf'::DOUBLE", "1.5", "2.5",
                              "1e308", "NULL::DOUBLE", "0.1"])
        x = lambda: self.f(d - 1)  # noqa: E731
        choices = [
            lambda: f"({x()} {self.pick(['+', '-', '*', '/'])} {x()})", lambda: f"({self.i(d - 1)} / {self.i(d - 1)})",
            lambda: f"round({x()}, {self.pick(['0', '1', '-1', '2'])})", lambda: f"round({x()})",
            lambda: f"floor({x()})", lambda: f"ceil({x()})", lambda: f"sqrt({x()})", lambda: f"ln({x()})",
            lambda: f"({x()} % {x()})", lambda: f"TRY_CAST({self.s(d - 1)} AS DOUBLE)", lambda: f"-({x()})",
            lambda: f"CAST({self.i(d - 1)} AS DOUBLE)", lambda: f"epoch({self.dt(d - 1)})",
            lambda: f"greatest({x()}, {x()})", lambda: f"least({x()}, {x()})", lambda: f"abs({x()})",
        ]
        return self.pick(choices)()

    NUM_TYPES = ["TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "DOUBLE", "DECIMAL(4,1)", "DECIMAL(9,3)",
                 "DECIMAL(18,2)", "DECIMAL(38,5)", "DECIMAL(2,0)"]

    def num(self, d=2):
        """A number of any numeric type (narrow integers, HUGEINT, DECIMAL, DOUBLE)."""
        if d <= 0 or self.chance(0.3):
            base = self.pick([self.i, self.f])(0)
            if self.chance(0.5):
                return f"TRY_CAST({base} AS {self.pick(self.NUM_TYPES)})"
            return self.pick([base, "1.25", "-0.5", "99.995", "0.001", "123456789012345678901234567890",
                              "CAST(-128 AS TINYINT)", "CAST(32767 AS SMALLINT)", "2.5::DECIMAL(3,1)"])
        x = lambda: self.num(d - 1)  # noqa: E731
        choices = [
            lambda: f"({x()} {self.pick(['+', '-', '*', '/', '//', '%'])} {x()})",
            lambda: f"round({x()}, {self.pick(['0', '1', '-1', '2', '5'])})", lambda: f"round({x()})",
            lambda: f"floor({x()})", lambda: f"ceil({x()})", lambda: f"trunc({x()})", lambda: f"abs({x()})",
            lambda: f"sign({x()})", lambda: f"-({x()})", lambda: f"greatest({x()}, {x()})",
            lambda: f"TRY_CAST({x()} AS {self.pick(self.NUM_TYPES)})", lambda: f"CAST({x()} AS VARCHAR)",
            lambda: f"coalesce({x()}, {x()})", lambda: f"({x()} {self.pick(['=', '<', '>='])} {x()})",
            lambda: f"({x()} {self.pick(['&', '|', '<<', '>>'])} {self.pick(['1', '3', '64', '-1'])})",
        ]
        return self.pick(choices)()

    def date(self, d=2):
        c = self.col("d")
        if d <= 0 or self.chance(0.3):
            if c and self.chance(0.6):
                return c
            return self.pick(["DATE '2024-02-29'", "DATE '0001-01-01'", "DATE '9999-12-31'", "DATE '1969-12-31'",
                              "NULL::DATE", "DATE '2000-01-01'", "DATE '1900-03-01'"])
        choices = [
            lambda: f"({self.date(d - 1)} + {self.pick(['1', '-1', '365', '0', '-366'])})",
            lambda: f"make_date({self.pick(['2024', '1', '9999', '2023', '1900'])}, {self.pick(['2', '12', '1'])}, {self.pick(['29', '28', '1', '31'])})",
            lambda: f"TRY_CAST({self.s(d - 1)} AS DATE)", lambda: f"last_day({self.dt(d - 1)})",
            lambda: f"CAST({self.ts(d - 1)} AS DATE)",
            lambda: f"greatest({self.date(d - 1)}, {self.date(d - 1)})",
        ]
        return self.pick(choices)()

    def ts(self, d=2):
        if d <= 0 or self.chance(0.3):
            c = self.col("d")
            if c and self.chance(0.6):
                return f"CAST({c} AS TIMESTAMP)"
            return self.pick(["TIMESTAMP '2024-02-29 23:59:59.999999'", "TIMESTAMP '1969-12-31 23:59:59.5'",
                              "TIMESTAMP '0001-01-01 00:00:00'", "TIMESTAMP '9999-12-31 12:00:00'",
                              "NULL::TIMESTAMP", "TIMESTAMP '2000-03-01 01:02:03.004'"])
        ic = self.col("i")
        choices = [
            lambda: f"({self.dt(d - 1)} + INTERVAL {self.ql('1 month', '-1 day', '1 year 2 hours', '90 minutes', '-13 months', '1.5 seconds')})",
            lambda: f"date_trunc('{self.pick(self.TRUNC)}', {self.dt(d - 1)})",
            lambda: f"epoch_ms({self.pick(['0', '-1', '1746374400022', '-62135596800000', '253402300799999'] + ([ic] if ic else []))})",
            lambda: f"try_strptime({self.s(d - 1)}, {self.ql('%Y-%m-%d', '%Y-%m-%d %H:%M:%S', '%d/%m/%Y', '%j')})",
            lambda: f"make_timestamp({self.pick(['2024', '1', '9999', '1969'])}, {self.pick(['2', '12', '1'])}, {self.pick(['29', '1', '31'])}, {self.pick(['0', '23'])}, {self.pick(['0', '59'])}, {self.pick(['0', '59.999999', '1.5'])})",
            lambda: f"date_add({self.dt(d - 1)}, INTERVAL {self.ql('1 month', '-1 day', '29 days')})",
            lambda: f"TRY_CAST({self.s(d - 1)} AS TIMESTAMP)",
        ]
        return self.pick(choices)()

    def dt(self, d=2):
        return self.date(d) if self.chance(0.5) else self.ts(d)

    def b(self, d=2):
        if d <= 0 or self.chance(0.15):
            return self.pick(["true", "false", "NULL::BOOLEAN"] + [f"({self.col('i')} > 2)"] if self.col("i") else ["true", "NULL::BOOLEAN"])
        s = lambda: self.s(d - 1)  # noqa: E731
        pat = lambda: self.pick(self.LIKE_PATS)  # noqa: E731
        choices = [
            lambda: f"({s()} {self.pick(['LIKE', 'NOT LIKE', 'ILIKE', 'NOT ILIKE'])} {pat()})",
            lambda: f"({s()} {self.pick(['LIKE', 'ILIKE', 'NOT LIKE'])} {pat()} ESCAPE {self.ql('!', BS, '', '_')})",
            lambda: f"({s()} {self.pick(['SIMILAR TO', 'NOT SIMILAR TO'])} {self.pick(self.REGEX)})",
            lambda: f"({s()} {self.pick(['GLOB', 'NOT GLOB'])} {self.ql('*b*', '?', '[a-c]*', '[!a]*', '*' + BS + '*', '日*')})",
            lambda: f"regexp_matches({s()}, {self.pick(self.REGEX)}{self.pick(self.OPT_I)})",
            lambda: f"regexp_full_match({s()}, {self.pick(self.REGEX)})",
            lambda: f"contains({s()}, {s()})", lambda: f"starts_with({s()}, {s()})", lambda: f"ends_with({s()}, {s()})",
            lambda: f"({s()} {self.pick(['=', '<>', '<', '>=', 'IS DISTINCT FROM', 'IS NOT DISTINCT FROM'])} {s()})",
            lambda: f"({self.i(d - 1)} {self.pick(['=', '<', '>', '<>'])} {self.i(d - 1)})",
            lambda: f"({self.f(d - 1)} {self.pick(['=', '<', '>', '<>'])} {self.f(d - 1)})",
            lambda: f"({self.i(d - 1)} {self.pick(['IN', 'NOT IN'])} ({self.pick(['1, NULL, 3', '1, 2', 'NULL', '7, -7, 0'])}))",
            lambda: f"({s()} {self.pick(['IN', 'NOT IN'])} ({self.pick(self.STR_LISTS)}))",
            lambda: f"({s()} IS {self.pick(['', 'NOT '])}NULL)", lambda: f"NOT {self.b(d - 1)}",
            lambda: f"({self.b(d - 1)} {self.pick(['AND', 'OR'])} {self.b(d - 1)})",
            lambda: f"TRY_CAST({s()} AS BOOLEAN)",
            lambda: f"({self.dt(d - 1)} {self.pick(['<', '=', '>='])} {self.dt(d - 1)})",
            lambda: f"({self.i(d - 1)} BETWEEN {self.i(d - 1)} AND {self.i(d - 1)})",
        ]
        return self.pick(choices)()

    LIKE_PATS = ["'%'", "'_'", "'%b%'", "'a%'", "'%c'", "'_b_'", "'%!%%'", "'%!_%'", "'a!_b!%c'", "'%\\\\%'",
                 "'%é%'", "'日%'", "'%_'", "'__'", "''", "'%a%b%'", "'A%'", "'%ß'", "'%\\%'", "'!'", "'ab!'"]

    def any_nonstr(self, d):
        return self.pick([self.i, self.f, self.date, self.ts, self.b])(d)

    def typed(self, ty, d=2):
        return {"s": self.s, "i": self.i, "f": self.f, "d": self.date, "t": self.ts, "b": self.b, "n": self.num}[ty](d)


TABLES = {
    "s": {"s": ["a", "b"], "i": ["id"]},
    "n": {"i": ["i", "k", "id"], "f": ["x"]},
    "d": {"d": ["d", "e"], "i": ["id"]},
    "snd": {"s": ["a", "b"], "i": ["i", "k", "id"], "f": ["x"], "d": ["d", "e"]},
}
FROM = {"s": "s", "n": "n", "d": "d", "snd": "s LEFT JOIN n USING (id) LEFT JOIN d USING (id)"}


def scalar_query(r, types):
    """SELECT id, e1, typeof(e1), ... FROM t ORDER BY id."""
    t = r.choice(list(TABLES))
    g = Gen(r, TABLES[t])
    n = r.randint(1, 3)
    exprs = [g.typed(r.choice(types), r.randint(1, 3)) for _ in range(n)]
    sel = ", ".join(f"{e} AS c{j}, typeof({e}) AS t{j}" for j, e in enumerate(exprs))
    where = ""
    if r.random() < 0.3:
        where = f" WHERE {g.b(2)}"
    return f"SELECT id, {sel} FROM {FROM[t]}{where} ORDER BY id"


def q_strings(r):
    return scalar_query(r, ["s", "s", "s", "i", "b", "b"])


def q_casts(r):
    t = r.choice(list(TABLES))
    g = Gen(r, TABLES[t])
    ty = r.choice(["s", "i", "f", "d", "t", "b"])
    e = g.typed(ty, r.randint(0, 2))
    target = r.choice(["TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "DOUBLE", "DECIMAL(4,1)",
                       "DECIMAL(18,3)", "DECIMAL(38,10)", "DECIMAL(9,0)", "VARCHAR", "DATE", "TIMESTAMP", "BOOLEAN",
                       "INTERVAL", "TIMESTAMPTZ", "DECIMAL(2,2)"])
    op = r.choice(["CAST", "TRY_CAST", "TRY_CAST"])
    e2 = f"{op}({e} AS {target})"
    if r.random() < 0.3:
        e2 = f"CAST({e2} AS {r.choice(['VARCHAR', 'DOUBLE', 'DECIMAL(10,2)', 'BIGINT'])})"
    return f"SELECT id, {e} AS src, {e2} AS c, typeof({e2}) AS t FROM {FROM[t]} ORDER BY id"


def q_dates(r):
    return scalar_query(r, ["d", "t", "i", "s", "t"])


def q_numeric(r):
    return scalar_query(r, ["i", "f", "f", "i"])


AGGS = ["count({x})", "count(DISTINCT {x})", "sum({i})", "sum(DISTINCT {i})", "avg({i})", "avg({f})", "min({s})",
        "max({s})", "min({f})", "max({f})", "sum({f})", "string_agg({s}, ',' ORDER BY {s})", "count(*)",
        "bool_and({b})", "bool_or({b})", "count_if({b})", "any_value({i})", "min({d})", "max({d})",
        "sum({i}) FILTER (WHERE {b})", "count(*) FILTER (WHERE {b})", "max({s}) FILTER (WHERE {b})",
        "avg(DISTINCT {f})", "stddev_samp({f})", "var_pop({i})", "median({i})", "string_agg(DISTINCT {s}, '|' ORDER BY {s})",
        "first({s} ORDER BY {s} DESC NULLS FIRST)", "arg_max({s}, {i})", "sum({i} * {i})", "bit_or({i})",
        "count(DISTINCT {s}) FILTER (WHERE {b})", "sum({dec})", "avg({dec})"]


def q_numbers(r):
    return scalar_query(r, ["n", "n", "n", "f"])


def q_keys(r):
    """Joins over keys of different numeric types (and VARCHAR): the common type decides what is equal."""
    ta = r.choice(["TINYINT", "INTEGER", "BIGINT", "DOUBLE", "DECIMAL(9,2)", "HUGEINT", "VARCHAR"])
    tb = r.choice(["SMALLINT", "BIGINT", "DOUBLE", "DECIMAL(18,1)", "HUGEINT", "DECIMAL(4,0)"])
    a = f"(SELECT id, TRY_CAST(i AS {ta}) AS k, TRY_CAST(k AS {ta}) AS k2 FROM n)"
    b = f"(SELECT id AS bid, TRY_CAST(i AS {tb}) AS k, TRY_CAST(k AS {tb}) AS k2 FROM n)"
    jt = r.choice(["JOIN", "LEFT JOIN", "FULL JOIN", "SEMI JOIN", "ANTI JOIN", "RIGHT JOIN"])
    cond = r.choice(["a.k = b.k", "a.k2 = b.k2 AND a.k = b.k", "a.k2 = b.k2", "a.k = b.k2"])
    sel = "a.id, a.k, typeof(a.k)" if jt in ("SEMI JOIN", "ANTI JOIN") else "a.id, b.bid, a.k, b.k, a.k2, b.k2"
    return f"SELECT {sel} FROM {a} a {jt} {b} b ON {cond} ORDER BY ALL"


def q_string_keys(r):
    """GROUP BY, DISTINCT, joins and set operations over string keys: stored (dictionary) columns against
    computed (flat) strings."""
    g = Gen(r, TABLES["s"])
    e1, e2 = g.s(r.randint(0, 2)), g.s(r.randint(0, 2))
    form = r.choice(["group", "distinct", "join", "semi", "set", "count"])
    if form == "group":
        return (f"SELECT {e1} AS k, count(*) AS n, min(id) AS m, string_agg(b, '|' ORDER BY id) AS sa "
                f"FROM s GROUP BY k ORDER BY m, k")
    if form == "distinct":
        return f"SELECT DISTINCT {e1} AS k FROM s ORDER BY k NULLS FIRST"
    if form == "count":
        return f"SELECT count(DISTINCT {e1}) AS a, count({e1}) AS b, max({e2}) AS c, min({e2}) AS d FROM s"
    if form == "set":
        op = r.choice(["UNION", "EXCEPT", "INTERSECT", "UNION ALL"])
        return f"SELECT {e1} AS k FROM s {op} SELECT {e2} FROM s ORDER BY k"
    jt = "SEMI JOIN" if form == "semi" else r.choice(["JOIN", "LEFT JOIN", "FULL JOIN", "ANTI JOIN"])
    sel = "x.id" if "SEMI" in jt or "ANTI" in jt else "x.id, y.id"
    ex = Gen(r, {"s": ["x.a", "x.b"], "i": ["x.id"]}).s(r.randint(0, 2))
    return f"SELECT {sel} FROM s x {jt} (SELECT id, {e2} AS k FROM s) y ON {ex} = y.k ORDER BY ALL"


def q_kuailive(r):
    """String and date functions over the KuaiLive tables (with --kuailive: many rows, several blocks)."""
    g = Gen(r, {"s": ["live_content_category", "gender", "age", "device_brand", "live_operation_tag",
                      "fans_user_num", "country"], "i": ["live_type", "streamer_id"],
                "d": ["first_live_timestamp", "reg_timestamp"]})
    k = g.typed(r.choice(["s", "s", "i", "d", "b"]), r.randint(0, 2))
    agg = r.choice(["count(*)", "count(DISTINCT r.live_id)", "min(r.live_name_id)", "max(st.device_brand)",
                    "sum(r.live_type)", "count(*) FILTER (WHERE st.gender = 'F')"])
    lim = r.choice(["", " LIMIT 7", " LIMIT 5 OFFSET 3"])
    return (f"SELECT {k} AS k, {agg} AS a FROM room r JOIN streamer st USING (streamer_id) GROUP BY k "
            f"ORDER BY a DESC, k NULLS FIRST{lim}")


def q_aggregates(r):
    t = r.choice(["s", "n", "d", "snd", "snd"])
    g = Gen(r, TABLES[t])
    cols = TABLES[t]
    keys = []
    nk = r.choice([0, 1, 1, 2])
    for _ in range(nk):
        ty = r.choice([k for k in cols])
        keys.append(g.typed(ty, r.randint(0, 1)))
    aggs = []
    for _ in range(r.randint(1, 3)):
        a = r.choice(AGGS)
        ity = "i" if "i" in cols else None
        a = a.format(x=g.typed(r.choice(list(cols)), 1), i=g.i(r.randint(0, 1)) if ity else "id",
                     f=g.f(1), s=g.s(r.randint(0, 1)), b=g.b(1), d=g.date(0) if "d" in cols else "DATE '2020-01-01'",
                     dec=f"CAST({g.i(0)} AS DECIMAL({r.choice(['18,3', '38,2', '9,1'])}))" if ity else "1.5")
        aggs.append(a)
    sel = ", ".join([f"{k} AS k{j}" for j, k in enumerate(keys)] +
                    [f"{a} AS a{j}, typeof({a}) AS t{j}" for j, a in enumerate(aggs)])
    where = ""
    if r.random() < 0.35:
        where = " WHERE " + r.choice([g.b(1), "false", "id > 1000", "id < 5"])
    q = f"SELECT {sel} FROM {FROM[t]}{where}"
    if keys:
        q += " GROUP BY " + ", ".join(f"k{j}" if r.random() < 0.5 else keys[j] for j in range(len(keys)))
        if r.random() < 0.3:
            q += f" HAVING {r.choice(['count(*) > 1', 'sum(id) IS NULL', 'max(id) % 2 = 0', 'count(*) = 1 OR min(id) > 3'])}"
    q += " ORDER BY ALL"
    return q


JOIN_SIDES = [
    "(VALUES (1, 'a', 1.0), (2, NULL, 2.5), (NULL, 'c', NULL), (3, 'c', 3.0), (1, 'a', NULL), (NULL, NULL, 7.0)) {n}(k, s, v)",
    "(VALUES (1::BIGINT, 'a', 10), (NULL, 'c', 20), (3, NULL, 30), (4, 'd', NULL), (1, 'a', 50)) {n}(k, s, v)",
    "(VALUES (1.0, 'A', 'x'), (NULL, 'a', 'y'), (3.0, 'c', NULL), (2.5, NULL, 'z')) {n}(k, s, v)",
    "(SELECT k, a AS s, id AS v FROM s LEFT JOIN n USING (id)) {n}",
    "(SELECT live_type AS k, live_content_category AS s, live_id AS v FROM room) {n}",
    "(SELECT user_id AS k, CAST(live_id AS VARCHAR) AS s, watch_live_time AS v FROM click) {n}",
    "(SELECT NULL::INTEGER AS k, NULL AS s, 1 AS v) {n}",
    "(SELECT 1 AS k, 'a' AS s, 1 AS v WHERE false) {n}",
]


def q_joins(r):
    a = r.choice(JOIN_SIDES).format(n="l")
    b = r.choice(JOIN_SIDES).format(n="r")
    jt = r.choice(["JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN", "SEMI JOIN", "ANTI JOIN", "LEFT JOIN", "FULL JOIN"])
    conds = r.choice([["l.k = r.k"], ["l.k = r.k", "l.s = r.s"], ["l.s = r.s"], ["l.k IS NOT DISTINCT FROM r.k"],
                      ["l.k = r.k", "l.v < r.v"], ["l.k = r.k", "l.s IS NOT DISTINCT FROM r.s"], ["l.k + 1 = r.k"],
                      ["upper(l.s) = r.s"], ["l.k = r.k", "r.s IS NULL"]])
    cond = " AND ".join(conds)
    if r.random() < 0.15:
        cond = f"({cond}) OR l.v = r.v"
    if jt in ("SEMI JOIN", "ANTI JOIN"):
        sel = "l.k, l.s, l.v, typeof(l.k)"
    else:
        sel = r.choice(["*", "l.k, r.k, l.s, r.s", "l.k, r.v, typeof(r.k), coalesce(l.k, r.k) AS ck",
                        "count(*), count(l.k), count(r.k), sum(r.v)", "l.s, count(*), max(r.s)"])
    q = f"SELECT {sel} FROM {a} {jt} {b} ON {cond}"
    if r.random() < 0.2:
        side = "l" if jt in ("SEMI JOIN", "ANTI JOIN") else r.choice(["l", "r"])
        q += f" WHERE {side}.{r.choice(['k IS NULL', 'k IS NOT NULL', 's IS NOT NULL'])}"
    if sel.startswith("l.s, count"):
        q += " GROUP BY l.s"
    return q + " ORDER BY ALL"


def q_in(r):
    t = r.choice(["s", "n", "snd"])
    g = Gen(r, TABLES[t])
    ty = r.choice(["i", "s"]) if t != "n" else "i"
    e = g.typed(ty, r.randint(0, 1))
    if ty == "i":
        sub = r.choice(["SELECT k FROM n", "SELECT k FROM n WHERE k IS NOT NULL", "SELECT NULL::BIGINT",
                        "SELECT 1 WHERE false", "SELECT live_type FROM room", "SELECT x FROM n", "SELECT i FROM n WHERE id < 4"])
        lst = r.choice(["1, NULL", "0, 2, 3", "NULL", "1.5, 2", "'7', 1", "-1, 127, NULL"])
    else:
        sub = r.choice(["SELECT b FROM s", "SELECT b FROM s WHERE b IS NOT NULL", "SELECT NULL", "SELECT 'abc' WHERE false",
                        "SELECT live_content_category FROM room", "SELECT upper(a) FROM s"])
        lst = r.choice(["'abc', NULL", "'', 'ABC'", "NULL", "'x', 'zzz', '日本語'"])
    neg = r.choice(["", "NOT "])
    form = r.choice(["sub", "list", "any", "all"])
    if form == "sub":
        p = f"{e} {neg}IN ({sub})"
    elif form == "list":
        p = f"{e} {neg}IN ({lst})"
    elif form == "any":
        p = f"{e} = ANY ({sub})"
    else:
        p = f"{e} <> ALL ({sub})"
    if r.random() < 0.5:
        return f"SELECT id, {p} AS c, {e} AS e FROM {FROM[t]} ORDER BY id"
    return f"SELECT id FROM {FROM[t]} WHERE {'NOT ' if r.random() < 0.3 else ''}({p}) ORDER BY id"


def q_order(r):
    """ORDER BY several keys with mixed directions and NULLS FIRST / LAST, then LIMIT / OFFSET (id last: one answer)."""
    t = r.choice(["s", "n", "d", "snd"])
    g = Gen(r, TABLES[t])
    keys = []
    for _ in range(r.randint(1, 3)):
        e = g.typed(r.choice(list(TABLES[t])), r.randint(0, 1))
        keys.append(e + r.choice(["", " ASC", " DESC"]) + r.choice(["", "", " NULLS FIRST", " NULLS LAST"]))
    lim = r.choice(["", "", " LIMIT 5", " LIMIT 3 OFFSET 2", " OFFSET 10", " LIMIT 0", " LIMIT 1 OFFSET 100",
                    " LIMIT 7 OFFSET 0"])
    return f"SELECT id FROM {FROM[t]} ORDER BY {', '.join(keys)}, id{lim}"


def q_distinct_set(r):
    t = r.choice(["s", "n", "d"])
    g = Gen(r, TABLES[t])
    ty = r.choice(list(TABLES[t]))
    e1, e2 = g.typed(ty, 1), g.typed(ty, 1)
    op = r.choice(["UNION", "UNION ALL", "INTERSECT", "EXCEPT", "EXCEPT ALL", "INTERSECT ALL"])
    return f"SELECT {e1} AS c FROM {FROM[t]} {op} SELECT {e2} FROM {FROM[t]} ORDER BY ALL"


CLASSES = {"kuailive": q_kuailive, "strkeys": q_string_keys, "numbers": q_numbers, "keys": q_keys, "strings": q_strings, "casts": q_casts, "dates": q_dates, "numeric": q_numeric,
           "aggregates": q_aggregates, "joins": q_joins, "in": q_in, "order": q_order, "sets": q_distinct_set}

# ----------------------------------------------------------------------------- running


def run_kuai(qbin, store, sql):
    try:
        p = subprocess.run([qbin, "--store", store, "--format", "csv", "--", sql], capture_output=True, text=True,
                           timeout=30)
    except subprocess.TimeoutExpired:
        return "crash", "timeout"
    if p.returncode == 0:
        return "ok", p.stdout
    if p.returncode < 0 or p.returncode >= 128:
        return "crash", f"exit {p.returncode}: {p.stderr.strip()[-300:]}"
    return "error", p.stderr.strip().split("\n")[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kuai", required=True)
    ap.add_argument("--kuai-convert", required=True)
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--classes", default=",".join(CLASSES))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", default=None)
    ap.add_argument("--sql", default=None, help="run one query and print both answers")
    ap.add_argument("--kuailive", default=None, help="a folder of KuaiLive CSVs to use instead of the edge fixture")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="kuai-difftest-")
    folder = os.path.join(work, "fixture")
    write_fixture(folder, args.kuailive)
    store = os.path.join(work, "store")
    p = subprocess.run([args.kuai_convert, folder, "-o", store], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"kuai-convert failed: {p.stderr}")
    import duckdb
    con = duckdb.connect()
    load_duck(con, folder)
    out_csv = os.path.join(work, "out.csv")

    def duck(sql):
        try:
            rel = con.sql(sql)
            types = [str(t) for t in rel.types]
            con.execute(f"COPY ({sql}) TO '{out_csv}' (HEADER)")
            with open(out_csv, encoding="utf-8", newline="") as f:
                return "ok", f.read(), types
        except duckdb.Error as e:
            return "error", str(e).split("\n")[0], None
        except Exception as e:  # noqa: BLE001
            return "error", f"python: {e}", None

    if args.sql:
        print("duckdb:", duck(args.sql))
        print("kuai:  ", run_kuai(args.kuai, store, args.sql))
        return
    # the tables must read back the same in both engines
    for t in EXTRA:
        sql = f"SELECT * FROM {t} ORDER BY id"
        ds, dt, ty = duck(sql)
        ks, kt = run_kuai(args.kuai, store, sql)
        d = oracle.csv_diff(dt, kt, ty) if ks == "ok" else kt
        if d:
            sys.exit(f"table {t} differs: {d}")
    r = random.Random(args.seed)
    classes = args.classes.split(",")
    queries = []
    for j in range(args.n):
        c = classes[j % len(classes)]
        queries.append((c, CLASSES[c](r)))
    ducks = [duck(q) for _, q in queries]
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
        kuais = list(ex.map(lambda cq: run_kuai(args.kuai, store, cq[1]), queries))
    out = open(args.out or os.path.join(work, "mismatches.txt"), "w")
    stats = {}
    for (c, q), (ds, dt, ty), (ks, kt) in zip(queries, ducks, kuais):
        st = stats.setdefault(c, [0, 0, 0, 0])
        st[0] += 1
        if ds == "error":
            st[1] += 1
        kind = None
        if ks == "crash":
            kind = "CRASH"
        elif ds == "ok" and ks == "error":
            kind = "KUAI-ERROR"
        elif ds == "error" and ks == "ok":
            kind = "DUCK-ERROR-KUAI-OK"
        elif ds == "ok":
            d = oracle.csv_diff(dt, kt, ty)
            if d:
                kind = "WRONG " + d
        if kind:
            st[2 if not kind.startswith("KUAI-ERROR") else 3] += 1
            out.write(f"### {c} {kind}\n{q}\n--- duckdb ({ds}):\n{dt if ds == 'ok' else dt}\n--- kuai ({ks}):\n{kt}\n\n")
    out.close()
    for c, (n, de, wrong, kerr) in stats.items():
        print(f"{c:12s} queries {n:6d}  duckdb errors {de:5d}  mismatches {wrong:5d}  kuai-only errors {kerr:5d}")
    print("details:", out.name)


if __name__ == "__main__":
    main()
