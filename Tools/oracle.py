#!/usr/bin/env python3
"""DuckDB oracle for kuai's differential corpus (Tests/KuaiEndToEndTests/Corpus/*.slt).

Usage
    python3 Tools/oracle.py --regenerate [FILE.slt ...]   rewrite every expected block from DuckDB
    python3 Tools/oracle.py --check [FILE.slt ...]        report records whose block differs from DuckDB
    python3 Tools/oracle.py --kuai PATH/kuai-query [--kuai-convert PATH/kuai-convert] [FILE.slt ...]
                                                          run the corpus through the kuai CLIs and
                                                          report what differs (no Swift test needed)
    python3 Tools/oracle.py --list                        records per file and fixture
Options: --no-determinism skips the tie check (see below); -v prints every record.
(--kuai compares the CSV text only; the Swift runner also compares result types.)

Known failures: Tests/KuaiEndToEndTests/Corpus/known-failures.txt lists the records kuai does not
pass yet; CorpusTests reports them as known issues. Rewrite it from a real run with
    KUAI_CORPUS_WRITE_KNOWN=1 swift test --filter CorpusTests
and make every record count with KUAI_CORPUS_STRICT=1.
Needs `pip install duckdb==2.0.1` (only to regenerate/check; the Swift tests need no DuckDB).

Corpus format (a sqllogictest-like text format; one file per feature, named NN-feature.slt)
    # a comment line (kept as is; also allowed between records)
    query <fixture>
    SELECT ... ;                      the SQL: one or more lines, no blank line inside;
    ----                              a trailing ';' is stripped before either engine runs it
    <expected CSV>                    DuckDB's output of COPY (<sql>) TO 'x.csv' (HEADER), line by line:
                                      header, then rows; fields quoted as DuckDB quotes them, NULL is an
                                      empty field; a line that is empty in the CSV (one-column NULL row)
                                      is written `(empty)`
    <blank line ends the record>

    error <fixture>                   DuckDB raises an error for this SQL: kuai must raise one too
    SELECT 1 // 0;                    (a KuaiError; the message is not compared)
    ----
    <DuckDB's error message, first line: information for humans, never compared>

  In the SQL, `$FIXTURES/` stands for the absolute path of Tests/Fixtures/ (read_csv records).

  Several statements (`CREATE MACRO f(x) AS x + 1; SELECT f(2)`): the ones before the last run first,
  on a private copy of the fixture (a fresh DuckDB connection; a copy of kuai's store), and must not
  return rows; the last one's answer is the record's (an `error` record passes when any statement
  fails). What they create never reaches another record.

  The `----` line of a query record carries DuckDB's result types, written by --regenerate:
    ---- types: BIGINT|VARCHAR|DECIMAL(4,2)
  The Swift runner compares them with kuai's result types after mapping DuckDB's names onto
  kuai's (FLOAT/REAL -> DOUBLE, UTINYINT/USMALLINT -> INTEGER, ...: kuai_type() here,
  CorpusCompare.kuaiType in Tests/KuaiEndToEndTests/CorpusSupport.swift).

Fixtures (KuaiLive-shaped folders of CSVs; the table name is the file name without .csv)
    seed  Tests/Fixtures/seed-sample   real KuaiLive rows (a few per table)
    mini  Samples/kuailive-mini        kuailive_gen.py --scale 0.001 --seed 7 (30k rows)
    edge  Tests/Fixtures/edge          hand-written rows with NULLs, quotes, dangling keys
    big   generated, not committed     click 200,000 rows, room 150,000, gift 70,000: several
                                       65,536-row blocks per table, so block boundaries, zone maps
                                       and morsel-parallel merges are exercised; made by the same
                                       splitmix64 generator here (generate_big) and in
                                       Tests/KuaiEndToEndTests/CorpusSupport.swift (BigFixture)
  Each CSV is loaded as `CREATE TABLE t AS SELECT * FROM read_csv(f, header=true, columns={...})`
  with the KuaiLive column types (KUAILIVE below), which are exactly what DuckDB's own inference
  gives for the real files: ids, counts and epoch-ms timestamps BIGINT, `*_timestamp` of
  user/streamer DATE, bands and labels VARCHAR, 0/1 flags BIGINT.

Comparison rule (the same in Tests/KuaiEndToEndTests/CorpusSupport.swift and Tools/bench.py):
  both outputs are parsed as CSV; same number of rows and fields; each field equal as text, except
  that two fields that both look like floating-point numbers (a '.', an exponent, inf or nan) are
  equal when |a - b| <= 1e-9 * max(|a|, |b|) (summation order differs between engines); in a
  column DuckDB typed DECIMAL(p,s) only the same text is equal ("1.50" is not "1.5", "3" not "3.0").

Determinism: every query must have one right answer (a total ORDER BY, or one row). --regenerate
and --check also run each query over a copy of the fixture whose rows are shuffled and report any
query whose answer changes: a tie in ORDER BY, LIMIT or a window's ORDER BY. A query that names the
rowid pseudo-column is not checked so: rowid is the row's position, which the shuffle changes by design.
"""
import argparse
import csv
import filecmp
import glob
import io
import itertools
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "Tests", "KuaiEndToEndTests", "Corpus")
FIXTURES = {
    "seed": os.path.join(ROOT, "Tests", "Fixtures", "seed-sample"),
    "mini": os.path.join(ROOT, "Samples", "kuailive-mini"),
    "edge": os.path.join(ROOT, "Tests", "Fixtures", "edge"),
    "big": None,    # generated: see generate_big()
}

