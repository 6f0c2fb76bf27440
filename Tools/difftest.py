#!/usr/bin/env python3
"""Differential test of kuai-query against DuckDB 2.0.1 on generated queries.

Usage
    python3 Tools/difftest.py --kuai .build/release/kuai-query --kuai-convert .build/release/kuai-convert
                              [--n 2000] [--seed 1] [--classes strings,casts,...] [--jobs 2] [--out FILE]
                              [--kuailive ../kl-0.01]
    python3 Tools/difftest.py --kuai ... --kuai-convert ... --kuailive ../kl-0.01 --generated [--n 2000]
                                                         the fourth run's classes (GEN_CLASSES) over big tables
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

--generated adds five tables made by CREATE TABLE AS SELECT ... FROM range(n) in both engines (GEN_TABLES:
10k-200k rows, so several blocks and batches; the same column names with different types per table;
NULLs, duplicates, a skewed column, a dense key, a table stored in ascending order, a small one) and runs
GEN_CLASSES by default: joins of every kind over one or two keys of mixed types with filters on both
sides and after GROUP BY (gjoins, gjoins2), IN / NOT IN / EXISTS subqueries as conjuncts and under OR,
NOT and CASE, correlated or not (gsub, gscalarsub), top-N over computed keys selecting only the sort keys
so ties at the limit cannot change the answer (gtopn, kltopn), window functions over every frame form
with ORDER BY ending in the unique id (gwindow), the recently vectorised aggregates and scalar functions
(gaggs, gscalar), set operations (gsets), lists (glists), samples' deterministic facts (gsample) and joins / IN / EXISTS over the KuaiLive tables
(kljoins, with --kuailive). Big answers are compared through fingerprints (count, sums, min, max).
Known noise: mode and arg_max among equally good values (each engine takes its own), skewness and
kurtosis near 0 (summation order; the generator rounds them to 6 places).

--analyst (with --kuailive ../kl-0.01; the fifth run) adds the table a1 (A_TABLES: epoch-ms timestamps
with NULLs, 0, negatives, year 1 and 9999; the dimensions' band strings; unicode names; every integer width
at its extremes; negative DECIMALs) to GEN_TABLES and runs A_CLASSES: what an analyst of KuaiLive writes.
atime: epoch ms to (China) time (to_timestamp, epoch_ms, make_timestamp, AT TIME ZONE) then date_trunc /
date_part / extract / strftime / strptime / date_diff / date_sub / age / last_day / names / INTERVAL
arithmetic / casts / comparisons with string literals, grouped over the event tables or row by row over
a1; astr: string functions over the dimensions' dictionary columns and computed strings (split_part of
bands, regexp groups and back-references, substring with negative positions, trim, pad, printf / format,
LIKE / ILIKE / SIMILAR TO, string_split + unnest, min / max / string_agg); anum: integer overflow in
arithmetic and sums over every width, division by zero, DECIMAL rounding and casts, statistics (stddev,
corr, regr_*); agroup: GROUPING SETS / ROLLUP / CUBE with grouping(), HAVING, DISTINCT ON, FILTER, GROUP
BY ALL, positional GROUP BY, aliases, QUALIFY; arecent: max(x, n), arg_max(x, id, n), quantiles of lists, PIVOT / UNPIVOT,
WITH RECURSIVE, list lambdas, late projection, math functions; akl: the workload (hours and days in China
time, long rooms dropped, events ranked in a room, tenure, the stacked fact table, retention, lifetime
value, CTR, the funnel, repeat visits, bands in their natural order). Known noise there: arg_min /
arg_max and row_number among ties of a dimension's key. --writes N also runs N sequences of
CREATE TABLE AS / INSERT INTO ... SELECT / VALUES / CREATE OR REPLACE / CREATE VIEW (write_sequence),
each statement one kuai-query run, and compares reading the tables back. --tz ZONE runs both engines in
that session zone (the TZ variable).

--shapes (with --kuailive ../kl-0.01; the sixth run) varies query SHAPE rather than functions. It makes
the tables S_TABLES in both engines (sh1 3k rows, sh2 20k, sh3 40, sh0 empty, sh4 100k with 80% of its
key on one value; every table has the columns id, k, k2, d, v, m, x, ts under different types, NULLs in
the keys, duplicates) and the views S_VIEWS in the store, and runs S_CLASSES: sjoins (INNER / LEFT /
RIGHT / FULL / CROSS / SEMI / ANTI / NATURAL / ASOF joins with ON or USING, multi-key, expression,
non-equi, mixed, one-side and OR conditions, keys of different types, empty and small build sides),
schains (chains of 3-5 joins of mixed kinds, self joins), slateral (LATERAL joins: q_slateral), ssub (correlated scalar / EXISTS / IN / NOT IN /
ANY / ALL subqueries in WHERE, the select list, CASE, HAVING and join conditions, two levels deep,
uncorrelated ones of 0 or several rows), ssets (UNION / INTERSECT / EXCEPT [ALL] [BY NAME] over branches
of different types, three branches, ORDER BY / LIMIT on the whole, inside CTEs), sctes (CTEs used twice,
shadowing a table, nested, derived tables, views, WITH RECURSIVE), sgroup (GROUP BY expressions and
positions, aggregates and DISTINCT over joins, HAVING without GROUP BY, aggregates of aggregates, windows
over aggregates, QUALIFY, ORDER BY an unselected aggregate, LIMIT / OFFSET over ties selecting only the
sort key), stypes (result types of CASE, coalesce, UNION branches, literals, integer division and mixed
DECIMAL arithmetic) and smix (outer joins under WHERE filters, DISTINCT ON, LIMIT in derived tables, row
values IN a subquery, set operations inside IN, subqueries as GROUP BY keys, USING chains, constant join
conditions). Big answers are compared through fingerprints (count, count / min / max per column); row
order is fixed by ORDER BY ALL or a unique key. Besides the answers, the result's column types are
compared: kuai's `DESCRIBE <query>` against DuckDB's relation types ("TYPES" mismatches). Known noise:
an error that DuckDB raises only for rows it evaluates (a conversion or division by zero in a coalesce
argument, a CASE branch or a row past a LIMIT; a string literal that does not convert, `coalesce(1.5,
'a')`) or that its optimizer rewrites away (`sum(2147483647 + x)` as sum(x) + count * constant,
`2147483647 + x = 100.0` as x = 100.0 - 2147483647) is a kuai-only error; an OR join condition whose
operands share no conjunct between two big tables can pass kuai's 30 s limit (a nested-loop join); the
kuai-only binding errors of correlated subqueries outside WHERE and the select list (HAVING, GROUP BY),
correlated two levels out, or correlated by a comparison other than `=` outside EXISTS are documented
limits (Formats/query-language.md, "Subqueries").
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

csv.field_size_limit(1 << 30)

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


# ----------------------------------------------------------------------------- generated tables (fourth run)

# --generated: five tables made by CREATE TABLE AS SELECT ... FROM range(n) in both engines (kuai writes
# them into the store), large enough to span several 65,536-row blocks and batches. Every table has the
# same column names with types that differ between tables, so joins, IN and set operations meet keys of
# mixed widths and types: id (unique), k and k2 (integer keys with duplicates and NULLs), t (narrow
# integer), x (DOUBLE with NULLs), dec (DECIMAL), s (VARCHAR with NULLs), d (DATE with NULLs), skew (one
# value holds most rows). g3's k is dense (0..n/2, each twice: direct-indexed semi/anti joins), g4 is
# stored in ascending order of id and o (top-N batch bounds), g5 is small (a small join build side).
GEN_TABLES = {
    "g1": """SELECT range AS id,
 CASE WHEN range % 13 = 0 THEN NULL ELSE CAST((range * 7919) % 5003 AS INTEGER) END AS k,
 CASE WHEN range % 11 = 0 THEN NULL ELSE CAST((range * 31) % 97 AS SMALLINT) END AS k2,
 CAST(range % 100 - 50 AS TINYINT) AS t,
 CASE WHEN range % 7 = 0 THEN NULL ELSE CAST((range * 104729) % 10007 AS DOUBLE) / 8 END AS x,
 CAST(CAST((range * 37) % 20011 AS DECIMAL(9,2)) / 100 AS DECIMAL(9,2)) AS dec,
 CASE WHEN range % 19 = 0 THEN NULL ELSE 's' || CAST((range * 17) % 503 AS VARCHAR) END AS s,
 CASE WHEN range % 23 = 0 THEN NULL ELSE DATE '2020-01-01' + CAST((range * 3) % 1500 AS INTEGER) END AS d,
 CASE WHEN range % 1000 < 700 THEN 1 ELSE range % 50 END AS skew, range // 3 AS o
FROM range(200000)""",
    "g2": """SELECT range AS id,
 CASE WHEN range % 17 = 0 THEN NULL ELSE (range * 13) % 6007 END AS k,
 CASE WHEN range % 5 = 0 THEN NULL ELSE CAST(range % 120 AS TINYINT) END AS k2,
 CAST(range % 100 - 40 AS INTEGER) AS t,
 CASE WHEN range % 9 = 0 THEN NULL ELSE CAST((range * 7) % 10007 AS DOUBLE) / 8 END AS x,
 CAST(CAST((range * 11) % 20011 AS DECIMAL(18,2)) / 100 AS DECIMAL(18,2)) AS dec,
 CASE WHEN range % 29 = 0 THEN NULL ELSE 's' || CAST((range * 5) % 700 AS VARCHAR) END AS s,
 CASE WHEN range % 31 = 0 THEN NULL ELSE DATE '2020-06-01' + CAST(range % 1200 AS INTEGER) END AS d,
 CAST(range % 50 AS SMALLINT) AS skew, (50000 - range) // 7 AS o
FROM range(50000)""",
    "g3": """SELECT range AS id,
 CAST(range % 5000 AS INTEGER) AS k,
 CASE WHEN range % 3 = 0 THEN NULL ELSE CAST(range % 200 AS BIGINT) END AS k2,
 CAST(range % 120 AS SMALLINT) AS t,
 CAST(range % 5000 AS DOUBLE) / 2 AS x,
 CAST(range % 777 AS DECIMAL(4,0)) AS dec,
 CASE WHEN range % 41 = 0 THEN NULL ELSE 's' || CAST(range % 300 AS VARCHAR) END AS s,
 DATE '2021-01-01' + CAST(range % 900 AS INTEGER) AS d,
 CASE WHEN range < 9000 THEN 0 ELSE range % 10 END AS skew, range % 100 AS o