_B, _V, _D = "BIGINT", "VARCHAR", "DATE"
_EVENT = [("user_id", _B), ("live_id", _B), ("streamer_id", _B), ("timestamp", _B)]
_ONEHOT = [(f"onehot_feat{i}", _B) for i in range(7)]
# The KuaiLive schema (../shared/kuailive/README.md), as DuckDB infers it from the real files.
KUAILIVE = {
    "user": [("user_id", _B), ("age", _V), ("gender", _V), ("country", _V), ("device_brand", _V),
             ("device_price", _V), ("reg_timestamp", _D), ("fans_num", _V), ("follow_num", _V),
             ("first_watch_live_timestamp", _D), ("accu_watch_live_cnt", _V),
             ("accu_watch_live_duration", _V), ("is_live_streamer", _B), ("is_photo_author", _B)] + _ONEHOT,
    "streamer": [("streamer_id", _B), ("gender", _V), ("age", _V), ("country", _V), ("device_brand", _V),
                 ("device_price", _V), ("live_operation_tag", _V), ("fans_user_num", _V),
                 ("fans_group_fans_num", _V), ("follow_user_num", _V), ("first_live_timestamp", _D),
                 ("accu_live_cnt", _V), ("accu_live_duration", _V), ("accu_play_cnt", _V),
                 ("accu_play_duration", _V), ("reg_timestamp", _D)] + _ONEHOT,
    "room": [("p_date", _B), ("live_id", _B), ("streamer_id", _B), ("live_type", _B),
             ("start_timestamp", _B), ("end_timestamp", _B), ("live_content_category", _V),
             ("live_name_id", _B)],
    "click": _EVENT + [("watch_live_time", _B)],
    "comment": _EVENT,
    "like": _EVENT,
    "gift": _EVENT + [("gift_price", _B)],
    "negative": _EVENT,
}

# ----------------------------------------------------------------------------- the generated fixture

BIG_VERSION = 1                 # bump when big_rows() changes (the generated folder is cached by it)
BIG_ROWS = {"click": 200_000, "room": 150_000, "gift": 70_000}
_M64 = (1 << 64) - 1
BIG_T0 = 1746374400000          # 2025-05-05 00:00 China time, epoch ms
BIG_CATEGORIES = ["other", "shop", "game", "talent", "chat"]


class SplitMix64:
    """splitmix64 (Steele, Lea, Flood 2014); CorpusSupport.swift has the same generator."""

    def __init__(self, seed):
        self.state = seed & _M64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & _M64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
        return z ^ (z >> 31)


def parse_run_arguments(ap, work, data=os.path.join(ROOT, "..", "kl-0.01")):
    """Adds --data (the KuaiLive CSV folder; data=None makes it required), --bin (the folder of the
    built kuai executables, default the release build) and --work (a scratch folder, default `work`)
    to the parser `ap`, parses the command line and returns it with those three as absolute paths."""
    if data is None:
        ap.add_argument("--data", required=True)
    else:
        ap.add_argument("--data", default=data)
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build", "release"))
    ap.add_argument("--work", default=work)
    args = ap.parse_args()
    args.bin, args.data, args.work = (os.path.abspath(x) for x in (args.bin, args.data, args.work))
    return args


def big_rows(table):
    """Yields the rows of a table of the `big` fixture as lists of strings ('' = NULL)."""
    g = SplitMix64({"click": 1, "room": 2, "gift": 3}[table])
    for i in range(BIG_ROWS[table]):
        a, b, c = g.next(), g.next(), g.next()
        if table == "room":
            live = 1 + i % 40_000
            start = BIG_T0 + (i * 12_096) + a % 3_600_000
            end = "" if b % 101 == 0 else str(start + 30_000 + b % 20_000_000)
            cat = "" if c % 103 == 0 else BIG_CATEGORIES[(c >> 8) % 5 if (c >> 8) % 3 else 0]
            p_date = 20250505 + min(20, i * 21 // BIG_ROWS["room"])
            live_type = [1, 1, 1, 2, -124][(a >> 20) % 5]
            yield [str(p_date), str(live), str(1 + live % 3_000), str(live_type), str(start), end, cat,
                   str((c >> 16) % 600_000 - 1)]
        else:
            user = 1 + a % 5_000
            live = 1 + (a >> 16) % 40_000 if b % 89 else 40_000 + 1 + b % 500   # some rooms unknown to room
            ts = BIG_T0 + i * (9_000 if table == "click" else 25_000) + b % 5_000
            row = [str(user), str(live), str(1 + live % 3_000), str(ts)]
            if table == "click":
                row.append("" if c % 97 == 0 else str(c % 7_200_000))
            else:
                row.append("" if c % 61 == 0 else str((c >> 8) % 3 + (1 << ((c >> 12) % 12))))
            yield row


def generate_big(folder):
    """Writes the `big` fixture's CSVs (click, room, gift) into folder."""
    os.makedirs(folder, exist_ok=True)
    for t in BIG_ROWS:
        with open(os.path.join(folder, t + ".csv"), "w", encoding="utf-8", newline="") as f:
            f.write(",".join(c for c, _ in KUAILIVE[t]) + "\n")
            for row in big_rows(t):
                f.write(",".join(row) + "\n")
    return folder


def fixture_folder(name):
    """The folder of CSVs of a fixture (the generated one is written on first use)."""
    if name == "big":
        folder = os.path.join(tempfile.gettempdir(), f"kuai-fixture-big-v{BIG_VERSION}")
        if not os.path.isdir(folder):
            tmp = generate_big(f"{folder}.tmp-{os.getpid()}")
            try:
                os.rename(tmp, folder)
            except OSError:
                shutil.rmtree(tmp, ignore_errors=True)
        return folder
    return FIXTURES[name]

# ----------------------------------------------------------------------------- corpus files


class Record:
    """One `query` or `error` record of a corpus file."""

    def __init__(self, path, line, kind, fixture, sql_lines, sep_line, expected):
        self.path, self.line, self.kind, self.fixture = path, line, kind, fixture
        self.sql_lines, self.sep_line, self.expected = sql_lines, sep_line, expected

    @property
    def sql(self):
        s = "\n".join(self.sql_lines).strip()
        while s.endswith(";"):
            s = s[:-1].rstrip()
        return s

    @property
    def name(self):
        return f"{os.path.basename(self.path)}:{self.line}"

    @property
    def types(self):
        """DuckDB's result types from the `---- types: A|B` line, or None."""
        if self.sep_line and "types:" in self.sep_line:
            t = self.sep_line.split("types:", 1)[1].strip()
            return t.split("|") if t else []
        return None

    def expected_csv(self):
        return "".join(("" if l == "(empty)" else l) + "\n" for l in self.expected)

    def render(self):
        out = [f"{self.kind} {self.fixture}"] + self.sql_lines
        if self.sep_line is not None:
            out.append(self.sep_line)
            out += self.expected
        return out


def parse_corpus(path):
    """Returns the file as a list of items: str (a line kept verbatim) or Record."""
    lines = open(path, encoding="utf-8").read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    items, i = [], 0
    while i < len(lines):
        l = lines[i]
        m = re.match(r"^(query|error)\s+(\w+)\s*$", l)
        if not m:
            if l.strip() and not l.startswith("#"):
                raise SystemExit(f"{path}:{i + 1}: expected '# comment', 'query <fixture>' or 'error <fixture>', got: {l}")
            items.append(l)
            i += 1
            continue
        start = i + 1
        kind, fixture = m.group(1), m.group(2)
        if fixture not in FIXTURES:
            raise SystemExit(f"{path}:{start}: unknown fixture {fixture!r} (known: {', '.join(FIXTURES)})")
        i += 1
        sql = []
        while i < len(lines) and lines[i].strip() and not lines[i].startswith("----"):
            sql.append(lines[i])
            i += 1
        if not sql:
            raise SystemExit(f"{path}:{start}: record without SQL")
        sep, exp = None, []
        if i < len(lines) and lines[i].startswith("----"):
            sep = lines[i]
            i += 1
            while i < len(lines) and lines[i] != "":
                exp.append(lines[i])
                i += 1
        items.append(Record(path, start, kind, fixture, sql, sep, exp))
    return items


def write_corpus(path, items):
    out = []
    for it in items:
        out += it.render() if isinstance(it, Record) else [it]
    text = "\n".join(out) + "\n"
    if open(path, encoding="utf-8").read() != text:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return True
    return False


def corpus_files(args):
    return args or sorted(glob.glob(os.path.join(CORPUS, "*.slt")))

# ----------------------------------------------------------------------------- comparison

_FLOAT = re.compile(r"^[-+]?(\d+\.\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?|\d+[eE][-+]?\d+|inf|infinity|nan)$", re.I)


def parse_csv(text):
    return list(csv.reader(io.StringIO(text, newline="")))


def fields_equal(a, b, decimal=False):
    if a == b:
        return True
    if decimal:
        return False  # a DECIMAL column is exact text ("1.50" is not "1.5")
    if _FLOAT.match(a) and _FLOAT.match(b):
        x, y = float(a), float(b)
        if math.isnan(x) or math.isnan(y):
            return math.isnan(x) and math.isnan(y)
        if math.isinf(x) or math.isinf(y):
            return x == y
        return abs(x - y) <= 1e-9 * max(abs(x), abs(y))
    return False


def csv_diff(expected, actual, types=None):
    """None when equal under the comparison rule, else a one-line description.
    types: DuckDB's result type names (a DECIMAL column compares as exact text)."""
    return rows_diff(parse_csv(expected), parse_csv(actual), types)


def csv_file_diff(expected_path, actual_path, types=None):
    """csv_diff of two CSV files, read row by row (answers of millions of rows are never held in
    memory; byte-equal files are equal without parsing)."""
    if filecmp.cmp(expected_path, actual_path, shallow=False):
        return None
    with open(expected_path, newline="") as e, open(actual_path, newline="") as a:
        return rows_diff(csv.reader(e), csv.reader(a), types)


def rows_diff(expected, actual, types=None):
    """The comparison rule over two sequences (or iterators) of parsed CSV rows, header first:
    None when equal, else a one-line description (a row-count difference is reported first)."""
    dec = [str(t).startswith("DECIMAL") for t in (types or [])]
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) != len(actual):
        return f"{len(actual) - 1} rows, expected {len(expected) - 1}"
    e_it, a_it, r = iter(expected), iter(actual), -1
    for r, (er, ar) in enumerate(itertools.zip_longest(e_it, a_it)):
        if er is None or ar is None:
            n_e = r + (er is not None) + sum(1 for _ in e_it)
            n_a = r + (ar is not None) + sum(1 for _ in a_it)
            return f"{n_a - 1} rows, expected {n_e - 1}"
        if len(er) != len(ar):
            return f"row {r}: {len(ar)} fields, expected {len(er)}"
        for c, (x, y) in enumerate(zip(er, ar)):
            if not fields_equal(x, y, r > 0 and c < len(dec) and dec[c]):
                what = "header" if r == 0 else f"row {r}"
                return f"{what} field {c + 1}: got {y!r}, expected {x!r}"
    return None