FROM range(10000)""",
    "g4": """SELECT range AS id,
 CASE WHEN range % 10 = 0 THEN NULL ELSE CAST(range % 4000 AS BIGINT) END AS k,
 CAST(range % 64 AS INTEGER) AS k2,
 CAST(range % 7 AS TINYINT) AS t,
 CASE WHEN range % 4 = 0 THEN NULL ELSE CAST(range AS DOUBLE) / 4 END AS x,
 CAST(CAST(range AS DECIMAL(18,3)) / 1000 AS DECIMAL(18,3)) AS dec,
 's' || CAST(range // 200 AS VARCHAR) AS s,
 DATE '2019-01-01' + CAST(range // 100 AS INTEGER) AS d,
 CAST(range // 50000 AS BIGINT) AS skew, range // 3 AS o
FROM range(100000)""",
    "g5": """SELECT range * 17 AS id,
 CASE WHEN range % 6 = 0 THEN NULL ELSE CAST((range * 41) % 5003 AS INTEGER) END AS k,
 CAST(range % 97 AS BIGINT) AS k2,
 CAST(range % 100 - 50 AS SMALLINT) AS t,
 CASE WHEN range % 5 = 0 THEN NULL ELSE CAST((range * 7) % 10007 AS DOUBLE) / 8 END AS x,
 CAST(CAST(range * 37 AS DECIMAL(9,2)) / 100 AS DECIMAL(9,2)) AS dec,
 CASE WHEN range % 4 = 0 THEN NULL ELSE 's' || CAST(range * 3 AS VARCHAR) END AS s,
 DATE '2020-01-01' + CAST(range * 5 AS INTEGER) AS d,
 CAST(range % 3 AS INTEGER) AS skew, range AS o
FROM range(300)""",
}
GEN_COLS = ["id", "k", "k2", "t", "x", "dec", "s", "d", "skew", "o"]
GEN_NUM = ["id", "k", "k2", "t", "x", "dec", "skew", "o"]
GEN_INT = ["id", "k", "k2", "t", "skew", "o"]
GEN_KEYS = ["k", "k2", "t", "x", "dec", "s", "d", "skew"]
# key pairs that compare (same column, or two integer columns)
GEN_KEY_PAIRS = [(c, c) for c in GEN_KEYS] + [("k", "k2"), ("k2", "k"), ("t", "k2"), ("k", "t"), ("skew", "k2"),
                                              ("k", "id"), ("id", "k"), ("x", "dec"), ("dec", "x"), ("k", "x")]
BIG = ["g1", "g2", "g4"]
LOW_CARD = ["k2", "t", "skew", "s", "d"]
GEN = ["g1", "g2", "g3", "g4", "g5"]


def gen_filter(r, a):
    """A filter on table alias `a` (may be selective or not)."""
    return r.choice([f"{a}.k < {r.choice([10, 300, 2500, 6000])}", f"{a}.x > {r.choice([0, 500.5, 1200])}",
                     f"{a}.s LIKE 's1%'", f"{a}.s >= 's5'", f"{a}.d BETWEEN DATE '2020-06-01' AND DATE '2021-03-01'",
                     f"{a}.t IN (1, 2, 3, -7)", f"{a}.k2 IS NULL", f"{a}.k IS NOT NULL", f"{a}.skew = 1",
                     f"{a}.id % 10 = 3", f"{a}.dec > 50", f"{a}.id < {r.choice([100, 1000, 70000])}",
                     f"({a}.k2 > 50 OR {a}.s IS NULL)", f"{a}.k = {r.choice([0, 1, 42, 4999])}"])


def gen_summary(r, cols):
    """Aggregates that fingerprint a result: count, sums of ids, min/max of each column in `cols`."""
    parts = ["count(*) AS n"] + [f"sum({c}) AS s{j}" for j, c in enumerate(cols) if c.endswith("id")]
    for j, c in enumerate(cols):
        parts.append(f"count({c}) AS c{j}")
        parts.append(f"{r.choice(['min', 'max'])}({c}) AS m{j}")
    return ", ".join(parts)


def q_gjoins(r):
    """Joins between the generated tables: every join type, one or two keys of mixed types, filters on both
    sides (the build side's key filter pushed into the probe), joins after GROUP BY."""
    a, b = r.choice(GEN), r.choice(GEN)
    jt = r.choice(["JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN", "SEMI JOIN", "ANTI JOIN", "JOIN", "SEMI JOIN"])
    pairs = r.sample(GEN_KEY_PAIRS, r.choice([1, 1, 2]))
    cond = " AND ".join(f"l.{x} = r.{y}" for x, y in pairs)
    if r.random() < 0.1:
        cond = f"l.{pairs[0][0]} IS NOT DISTINCT FROM r.{pairs[0][1]}"
    if r.random() < 0.1:
        cond += f" AND l.id {r.choice(['<', '>'])} r.id"
    left = f"{a} l"
    right = f"{b} r"
    if any(x in LOW_CARD or y in LOW_CARD for x, y in pairs) and b != "g5" and a != "g5":
        # a key with few values between two big tables: thin one side (the answer stays small)
        right = f"(SELECT * FROM {b} WHERE id % 211 = {r.choice([0, 1, 5])}) r"
    elif r.random() < 0.2:
        kc = r.choice(["k", "k2", "s", "skew", "d"])
        right = f"(SELECT {kc}, count(*) AS id, max(x) AS x, min(t) AS t FROM {b} GROUP BY {kc}) r"
        pairs = [(r.choice([p for p, q in GEN_KEY_PAIRS if q == kc]), kc)]
        cond = f"l.{pairs[0][0]} = r.{kc}"
    elif r.random() < 0.15:
        right = f"(SELECT * FROM {b} WHERE {gen_filter(r, b)}) r"
    where = []
    for _ in range(r.choice([0, 1, 1, 2])):
        side = "l" if jt in ("SEMI JOIN", "ANTI JOIN") else r.choice(["l", "r"])
        f = gen_filter(r, side)
        if side == "r" and not right.startswith(b):
            f = f"r.id > 3"
        where.append(f)
    semi = jt in ("SEMI JOIN", "ANTI JOIN")
    cols = ["l.id", f"l.{pairs[0][0]}"] if semi else ["l.id", "r.id", f"l.{pairs[0][0]}", f"r.{pairs[0][1]}"]
    w = (" WHERE " + " AND ".join(where)) if where else ""
    if r.random() < 0.6:
        return f"SELECT {gen_summary(r, cols)} FROM {left} {jt} {right} ON {cond}{w}"
    if r.random() < 0.5 and not semi:
        g = f"l.{pairs[0][0]}"
        return (f"SELECT {g} AS g, count(*) AS n, count(r.id) AS nr, sum(l.id) AS sl FROM {left} {jt} {right} ON {cond}{w} "
                f"GROUP BY {g} ORDER BY n DESC, g NULLS FIRST LIMIT 20")
    return f"SELECT {', '.join(cols)} FROM {left} {jt} {right} ON {cond}{w} ORDER BY ALL LIMIT 40"


def q_gsub(r):
    """x IN (SELECT ...), NOT IN, EXISTS / NOT EXISTS (correlated or not) as conjuncts and under OR, NOT,
    CASE; with filters on both sides."""
    a, b = r.choice(GEN), r.choice(GEN)
    x, y = r.choice(GEN_KEY_PAIRS)
    sw = f" WHERE {gen_filter(r, 's2')}" if r.random() < 0.5 else ""
    neg = r.choice(["", "NOT "])
    form = r.choice(["in", "in", "exists", "cexists", "cexists", "inlist"])
    if form == "in":
        p = f"o.{x} {neg}IN (SELECT s2.{y} FROM {b} s2{sw})"
    elif form == "exists":
        p = f"{neg}EXISTS (SELECT 1 FROM {b} s2{sw})"
    elif form == "inlist":
        if r.random() < 0.5:
            vals = [str(r.choice([0, 1, 3, 7, 42, 99, 500, 1000, 2500, 4999, -7, 13, 21])) for _ in range(r.randint(2, 14))]
            if r.random() < 0.4:
                vals.insert(r.randint(0, len(vals)), "NULL")
            p = f"o.{r.choice(GEN_INT)} {neg}IN ({', '.join(vals)})"
        else:
            vals = [r.choice(["0.0", "12.5", "125.0", "1.125", "-0.0", "1000.875", "NULL", "'nan'::DOUBLE", "3"]) for _ in range(r.randint(2, 10))]
            p = f"o.{r.choice(['x', 'dec'])} {neg}IN ({', '.join(vals)})"
    else:
        extra = f" AND {gen_filter(r, 's2')}" if r.random() < 0.4 else ""
        p = f"{neg}EXISTS (SELECT 1 FROM {b} s2 WHERE s2.{y} = o.{x}{extra})"
    wrap = r.choice(["", "", "or", "not", "case", "and"])
    if wrap == "or":
        p = f"({p} OR {gen_filter(r, 'o')})"
    elif wrap == "not":
        p = f"NOT ({p})"
    elif wrap == "case":
        p = f"(CASE WHEN {gen_filter(r, 'o')} THEN {p} ELSE o.id % 2 = 0 END)"
    elif wrap == "and":
        p = f"{gen_filter(r, 'o')} AND {p}"
    if r.random() < 0.25:
        return f"SELECT o.id, {p} AS p FROM {a} o WHERE o.id % {r.choice([97, 1001, 7])} = 1 ORDER BY o.id LIMIT 60"
    w2 = f" AND {gen_filter(r, 'o')}" if r.random() < 0.3 else ""
    if r.random() < 0.7:
        return f"SELECT count(*) AS n, sum(o.id) AS si, min(o.{x}) AS mn, max(o.{x}) AS mx FROM {a} o WHERE {p}{w2}"
    return f"SELECT o.id, o.{x} FROM {a} o WHERE {p}{w2} ORDER BY o.id LIMIT 50"


def gen_expr(r, a=""):
    """A computed expression over the generated columns (numbers, strings, dates)."""
    p = a + "." if a else ""
    return r.choice([f"{p}k % 7", f"-{p}x", f"{p}x + {p}t", f"{p}s", f"upper({p}s)", f"{p}d", f"{p}d + {p}t",
                     f"CAST({p}dec AS DOUBLE) * 2", f"{p}k2 // 10", f"coalesce({p}k, -1)", f"{p}k * {p}t",
                     f"length({p}s)", f"year({p}d)", f"{p}dec", f"{p}t", f"{p}o", f"{p}skew", f"{p}id % 1000",
                     f"CASE WHEN {p}k2 > 40 THEN {p}s END", f"abs({p}t)", f"{p}x / 3"])


def q_gtopn(r):
    """ORDER BY computed keys (mixed directions, NULLS FIRST / LAST) with LIMIT / OFFSET: only the sort keys
    are selected, so ties at the limit cannot change the answer."""
    a = r.choice(GEN + ["g4", "g4"])
    keys = [gen_expr(r) for _ in range(r.randint(1, 3))]
    if a == "g4" and r.random() < 0.5:
        keys[0] = r.choice(["id", "o", "d", "s", "dec", "x", "k2"])
    order = ", ".join(f"c{j}" + r.choice(["", " ASC", " DESC"]) + r.choice(["", "", " NULLS FIRST", " NULLS LAST"])
                      for j in range(len(keys)))
    sel = ", ".join(f"{e} AS c{j}" for j, e in enumerate(keys))
    lim = r.choice([" LIMIT 1", " LIMIT 10", " LIMIT 100", " LIMIT 5 OFFSET 3", " LIMIT 20 OFFSET 70000",
                    " LIMIT 300000", " LIMIT 2048", " LIMIT 3 OFFSET 199990", " LIMIT 1025"])
    w = f" WHERE {gen_filter(r, a)}" if r.random() < 0.3 else ""
    q = f"SELECT {sel} FROM {a}{w} ORDER BY {order}{lim}"
    if "300000" in lim or "2048" in lim or "1025" in lim:
        # a big answer: compare its fingerprint
        return f"SELECT count(*) AS n, {', '.join(f'min(c{j}) AS mn{j}, max(c{j}) AS mx{j}, count(c{j}) AS n{j}' for j in range(len(keys)))} FROM ({q})"
    return q


WIN_FRAMES = ["", "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW", "ROWS BETWEEN 3 PRECEDING AND 2 FOLLOWING",
              "ROWS BETWEEN 1 FOLLOWING AND 5 FOLLOWING", "ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING",
              "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING", "ROWS 4 PRECEDING",
              "GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING", "GROUPS BETWEEN UNBOUNDED PRECEDING AND 2 PRECEDING",
              "RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW", "RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING",
              "ROWS BETWEEN 2 PRECEDING AND 2 PRECEDING"]
WIN_BOUNDED = ["ROWS BETWEEN 3 PRECEDING AND 2 FOLLOWING", "ROWS BETWEEN 1 FOLLOWING AND 5 FOLLOWING", "ROWS 4 PRECEDING",
               "GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING", "ROWS BETWEEN 2 PRECEDING AND 2 PRECEDING"]
WIN_EXCL = ["", "", "", " EXCLUDE CURRENT ROW", " EXCLUDE GROUP", " EXCLUDE TIES", " EXCLUDE NO OTHERS"]


def gen_window(r, a):
    """One window function call with a deterministic answer (the ORDER BY ends in the unique id, except for
    RANGE frames with an offset, whose aggregates do not depend on the order among peers)."""
    part = r.choice(["", "", "PARTITION BY skew", "PARTITION BY k2", "PARTITION BY t", "PARTITION BY s",
                     "PARTITION BY d", "PARTITION BY k % 3, t % 2"])
    okey = r.choice(["x", "k", "d", "s", "dec", "o", "t"]) + r.choice(["", " DESC"]) + r.choice(["", " NULLS FIRST", " NULLS LAST"])
    agg_arg = r.choice(["x", "k", "dec", "t", "id", "k2"])
    aggs = [f"sum({agg_arg})", f"count({agg_arg})", f"min({agg_arg})", f"max({agg_arg})", f"avg({agg_arg})",
            "count(*)", f"sum({agg_arg}) FILTER (WHERE k2 > 30)", f"count(DISTINCT {r.choice(['k2', 't', 's'])})",
            f"sum(DISTINCT {r.choice(['k2', 't'])})", f"max(s)", f"bool_or(k2 > 90)", f"stddev_samp({agg_arg})",
            f"string_agg(s, ',' ORDER BY id)", f"arg_max({agg_arg}, id)", "count(k) FILTER (WHERE t < 0)"]
    if r.random() < 0.2:
        # RANGE with an offset: one numeric ORDER BY key
        ok = r.choice(["k", "o", "t", "x", "dec", "d", "d", "ts"])
        # no offset 0: DuckDB ends an `n PRECEDING` frame at the current row at the latest (and starts an
        # `n FOLLOWING` one there), so with 0 the peers after (before) it depend on the row order
        off = {"d": r.choice(["INTERVAL 3 DAY", "2", "INTERVAL '1 week'"]),
               "ts": r.choice(["INTERVAL 36 HOUR", "INTERVAL '1 day 30 minutes'", "INTERVAL 1 SECOND"])}.get(ok, r.choice(["3", "1", "100"]))
        if ok == "ts":
            ok = "(CAST(d AS TIMESTAMP) + INTERVAL (k2) MINUTE)"
        fr = r.choice([f"RANGE BETWEEN {off} PRECEDING AND {off} FOLLOWING", f"RANGE BETWEEN UNBOUNDED PRECEDING AND {off} PRECEDING",
                       f"RANGE BETWEEN CURRENT ROW AND {off} FOLLOWING"])
        f = r.choice([f"sum({r.choice(['k', 'id', 't'])})", f"count({agg_arg})", f"min({agg_arg})", f"max({agg_arg})", "count(*)"])
        return f"{f} OVER ({part} ORDER BY {ok}{r.choice(['', ' DESC'])} {fr}{r.choice(WIN_EXCL)})"
    order = f"ORDER BY {okey}, id"
    kind = r.choice(["rank", "agg", "agg", "agg", "value", "value"])
    if kind == "rank":
        f = r.choice(["row_number()", "rank()", "dense_rank()", "percent_rank()", "cume_dist()", "ntile(4)", "ntile(1000)"])
        if f in ("rank()", "dense_rank()", "percent_rank()", "cume_dist()") and r.random() < 0.5:
            order = f"ORDER BY {okey}"
        return f"{f} OVER ({part} {order})"
    ign = r.choice(["", "", " IGNORE NULLS"])
    if kind == "value":
        v = r.choice(["x", "s", "k", "d", "dec"])
        f = r.choice([f"lag({v})", f"lead({v}, 2)", f"lag({v}, 3, NULL)", f"first_value({v}{ign})",
                      f"last_value({v}{ign})", f"nth_value({v}, 3{ign})", f"lead({v}{ign})", f"lag({v}, 1{ign})"])
        if f.startswith("lag(") or f.startswith("lead("):
            return f"{f} OVER ({part} {order})"
        fr = r.choice(WIN_FRAMES)
        return f"{f} OVER ({part} {order} {fr}{r.choice(WIN_EXCL) if fr else ''})"
    f = r.choice(aggs)
    fr = r.choice(WIN_FRAMES)
    heavy = any(h in f for h in ("string_agg", "DISTINCT", "arg_max", "stddev", "bool_or", "max(s)"))
    if heavy:
        # computed frame by frame: bounded frames only (and no whole-partition string_agg)
        fr = r.choice(WIN_BOUNDED)
    excl = r.choice(WIN_EXCL) if fr else ""
    if r.random() < 0.15 and "string_agg" not in f:
        return f"{f} OVER ({part})"
    return f"{f} OVER ({part} {order} {fr}{excl})"


def q_gwindow(r):
    """Window functions over the generated tables (also over a join or an aggregate), QUALIFY."""
    a = r.choice(GEN + ["g3", "g5", "g5"])
    ws = [gen_window(r, a) for _ in range(r.randint(1, 2))]
    src = a
    if r.random() < 0.15:
        src = f"(SELECT l.id * 10000 + r.id AS id, l.k, r.k2, l.t, r.x, l.dec, r.s, l.d, l.skew, l.o FROM {a} l JOIN g5 r ON l.k2 = r.k2)"
    elif r.random() < 0.1:
        src = (f"(SELECT min(id) AS id, k, max(k2) AS k2, min(t) AS t, sum(x) AS x, max(dec) AS dec, max(s) AS s, "
               f"max(d) AS d, count(*) AS skew, min(o) AS o FROM {a} GROUP BY k)")
    sel = ", ".join(f"{w} AS w{j}" for j, w in enumerate(ws))
    form = r.choice(["sample", "summary", "summary", "qualify"])
    if form == "qualify":
        return (f"SELECT id, {sel} FROM {src} QUALIFY CAST({ws[0]} AS VARCHAR) {r.choice(['< ' + chr(39) + '2' + chr(39), 'IS NULL', '>= ' + chr(39) + '5' + chr(39)])} "
                f"ORDER BY id LIMIT 50")
    if form == "sample":
        m = r.choice([997, 101, 7919])
        return f"SELECT * FROM (SELECT id, {sel} FROM {src}) WHERE id % {m} = 5 ORDER BY id LIMIT 60"
    summ = ", ".join(f"count(w{j}) AS n{j}, min(w{j}) AS mn{j}, max(w{j}) AS mx{j}" +
                     (f", sum(w{j}) AS s{j}" if not any(t in ws[j] for t in ("(s", "(d", "string_agg", "bool_or", "max(s)", "(dec", ", s", ", d"))
                      else "") for j in range(len(ws)))
    return f"SELECT count(*) AS n, {summ} FROM (SELECT id, {sel} FROM {src})"


def q_gaggs(r):
    """Aggregates and functions vectorised recently, grouped by a key of the generated tables."""
    a = r.choice(GEN)
    num = r.choice(GEN_NUM)
    anyc = r.choice(GEN_COLS)
    aggs = [f"any_value({anyc} ORDER BY id)", f"first({anyc} ORDER BY id DESC)", f"last({anyc} ORDER BY id)",
            f"first({anyc} ORDER BY {r.choice(GEN_COLS)} NULLS FIRST, id)", f"string_agg(s, {r.choice([chr(39)+','+chr(39), chr(39)+chr(39), chr(39)+' | '+chr(39)])} ORDER BY id)",
            f"string_agg(DISTINCT s, ';' ORDER BY s DESC)", f"string_agg(CAST({anyc} AS VARCHAR), '-' ORDER BY {anyc}, id)",
            f"entropy({anyc})", f"product({r.choice(['t', 'skew', 'k2 % 3', 'x / 1000', 'dec / 100'])})",
            f"round(skewness({num}), 6) + 0.0", f"round(kurtosis({num}), 6) + 0.0", f"round(kurtosis_pop({num}), 6) + 0.0",
            f"count(DISTINCT {anyc})", f"sum({num}) FILTER (WHERE {gen_filter(r, a)})", f"avg({num})",
            f"min(greatest({num}, {r.choice(GEN_NUM)}))", f"max(least({num}, {r.choice(GEN_NUM)}, 100))",
            f"sum(sign({num}))", f"count(*) FILTER (WHERE isnan({r.choice(['x', 'x - x', 'x / 0', 'CAST(dec AS DOUBLE)'])}))",
            f"count(*) FILTER (WHERE isinf(x / {r.choice(['0', 't', '1'])}))", f"count(nullif({anyc}, {anyc}))",
            f"sum(nullif(t, {r.choice(['0', '1', '-50'])}))", f"max(nullif(s, 's1'))",
            f"count(*) FILTER (WHERE {r.choice(GEN_INT)} IN ({', '.join(str(r.randint(-5, 60)) for _ in range(r.randint(9, 14)))}{r.choice(['', ', NULL'])}))",
            f"count(*) FILTER (WHERE {r.choice(GEN_INT)} NOT IN ({', '.join(str(r.randint(-5, 60)) for _ in range(r.randint(9, 14)))}{r.choice(['', ', NULL'])}))",
            f"count(*) FILTER (WHERE x IN ({r.choice(['12.5, 125.0, NULL', '0.125, 1.0, 2.5, 1250.375', '12.5, 13'])}))",
            f"sum(sign({r.choice(['t', 'x', 'dec', 'k2', 'CAST(t AS HUGEINT)', 'CAST(x AS DECIMAL(38,4))'])}))",
            f"max({r.choice(['greatest', 'least'])}({r.choice(['s, upper(s)', 'd, d + t', 'x, dec', 'dec, t, k2', 's, NULL', 'x, NULL, k'])}))"]
    picked = [r.choice(aggs) for _ in range(r.randint(1, 3))]
    sel = ", ".join(f"{p} AS a{j}, typeof({p}) AS ty{j}" for j, p in enumerate(picked))
    g = r.choice(["", "skew", "k2 % 5", "t", "s IS NULL", "d", "k2"])
    w = f" WHERE {gen_filter(r, a)}" if r.random() < 0.3 else ""
    if g:
        return f"SELECT {g} AS g, {sel} FROM {a}{w} GROUP BY {g} ORDER BY g NULLS FIRST LIMIT 30"
    return f"SELECT {sel} FROM {a}{w}"


def q_gscalar(r):
    """sign / isnan / isinf / greatest / least / nullif over every numeric type, and IN lists, row by row."""
    a = r.choice(GEN)
    ty = r.choice(["TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "DOUBLE", "DECIMAL(4,1)",
                   "DECIMAL(18,3)", "DECIMAL(38,2)"])
    c = f"TRY_CAST({r.choice(['t', 'k2', 'x', 'dec', 'k', '-x', 'x - 600'])} AS {ty})"
    e = r.choice([f"sign({c})", f"isnan({c})", f"isinf({c})", f"greatest({c}, {r.choice(['t', 'NULL', '0', 'x', 'dec'])})",
                  f"least({c}, {r.choice(['k2', '1.5', 'x', 'dec'])}, {c})", f"nullif({c}, {r.choice(['0', 't', '12.5'])})",
                  f"{c} IN ({', '.join(str(r.randint(-50, 50)) for _ in range(r.randint(3, 12)))}{r.choice(['', ', NULL'])})",
                  f"{c} NOT IN (12.5, 0, {r.choice(['NULL', '3', '125.0'])})", f"abs({c})", f"-{c}"])
    return f"SELECT id, {c} AS c, {e} AS e, typeof({e}) AS te FROM {a} WHERE id % {r.choice([13, 101, 997])} = 2 ORDER BY id LIMIT 80"


def q_gsets(r):
    """UNION [ALL] [BY NAME], INTERSECT / EXCEPT [ALL] with NULLs and mixed types, as fingerprints."""
    a, b = r.choice(GEN), r.choice(GEN)
    c1 = r.sample(GEN_COLS, r.randint(1, 2))
    c2 = [r.choice([c for c, _ in GEN_KEY_PAIRS if _ == x] + [x]) for x in c1]
    op = r.choice(["UNION", "UNION ALL", "INTERSECT", "EXCEPT", "INTERSECT ALL", "EXCEPT ALL", "UNION BY NAME",
                   "UNION ALL BY NAME"])
    if "BY NAME" in op:
        left = ", ".join(f"{c} AS c{j}" for j, c in enumerate(c1))
        right = ", ".join(f"{c} AS c{j}" for j, c in reversed(list(enumerate(c2))))
        if r.random() < 0.5:
            right += ", id AS extra"
    else:
        left = ", ".join(f"{c} AS c{j}" for j, c in enumerate(c1))
        right = ", ".join(c2)
    wa = f" WHERE {gen_filter(r, a)}" if r.random() < 0.5 else ""
    wb = f" WHERE {gen_filter(r, b)}" if r.random() < 0.5 else ""
    q = f"SELECT {left} FROM {a}{wa} {op} SELECT {right} FROM {b}{wb}"
    if r.random() < 0.4:
        return f"SELECT * FROM ({q}) ORDER BY ALL LIMIT 30"
    return f"SELECT count(*) AS n, {', '.join(f'count(c{j}) AS n{j}, min(c{j}) AS mn{j}, max(c{j}) AS mx{j}, count(DISTINCT c{j}) AS d{j}, min(typeof(c{j})) AS t{j}' for j in range(len(c1)))} FROM ({q})"


def q_gsample(r):
    """USING SAMPLE / TABLESAMPLE: only what both engines must agree on, since the rows picked differ
    (another random generator): reservoir counts (rows, and DuckDB's segmented rule for percentages),
    whole 2048-row vectors of system samples over a stored table, sampled rows being rows of the table
    (each once), and the sample's place (after FROM's joins, before WHERE and GROUP BY)."""
    a, b = r.choice(GEN), r.choice(GEN)
    n = r.choice([0, 1, 7, 100, 2048, 5000, 60000, 250000])
    seed = r.choice(["", f", {r.randint(0, 99)}"])
    p = r.choice(["0", "0.001", "0.5", "3.3", "10", "50", "99.99", "100"])
    form = r.choice(["rows", "percent", "vectors", "members", "where", "group", "join", "subquery"])
    if form == "rows":
        entry = r.choice([f"{n} ROWS", f"{n}", f"reservoir({n} ROWS)" + (f" REPEATABLE ({seed[2:]})" if seed else ""),
                          f"{n} ROWS (reservoir{seed})", f"system({n})"])
        return f"SELECT count(*) AS n FROM {a} {r.choice(['USING SAMPLE', 'TABLESAMPLE'])} {entry}"
    if form == "percent":
        return f"SELECT count(*) AS n FROM {a} USING SAMPLE {p}% (reservoir{seed})"
    if form == "vectors":
        return (f"SELECT count(*) % 2048 IN (0, (SELECT count(*) % 2048 FROM {a})) AS whole FROM {a} "
                f"USING SAMPLE {p} PERCENT (system{seed})")
    if form == "members":
        method = r.choice(["bernoulli", "system", "reservoir"])
        return (f"SELECT count(*) = count(DISTINCT s.id) AS once, count(*) = count(t.id) AS found FROM "
                f"(SELECT id, k FROM {a} USING SAMPLE {p}% ({method}{seed})) s LEFT JOIN {a} t ON s.id = t.id "
                f"AND s.k IS NOT DISTINCT FROM t.k")
    if form == "where":
        return f"SELECT count(*) <= {n} AS bounded FROM {a} WHERE {gen_filter(r, a)} USING SAMPLE {n} ROWS"
    if form == "group":
        return f"SELECT sum(c) AS n FROM (SELECT {r.choice(LOW_CARD)} AS g, count(*) AS c FROM {a} GROUP BY g USING SAMPLE {n} ROWS)"
    if form == "join":
        return (f"SELECT count(*) AS n FROM {a} x JOIN {b} y ON x.{r.choice(['id', 'k2', 'skew'])} = y.id "
                f"USING SAMPLE {n} ROWS")
    return f"SELECT count(*) AS n FROM (SELECT * FROM {a} WHERE {gen_filter(r, a)}) TABLESAMPLE {n} ROWS"


def q_glists(r):
    """list() / array_agg with ORDER BY, unnest, string_split, list indexing and slicing."""
    a = r.choice(GEN)
    c = r.choice(GEN_COLS)
    idx = r.choice(["1", "-1", "0", "2", "NULL", "100", "-100", "k2 % 5", "t"])
    lo, hi = r.choice(["1", "-2", "0", "NULL", "3", "-100", ""]), r.choice(["2", "-1", "0", "NULL", "100", ""])
    form = r.choice(["agg", "agg", "unnest", "split", "index"])
    if form == "agg":
        f = r.choice([f"list({c} ORDER BY id)", f"array_agg({c} ORDER BY {c} DESC NULLS LAST, id)",
                      f"list({c} ORDER BY id) FILTER (WHERE k2 > 50)", f"array_agg(DISTINCT {c} ORDER BY {c})"])
        e = r.choice([f, f"{f}[{idx if not idx[0].isalpha() else '2'}]", f"{f}[{lo}:{hi}]", f"len({f})",
                      f"list_contains({f}, {r.choice(['1', '0', 'NULL'])})" if c in GEN_NUM else f"len({f})"])
        return f"SELECT skew, {e} AS l FROM {a} WHERE id % 503 < 3 GROUP BY skew ORDER BY skew"
    if form == "unnest":
        return (f"SELECT * FROM (SELECT id, unnest([k, k2, NULL, t]) AS u FROM {a} WHERE id % 997 = 1) "
                f"ORDER BY id, u NULLS FIRST LIMIT 60")
    if form == "split":
        return (f"SELECT id, string_split(s || ',' || coalesce(CAST(d AS VARCHAR), '') || ',,' || CAST(k2 AS VARCHAR), ',') AS l, "
                f"string_split(s, '')[{idx}] AS e FROM {a} WHERE id % 991 = 3 ORDER BY id LIMIT 40")
    return (f"SELECT id, [k, k2, t, NULL][{idx}] AS e, [s, 'a', NULL][{lo}:{hi}] AS sl, "
            f"[x, dec][{idx}] AS e2 FROM {a} WHERE id % 499 = 7 ORDER BY id LIMIT 40")


KL_EVENTS = ["click", "negative", "comment", "like", "gift"]
KL_FILTERS = {
    "room": ["r.live_type = 1", "r.live_content_category = 'game'", "r.end_timestamp - r.start_timestamp > 3600000",
             "r.streamer_id < 500", "r.p_date = 20250505", "r.live_name_id % 10 = 3"],
    "streamer": ["r.gender = 'F'", "r.age = '18-23'", "r.first_live_timestamp > DATE '2024-01-01'", "r.streamer_id % 7 = 0"],
    "user": ["r.gender = 'M'", "r.is_live_streamer = 1", "r.reg_timestamp < DATE '2020-01-01'", "r.user_id % 3 = 1"],
}


def q_kljoins(r):
    """Joins, IN, EXISTS over the KuaiLive tables (--kuailive): an event table probed against a filtered
    dimension (the build side's key filter pushed into the probe scan), dense ids (direct-indexed
    semi / anti joins), IN (SELECT ...) conjuncts that become semi joins."""
    ev = '"' + r.choice(KL_EVENTS) + '"'
    dim, key = r.choice([("room", "live_id"), ("streamer", "streamer_id"), ("user", "user_id"), ("room", "streamer_id")])
    f = r.choice(KL_FILTERS[dim])
    evf = r.choice(["", "", f" AND e.timestamp > {r.choice([1746374400000, 1746500000000, 1746600000000])}",
                    f" AND e.user_id % 5 = {r.randint(0, 4)}", f" AND e.streamer_id > {r.choice([100, 2000])}"])
    form = r.choice(["join", "left", "semi", "anti", "in", "notin", "exists", "notexists", "inor", "agg"])
    if form in ("join", "left", "agg") and (dim, key) == ("room", "streamer_id"):
        key = "live_id"  # room has many rows per streamer: the join's answer would have 10^8 rows
    agg = "count(*) AS n, sum(e.user_id) AS su, min(e.timestamp) AS mt, max(e.live_id) AS ml"
    if form == "join":
        return f"SELECT {agg}, count(DISTINCT r.{key}) AS dk FROM {ev} e JOIN {dim} r ON e.{key} = r.{key} WHERE {f}{evf}"
    if form == "left":
        return f"SELECT {agg}, count(r.{key}) AS mk FROM {ev} e LEFT JOIN (SELECT * FROM {dim} r WHERE {f}) r ON e.{key} = r.{key} WHERE true{evf}"
    if form in ("semi", "anti"):
        return f"SELECT {agg} FROM {ev} e {form.upper()} JOIN (SELECT * FROM {dim} r WHERE {f}) r ON e.{key} = r.{key} WHERE true{evf}"
    if form in ("in", "notin"):
        neg = "NOT " if form == "notin" else ""
        return f"SELECT {agg} FROM {ev} e WHERE e.{key} {neg}IN (SELECT r.{key} FROM {dim} r WHERE {f}){evf}"
    if form == "inor":
        return f"SELECT {agg} FROM {ev} e WHERE (e.{key} IN (SELECT r.{key} FROM {dim} r WHERE {f}) OR e.user_id % 11 = 0){evf}"
    if form in ("exists", "notexists"):
        neg = "NOT " if form == "notexists" else ""
        return (f"SELECT count(*) AS n, sum(r.{key}) AS sk FROM {dim} r WHERE {neg}EXISTS (SELECT 1 FROM {ev} e WHERE e.{key} = r.{key}{evf})"
                f"{' AND ' + f if r.random() < 0.5 else ''}")
    return (f"SELECT r.{key} AS k, count(*) AS n, sum(e.user_id) AS su FROM {ev} e JOIN {dim} r ON e.{key} = r.{key} "
            f"WHERE {f}{evf} GROUP BY r.{key} ORDER BY n DESC, k LIMIT 15")


def q_kltopn(r):
    """Top-N over the KuaiLive tables (ascending stored keys; computed keys); only sort keys selected."""
    t, cols = r.choice([("room", ["live_id", "start_timestamp", "end_timestamp - start_timestamp", "streamer_id", "p_date", "live_name_id % 100"]),
                        ("click", ["timestamp", "user_id", "watch_live_time", "live_id", "timestamp // 1000 % 3600"]),
                        ("negative", ["timestamp", "live_id", "user_id"])])
    keys = r.sample(cols, r.randint(1, 2))
    order = ", ".join(f"c{j}" + r.choice(["", " DESC"]) for j in range(len(keys)))
    sel = ", ".join(f"{k} AS c{j}" for j, k in enumerate(keys))
    w = r.choice(["", "", f" WHERE user_id % 3 = 1" if t != "room" else " WHERE live_type = 1"])
    return f"SELECT {sel} FROM {t}{w} ORDER BY {order} LIMIT {r.choice([1, 5, 50, 100, 1000])} OFFSET {r.choice([0, 0, 3, 999])}"


def q_gjoins2(r):
    """Joins with ON filters of either side, non-equality residuals, computed and cast keys (DATE against
    TIMESTAMP, DOUBLE with -0.0 / NaN, strings), three-way joins and scalar / quantified subqueries."""
    a, b = r.choice(GEN), r.choice(["g5", "g3", "g5", r.choice(GEN)])
    jt = r.choice(["JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN", "SEMI JOIN", "ANTI JOIN"])
    key = r.choice(["l.k + 1 = r.k", "l.k = r.k2 * 7", "CAST(l.d AS TIMESTAMP) = r.d", "l.d = CAST(r.d AS TIMESTAMP) + INTERVAL 1 DAY",
                    "l.x = r.x * 1.0", "CASE WHEN l.x = 0 THEN -0.0 ELSE l.x END = r.x", "upper(l.s) = upper(r.s)",
                    "l.s = 's' || CAST(r.k2 AS VARCHAR)", "l.dec = r.dec", "CAST(l.k AS VARCHAR) = CAST(r.k AS VARCHAR)",
                    "l.k = r.k AND l.k2 IS NOT DISTINCT FROM r.k2", "l.k IS NOT DISTINCT FROM r.k AND l.t = r.t",
                    "coalesce(l.k, -1) = coalesce(r.k, -1)", "l.t = r.t AND l.k2 = r.k2"])
    extra = r.choice(["", "", " AND r.t > 0", " AND l.t < 10", " AND l.x < r.x", " AND l.id <> r.id",
                      " AND (l.s IS NULL OR r.s > l.s)", " AND r.k2 IN (1, 2, 3, 5, 8, 13, 21, 34, 55)"])
    if any(c in key for c in ("l.t = r.t", "upper(", "r.k2 * 7", "'s' ||", "l.d", "r.d")) and a != "g5" and b != "g5":
        b = "g5"
    q = f"FROM {a} l {jt} {b} r ON {key}{extra}"
    if r.random() < 0.2 and jt not in ("SEMI JOIN", "ANTI JOIN"):
        q += f" {r.choice(['JOIN', 'LEFT JOIN'])} g5 z ON z.k2 = {r.choice(['l', 'r'])}.k2 % 97"
    w = f" WHERE {gen_filter(r, 'l')}" if r.random() < 0.4 else ""
    if jt in ("SEMI JOIN", "ANTI JOIN"):
        return f"SELECT count(*) AS n, sum(l.id) AS s, min(l.k) AS mk, max(l.s) AS ms {q}{w}"
    return f"SELECT count(*) AS n, sum(l.id) AS sl, sum(r.id) AS sr, count(l.k) AS nl, count(r.k) AS nr, max(r.s) AS ms {q}{w}"


def q_gscalarsub(r):
    """Correlated scalar subqueries, ANY / ALL, and subqueries in the select list over generated tables."""
    a = r.choice(GEN)
    x, y = r.choice(GEN_KEY_PAIRS)
    p = r.choice([f"(SELECT max(s2.x) FROM g5 s2 WHERE s2.{y} = o.{x})", f"(SELECT count(*) FROM g5 s2 WHERE s2.{y} = o.{x})",
                  f"(SELECT min(s2.id) FROM g3 s2 WHERE s2.{y} = o.{x} AND s2.t = o.t)",
                  f"o.{x} <> ALL (SELECT s2.{y} FROM g5 s2 WHERE s2.id < {r.choice([0, 100, 1000])})",
                  f"o.{x} = ANY (SELECT s2.{y} FROM g5 s2)", f"o.{x} = ANY (SELECT s2.{y} FROM g5 s2 WHERE s2.k2 = o.k2)",
                  f"o.{x} IN (SELECT s2.{y} FROM g5 s2 WHERE s2.t = o.t)", f"o.{x} NOT IN (SELECT s2.{y} FROM g5 s2 WHERE s2.t = o.t)"])
    return f"SELECT o.id, {p} AS p FROM {a} o WHERE o.id % {r.choice([97, 1001, 13])} = 4 ORDER BY o.id LIMIT 50"


def q_gwinagg(r):
    """Window functions over GROUP BY results (aggregates inside window calls), QUALIFY over them."""
    a = r.choice(GEN)
    g = r.choice(["k2", "t", "skew", "s", "d", "k % 50"])
    agg = r.choice(["count(*)", "sum(id)", "max(x)", "min(dec)", "count(DISTINCT s)", "avg(t)", "string_agg(s, ',' ORDER BY id)"])
    agg2 = r.choice(["count(*)", "sum(id)", "max(id)", "min(id)"])
    w = r.choice([f"rank() OVER (ORDER BY {agg2} DESC)", f"sum({agg2}) OVER (ORDER BY {agg2}, min(id))",
                  f"row_number() OVER (ORDER BY {agg2} DESC, min(id))", f"lag({agg2}) OVER (ORDER BY min(id))",
                  f"{agg2} - avg({agg2}) OVER ()", f"first_value(min(id)) OVER (ORDER BY {agg2} DESC, min(id) ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)",
                  f"count(*) OVER (ORDER BY {agg2} RANGE BETWEEN 10 PRECEDING AND 10 FOLLOWING)",
                  f"dense_rank() OVER (PARTITION BY {agg2} % 3 ORDER BY min(id))",
                  f"sum(count(*)) OVER (ORDER BY min(id) ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"])
    q = f"SELECT {g} AS g, {agg} AS a, {w} AS w FROM {a} GROUP BY {g}"
    if r.random() < 0.3:
        q += f" QUALIFY {w} {r.choice(['< 5', '> 2', 'IS NOT NULL'])}"
    return q + " ORDER BY g NULLS FIRST LIMIT 40"


# ----------------------------------------------------------------------------- the fifth run: analysts' queries

# A table of KuaiLive-like events with edge values: epoch-ms timestamps (the 21 days, NULLs, the epoch,
# negatives, year 1 and 9999), band strings as the dimensions hold them, unicode names, every integer
# width at its extremes (for overflow), negative DECIMALs, DOUBLEs with ties at .5.
A_TABLES = {
    "a1": """SELECT range AS id,
 CASE WHEN range % 17 = 0 THEN NULL WHEN range % 997 = 1 THEN -1 WHEN range % 997 = 2 THEN 0
      WHEN range % 997 = 3 THEN -62135596800000 WHEN range % 997 = 4 THEN 253402300799999
      WHEN range % 997 = 5 THEN -86400001
      ELSE 1746374400000 + (range * 7919 * 1009) % 1814400000 END AS ts,
 CASE WHEN range % 23 = 0 THEN NULL ELSE (range * 104729) % 7200000 END AS dur,
 CASE range % 7 WHEN 0 THEN '0' WHEN 1 THEN '10-100' WHEN 2 THEN '100-1000' WHEN 3 THEN '1000-10000'
      WHEN 4 THEN '5000+' WHEN 5 THEN NULL ELSE '1-10' END AS band,
 CASE range % 11 WHEN 0 THEN 'Straße' WHEN 1 THEN 'İstanbul' WHEN 2 THEN '日本語' WHEN 3 THEN 'ǅemal'
      WHEN 4 THEN 'HUAWEI' WHEN 5 THEN 'xiaomi' WHEN 6 THEN '' WHEN 7 THEN NULL WHEN 8 THEN ' a_b%c '
      WHEN 9 THEN 'ΣΑΣ' ELSE 'OPPO' END AS name,
 CAST(CASE WHEN range % 1000 = 7 THEN 127 WHEN range % 1000 = 8 THEN -128 ELSE range % 100 - 50 END AS TINYINT) AS i8,
 CAST(CASE WHEN range % 1000 = 7 THEN 32767 WHEN range % 1000 = 8 THEN -32768 ELSE range % 3000 - 1500 END AS SMALLINT) AS i16,
 CAST(CASE WHEN range = 7 THEN 2147483647 WHEN range = 8 THEN -2147483648 ELSE range * 3 - 100000 END AS INTEGER) AS i32,
 CASE WHEN range = 7 THEN 9223372036854775807 WHEN range = 8 THEN -9223372036854775808
      WHEN range % 13 = 0 THEN NULL ELSE range * 1000003 - 50000000000 END AS i64,
 CAST(CAST((range * 37) % 20011 - 10000 AS DECIMAL(9,2)) / 100 AS DECIMAL(9,2)) AS dec,
 CAST((range * 7) % 1001 - 500 AS DOUBLE) / 4 AS x,
 CASE WHEN range % 5 = 0 THEN NULL ELSE range % 50 END AS g,
 range % 3000 AS u
FROM range(30000)""",
}
A_EV = ["click", "gift", "comment", "like"]
A_TS_UNITS = ["year", "quarter", "month", "week", "day", "hour", "minute", "second", "millisecond", "isoyear",
              "decade", "dayofweek", "isodow", "dayofyear", "yearweek", "epoch", "microseconds", "century"]
A_FMTS = ["'%Y-%m-%d'", "'%Y-%m-%d %H:%M:%S'", "'%H'", "'%a %d %b %Y'", "'%A, %B %-d'", "'%j %U %W'", "'%G-W%V-%u'",
          "'%y%m%d %I %p'", "'%Y-%m-%d %H:%M:%S.%g'", "'%Y-%m-%dT%H:%M:%S.%fZ'", "'%e'", "'%D %T'", "'%n%t%%'"]
A_INTERVALS = ["INTERVAL 8 HOUR", "INTERVAL '8 hours'", "INTERVAL 1 MONTH", "INTERVAL '-1 month'", "INTERVAL '1 month 1 day'",
               "INTERVAL '-1 year 2 months -3 days 04:05:06.789'", "INTERVAL 90 MINUTE", "INTERVAL (3) DAY",
               "INTERVAL '1.5 days'", "INTERVAL '2 weeks'", "to_days(3)", "to_hours(-25)"]


def a_ts(r, c):
    """A TIMESTAMP (China time or UTC) from the epoch-ms column c, as analysts write it."""
    return r.choice([f"to_timestamp({c} / 1000)", f"to_timestamp({c} // 1000)", f"epoch_ms({c})",
                     f"epoch_ms({c}) + INTERVAL 8 HOUR", f"epoch_ms({c} + 8 * 3600 * 1000)",
                     f"make_timestamp({c} * 1000)", f"to_timestamp({c} / 1000) AT TIME ZONE 'Asia/Shanghai'",
                     f"timezone('Asia/Shanghai', to_timestamp({c} / 1000.0))",
                     f"CAST(to_timestamp({c} / 1000) AS TIMESTAMP)",
                     f"epoch_ms({c}) AT TIME ZONE 'UTC' AT TIME ZONE 'Asia/Shanghai'",
                     f"to_timestamp({c} / 1000)::TIMESTAMP + INTERVAL '8 hours'"])


def a_temporal(r, t):
    tp = r.choice([f"CAST({t} AS DATE)", t, t, f"CAST({t} AS DATE)::TIMESTAMP"])
    return r.choice([
        f"date_trunc('{r.choice(A_TS_UNITS[:11])}', {tp})", f"date_part('{r.choice(A_TS_UNITS)}', {tp})",
        f"extract({r.choice(['hour', 'dow', 'isodow', 'doy', 'week', 'epoch', 'year', 'minute', 'second', 'millisecond', 'quarter'])} FROM {tp})",
        f"strftime({tp}, {r.choice(A_FMTS)})",
        f"date_diff('{r.choice(['day', 'hour', 'minute', 'month', 'week', 'year', 'second', 'quarter'])}', {tp}, {r.choice(['TIMESTAMP ' + chr(39) + '2025-05-26 00:00:00' + chr(39), 'DATE ' + chr(39) + '2025-05-05' + chr(39), tp + ' + ' + r.choice(A_INTERVALS)])})",
        f"date_sub('{r.choice(['day', 'hour', 'month', 'year', 'minute'])}', {tp}, TIMESTAMP '2025-05-26')",
        f"age(TIMESTAMP '2025-05-26', {tp})", f"age({tp})" if False else f"age({tp}, TIMESTAMP '2025-05-05 12:00:00')",
        f"last_day({tp})", f"dayname({tp})", f"monthname({tp})", f"week({tp})", f"isodow({tp})", f"yearweek({tp})",
        f"dayofweek({tp})", f"hour({tp})", f"minute({tp})", f"second({tp})", f"millisecond({tp})", f"quarter({tp})",
        f"({tp} + {r.choice(A_INTERVALS)})", f"({tp} - {r.choice(A_INTERVALS)})",
        f"({tp} {r.choice(['<', '>=', '=', '<>'])} '{r.choice(['2025-05-10', '2025-05-10 08:00:00', '2025-05-10 08:00', '1970-01-01'])}')",
        f"({tp} BETWEEN '2025-05-06' AND '2025-05-07 12:00')",
        f"CAST({tp} AS VARCHAR)", f"CAST({tp} AS DATE)", f"CAST(CAST({tp} AS DATE) AS VARCHAR)",
        f"strptime(strftime({tp}, '%Y-%m-%d %H:%M:%S'), '%Y-%m-%d %H:%M:%S')",
        f"try_strptime(strftime({tp}, {r.choice(A_FMTS)}), {r.choice(A_FMTS)})",
        f"strptime(CAST({tp} AS VARCHAR), {r.choice(['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d'])!r})",
        f"epoch({tp})", f"epoch_ms({tp})", f"epoch_us({tp})",
        f"({tp} - TIMESTAMP '2025-05-05')", f"(CAST({tp} AS DATE) - DATE '2025-05-05')",
        f"date_add(CAST({tp} AS DATE), {r.choice(A_INTERVALS)})",
        f"make_date(year({tp}), month({tp}), 1)", f"make_timestamp(year({tp}), month({tp}), day({tp}), hour({tp}), 30, 1.5)",
        f"time_bucket(INTERVAL '{r.choice(['1 hour', '6 hours', '1 day', '7 days', '15 minutes'])}', {tp})",
    ])


def q_atime(r):
    """Temporal functions over epoch-ms columns converted to (China) time: grouped over the KuaiLive event
    tables, or row by row over the table a1 with its edge timestamps."""
    if r.random() < 0.5:
        tab = r.choice(A_EV)
        e = a_temporal(r, a_ts(r, "timestamp"))
        extra = r.choice(["", ", sum(user_id) AS su", ", min(timestamp) AS mt"])
        return f"SELECT {e} AS v, count(*) AS n{extra} FROM \"{tab}\" GROUP BY ALL ORDER BY ALL LIMIT 60"
    e = a_temporal(r, a_ts(r, "ts"))
    if r.random() < 0.5:
        return f"SELECT id, ts, {e} AS v, typeof({e}) AS tv FROM a1 WHERE id % {r.choice([97, 499, 997])} < 6 ORDER BY id"
    return f"SELECT {e} AS v, count(*) AS n, typeof({e}) AS tv FROM a1 GROUP BY ALL ORDER BY ALL LIMIT 60"


A_STR_COLS = {"user": ["age", "gender", "device_brand", "device_price", "fans_num", "follow_num", "accu_watch_live_cnt",
                       "accu_watch_live_duration", "country"],
              "streamer": ["age", "gender", "live_operation_tag", "fans_user_num", "fans_group_fans_num", "device_brand",
                           "accu_live_cnt", "accu_play_duration"],
              "room": ["live_content_category"],
              "a1": ["band", "name", "CAST(i16 AS VARCHAR)", "CAST(dec AS VARCHAR)", "CAST(x AS VARCHAR)", "band || name"]}


def a_str(r, c):
    p = lambda: r.choice(["1", "2", "-1", "-3", "0", "3", "NULL", "100", "-100"])  # noqa: E731
    return r.choice([
        f"split_part({c}, '-', {r.choice(['1', '2', '-1', '0', '3'])})",
        f"TRY_CAST(split_part({c}, '-', 1) AS {r.choice(['INTEGER', 'BIGINT', 'DOUBLE', 'DECIMAL(10,2)', 'TINYINT'])})",
        f"TRY_CAST(regexp_replace({c}, '[^0-9]', '', 'g') AS BIGINT)",
        f"regexp_extract({c}, '(\\d+)-(\\d+)', {r.choice(['0', '1', '2'])})",
        f"regexp_extract({c}, '([a-z]+)([A-Z]*)', {r.choice(['1', '2'])}{r.choice(['', ', ' + chr(39) + 'i' + chr(39)])})",
        f"regexp_replace({c}, '(\\d+)-(\\d+)', '\\2..\\1')", f"regexp_replace({c}, '[0-9]', '#'{r.choice(['', ', ' + chr(39) + 'g' + chr(39)])})",
        f"regexp_replace({c}, '^(.)(.*)$', '\\2\\1')", f"regexp_replace({c}, 'a|s', '_', 'gi')",
        f"lower({c})", f"upper({c})", f"substring({c}, {p()}, {p()})", f"substring({c}, {p()})", f"{c}[{p()}]",
        f"left({c}, {p()})", f"right({c}, {p()})", f"trim({c}, '0+')", f"ltrim({c}, '1')", f"rtrim({c}, '0')",
        f"lpad({c}, {r.choice(['8', '3', '0'])}, '.')", f"rpad({c}, {r.choice(['8', '3'])}, 'é')",
        f"concat({c}, NULL, '|', {c})", f"({c} || NULL)", f"({c} || '/' || {c})", f"concat_ws('-', {c}, NULL, 'x')",
        f"replace({c}, '-', ' to ')", f"reverse({c})", f"repeat({c}, 2)", f"length({c})", f"strlen({c})",
        f"length({c}) = strlen({c})", f"position('-' IN {c})", f"strpos({c}, '0')", f"instr({c}, '00')",
        f"contains({c}, '0')", f"starts_with({c}, '1')", f"ends_with({c}, '+')",
        f"({c} LIKE '%!_%' ESCAPE '!')", f"({c} ILIKE '%{r.choice(['i', 'ss', 'HUA', 'Σ', 'o'])}%')",
        f"({c} SIMILAR TO '[0-9]+-[0-9]+')", f"({c} NOT LIKE '1%')", f"({c} ~ '^[0-9]+\\+$')",
        f"printf('%s|%5s|%-4s', {c}, {c}, 'x')", f"format('{{}}: {{}}', {c}, length({c}))",
        f"printf('%d-%05.1f', length({c}), length({c}) / 3)", f"({c} < '{r.choice(['10', '100-', 'A', 'a', ''])}')",
        f"greatest({c}, '5')", f"coalesce({c}, '(none)')", f"nullif({c}, '0')", f"ascii({c})",
        f"CASE WHEN {c} LIKE '%+' THEN 'top' WHEN {c} = '0' THEN 'none' ELSE {c} END",
        f"md5({c})", f"hash({c}) % 1000" if False else f"bit_length({c})",
    ])


def q_astr(r):
    """String functions over the dimensions' dictionary columns (bands, brands) and computed strings."""
    tab = r.choice(list(A_STR_COLS))
    c = r.choice(A_STR_COLS[tab])
    e = a_str(r, c)
    if r.random() < 0.25:
        e = a_str(r, e)
    form = r.random()
    if form < 0.5:
        return f"SELECT {e} AS v, typeof({e}) AS tv, count(*) AS n FROM \"{tab}\" GROUP BY ALL ORDER BY ALL LIMIT 80"
    if form < 0.65:
        return (f"SELECT {r.choice(['min', 'max'])}({e}) AS m, count(DISTINCT {e}) AS d, string_agg(DISTINCT {e}, ',' ORDER BY {e} DESC) AS l "
                f"FROM \"{tab}\"")
    if form < 0.8:
        return (f"SELECT e, count(*) AS n FROM (SELECT unnest(string_split({c}, '{r.choice(['-', '', '0', 'a'])}')) AS e FROM \"{tab}\") "
                f"GROUP BY e ORDER BY e NULLS FIRST LIMIT 60")
    return f"SELECT {c} AS c, {e} AS v FROM \"{tab}\" GROUP BY ALL ORDER BY v {r.choice(['NULLS FIRST', 'DESC NULLS LAST', ''])}, c NULLS LAST LIMIT 40"


A_INTS = ["i8", "i16", "i32", "i64", "g", "u", "dur"]


def q_anum(r):
    """Integer overflow in + - * and sum, division by zero, DECIMAL arithmetic and rounding, statistics."""
    a, b = r.choice(A_INTS), r.choice(A_INTS + ["2", "-1", "0", "3"])
    e = r.choice([
        f"{a} {r.choice(['+', '-', '*'])} {b}", f"{a} {r.choice(['/', '//', '%'])} {r.choice([b, '0', '-3', 'g - 25'])}",
        f"{a} * {a}", f"-{a}", f"abs({a})", f"{a} + {r.choice(['1', '127', '-1'])}", f"{a} - 1",
        f"CAST({a} AS {r.choice(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'DECIMAL(4,0)'])})",
        f"round(dec, {r.choice(['0', '1', '-1', '-2', '3'])})", f"round(x, {r.choice(['0', '1', '-1', '-2'])})",
        f"{r.choice(['ceil', 'floor', 'trunc', 'round', 'even'])}({r.choice(['dec', 'x', 'dec * 3', 'x / 3', '-dec', 'dec / 7'])})",
        f"dec * dec", f"dec / {r.choice(['3', 'dec', '0', '0.0', 'i8'])}", f"dec + {r.choice(['1.005', 'x', 'i64', 'i8', '0.5::DECIMAL(2,1)'])}",
        f"CAST(dec AS {r.choice(['DECIMAL(4,1)', 'DECIMAL(18,4)', 'DECIMAL(38,10)', 'DECIMAL(5,0)', 'INTEGER', 'DOUBLE', 'VARCHAR'])})",
        f"CAST(x AS {r.choice(['DECIMAL(5,1)', 'INTEGER', 'DECIMAL(3,2)', 'TINYINT'])})",
        f"x * {r.choice(['0.1', '1e300', '3', '-0.0'])}", f"1 / (x - x)" if False else f"x / {r.choice(['0', '3', 'g'])}",
        f"{a} % {r.choice(['-7', '7'])}", f"{a} // {r.choice(['-7', '7'])}", f"fmod({a}, -3)",
        f"{a} << 2", f"{a} >> 1", f"xor({a}, 5)", f"({a})::DOUBLE / 3",
    ])
    f = r.random()
    if f < 0.4:
        return f"SELECT id, {e} AS v, typeof({e}) AS tv FROM a1 WHERE id % {r.choice([97, 997, 1000])} < 10 ORDER BY id"
    if f < 0.7:
        agg = r.choice([f"sum({a})", f"sum({e})", f"avg({a})", f"sum(CAST({a} AS {r.choice(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT'])}))",
                        f"avg({e})", f"min({e})", f"max({e})", f"sum(dec)", f"avg(dec)", f"sum(x)", f"product({r.choice(['i8', 'g'])})",
                        f"round(stddev_samp({a}), 6)", f"var_samp({a})", f"stddev_pop({a})", f"round(corr({a}, {r.choice(A_INTS)}), 9)",
                        f"round(covar_samp({a}, x), 6)", f"round(covar_pop({a}, dec), 6)", f"round(regr_slope({a}, x), 9)",
                        f"round(regr_intercept(x, {a}), 6)", f"round(regr_r2(x, {a}), 9)", f"regr_count({a}, x)",
                        f"regr_avgx({a}, dec)", f"round(regr_sxx(x, {a}), 3)", f"round(regr_syy(x, g), 3)", f"round(regr_sxy(u, g), 3)"])
        grp = r.choice(["g", "g % 3", "band", "u", "id // 1000", "u % 7"])
        return f"SELECT {grp} AS k, {agg} AS v, typeof({agg}) AS tv FROM a1 GROUP BY ALL ORDER BY k NULLS FIRST LIMIT 60"
    return f"SELECT {r.choice(['sum', 'min', 'max', 'avg'])}({e}) AS v, count({e}) AS c FROM a1 WHERE id % {r.choice([7, 1, 1000])} = {r.choice([0, 7, 8])}"


def q_agroup(r):
    """GROUPING SETS / ROLLUP / CUBE with grouping(), HAVING, DISTINCT ON, FILTER, count(DISTINCT), arg_max,
    string_agg ORDER BY, GROUP BY ALL, ORDER BY ALL, positional GROUP BY, aliases in GROUP BY / HAVING /
    QUALIFY, over the dimensions and the table a1."""
    tab, cols = r.choice([("user", ["age", "gender", "device_price", "fans_num", "is_live_streamer"]),
                          ("streamer", ["gender", "age", "live_operation_tag", "device_price"]),
                          ("a1", ["band", "g % 4", "name", "i8 % 3", "CAST(dec AS INTEGER) % 5"]),
                          ("room", ["live_type", "live_content_category", "p_date"])])
    k = r.sample(cols, 2)
    meas = {"user": "user_id", "streamer": "streamer_id", "a1": "i32", "room": "live_id"}[tab]
    aggs = r.sample([f"count(*)", f"sum({meas})", f"count(DISTINCT {k[1]})", f"min({meas})",
                     f"count(*) FILTER (WHERE {meas} % 2 = 0)", f"avg({meas}) FILTER (WHERE {meas} > 100)",
                     f"max({meas}) FILTER (WHERE false)", f"string_agg(DISTINCT CAST({k[1]} AS VARCHAR), ',' ORDER BY CAST({k[1]} AS VARCHAR))",
                     f"arg_max({meas}, {meas})", f"arg_min(CAST({k[1]} AS VARCHAR), {meas})", f"count(DISTINCT {meas} % 7)",
                     f"list(DISTINCT {k[0]} ORDER BY {k[0]})" if False else f"max({k[1]})"], 3)
    sel = ", ".join(f"{a} AS m{j}" for j, a in enumerate(aggs))
    form = r.choice(["sets", "rollup", "cube", "all", "pos", "alias", "distincton", "qualify", "having"])
    if form in ("sets", "rollup", "cube"):
        gb = {"sets": f"GROUPING SETS (({k[0]}, {k[1]}), ({k[0]}), ())", "rollup": f"ROLLUP ({k[0]}, {k[1]})",
              "cube": f"CUBE ({k[0]}, {k[1]})"}[form]
        g = r.choice([f"grouping({k[0]})", f"grouping({k[0]}, {k[1]})", f"grouping_id({k[1]})"])
        hv = r.choice(["", " HAVING count(*) > 1", f" HAVING {g} < 3"])
        return f"SELECT {k[0]} AS a, {k[1]} AS b, {g} AS gr, {sel} FROM \"{tab}\" GROUP BY {gb}{hv} ORDER BY ALL NULLS FIRST LIMIT 100"
    if form == "all":
        return f"SELECT {k[0]}, {k[1]}, {sel} FROM \"{tab}\" GROUP BY ALL ORDER BY ALL LIMIT 100"
    if form == "pos":
        return f"SELECT {k[0]} AS a, {sel} FROM \"{tab}\" GROUP BY 1 ORDER BY 1 NULLS LAST LIMIT 100"
    if form == "alias":
        return f"SELECT {k[0]} AS ka, {sel} FROM \"{tab}\" GROUP BY ka HAVING m0 IS NOT NULL ORDER BY ka NULLS FIRST LIMIT 100"
    if form == "having":
        return f"SELECT {k[0]} AS ka, {sel} FROM \"{tab}\" GROUP BY {k[0]} HAVING count(*) {r.choice(['>', '<', '='])} {r.choice([1, 5, 20])} ORDER BY ka NULLS FIRST"
    if form == "distincton":
        return f"SELECT DISTINCT ON ({k[0]}) {k[0]} AS a, {meas} AS m FROM \"{tab}\" ORDER BY {k[0]} NULLS FIRST, {meas} {r.choice(['', 'DESC'])} LIMIT 100"
    return (f"SELECT {k[0]} AS a, {meas} AS m, row_number() OVER (PARTITION BY {k[0]} ORDER BY {meas} DESC) AS rn FROM \"{tab}\" "
            f"QUALIFY rn <= {r.choice([1, 2, 3])} ORDER BY a NULLS FIRST, m DESC")


def q_arecent(r):
    """Recently added features: max(x, n) / min(x, n), arg_max / arg_min(x, y, n), quantiles with a list, PIVOT / UNPIVOT, WITH RECURSIVE,
    list lambdas, 'abc'[i], ~, format / printf, late projection under ORDER BY ... LIMIT, math functions."""
    f = r.choice(["maxn", "argn", "quant", "pivot", "unpivot", "rec", "lambda", "late", "math"])
    if f == "maxn":
        c = r.choice(["i32", "x", "dec", "name", "band", "ts"])
        return (f"SELECT g % 4 AS k, {r.choice(['max', 'min'])}({c}, {r.choice([1, 3, 5])}) AS v FROM a1 "
                f"GROUP BY ALL ORDER BY k NULLS FIRST")
    if f == "argn":
        # arg_max / arg_min(x, y, n) by a unique key (id, or -id), so that no tie can order the list
        c = r.choice(["i32", "x", "dec", "name", "band", "ts", "id"])
        fn = r.choice(["arg_max", "arg_min", "max_by", "min_by"])
        return (f"SELECT g % 4 AS k, {fn}({c}, {r.choice(['id', '-id'])}, {r.choice([1, 2, 4])}) AS v FROM a1 "
                f"GROUP BY ALL ORDER BY k NULLS FIRST")
    if f == "quant":
        c = r.choice(["i32", "x", "dec", "dur", "i8", "ts"])
        fn = r.choice(["quantile_cont", "quantile_disc", "quantile"])
        q = r.choice(["[0.25, 0.5, 0.75]", "[0.0, 1.0]", "0.9", "[0.5]", "[0.99, 0.01]"])
        if fn != "quantile_cont" and c in ("x", "dec") and r.random() < 0.5:
            c = "ts"
        return f"SELECT band, {fn}({c}, {q}) AS v FROM a1 GROUP BY band ORDER BY band NULLS FIRST"
    if f == "pivot":
        return (f"PIVOT (SELECT band, g % 3 AS gg, i32 FROM a1) ON gg USING {r.choice(['sum(i32)', 'count(*)', 'max(i32)'])} "
                f"GROUP BY band ORDER BY band NULLS FIRST")
    if f == "unpivot":
        return ("UNPIVOT (SELECT id, i8, i16, CAST(g AS SMALLINT) AS g FROM a1 WHERE id < 12) ON i8, i16, g "
                "INTO NAME col VALUE v ORDER BY ALL")
    if f == "rec":
        return (f"WITH RECURSIVE t(n, s) AS (SELECT 1, CAST('a' AS VARCHAR) UNION {r.choice(['ALL', ''])} "
                f"SELECT n + 1, s || chr(97 + n % 26) FROM t WHERE n < {r.choice([5, 30, 100])}) "
                f"SELECT count(*), max(n), max(s), sum(length(s)) FROM t")
    if f == "lambda":
        e = r.choice(["list_transform(string_split(band, '-'), x -> TRY_CAST(x AS INTEGER))",
                      "list_filter(string_split(coalesce(band, ''), '-'), x -> length(x) > 1)",
                      "list_reduce(string_split(band, '-'), (a, b) -> a || '..' || b)",
                      "[x * 2 FOR x IN [i8, i16] IF x > 0]", "list_sum(list_transform([i8, i16, NULL], x -> x + 1))",
                      "list_sort(string_split(lower(coalesce(name, '')), ''))"])
        return f"SELECT id, {e} AS v FROM a1 WHERE id % 997 < 12 ORDER BY id"
    if f == "late":
        e = r.choice(["upper(name)", "band || '!'", "i32 * 2", "strftime(epoch_ms(ts), '%Y')", "dec * 2"])
        k = r.choice(["ts", "i64", "x, id", "u DESC, id", "dec DESC, id"])
        return f"SELECT id, {e} AS v FROM a1 ORDER BY {k} NULLS FIRST, id LIMIT {r.choice([5, 20])} OFFSET {r.choice([0, 7])}"
    e = r.choice(["round(sin(x), 9)", "round(atan2(x, dec), 9)", "round(degrees(x), 6)", "round(log10(abs(x) + 1), 9)",
                  "round(cbrt(x), 9)", "round(exp(x / 100), 6)", "round(pow(x, 2), 3)", "factorial(g % 10)" if False else "round(ln(abs(dec) + 1), 9)",
                  "round(x, 1) % 3", "round(radians(x), 9)", "round(tan(x / 10), 6)"])
    return f"SELECT id, {e} AS v FROM a1 WHERE id % 997 < 8 ORDER BY id"


def q_akl(r):
    """The KuaiLive workload as analysts write it: China time, long rooms dropped, events ranked in a room,
    tenure, a stacked fact table, retention, lifetime value, CTR and the funnel."""
    f = r.choice(["hour", "dow", "long", "rank", "tenure", "stack", "retention", "ltv", "ctr", "funnel", "repeat", "bands"])
    cn = "epoch_ms(timestamp) + INTERVAL 8 HOUR"
    if f == "hour":
        t = r.choice(A_EV)
        return f"SELECT hour({cn}) AS h, count(*) AS n, count(DISTINCT user_id) AS u FROM \"{t}\" GROUP BY h ORDER BY h"
    if f == "dow":
        t = r.choice(A_EV)
        return (f"SELECT dayname({cn}) AS d, isodow({cn}) AS i, strftime({cn}, '%a') AS a, count(*) AS n FROM \"{t}\" "
                f"GROUP BY ALL ORDER BY i")
    if f == "long":
        return ("SELECT count(*) AS n, count(DISTINCT live_id) AS l, max(end_timestamp - start_timestamp) AS m FROM room "
                f"WHERE {r.choice(['', 'NOT '])}(epoch_ms(end_timestamp) - epoch_ms(start_timestamp) > INTERVAL {r.choice(['1 DAY', '2 HOUR', '30 MINUTE'])})")
    if f == "rank":
        w = r.choice(["row_number()", "rank()", "dense_rank()", "count(*)", "lag(timestamp)", "timestamp - lag(timestamp, 1, timestamp)"])
        return (f"SELECT user_id, live_id, timestamp, {w} OVER (PARTITION BY user_id, live_id ORDER BY timestamp, watch_live_time) AS r "
                f"FROM click WHERE user_id % 17 = {r.randint(0, 16)} ORDER BY user_id, live_id, timestamp, watch_live_time, r")
    if f == "tenure":
        t, c, k = r.choice([("user", "reg_timestamp", "user_id"), ("streamer", "first_live_timestamp", "streamer_id"),
                            ("user", "first_watch_live_timestamp", "user_id")])
        e = r.choice([f"DATE '2025-05-26' - {c}", f"date_diff('day', {c}, DATE '2025-05-26')", f"date_diff('year', {c}, DATE '2025-05-26')",
                      f"datediff('month', {c}, '2025-05-26')", f"age(DATE '2025-05-26', {c})", f"year(age(TIMESTAMP '2025-05-26', {c}))",
                      f"({c} + INTERVAL 1 YEAR) < DATE '2025-05-26'", f"date_trunc('year', {c})", f"last_day({c})", f"strftime({c}, '%Y-%m')"])
        return f"SELECT {k}, {c}, {e} AS t FROM \"{t}\" ORDER BY {k} LIMIT 50"
    if f == "stack":
        return ("SELECT kind, count(*) AS n, count(DISTINCT user_id) AS u, sum(v) AS s, min(ts) AS a, max(ts) AS b FROM ("
                "SELECT 'click' AS kind, user_id, live_id, timestamp AS ts, watch_live_time AS v FROM click UNION ALL "
                "SELECT 'gift', user_id, live_id, timestamp, gift_price FROM gift UNION ALL "
                "SELECT 'like', user_id, live_id, timestamp, NULL FROM \"like\" UNION ALL "
                "SELECT 'comment', user_id, live_id, timestamp, NULL FROM comment) e "
                f"{r.choice(['', 'JOIN user u USING (user_id) WHERE u.gender = ' + chr(39) + 'F' + chr(39)])} GROUP BY ROLLUP (kind) ORDER BY kind NULLS LAST")
    if f == "retention":
        d = r.choice([1, 3, 7])
        return ("WITH a AS (SELECT DISTINCT user_id, CAST(epoch_ms(timestamp) + INTERVAL 8 HOUR AS DATE) AS d FROM click), "
                "f AS (SELECT user_id, min(d) AS d0 FROM a GROUP BY user_id) "
                f"SELECT f.d0, count(*) AS cohort, count(*) FILTER (WHERE EXISTS (SELECT 1 FROM a WHERE a.user_id = f.user_id AND a.d = f.d0 + {d})) AS ret, "
                f"round(100.0 * ret / cohort, 2) AS pct FROM f GROUP BY f.d0 ORDER BY f.d0")
    if f == "ltv":
        return ("SELECT u.age, u.gender, count(DISTINCT g.user_id) AS payers, sum(g.gift_price) AS rev, "
                "round(avg(g.gift_price), 4) AS avgp, median(g.gift_price) AS med, max(g.gift_price) AS mx, "
                f"sum(g.gift_price) / count(DISTINCT u.user_id) AS arpu FROM user u LEFT JOIN gift g USING (user_id) "
                f"GROUP BY {r.choice(['ROLLUP (u.age, u.gender)', 'u.age, u.gender', 'CUBE (u.age, u.gender)'])} ORDER BY ALL NULLS LAST")
    if f == "ctr":
        return ("WITH c AS (SELECT streamer_id, count(*) AS clicks FROM click GROUP BY 1), "
                "e AS (SELECT streamer_id, count(*) AS negs FROM negative GROUP BY 1) "
                "SELECT streamer_id, clicks, negs, round(clicks / (clicks + coalesce(negs, 0)), 6) AS ctr, "
                "CAST(clicks AS DECIMAL(18,4)) / nullif(clicks + negs, 0) AS ctr2 "
                f"FROM c FULL JOIN e USING (streamer_id) ORDER BY {r.choice(['ctr DESC NULLS LAST', 'clicks DESC', 'negs'])}, streamer_id LIMIT 30")
    if f == "funnel":
        return ("SELECT count(DISTINCT n.user_id) AS exposed, count(DISTINCT c.user_id) AS clicked, "
                "count(DISTINCT l.user_id) AS liked, count(DISTINCT g.user_id) AS gifted "
                "FROM negative n LEFT JOIN click c ON c.user_id = n.user_id AND c.live_id = n.live_id "
                "LEFT JOIN \"like\" l ON l.user_id = c.user_id AND l.live_id = c.live_id "
                "LEFT JOIN gift g ON g.user_id = c.user_id AND g.live_id = c.live_id")
    if f == "repeat":
        return ("SELECT visits, count(*) AS pairs FROM (SELECT user_id, streamer_id, count(DISTINCT live_id) AS visits "
                "FROM click GROUP BY ALL) GROUP BY visits ORDER BY visits")
    c = r.choice(["fans_num", "follow_num", "accu_watch_live_cnt", "device_price"])
    return (f"SELECT {c}, count(*) AS n FROM user GROUP BY {c} "
            f"ORDER BY TRY_CAST(regexp_extract({c}, '^(\\d+)', 1) AS BIGINT) NULLS LAST, {c}")


A_CLASSES = {"atime": q_atime, "astr": q_astr, "anum": q_anum, "agroup": q_agroup, "arecent": q_arecent, "akl": q_akl}


def write_sequence(r, j):
    """Statements that write the store (CREATE TABLE AS, INSERT INTO ... SELECT / VALUES, CREATE OR REPLACE
    TABLE, CREATE VIEW) on tables named for `j`, then queries that read them back (aggregates, types,
    DESCRIBE): (statements, checks)."""
    w, v = f"w{j}", f"v{j}"
    ty = r.choice(["INTEGER", "BIGINT", "SMALLINT", "DOUBLE", "DECIMAL(9,2)", "VARCHAR", "DATE", "TIMESTAMP", "HUGEINT"])
    val = {"INTEGER": "CAST(range * 7 - 300 AS INTEGER)", "BIGINT": "range * 1000003 - 9000000",
           "SMALLINT": "CAST(range % 3000 - 1500 AS SMALLINT)", "DOUBLE": "range / 8 - 20",
           "DECIMAL(9,2)": "CAST(range / 7 - 30 AS DECIMAL(9,2))", "VARCHAR": "'s' || (range % 37)",
           "DATE": "DATE '2025-05-05' + CAST(range % 40 AS INTEGER)",
           "TIMESTAMP": "epoch_ms(1746374400000 + range * 3600007)", "HUGEINT": "CAST(range AS HUGEINT) * 170141183460469231731687303"}[ty]
    n = r.choice([50, 3000, 70000])
    stmts = [f"CREATE TABLE {w} AS SELECT range AS id, CASE WHEN range % 11 = 0 THEN NULL ELSE {val} END AS c, "
             f"CASE WHEN range % 5 = 0 THEN NULL ELSE 'k' || (range % 4) END AS k FROM range({n})"]
    for _ in range(r.randint(1, 3)):
        stmts.append(r.choice([
            f"INSERT INTO {w} SELECT id + {n}, c, upper(k) FROM {w} WHERE id % {r.choice([3, 7, 100])} = 1",
            f"INSERT INTO {w} VALUES ({n * 3}, NULL, 'x'), ({n * 3 + 1}, NULL, NULL)",
            f"INSERT INTO {w} SELECT {n * 4}, max(c), 'm' FROM {w}",
            f"INSERT INTO {w} (k, id) SELECT k, id + {n * 5} FROM {w} WHERE k = 'k1'",
            f"INSERT INTO {w} (k, id) SELECT 'z' AS k, id * -1 AS id FROM {w} WHERE id < 5",
            f"CREATE OR REPLACE TABLE {w} AS SELECT * FROM {w} WHERE c IS NOT NULL OR id % 2 = 0",
            f"CREATE OR REPLACE TABLE {w} AS SELECT id, c, coalesce(k, '?') AS k FROM {w} ORDER BY id DESC",
            f"INSERT INTO {w} SELECT * FROM {w} WHERE k IS NULL"]))
    stmts.append(f"CREATE VIEW {v} AS SELECT k, count(*) AS n, count(c) AS nc, min(c) AS lo, max(c) AS hi FROM {w} GROUP BY k")
    dc = "count(DISTINCT c)" if ty != "HUGEINT" else "count(DISTINCT c % 1000003)"  # kuai: BIGINT range
    checks = [f"SELECT count(*) AS n, count(c) AS nc, {dc} AS dc, min(c) AS lo, max(c) AS hi, "
              f"sum(id) AS si, typeof(min(c)) AS t, count(DISTINCT k) AS dk FROM {w}",
              f"SELECT * FROM {v} ORDER BY k NULLS FIRST",
              f"SELECT id, c, k FROM {w} ORDER BY id DESC LIMIT 7",
              f"DESCRIBE {w}"]
    return stmts, checks


# ----------------------------------------------------------------------------- the sixth run: query shapes

# --shapes (with --kuailive ../kl-0.01): tables made by CREATE TABLE AS SELECT ... FROM range(n) in both
# engines whose columns share names but not types, so joins and set operations meet keys of every type:
# id (unique), k (a key with NULLs and duplicates), k2 (few values, NULLs), d (a numeric key of another
# type), v (a VARCHAR key with NULLs), m (DECIMAL), x (INTEGER values with NULLs), ts (an ordered key for
# ASOF joins). sh0 is empty, sh3 small (a build side smaller than any probe), sh4 skewed (80% of k is 1).
S_TABLES = {
    "sh1": """SELECT range AS id,
 CASE WHEN range % 7 = 0 THEN NULL ELSE CAST(range % 500 AS INTEGER) END AS k,
 CASE WHEN range % 11 = 0 THEN NULL ELSE range % 50 END AS k2,
 CAST(range % 500 AS DOUBLE) AS d,
 CASE WHEN range % 13 = 0 THEN NULL ELSE 'v' || CAST(range % 300 AS VARCHAR) END AS v,
 CAST(CAST(range % 400 AS DECIMAL(9,2)) / 4 AS DECIMAL(9,2)) AS m,
 CASE WHEN range % 9 = 0 THEN NULL ELSE CAST((range * 37) % 1000 AS INTEGER) END AS x,
 range * 10 AS ts
FROM range(3000)""",
    "sh2": """SELECT range AS id,
 CASE WHEN range % 5 = 0 THEN NULL ELSE range % 800 END AS k,
 CAST(range % 60 AS INTEGER) AS k2,
 CAST(CAST(range % 800 AS DECIMAL(10,1)) AS DECIMAL(10,1)) AS d,
 CASE WHEN range % 17 = 0 THEN NULL ELSE 'v' || CAST(range % 700 AS VARCHAR) END AS v,
 CAST(range % 400 AS DOUBLE) / 4 AS m,
 CASE WHEN range % 4 = 0 THEN NULL ELSE CAST((range * 13) % 997 AS INTEGER) END AS x,
 (range * 7) % 40000 AS ts
FROM range(20000)""",
    "sh3": """SELECT range AS id,
 CASE WHEN range % 6 = 0 THEN NULL ELSE CAST(range % 30 AS SMALLINT) END AS k,
 CAST(range % 5 AS BIGINT) AS k2,
 CAST(range % 30 AS VARCHAR) AS d,
 CASE WHEN range % 4 = 0 THEN NULL ELSE 'v' || CAST(range * 3 AS VARCHAR) END AS v,
 CAST(CAST(range AS DECIMAL(4,1)) / 2 AS DECIMAL(4,1)) AS m,
 CASE WHEN range % 3 = 0 THEN NULL ELSE CAST(range * 25 AS INTEGER) END AS x,
 range * 700 AS ts
FROM range(40)""",
    "sh0": """SELECT CAST(range AS BIGINT) AS id, CAST(range AS INTEGER) AS k, range AS k2, CAST(range AS DOUBLE) AS d,
 CAST(range AS VARCHAR) AS v, CAST(range AS DECIMAL(9,2)) AS m, CAST(range AS INTEGER) AS x, range AS ts
FROM range(0)""",
    "sh4": """SELECT range AS id,
 CASE WHEN range % 10 < 8 THEN 1 WHEN range % 97 = 0 THEN NULL ELSE range % 1000 END AS k,
 CASE WHEN range % 3 = 0 THEN NULL ELSE CAST(range % 40 AS SMALLINT) END AS k2,
 CAST(range % 1000 AS DOUBLE) / 2 AS d,
 's' || CAST(range % 50 AS VARCHAR) AS v,
 CAST(CAST(range % 1000 AS DECIMAL(18,3)) / 8 AS DECIMAL(18,3)) AS m,
 CASE WHEN range % 5 = 0 THEN NULL ELSE CAST(range % 10000 AS INTEGER) END AS x,
 range * 3 AS ts
FROM range(100000)""",
}
S_VIEWS = {
    "shv": "SELECT k, count(*) AS n, sum(x) AS sx, max(v) AS mv FROM sh1 GROUP BY k",
    "shw": "SELECT a.id, a.k, b.x AS bx FROM sh3 a LEFT JOIN sh1 b ON a.k = b.k AND b.id < 100",
}
S_COLS = ["id", "k", "k2", "d", "v", "m", "x", "ts"]
S_SMALL = ["sh0", "sh3", "sh1"]
S_ALL = ["sh0", "sh1", "sh2", "sh3", "sh4"]
S_NUMKEYS = ["k", "k2", "id", "x"]


def s_key(r, la, ra):
    """An equality between aliases la and ra: same column, or numeric columns of different types, or an
    expression key."""
    return r.choice([f"{la}.k = {ra}.k", f"{la}.k = {ra}.k", f"{la}.k2 = {ra}.k2", f"{la}.id = {ra}.id",
                     f"{la}.v = {ra}.v", f"{la}.k = {ra}.d", f"{la}.m = {ra}.m", f"{la}.k = {ra}.k2",
                     f"{la}.k + 1 = {ra}.k", f"{la}.k = {ra}.k AND {la}.k2 = {ra}.k2", f"{la}.x = {ra}.x",
                     f"{la}.k % 10 = {ra}.k2", f"upper({la}.v) = upper({ra}.v)", f"{la}.k = {ra}.id // 7",
                     f"{la}.k IS NOT DISTINCT FROM {ra}.k", f"CAST({la}.k AS VARCHAR) = {ra}.v",
                     f"{la}.d = {ra}.d"])


def s_pair(r):
    """Two tables for a join whose answer stays small: never two big ones on a low-cardinality key."""
    a = r.choice(S_ALL + ["sh1", "sh3"])
    b = r.choice(S_SMALL + ["sh2"]) if a in ("sh2", "sh4") else r.choice(S_ALL)
    if a == "sh4" and b == "sh2":
        b = "sh3"
    return a, b


def s_fp(cols):
    """A fingerprint of a join's answer: count, then count / min / max / sum of each column."""
    parts = ["count(*) AS n"]
    for j, c in enumerate(cols):
        parts.append(f"count({c}) AS c{j}, min({c}) AS lo{j}, max({c}) AS hi{j}")
    return ", ".join(parts)


def q_sjoins(r):
    """Every join kind with ON / USING, multi-key, expression, non-equi, mixed and one-side conditions, NULL
    keys, keys of different types, empty and larger build sides."""
    a, b = s_pair(r)
    jt = r.choice(["JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN", "SEMI JOIN", "ANTI JOIN", "CROSS JOIN",
                   "JOIN", "LEFT JOIN", "FULL JOIN", "NATURAL JOIN", "NATURAL LEFT JOIN", "ASOF JOIN", "ASOF LEFT JOIN"])
    if jt == "CROSS JOIN" or jt.startswith("NATURAL"):
        if "sh3" not in (a, b) and "sh0" not in (a, b):
            b = "sh3"
        a = a if a != "sh4" else "sh1"
    form = r.choice(["using", "on", "on", "on", "noneq", "mixed", "oneside", "or"])
    if jt == "CROSS JOIN" or jt.startswith("NATURAL"):
        cond = ""
    elif jt.startswith("ASOF"):
        eq = r.choice(["", f"l.k2 = r.k2 AND ", f"l.k = r.k AND ", "l.v = r.v AND "])
        cond = f" ON {eq}l.ts {r.choice(['>=', '>', '<=', '<'])} r.ts"
        if r.random() < 0.2:
            cond = f" USING ({r.choice(['k2, ts', 'ts', 'k, ts'])})"
    elif form == "using":
        cond = f" USING ({r.choice(['k', 'k2', 'id', 'k, k2', 'v', 'd', 'm', 'x', 'k2, v'])})"
    elif form == "on":
        cond = f" ON {s_key(r, 'l', 'r')}"
    elif form == "noneq":
        cond = f" ON l.k2 = r.k2 AND l.x {r.choice(['<', '>=', '<>'])} r.x"
        if r.random() < 0.4:
            cond = f" ON l.id {r.choice(['<', '>', '<=', '<>'])} r.id AND l.k2 = r.k2"
        if r.random() < 0.3 and "sh3" in (a, b):
            cond = f" ON l.x {r.choice(['<', '>', 'BETWEEN r.x - 5 AND'])} r.x"
            if "BETWEEN" in cond:
                cond += " + 5"
    elif form == "mixed":
        cond = f" ON {s_key(r, 'l', 'r')} AND {r.choice(['l.x > 500', 'r.x < 300', 'r.v IS NULL', 'l.k IS NULL', 'l.id % 3 = 0', 'r.k2 IN (1, 2, 3)', 'true', 'false', 'l.x > r.k'])}"
    elif form == "oneside":
        # a condition on one side only (an outer join keeps the other side's rows)
        cond = f" ON {r.choice(['l.x > 900', 'r.x > 990', 'l.k = 3', 'r.k = 3', 'l.k IS NULL', 'false'])}"
        if a in ("sh2", "sh4") or b in ("sh2", "sh4"):
            cond = f" ON {s_key(r, 'l', 'r')} AND {r.choice(['l.k = 3', 'r.x > 990'])}"
    else:
        cond = f" ON ({s_key(r, 'l', 'r')}) OR (l.id = r.id AND l.x IS NULL)"
    semi = jt in ("SEMI JOIN", "ANTI JOIN")
    w = ""
    if r.random() < 0.3:
        side = "l" if semi else r.choice(["l", "r"])
        w = f" WHERE {side}.{r.choice(['k IS NULL', 'k IS NOT NULL', 'x > 100', 'v LIKE ' + chr(39) + 'v1%' + chr(39), 'id % 5 = 1'])}"
    src = f"FROM {a} l {jt} {b} r{cond}{w}"
    if semi:
        cols = ["l.id", "l.k", "l.v"]
    elif "USING" in cond or jt.startswith("NATURAL"):
        cols = ["l.id", "r.id", "l.k", "r.k"]
        if "USING" in cond:
            cols.append(cond.split("(")[1].split(",")[0].split(")")[0].strip())
    else:
        cols = ["l.id", "r.id", "l.k", "r.k", "r.v", "l.m"]
    if r.random() < 0.3:
        sel = "*" if r.random() < 0.5 else ", ".join(cols)
        return f"SELECT {sel} {src} ORDER BY ALL LIMIT {r.choice([10, 25])}"
    return f"SELECT {s_fp(cols)} {src}"


def q_schains(r):
    """Join chains of 3-5 tables, self joins, mixed join kinds in one chain, a join with a derived table,
    joins whose condition references an earlier table of the chain."""
    n = r.choice([3, 3, 4, 5])
    ts = [r.choice(["sh1", "sh3", "sh1", "sh0", "sh3"]) for _ in range(n)]
    ts[0] = r.choice(["sh1", "sh2", "sh4", "sh3"])
    q = f"FROM {ts[0]} t0"
    for j in range(1, n):
        jt = r.choice(["JOIN", "LEFT JOIN", "JOIN", "LEFT JOIN", "FULL JOIN", "RIGHT JOIN", "SEMI JOIN", "ANTI JOIN"])
        prev = f"t{r.randint(0, j - 1)}"
        key = r.choice(["id", "k", "k", "k2", "v"]) if ts[j] == "sh3" else r.choice(["id", "id", "k"])
        if key == "k2" and ts[j] != "sh3":
            key = "id"
        if jt in ("SEMI JOIN", "ANTI JOIN"):
            prev = f"t{j - 1}" if all(x not in q.split(f"t{j - 1}")[0][-12:] for x in ("SEMI", "ANTI")) else "t0"
        extra = r.choice(["", "", f" AND t{j}.x > {r.choice([100, 500])}", f" AND {prev}.id < t{j}.ts"])
        q += f" {jt} {ts[j]} t{j} ON {prev}.{key} = t{j}.{key}{extra}"
    # SEMI / ANTI joined tables are not visible after the join
    visible = [f"t{j}" for j in range(n) if f" SEMI JOIN {ts[j]} t{j} " not in q + " " and f" ANTI JOIN {ts[j]} t{j} " not in q + " "]
    cols = [f"{t}.id" for t in visible] + [f"{visible[-1]}.k"]
    w = f" WHERE {visible[0]}.x {r.choice(['> 10', 'IS NULL', '< 900'])}" if r.random() < 0.3 else ""
    if r.random() < 0.3:
        return f"SELECT {', '.join(cols)} {q}{w} ORDER BY ALL LIMIT 20"
    return f"SELECT {s_fp(cols)} {q}{w}"


def q_ssub(r):
    """Subqueries: correlated scalar / EXISTS / NOT EXISTS / IN / NOT IN / ANY / ALL in SELECT, WHERE and
    HAVING, two levels deep, in join conditions; uncorrelated ones returning no row or several."""
    o = r.choice(["sh1", "sh3", "sh1", "sh2"])
    i = r.choice(["sh3", "sh1", "sh0", "sh3"])
    ck = r.choice(["k", "k2", "v", "x"])
    ck2 = {"k": r.choice(["k", "d", "x"]), "k2": "k2", "v": "v", "x": r.choice(["x", "k"])}[ck]
    iw = r.choice(["", f" AND s.x > {r.choice([10, 500])}", " AND s.id < o.id", " AND s.k IS NOT NULL", " AND s.v > o.v"])
    neg = r.choice(["", "NOT "])
    preds = [
        f"{neg}EXISTS (SELECT 1 FROM {i} s WHERE s.{ck2} = o.{ck}{iw})",
        f"o.{ck} {neg}IN (SELECT s.{ck2} FROM {i} s WHERE s.k2 = o.k2{iw})",
        f"o.{ck} {neg}IN (SELECT s.{ck2} FROM {i} s{r.choice(['', ' WHERE s.id < 10', ' WHERE s.k IS NOT NULL'])})",
        f"o.x {r.choice(['>', '<', '=', '<>', '>=', '<='])} {r.choice(['ANY', 'ALL'])} (SELECT s.x FROM {i} s WHERE s.k2 = o.k2{r.choice(['', ' AND s.x IS NOT NULL'])})",
        f"o.x {r.choice(['>', '<', '=', '<>'])} {r.choice(['ANY', 'ALL'])} (SELECT s.x FROM {i} s{r.choice(['', ' WHERE s.id < 5', ' WHERE s.x IS NOT NULL'])})",
        f"o.x > (SELECT {r.choice(['avg', 'max', 'min', 'sum', 'count'])}(s.x) FROM {i} s WHERE s.{ck2} = o.{ck})",
        f"EXISTS (SELECT 1 FROM {i} s WHERE s.k = o.k AND {neg}EXISTS (SELECT 1 FROM sh3 t WHERE t.k2 = s.k2 AND t.x > o.x))",
        f"o.k IN (SELECT s.k FROM {i} s WHERE s.x > (SELECT min(t.x) FROM sh3 t WHERE t.k2 = o.k2))",
        f"(SELECT count(*) FROM {i} s WHERE s.k = o.k) {r.choice(['= 0', '> 1', '>= 1'])}",
        f"o.k = (SELECT s.k FROM {i} s WHERE s.id = o.id)",
    ]
    p = r.choice(preds)
    scal = r.choice([f"(SELECT max(s.x) FROM {i} s WHERE s.{ck2} = o.{ck})",
                     f"(SELECT count(*) FROM {i} s WHERE s.{ck2} = o.{ck}{iw})",
                     f"(SELECT s.v FROM {i} s WHERE s.id = o.id)",
                     f"(SELECT sum(s.m) FROM {i} s WHERE s.k2 = o.k2 AND s.k < o.k)",
                     f"(SELECT s.x FROM {i} s WHERE s.id = {r.choice(['3', '-1', 'o.id % 3'])})",
                     f"(SELECT max(t.x) FROM sh3 t WHERE t.k2 = (SELECT min(s.k2) FROM {i} s WHERE s.k = o.k))",
                     f"(SELECT s.x FROM {i} s{r.choice([' WHERE s.id = 2', ' WHERE false', '', ' WHERE s.k2 = o.k2'])})",
                     p])
    form = r.choice(["where", "where", "select", "having", "joincond", "case"])
    lim = f" WHERE o.id % {r.choice([7, 13, 101])} = 1" if o != "sh3" else ""
    if form == "where":
        return f"SELECT count(*) AS n, sum(o.id) AS si, min(o.id) AS lo, max(o.id) AS hi FROM {o} o WHERE {p}"
    if form == "select":
        return f"SELECT o.id, {scal} AS s FROM {o} o{lim} ORDER BY o.id LIMIT 40"
    if form == "case":
        return f"SELECT o.id, CASE WHEN o.x > 500 THEN {scal} ELSE o.k END AS s FROM {o} o{lim} ORDER BY o.id LIMIT 40"
    if form == "having":
        h = r.choice([f"count(*) > (SELECT count(*) FROM {i} s WHERE s.k2 = o.k2) / 10",
                      f"max(o.x) > ALL (SELECT s.x FROM {i} s WHERE s.k2 = o.k2 AND s.x IS NOT NULL)",
                      f"o.k2 IN (SELECT s.k2 FROM {i} s WHERE s.x > 300)",
                      f"EXISTS (SELECT 1 FROM {i} s WHERE s.k2 = o.k2 AND s.x > max(o.x))",
                      f"sum(o.x) > (SELECT sum(s.x) FROM {i} s)"])
        return f"SELECT o.k2, count(*) AS n, max(o.x) AS mx FROM {o} o GROUP BY o.k2 HAVING {h} ORDER BY o.k2 NULLS FIRST"
    jt = r.choice(["JOIN", "LEFT JOIN"])
    return (f"SELECT count(*) AS n, count(b.id) AS nb, sum(o.id) AS so FROM {o} o {jt} sh3 b ON o.k2 = b.k2 "
            f"AND b.x {r.choice(['>', '<', '='])} (SELECT {r.choice(['avg', 'min', 'max'])}(s.x) FROM {i} s{r.choice(['', ' WHERE s.k2 = 1'])})")


S_SET_EXPRS = ["k", "k2", "d", "v", "m", "x", "id", "CAST(x AS DOUBLE) / 4", "CAST(m AS DECIMAL(12,4))", "1", "1.5",
               "NULL", "'a'", "CAST(k AS BIGINT)", "k // 3", "x / 2", "CAST(k2 AS TINYINT)", "CAST(m AS DECIMAL(5,0))"]


def q_ssets(r):
    """UNION / UNION ALL / INTERSECT / EXCEPT (and ALL), BY NAME, three branches, type unification across
    branches (integers with DOUBLE, DECIMALs of different scales, VARCHAR with numbers: errors), ORDER BY /
    LIMIT on the whole, set operations inside subqueries and CTEs."""
    a, b, c = r.choice(S_ALL), r.choice(S_ALL), r.choice(["sh3", "sh0", "sh1"])
    e1, e2 = r.choice(S_SET_EXPRS), r.choice(S_SET_EXPRS)
    f1, f2 = r.choice(S_SET_EXPRS), r.choice(S_SET_EXPRS)
    two = r.random() < 0.4
    op = r.choice(["UNION", "UNION ALL", "INTERSECT", "EXCEPT", "INTERSECT ALL", "EXCEPT ALL", "UNION", "UNION ALL BY NAME", "UNION BY NAME"])
    l = f"SELECT {e1} AS c0{', ' + f1 + ' AS c1' if two else ''} FROM {a}"
    rr = f"SELECT {e2} AS c0{', ' + f2 + ' AS c1' if two else ''} FROM {b}"
    if "BY NAME" in op and two and r.random() < 0.5:
        rr = f"SELECT {f2} AS c1, {e2} AS c0 FROM {b}"
    if r.random() < 0.4:
        l += f" WHERE {r.choice(['k < 20', 'x IS NULL', 'id % 50 = 3', 'k2 = 1'])}"
    if r.random() < 0.4:
        rr += f" WHERE {r.choice(['k < 30', 'x IS NULL', 'id % 40 = 3', 'k2 = 2'])}"
    q = f"{l} {op} {rr}"
    if r.random() < 0.3:
        op2 = r.choice(["UNION", "UNION ALL", "EXCEPT", "INTERSECT"])
        q += f" {op2} SELECT {r.choice(S_SET_EXPRS)}{', ' + r.choice(S_SET_EXPRS) if two else ''} FROM {c}"
    ncol = 2 if two else 1
    tys = ", ".join(f"typeof(c{j}) AS t{j}" for j in range(ncol))
    form = r.choice(["fp", "fp", "order", "cte", "types"])
    if form == "order":
        d = r.choice(["", " DESC"])
        return f"{q} ORDER BY {', '.join(f'c{j}{d} NULLS FIRST' for j in range(ncol))} LIMIT {r.choice([5, 12])}{r.choice(['', ' OFFSET 3'])}"
    if form == "cte":
        return f"WITH u AS ({q}) SELECT count(*) AS n, count(DISTINCT c0) AS dc, min(c0) AS lo, max(c0) AS hi FROM u"
    if form == "types":
        return f"SELECT DISTINCT {tys} FROM ({q}) ORDER BY ALL"
    return (f"SELECT count(*) AS n, {', '.join(f'count(c{j}) AS n{j}, min(c{j}) AS lo{j}, max(c{j}) AS hi{j}, count(DISTINCT c{j}) AS d{j}' for j in range(ncol))} FROM ({q})")


def q_sctes(r):
    """CTEs referenced several times, shadowing a table's name, nested CTEs, derived tables, views in the
    store, recursive CTEs."""
    form = r.choice(["multi", "shadow", "nested", "derived", "view", "recursive", "recursive2"])
    if form == "multi":
        return (f"WITH a AS (SELECT k2, count(*) AS n, sum(x) AS sx FROM {r.choice(S_ALL)} GROUP BY k2), "
                f"b AS (SELECT * FROM a WHERE n > {r.choice([0, 10, 100])}) "
                f"SELECT x.k2, x.n, y.sx, (SELECT count(*) FROM a) AS na FROM a x {r.choice(['JOIN', 'LEFT JOIN', 'FULL JOIN'])} b y ON x.k2 = y.k2 + {r.choice([0, 1])} "
                f"ORDER BY x.k2 NULLS FIRST, y.sx LIMIT 30")
    if form == "shadow":
        t = r.choice(["sh1", "sh3", "sh2"])
        return (f"WITH {t} AS (SELECT id, k * 2 AS k, v FROM {r.choice(['sh3', 'sh1'])} WHERE id < 20) "
                f"SELECT count(*) AS n, sum(k) AS sk, min(v) AS mv FROM {t}{r.choice(['', ' WHERE k > 5'])}")
    if form == "nested":
        return (f"WITH a AS (WITH b AS (SELECT k, x FROM sh1 WHERE x > {r.choice([100, 900])}) SELECT k, max(x) AS mx FROM b GROUP BY k), "
                f"c AS (SELECT a.k, a.mx, s.id FROM a JOIN sh3 s ON a.k = s.k) "
                f"SELECT count(*) AS n, sum(mx) AS smx, sum(id) AS sid FROM c")
    if form == "derived":
        return (f"SELECT g, count(*) AS n, sum(sx) AS s FROM (SELECT k2 % 5 AS g, k, sum(x) AS sx FROM "
                f"(SELECT * FROM {r.choice(S_ALL)} WHERE k IS NOT NULL) t GROUP BY k2 % 5, k) u GROUP BY g ORDER BY g NULLS FIRST")
    if form == "view":
        v = r.choice(["shv", "shw"])
        if v == "shv":
            return f"SELECT count(*) AS n, sum(n) AS sn, sum(sx) AS ssx, max(mv) AS m, count(k) AS nk FROM shv{r.choice(['', ' WHERE k > 100', ' v JOIN sh3 USING (k)'])}"
        return f"SELECT count(*) AS n, count(bx) AS nb, sum(bx) AS sb, typeof(sum(bx)) AS t FROM shw{r.choice(['', ' WHERE k IS NULL'])}"
    if form == "recursive":
        lim = r.choice([5, 50, 300])
        return (f"WITH RECURSIVE r(n, s) AS (SELECT 1, 1 UNION{r.choice(['', ' ALL'])} SELECT n + 1, s + n FROM r WHERE n < {lim}) "
                f"SELECT count(*) AS c, max(n) AS mn, sum(s) AS ss, typeof(sum(s)) AS t FROM r")
    return (f"WITH RECURSIVE r(id, d) AS (SELECT id, 0 FROM sh3 WHERE id = {r.choice([1, 2, 7])} UNION{r.choice(['', ' ALL'])} "
            f"SELECT s.id, r.d + 1 FROM r JOIN sh3 s ON s.id = r.id * 2 + {r.choice([0, 1])} WHERE r.d < 10) "
            f"SELECT * FROM r ORDER BY ALL")


def q_sgroup(r):
    """GROUP BY expressions and positions, aggregates over joins, DISTINCT over joins, HAVING without GROUP
    BY, aggregates of aggregates through subqueries, windows over aggregates, QUALIFY, ORDER BY an
    aggregate not selected, ORDER BY + LIMIT + OFFSET with ties (only determined parts selected)."""
    t = r.choice(["sh1", "sh2", "sh4", "sh3", "sh0"])
    form = r.choice(["expr", "pos", "join", "distinct", "having", "aggagg", "window", "qualify", "orderagg", "ties"])
    g = r.choice(["k2 % 7", "k2", "v IS NULL", "x // 100", "length(v)", "CAST(m AS INTEGER)", "k2 + 0.5", "CASE WHEN x > 500 THEN 'hi' ELSE 'lo' END"])
    if form == "expr":
        return f"SELECT {g} AS g, count(*) AS n, sum(x) AS sx, avg(m) AS am FROM {t} GROUP BY {g} ORDER BY g NULLS FIRST LIMIT 30"
    if form == "pos":
        return f"SELECT {g}, k2 IS NULL, count(*), max(v) FROM {t} GROUP BY 1, 2 ORDER BY 1 NULLS FIRST, 2 LIMIT 30"
    if form == "join":
        return (f"SELECT a.k2, count(*) AS n, count(DISTINCT b.v) AS dv, sum(b.x) AS sx, avg(a.m) AS am "
                f"FROM {t} a {r.choice(['JOIN', 'LEFT JOIN', 'FULL JOIN'])} sh3 b ON a.k = b.k GROUP BY a.k2 ORDER BY a.k2 NULLS FIRST LIMIT 30")
    if form == "distinct":
        return (f"SELECT DISTINCT {r.choice(['a.k2, b.k2', 'b.v', 'a.k2 % 3, b.x IS NULL', 'b.d'])} FROM {t} a "
                f"{r.choice(['JOIN', 'LEFT JOIN'])} sh3 b ON a.k = b.k ORDER BY ALL LIMIT 40")
    if form == "having":
        return f"SELECT count(*) AS n, sum(x) AS s FROM {t} HAVING {r.choice(['count(*) > 0', 'sum(x) > 10', 'false', 'max(k) IS NULL', 'min(v) < ' + chr(39) + 'v5' + chr(39)])}"
    if form == "aggagg":
        return (f"SELECT max(n) AS mx, min(n) AS mn, avg(n) AS av, sum(sx) AS ssx, count(*) AS groups FROM "
                f"(SELECT k2, count(*) AS n, sum(x) AS sx FROM {t} GROUP BY k2)")
    if form == "window":
        return (f"SELECT k2, count(*) AS n, sum(count(*)) OVER () AS tot, rank() OVER (ORDER BY count(*) DESC, k2 NULLS FIRST) AS rk, "
                f"sum(sum(x)) OVER (ORDER BY k2 NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS run "
                f"FROM {t} GROUP BY k2 ORDER BY k2 NULLS FIRST LIMIT 30")
    if form == "qualify":
        return (f"SELECT id, k2, x FROM {t} QUALIFY row_number() OVER (PARTITION BY k2 ORDER BY x DESC NULLS LAST, id) {r.choice(['= 1', '<= 2'])} "
                f"ORDER BY k2 NULLS FIRST, id LIMIT 40")
    if form == "orderagg":
        return f"SELECT k2 FROM {t} GROUP BY k2 ORDER BY {r.choice(['count(*) DESC', 'sum(x)', 'max(v) DESC NULLS LAST', 'avg(m)'])}, k2 NULLS FIRST LIMIT 15"
    # ties at the limit: only the sort key is selected, so every answer agrees
    return f"SELECT {r.choice(['k2', 'v', 'x // 100', 'm'])} AS s FROM {t} ORDER BY s {r.choice(['', 'DESC'])} NULLS {r.choice(['FIRST', 'LAST'])} LIMIT {r.choice([5, 17, 100])} OFFSET {r.choice([0, 3, 60])}"


S_TYPE_EXPRS = ["1", "1.5", "NULL", "'a'", "x", "k", "k2", "m", "d", "v", "x / 2", "x // 2", "k2 // 3", "m * 2", "m * 1.5",
                "m + 1.25", "m / 3", "CAST(m AS DECIMAL(4,1))", "CAST(m AS DECIMAL(18,4))", "x * 1.0", "2147483647 + x",
                "CAST(x AS TINYINT)", "CAST(x AS HUGEINT)", "1e2", "100000000000", "0.1 + 0.2", "m - m", "k % 7",
                "CAST(x AS SMALLINT)", "-x", "abs(k)", "DATE '2024-01-01'", "TRUE", "CAST(x AS DECIMAL(38,2)) * m"]


def q_stypes(r):
    """The result types of CASE, COALESCE, UNION branches, literals, integer division and mixed DECIMAL
    arithmetic (the DESCRIBE of every query is compared too)."""
    t = r.choice(["sh1", "sh3", "sh2"])
    a, b, c = r.choice(S_TYPE_EXPRS), r.choice(S_TYPE_EXPRS), r.choice(S_TYPE_EXPRS)
    e = r.choice([f"CASE WHEN x > 500 THEN {a} ELSE {b} END", f"CASE WHEN x > 500 THEN {a} WHEN x > 100 THEN {b} END",
                  f"coalesce({a}, {b})", f"coalesce({a}, {b}, {c})", f"({a} + {b})", f"({a} * {b})", f"({a} - {b})",
                  f"({a} / {b})", f"({a} // {b})", f"({a} % {b})", f"greatest({a}, {b})", f"least({a}, {b}, {c})",
                  f"nullif({a}, {b})", f"CASE {a} WHEN {b} THEN {c} END", f"ifnull({a}, {b})", f"[{a}, {b}]",
                  f"sum({a})", f"avg({a})", f"max({a})"])
    agg = any(e.startswith(f) for f in ("sum(", "avg(", "max("))
    if r.random() < 0.3:
        u = f"SELECT {a} AS c FROM {t} WHERE id < 3 UNION ALL SELECT {b} FROM sh3 WHERE id < 3"
        return f"SELECT c, typeof(c) AS tc FROM ({u}) ORDER BY ALL"
    if agg:
        return f"SELECT {e} AS c, typeof({e}) AS tc FROM {t}"
    return f"SELECT id, {e} AS c, typeof({e}) AS tc FROM {t} WHERE id % {r.choice([7, 11])} = 2 ORDER BY id LIMIT 20"


def q_smix(r):
    """Shapes that meet several rules at once: outer joins under WHERE filters (null-rejecting or not),
    DISTINCT ON, LIMIT inside derived tables, row values IN a subquery, set operations inside IN, a
    scalar subquery as a GROUP BY / ORDER BY key, three-table USING chains, filters over FULL JOIN
    merged keys, windows over joins."""
    a, b = r.choice(["sh1", "sh2", "sh3", "sh4"]), r.choice(["sh3", "sh1", "sh0"])
    form = r.choice(["outerwhere", "distincton", "limitsub", "rowin", "setin", "subkey", "using3", "fullkey", "winjoin",
                     "countleft", "constjoin"])
    if form == "outerwhere":
        jt = r.choice(["LEFT JOIN", "RIGHT JOIN", "FULL JOIN"])
        w = r.choice(["r.x > 100", "r.k IS NULL", "l.k IS NULL", "coalesce(r.x, 0) = 0", "r.x IS NULL OR r.x > 500",
                      "l.x > r.x", "NOT (r.k2 = 1)", "r.v IS DISTINCT FROM 'v3'", "(r.id IS NULL) = (l.id IS NULL)"])
        return f"SELECT {s_fp(['l.id', 'r.id', 'r.x'])} FROM {a} l {jt} {b} r ON l.k = r.k WHERE {w}"
    if form == "distincton":
        return (f"SELECT DISTINCT ON (k2) k2, id, x FROM {a} ORDER BY k2 NULLS FIRST, {r.choice(['x DESC NULLS LAST', 'x', 'v DESC'])}, id "
                f"LIMIT 30")
    if form == "limitsub":
        return (f"SELECT count(*) AS n, sum(id) AS s, min(x) AS lo FROM (SELECT * FROM {a} ORDER BY id {r.choice(['', 'DESC'])} "
                f"LIMIT {r.choice([0, 5, 100])} OFFSET {r.choice([0, 7])}) t JOIN {b} u USING ({r.choice(['k', 'k2', 'id'])})")
    if form == "rowin":
        neg = r.choice(["", "NOT "])
        return (f"SELECT count(*) AS n, sum(o.id) AS s FROM {a} o WHERE (o.k2, o.k) {neg}IN "
                f"(SELECT k2, k FROM {b}{r.choice(['', ' WHERE x > 300'])})")
    if form == "setin":
        op = r.choice(["UNION", "EXCEPT", "INTERSECT", "UNION ALL"])
        neg = r.choice(["", "NOT "])
        return (f"SELECT count(*) AS n, sum(o.id) AS s FROM {a} o WHERE o.k {neg}IN "
                f"(SELECT k FROM {b} WHERE k2 = 1 {op} SELECT k2 FROM sh3)")
    if form == "subkey":
        return (f"SELECT (SELECT max(s.k2) FROM sh3 s WHERE s.k = o.k) AS g, count(*) AS n FROM {a} o "
                f"GROUP BY g ORDER BY g NULLS FIRST")
    if form == "using3":
        jt1, jt2 = r.choice(["JOIN", "LEFT JOIN", "FULL JOIN"]), r.choice(["JOIN", "LEFT JOIN", "FULL JOIN", "RIGHT JOIN"])
        return (f"SELECT count(*) AS n, count(k) AS nk, min(k) AS lo, max(k) AS hi, sum(k) AS sk, typeof(min(k)) AS t "
                f"FROM {r.choice(['sh3', 'sh1'])} x {jt1} sh3 y USING (k) {jt2} {r.choice(['sh0', 'sh3', 'sh1'])} z USING (k)")
    if form == "fullkey":
        w = r.choice(["k = 5", "k IS NULL", "k > 20", "k IN (1, 2, 3)"])
        return (f"SELECT {s_fp(['k', 'l.k', 'r.k', 'l.id'])}, typeof(min(k)) AS t FROM {a} l FULL JOIN {b} r USING (k) WHERE {w}")
    if form == "winjoin":
        return (f"SELECT l.id, r.id AS rid, row_number() OVER (PARTITION BY l.k2 ORDER BY l.id, r.id) AS rn, "
                f"count(r.id) OVER (PARTITION BY l.k2) AS c FROM {a} l LEFT JOIN sh3 r ON l.k = r.k "
                f"WHERE l.id % 97 = 3 ORDER BY l.id, rid NULLS FIRST LIMIT 40")
    if form == "countleft":
        return (f"SELECT l.k2, count(*) AS n, count(r.id) AS nr, count(DISTINCT r.k) AS dk, sum(r.x) AS sx "
                f"FROM {a} l LEFT JOIN {b} r ON l.k = r.k AND r.x {r.choice(['>', '<'])} 400 GROUP BY l.k2 ORDER BY l.k2 NULLS FIRST LIMIT 30")
    jt = r.choice(["LEFT JOIN", "FULL JOIN", "JOIN", "RIGHT JOIN", "SEMI JOIN", "ANTI JOIN"])
    c = r.choice(["true", "false", "NULL", "1 = 1 AND l.k = r.k", "l.k = r.k AND false"])
    sel = "count(*) AS n, sum(l.id) AS s" if "SEMI" in jt or "ANTI" in jt else "count(*) AS n, count(l.id) AS a, count(r.id) AS b"
    return f"SELECT {sel} FROM sh3 l {jt} {b} r ON {c}"


def q_slateral(r):
    """LATERAL joins (with and without the keyword): per-row aggregates (count 0 / sum NULL over no rows),
    top-k rows per row (ORDER BY ... LIMIT / OFFSET ending in the unique id), GROUP BY, DISTINCT, windows,
    UNION ALL and joins inside, LEFT JOIN LATERAL ... ON, generate_series / range / unnest over an outer
    column, outer columns in the select list; NULL outer keys; answers as fingerprints."""
    o = r.choice(["sh1", "sh3", "sh0", "sh3", "sh2"])
    i = r.choice(["sh3", "sh1", "sh0", "sh2", "sh4"])
    ck = r.choice(["k", "k2", "x"])
    ck2 = {"k": r.choice(["k", "d"]), "k2": "k2", "x": r.choice(["x", "k"])}[ck]
    cmp = r.choice(["=", "=", "IS NOT DISTINCT FROM", "<", ">="])
    cond = f"s.{ck2} {cmp} o.{ck}" if cmp in ("=", "IS NOT DISTINCT FROM") else f"s.k2 = o.k2 AND s.x {cmp} o.x"
    iw = r.choice(["", " AND s.x > 300", " AND s.id <> o.id", " AND s.v IS NOT NULL"])
    lim = f" WHERE o.id % {r.choice([7, 13, 101])} = 1" if o in ("sh1", "sh2") else ""
    kw = r.choice(["LATERAL ", "LATERAL ", ""])
    bodies = [
        (f"SELECT count(*) AS c, sum(s.x) AS sx, max(s.v) AS mv FROM {i} s WHERE {cond}{iw}", ["l.c", "l.sx", "l.mv"]),
        (f"SELECT s.id AS sid, s.x AS sx FROM {i} s WHERE {cond}{iw} ORDER BY s.x DESC NULLS LAST, s.id "
         f"LIMIT {r.choice([1, 2, 3])}{r.choice(['', ' OFFSET 1'])}", ["l.sid", "l.sx"]),
        (f"SELECT s.k2 AS g, count(*) AS c, min(s.x) AS lo FROM {i} s WHERE {cond} GROUP BY s.k2", ["l.g", "l.c", "l.lo"]),
        (f"SELECT DISTINCT s.k2 AS g FROM {i} s WHERE {cond}", ["l.g"]),
        (f"SELECT s.id AS sid, row_number() OVER (ORDER BY s.x NULLS FIRST, s.id) AS rn FROM {i} s WHERE {cond}",
         ["l.sid", "l.rn"]),
        (f"SELECT s.id AS sid FROM {i} s WHERE {cond} UNION ALL SELECT o.id", ["l.sid"]),
        (f"SELECT s.id AS sid, o.x + s.x AS sx FROM {i} s JOIN sh3 t ON s.k2 = t.k2 WHERE {cond} AND t.id < 5",
         ["l.sid", "l.sx"]),
        (f"SELECT o.k * 2 AS dk, o.v || '!' AS dv", ["l.dk", "l.dv"]),
    ]
    body, cols = r.choice(bodies)
    form = r.choice(["cross", "cross", "left", "join", "func"])
    fp = s_fp(["o.id"] + cols)
    if form == "cross":
        return f"SELECT {fp} FROM {o} o, {kw}({body}) l{lim}"
    if form == "left":
        on = r.choice(["true", f"{cols[0]} IS NOT NULL", f"{cols[0]} > 2"])
        return f"SELECT {fp} FROM {o} o LEFT JOIN {kw}({body}) l ON {on}{lim}"
    if form == "join":
        return f"SELECT {fp} FROM {o} o JOIN {kw}({body}) l ON {cols[0]} <> o.id{lim}"
    fn = r.choice([f"generate_series(1, o.k2 % 4) g(n)", "range(o.k2 % 3) g(n)",
                   "unnest([o.k, o.x, NULL]) g(n)"])
    return f"SELECT {s_fp(['o.id', 'g.n'])} FROM {o} o, {kw if kw else ''}{fn}{lim}"


S_CLASSES = {"slateral": q_slateral, "sjoins": q_sjoins, "schains": q_schains, "ssub": q_ssub, "ssets": q_ssets, "sctes": q_sctes,
             "sgroup": q_sgroup, "stypes": q_stypes, "smix": q_smix}


GEN_CLASSES = {"gjoins": q_gjoins, "gsub": q_gsub, "gtopn": q_gtopn, "gwindow": q_gwindow, "gaggs": q_gaggs,
               "gscalar": q_gscalar, "gsets": q_gsets, "glists": q_glists, "kljoins": q_kljoins, "kltopn": q_kltopn,
               "gjoins2": q_gjoins2, "gscalarsub": q_gscalarsub, "gwinagg": q_gwinagg, "gsample": q_gsample}


CLASSES = {"kuailive": q_kuailive, "strkeys": q_string_keys, "numbers": q_numbers, "keys": q_keys, "strings": q_strings, "casts": q_casts, "dates": q_dates, "numeric": q_numeric,
           "aggregates": q_aggregates, "joins": q_joins, "in": q_in, "order": q_order, "sets": q_distinct_set}
ALL_CLASSES = dict(CLASSES, **GEN_CLASSES, **A_CLASSES, **S_CLASSES)

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


def run_writes(args, r, duck, store):
    """Write sequences in both engines (statements one kuai-query run each), their read-back compared."""
    bad = 0
    for j in range(args.writes):
        stmts, checks = write_sequence(r, j)
        for st in stmts:
            try:
                duck.con.execute(st)
                ds = "ok"
            except Exception as e:  # noqa: BLE001
                ds = f"error {e}".split("\n")[0]
            ks, kt = run_kuai(args.kuai, store, st)
            if (ds == "ok") != (ks == "ok"):
                bad += 1
                print(f"WRITE {st}\n  duckdb: {ds}\n  kuai: {ks} {kt.strip()[:300]}")
        for q in checks:
            dstat, dt, ty = duck(q)
            ks, kt = run_kuai(args.kuai, store, q)
            d = oracle.csv_diff(dt, kt, ty) if dstat == "ok" and ks == "ok" else (None if dstat == ks else f"{dstat}/{ks}")
            if d:
                bad += 1
                print(f"READ {q} after {stmts}\n  {d}\n  duckdb: {dt[:400]}\n  kuai: {kt[:400]}")
    print(f"writes       sequences {args.writes:5d}  mismatches {bad:5d}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kuai", required=True)
    ap.add_argument("--kuai-convert", required=True)
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--classes", default=None, help="default: CLASSES, or GEN_CLASSES with --generated")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", default=None)
    ap.add_argument("--sql", default=None, help="run one query and print both answers")
    ap.add_argument("--kuailive", default=None, help="a folder of KuaiLive CSVs to use instead of the edge fixture")
    ap.add_argument("--analyst", action="store_true",
                    help="the fifth run: A_TABLES and GEN_TABLES, A_CLASSES by default (use with --kuailive)")
    ap.add_argument("--writes", type=int, default=0, help="also run this many write sequences (write_sequence)")
    ap.add_argument("--tz", default=None, help="the session time zone of both engines (the TZ variable)")
    ap.add_argument("--shapes", action="store_true",
                    help="the sixth run: S_TABLES and S_VIEWS, S_CLASSES by default, result types compared")
    ap.add_argument("--generated", action="store_true",
                    help="also make the tables GEN_TABLES (CREATE TABLE AS in both engines) for GEN_CLASSES")
    args = ap.parse_args()
    if args.tz:
        os.environ["TZ"] = args.tz
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
    tables = list(EXTRA)
    if args.generated or args.analyst:
        for t, sql in dict(GEN_TABLES, **(A_TABLES if args.analyst else {})).items():
            con.execute(f"CREATE TABLE {t} AS {sql}")
            p = subprocess.run([args.kuai, "--store", store, "--", f"CREATE TABLE {t} AS {sql}"], capture_output=True,
                               text=True)
            if p.returncode != 0:
                sys.exit(f"kuai CREATE TABLE {t} failed: {p.stderr}")
            tables.append(t)
    if args.shapes:
        for t, sql in S_TABLES.items():
            con.execute(f"CREATE TABLE {t} AS {sql}")
            p = subprocess.run([args.kuai, "--store", store, "--", f"CREATE TABLE {t} AS {sql}"], capture_output=True,
                               text=True)
            if p.returncode != 0:
                sys.exit(f"kuai CREATE TABLE {t} failed: {p.stderr}")
            tables.append(t)
        for v, sql in S_VIEWS.items():
            con.execute(f"CREATE VIEW {v} AS {sql}")
            p = subprocess.run([args.kuai, "--store", store, "--", f"CREATE VIEW {v} AS {sql}"], capture_output=True,
                               text=True)
            if p.returncode != 0:
                sys.exit(f"kuai CREATE VIEW {v} failed: {p.stderr}")
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

    duck.con = con
    if args.sql:
        print("duckdb:", duck(args.sql))
        print("kuai:  ", run_kuai(args.kuai, store, args.sql))
        return
    # the tables must read back the same in both engines
    for t in tables:
        sql = f"SELECT * FROM {t} ORDER BY id"
        ds, dt, ty = duck(sql)
        ks, kt = run_kuai(args.kuai, store, sql)
        d = oracle.csv_diff(dt, kt, ty) if ks == "ok" else kt
        if d:
            sys.exit(f"table {t} differs: {d}")
    r = random.Random(args.seed)
    if args.writes:
        run_writes(args, r, duck, store)
    default = S_CLASSES if args.shapes else A_CLASSES if args.analyst else GEN_CLASSES if args.generated else CLASSES
    classes = (args.classes or ",".join(default)).split(",")
    queries = []
    for j in range(args.n):
        c = classes[j % len(classes)]
        queries.append((c, ALL_CLASSES[c](r)))
    ducks = [duck(q) for _, q in queries]
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
        kuais = list(ex.map(lambda cq: run_kuai(args.kuai, store, cq[1]), queries))
        # --shapes: the result's column types too (kuai's DESCRIBE of the query against DuckDB's)
        kdesc = list(ex.map(lambda cq: run_kuai(args.kuai, store, "DESCRIBE " + cq[1]) if args.shapes else None,
                            queries))
    out = open(args.out or os.path.join(work, "mismatches.txt"), "w")
    stats = {}
    for (c, q), (ds, dt, ty), (ks, kt), kd in zip(queries, ducks, kuais, kdesc):
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
            elif kd and kd[0] == "ok":
                kty = [row[1] for row in list(csv.reader(kd[1].splitlines()))[1:]]
                if kty != ty:
                    kind = f"TYPES duckdb {ty} kuai {kty}"
        if kind:
            st[2 if not kind.startswith("KUAI-ERROR") else 3] += 1
            out.write(f"### {c} {kind}\n{q}\n--- duckdb ({ds}):\n{dt if ds == 'ok' else dt}\n--- kuai ({ks}):\n{kt}\n\n")
    out.close()
    for c, (n, de, wrong, kerr) in stats.items():
        print(f"{c:12s} queries {n:6d}  duckdb errors {de:5d}  mismatches {wrong:5d}  kuai-only errors {kerr:5d}")
    print("details:", out.name)


if __name__ == "__main__":
    main()