# ----------------------------------------------------------------------------- DuckDB side


def kuai_type(t):
    """DuckDB's type name as kuai names the same type (KuaiCore DataType)."""
    t = str(t)
    if t in ("FLOAT", "REAL"):
        return "DOUBLE"
    if t in ("UTINYINT", "USMALLINT"):
        return "INTEGER"
    if t in ("UINTEGER", "UBIGINT"):
        return "BIGINT"
    if t == '"NULL"':
        return "NULL"
    if "(" in t or t.endswith("[]"):
        # inside a nested type's name (MAP(INTEGER, UBIGINT)): the same mapping per word
        names = {"UTINYINT": "INTEGER", "USMALLINT": "INTEGER", "UINTEGER": "BIGINT", "UBIGINT": "BIGINT",
                 "FLOAT": "DOUBLE", "REAL": "DOUBLE"}
        return re.sub(r"[A-Za-z0-9_]+", lambda m: names.get(m.group(0), m.group(0)), t)
    return t


def load_fixture(con, name, shuffle=False):
    folder = fixture_folder(name)
    for f in sorted(glob.glob(os.path.join(folder, "*.csv"))):
        table = os.path.basename(f)[:-4]
        cols = KUAILIVE.get(table)
        spec = ""
        if cols:
            spec = ", columns={" + ", ".join(f"'{c}': '{t}'" for c, t in cols) + "}, auto_detect=false"
        src = f"read_csv('{f}', header=true, delim=',', quote='\"', escape='\"'{spec})"
        con.execute(f'CREATE TABLE "{table}" AS SELECT * FROM {src}')
        if shuffle:
            con.execute(f'CREATE TABLE "shuffled_{table}" AS SELECT * FROM "{table}" ORDER BY hash(rowid * 7919 + 17)')
            con.execute(f'DROP TABLE "{table}"')
            con.execute(f'ALTER TABLE "shuffled_{table}" RENAME TO "{table}"')


def expand_paths(sql):
    """The SQL with `$FIXTURES/` replaced by the absolute path of Tests/Fixtures/ (records that read
    files, such as read_csv's, stay the same on every machine)."""
    return sql.replace("$FIXTURES/", os.path.join(ROOT, "Tests", "Fixtures", ""))


class DuckOracle:
    def __init__(self, determinism=True):
        import duckdb
        if duckdb.__version__ != "2.0.1":
            print(f"warning: DuckDB {duckdb.__version__}, the oracle is 2.0.1", file=sys.stderr)
        self.duckdb = duckdb
        self.determinism = determinism
        self.cons = {}
        self.tmp = tempfile.mkdtemp(prefix="kuai-oracle-")

    def con(self, fixture, shuffled=False):
        key = (fixture, shuffled)
        if key not in self.cons:
            c = self.duckdb.connect()
            load_fixture(c, fixture, shuffle=shuffled)
            self.cons[key] = c
        return self.cons[key]

    def run(self, fixture, sql, shuffled=False):
        """('ok', csv_text, [types]) or ('error', message, None)."""
        sql = expand_paths(sql)
        try:
            statements = [st.query.strip().rstrip(";") for st in self.duckdb.extract_statements(sql)]
        except self.duckdb.Error:
            statements = [sql]  # a syntax error: the single-statement path reports it
        if len(statements) > 1:
            # a private connection: what the first statements create stays out of other records
            con = self.duckdb.connect()
            load_fixture(con, fixture, shuffle=shuffled)
            try:
                for st in statements[:-1]:
                    con.execute(st)
            except self.duckdb.Error as e:
                return "error", str(e).split("\n")[0], None
            sql = statements[-1]
        else:
            con = self.con(fixture, shuffled)
        try:
            rel = con.sql(sql)
            types = [str(t) for t in rel.types] if rel is not None else []
            out = os.path.join(self.tmp, "out.csv")
            con.execute(f"COPY ({sql}) TO '{out}' (HEADER)")
            with open(out, encoding="utf-8", newline="") as f:
                return "ok", f.read(), types
        except self.duckdb.Error as e:
            return "error", str(e).split("\n")[0], None

    def record_block(self, rec):
        """(sep_line, expected_lines, problem) for `rec` from DuckDB."""
        status, text, types = self.run(rec.fixture, rec.sql)
        if rec.kind == "error":
            if status == "ok":
                return None, None, "DuckDB gives no error for an `error` record"
            return "----", [text], None
        if status == "error":
            return None, None, f"DuckDB raises: {text}"
        problem = None
        if self.determinism and not re.search(r"\browid\b", rec.sql, re.IGNORECASE):
            s2, t2, _ = self.run(rec.fixture, rec.sql, shuffled=True)
            d = csv_diff(text, t2, types) if s2 == "ok" else t2
            if d:
                problem = f"not deterministic (answer changes when rows are shuffled: {d})"
        lines = ["(empty)" if l == "" else l for l in text.split("\n")[:-1]]
        return "---- types: " + "|".join(types), lines, problem

# ----------------------------------------------------------------------------- kuai side


class KuaiRunner:
    """Runs records through the kuai-convert / kuai-query executables."""

    def __init__(self, query_bin, convert_bin):
        self.query_bin, self.convert_bin = query_bin, convert_bin
        self.tmp = tempfile.mkdtemp(prefix="kuai-corpus-")
        self.stores = {}

    def store(self, fixture):
        if fixture not in self.stores:
            path = os.path.join(self.tmp, fixture)
            p = subprocess.run([self.convert_bin, fixture_folder(fixture), "-o", path], capture_output=True, text=True)
            self.stores[fixture] = path if p.returncode == 0 else RuntimeError(
                f"kuai-convert failed ({p.returncode}): {p.stderr.strip()[:300]}")
        return self.stores[fixture]

    def run(self, fixture, sql):
        sql = expand_paths(sql)
        store = self.store(fixture)
        if isinstance(store, Exception):
            return "error", str(store)
        if ";" in sql:
            # several statements (or a ';' in a literal): a private copy of the store, so that what a
            # record creates never reaches another record
            copy = os.path.join(self.tmp, "record-store")
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(store, copy)
            store = copy
        try:
            p = subprocess.run([self.query_bin, "--store", store, "--format", "csv", "--", sql],
                               capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            return "crash", "timeout after 60 s"
        if p.returncode == 0:
            return "ok", p.stdout
        if p.returncode < 0 or p.returncode >= 128:
            return "crash", f"exit {p.returncode}: {p.stderr.strip()[-300:]}"
        return "error", p.stderr.strip().split("\n")[0]

# ----------------------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--regenerate", action="store_true")
    g.add_argument("--check", action="store_true")
    g.add_argument("--kuai", metavar="KUAI_QUERY")
    g.add_argument("--list", action="store_true")
    ap.add_argument("--kuai-convert", metavar="KUAI_CONVERT")
    ap.add_argument("--no-determinism", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    files = corpus_files(a.files)
    problems = 0

    if a.list:
        total = 0
        for f in files:
            recs = [r for r in parse_corpus(f) if isinstance(r, Record)]
            by = {}
            for r in recs:
                by[r.fixture] = by.get(r.fixture, 0) + 1
            total += len(recs)
            print(f"{os.path.basename(f):32} {len(recs):4}  " + " ".join(f"{k}={v}" for k, v in sorted(by.items())))
        print(f"{'total':32} {total:4}")
        return 0

    if a.kuai:
        conv = a.kuai_convert or os.path.join(os.path.dirname(a.kuai), "kuai-convert")
        kr = KuaiRunner(a.kuai, conv)
        grand = [0, 0]
        for f in files:
            ok = bad = 0
            for r in parse_corpus(f):
                if not isinstance(r, Record):
                    continue
                status, text = kr.run(r.fixture, r.sql)
                if r.kind == "error":
                    good = status == "error"
                    why = "kuai gives no error" if status == "ok" else text
                else:
                    d = csv_diff(r.expected_csv(), text, r.types) if status == "ok" else None
                    good = status == "ok" and d is None
                    why = d if status == "ok" else f"{status}: {text}"
                if good:
                    ok += 1
                else:
                    bad += 1
                    print(f"FAIL {r.name}: {why}\n     {r.sql.splitlines()[0][:110]}")
            grand[0] += ok
            grand[1] += bad
            print(f"== {os.path.basename(f)}: {ok} passed, {bad} failed")
        print(f"== total: {grand[0]} passed, {grand[1]} failed")
        return 1 if grand[1] else 0

    oracle = DuckOracle(determinism=not a.no_determinism)
    for f in files:
        items = parse_corpus(f)
        n = 0
        for r in items:
            if not isinstance(r, Record):
                continue
            n += 1
            sep, lines, problem = oracle.record_block(r)
            if problem:
                problems += 1
                print(f"PROBLEM {r.name}: {problem}\n        {r.sql.splitlines()[0][:110]}")
            if lines is None:
                continue
            if a.regenerate:
                r.sep_line, r.expected = sep, lines
            elif a.check:
                same = (r.sep_line or "").strip() == sep.strip() and (
                    r.kind == "error" or r.expected == lines)
                if not same:
                    problems += 1
                    d = csv_diff(r.expected_csv(), "".join(("" if l == "(empty)" else l) + "\n" for l in lines), r.types)
                    print(f"DIFFERS {r.name}: {d or 'types or text differ'}")
            if a.verbose:
                print(f"ok {r.name}")
        if a.regenerate:
            changed = write_corpus(f, items)
            print(f"{os.path.basename(f)}: {n} records{' (rewritten)' if changed else ''}")
        else:
            print(f"{os.path.basename(f)}: {n} records checked")
    if problems:
        print(f"{problems} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
