#!/usr/bin/env python3
"""Runs Samples/notebook.sql in kuai and in DuckDB 2.0.1 over the same KuaiLive CSVs and compares
what they built, exported and answered; times both in the same run (issue 9, must-show 2 and 3).

Usage
    python3 Tools/notebook_compare.py --data ../kl-0.01 [--work DIR] [--bin DIR] [--threads N]
                                      [--runs N] [--notebook FILE] [--write-expected DIR]

Steps (each engine in its own subprocess, one after the other, on the same machine):
 1. load: kuai-convert DATA -o WORK/kuai/store.kuai; DuckDB: a database file WORK/duck/raw.duckdb
    holding the eight tables (read_csv with the KuaiLive types of Tools/oracle.py). Timed, not part
    of the comparison of the script.
 2. the script: `kuai-query --store store.kuai -f notebook.sql` in WORK/kuai (its answers on stdout,
    CSV), and in WORK/duck a Python process that runs the same statements one by one on a copy of
    raw.duckdb (persistent, as the kuai store is), writing each SELECT's answer as DuckDB's CSV
    (COPY (q) TO ... (HEADER)) one after the other to answers.csv. Wall time of the whole process and
    peak memory (wait4 max RSS; DuckDB's includes the Python interpreter, about 60 MB) of each; with
    --runs N the median of N runs, engines alternating.
 3. compare: every exported file of notebook_out/ byte for byte (and by the corpus rule when the
    bytes differ, to say where), the answers, and the column names and types of every table the
    script created (kuai's DESCRIBE against DuckDB's, DuckDB's types mapped as the corpus maps them).

With --write-expected DIR (run on Samples/kuailive-mini for Tests/KuaiEndToEndTests/Notebook):
DuckDB's answers.csv and exports.txt (per exported file: name, bytes, FNV-1a 64 of its bytes in
hex), the expected values of NotebookTests.

Exit status 0 when everything is equal, 1 otherwise. Needs `swift build -c release` (or --bin).
"""
import argparse
import filecmp
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import TABLES, build_duck_db, kuai_bin_dir, run_measured  # noqa: E402
from oracle import csv_file_diff, kuai_type  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def split_statements(text):
    """The statements of a script, split at ';' outside strings, quoted names and comments (the rule
    of KuaiSQL's SQLScript); statements of only comments and blanks are dropped."""
    out, cur, i, n = [], [], 0, len(text)
    while i < n:
        c = text[i]
        if c in "'\"":
            j = i + 1
            while j < n:
                if text[j] == c:
                    if j + 1 < n and text[j + 1] == c:
                        j += 2
                        continue
                    break
                j += 1
            cur.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("--", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            cur.append(text[i:j])
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            cur.append(text[i:j])
            i = j
        elif c == ";":
            out.append("".join(cur))
            cur = []
            i += 1
        else:
            cur.append(c)
            i += 1
    out.append("".join(cur))

    def code(s):
        return "\n".join(l for l in s.split("\n") if l.strip() and not l.strip().startswith("--")).strip()
    return [s.strip() for s in out if code(s)]


def is_query(stmt):
    """True for a statement that returns rows (SELECT, WITH, VALUES, FROM, DESCRIBE, SHOW)."""
    body = "\n".join(l for l in stmt.split("\n") if not l.strip().startswith("--")).lstrip().upper()
    return body.startswith(("SELECT", "WITH", "VALUES", "FROM", "(", "DESCRIBE", "SHOW"))


DUCK_RUNNER = r"""
import duckdb, json, os, shutil, sys, time
raw, db, notebook, answers, threads = sys.argv[1:6]
sys.path.insert(0, sys.argv[6])
from notebook_compare import split_statements, is_query
shutil.copyfile(raw, db)
t0 = time.perf_counter()
con = duckdb.connect(db)
con.execute("SET enable_progress_bar=false")
if threads != "0":
    con.execute(f"SET threads={threads}")
with open(answers, "wb") as out:
    for k, stmt in enumerate(split_statements(open(notebook).read())):
        if is_query(stmt):
            part = answers + f".{k}"
            con.execute(f"COPY ({stmt}) TO '{part}' (HEADER)")
            with open(part, "rb") as f:
                shutil.copyfileobj(f, out)
            os.remove(part)
        else:
            con.execute(stmt)
con.close()
print(json.dumps({"seconds": time.perf_counter() - t0}))
"""


def run_cpu_measured(cmd, **kw):
    """bench.run_measured plus the CPU seconds (user + system) of the process and its children, from
    the difference of this process's RUSAGE_CHILDREN around the run: wall time on a loaded machine
    mostly counts waiting, CPU time counts the work. Returns (seconds, cpu_seconds, MB, rc, out, err)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    secs, rss, rc, out, err = run_measured(cmd, **kw)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return secs, cpu, rss, rc, out, err


def prepare(folder):
    """An empty folder with an empty notebook_out/ (the script's export target)."""
    shutil.rmtree(os.path.join(folder, "notebook_out"), ignore_errors=True)
    os.makedirs(os.path.join(folder, "notebook_out"))


def run_kuai(bindir, work, notebook, threads):
    kdir = os.path.join(work, "kuai")
    store = os.path.join(kdir, "store.kuai")
    run_store = os.path.join(kdir, "run.kuai")
    shutil.rmtree(run_store, ignore_errors=True)
    shutil.copytree(store, run_store)
    prepare(kdir)
    cmd = [os.path.join(bindir, "kuai-query"), "--store", run_store, "-f", notebook]
    if threads:
        cmd += ["--threads", str(threads)]
    cwd = os.getcwd()
    os.chdir(kdir)
    try:
        secs, cpu, rss, rc, _, err = run_cpu_measured(cmd, stdout_path=os.path.join(kdir, "answers.csv"))
    finally:
        os.chdir(cwd)
    if rc != 0:
        sys.exit(f"kuai-query -f {notebook} failed:\n{err[-3000:]}")
    return secs, cpu, rss


def run_duck(work, notebook, threads):
    ddir = os.path.join(work, "duck")
    prepare(ddir)
    db = os.path.join(ddir, "run.duckdb")
    for f in (db, db + ".wal"):
        if os.path.exists(f):
            os.remove(f)
    cwd = os.getcwd()
    os.chdir(ddir)
    try:
        secs, cpu, rss, rc, out, err = run_cpu_measured(
            [sys.executable, "-c", DUCK_RUNNER, os.path.join(ddir, "raw.duckdb"), db, notebook,
             os.path.join(ddir, "answers.csv"), str(threads or 0), os.path.dirname(os.path.abspath(__file__))])
    finally:
        os.chdir(cwd)
    if rc != 0:
        sys.exit(f"DuckDB failed on {notebook}:\n{err[-3000:]}")
    return secs, cpu, rss


def created_tables(notebook):
    """Names of the tables the script creates, in order."""
    names = []
    for s in split_statements(open(notebook).read()):
        words = " ".join(l for l in s.split("\n") if not l.strip().startswith("--")).split()
        up = [w.upper() for w in words]
        if up[:1] == ["CREATE"] and "TABLE" in up:
            i = up.index("TABLE") + 1
            if up[i:i + 3] == ["IF", "NOT", "EXISTS"]:
                i += 3
            names.append(words[i].strip('"'))
    return list(dict.fromkeys(names))


def compare_types(bindir, work, tables):
    """Differences between kuai's and DuckDB's column names and types of `tables`."""
    import duckdb
    problems = []
    con = duckdb.connect(os.path.join(work, "duck", "run.duckdb"), read_only=True)
    for t in tables:
        duck = [(r[0], kuai_type(r[1])) for r in con.execute(f'DESCRIBE "{t}"').fetchall()]
        r = subprocess.run([os.path.join(bindir, "kuai-query"), "--store", os.path.join(work, "kuai", "run.kuai"),
                            "--format", "csv", f'DESCRIBE "{t}"'], capture_output=True, text=True)
        lines = r.stdout.strip().split("\n")[1:]
        kuai = [(l.split(",")[0], l.split(",")[1]) for l in lines if l]
        if kuai != duck:
            problems.append(f"table {t}: kuai {kuai} vs DuckDB {duck}")
    con.close()
    return problems


def first_line_diff(expected_path, actual_path):
    """Where two text files first differ: 'line N: got ..., expected ...'."""
    with open(expected_path) as f:
        exp = f.read().split("\n")
    with open(actual_path) as f:
        got = f.read().split("\n")
    for i in range(max(len(exp), len(got))):
        e, g = exp[i] if i < len(exp) else "(end)", got[i] if i < len(got) else "(end)"
        if e != g:
            return f"line {i + 1}: got {g!r}, expected {e!r}"
    return None


def fnv1a64(data):
    """FNV-1a, 64 bits, of bytes (the hash NotebookTests computes)."""
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def write_expected(work, folder):
    """DuckDB's answers and a line per exported file (name bytes fnv1a64-hex) into folder."""
    ddir = os.path.join(work, "duck")
    os.makedirs(folder, exist_ok=True)
    shutil.copyfile(os.path.join(ddir, "answers.csv"), os.path.join(folder, "answers.csv"))
    lines = []
    for name in sorted(os.listdir(os.path.join(ddir, "notebook_out"))):
        with open(os.path.join(ddir, "notebook_out", name), "rb") as f:
            data = f.read()
        lines.append(f"{name} {len(data)} {fnv1a64(data):016x}")
    with open(os.path.join(folder, "exports.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


def compare_files(work):
    """(files compared, problems): every file of notebook_out/ and the answers."""
    kdir, ddir = os.path.join(work, "kuai"), os.path.join(work, "duck")
    names = sorted(set(os.listdir(os.path.join(kdir, "notebook_out"))) | set(os.listdir(os.path.join(ddir, "notebook_out"))))
    problems, compared = [], []
    for name in names + ["answers.csv"]:
        sub = "" if name == "answers.csv" else "notebook_out"
        k, d = os.path.join(kdir, sub, name), os.path.join(ddir, sub, name)
        if not os.path.exists(k) or not os.path.exists(d):
            problems.append(f"{name}: written by {'DuckDB only' if os.path.exists(d) else 'kuai only'}")
            continue
        size = os.path.getsize(d)
        if filecmp.cmp(k, d, shallow=False):
            compared.append((name, size, "same bytes"))
            continue
        diff = csv_file_diff(d, k) if name != "answers.csv" else first_line_diff(d, k)
        verdict = "equal by the corpus rule (not byte for byte)" if name != "answers.csv" and diff is None else "DIFFERENT"
        compared.append((name, size, verdict))
        problems.append(f"{name}: {verdict}" + (f": {diff}" if diff else ""))
    return compared, problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True, help="folder of the eight KuaiLive CSVs")
    ap.add_argument("--work", help="working folder (default /tmp/kuai-notebook/<data folder name>)")
    ap.add_argument("--bin", help="folder of kuai-query and kuai-convert (default: the release build)")
    ap.add_argument("--threads", type=int, default=0, help="threads for both engines (default: all cores)")
    ap.add_argument("--runs", type=int, default=1, help="runs of the script per engine (median reported)")
    ap.add_argument("--notebook", default=os.path.join(ROOT, "Samples", "notebook.sql"))
    ap.add_argument("--write-expected", help="write DuckDB's answers and export hashes into this folder")
    ap.add_argument("--skip-load", action="store_true", help="reuse the store and database of an earlier run")
    args = ap.parse_args()
    import duckdb
    data = os.path.abspath(args.data)
    work = os.path.abspath(args.work or os.path.join("/tmp/kuai-notebook", os.path.basename(data.rstrip("/"))))
    notebook = os.path.abspath(args.notebook)
    bindir = kuai_bin_dir(args.bin)
    os.makedirs(os.path.join(work, "kuai"), exist_ok=True)
    os.makedirs(os.path.join(work, "duck"), exist_ok=True)
    print(f"data {data}; work {work}; kuai from {bindir}; DuckDB {duckdb.__version__}; "
          f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")

    if not args.skip_load:
        store = os.path.join(work, "kuai", "store.kuai")
        shutil.rmtree(store, ignore_errors=True)
        secs, rss, rc, _, err = run_measured([os.path.join(bindir, "kuai-convert"), data, "-o", store, "--quiet"])
        if rc != 0:
            sys.exit(f"kuai-convert failed:\n{err}")
        print(f"load  kuai-convert {secs:8.2f} s {rss:7.0f} MB")
        secs, rss, _, _, _ = run_measured(
            [sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); from bench import build_duck_db; "
             "build_duck_db(sys.argv[2], sys.argv[3], sys.argv[4].split(','), int(sys.argv[5]))",
             os.path.dirname(os.path.abspath(__file__)), data, os.path.join(work, "duck", "raw.duckdb"),
             ",".join(TABLES), str(args.threads)])
        print(f"load  DuckDB       {secs:8.2f} s {rss:7.0f} MB   (read_csv into a database file)")

    kuai_runs, duck_runs = [], []
    for i in range(args.runs):
        kuai_runs.append(run_kuai(bindir, work, notebook, args.threads))
        duck_runs.append(run_duck(work, notebook, args.threads))
        (k, kc, kr), (d, dc, dr) = kuai_runs[-1], duck_runs[-1]
        print(f"run {i + 1}: kuai {k:.2f} s ({kc:.2f} s CPU) {kr:.0f} MB; DuckDB {d:.2f} s ({dc:.2f} s CPU) {dr:.0f} MB")
    ks, kc, km = (statistics.median(r[0] for r in kuai_runs), statistics.median(r[1] for r in kuai_runs),
                  max(r[2] for r in kuai_runs))
    ds, dc, dm = (statistics.median(r[0] for r in duck_runs), statistics.median(r[1] for r in duck_runs),
                  max(r[2] for r in duck_runs))

    if args.write_expected:
        write_expected(work, os.path.abspath(args.write_expected))
    compared, problems = compare_files(work)
    tables = created_tables(notebook)
    problems += compare_types(bindir, work, tables)
    print(f"\n{len(tables)} tables created by the script; column names and types "
          f"{'agree' if not any(p.startswith('table ') for p in problems) else 'DIFFER'}")
    for name, size, verdict in compared:
        print(f"  {name:28} {size:>14,} bytes  {verdict}")
    print(f"\nthe whole script (median of {args.runs}): kuai {ks:.2f} s, DuckDB {ds:.2f} s, "
          f"ratio {ks / ds:.2f} (target <= 0.70)")
    print(f"CPU time (user + system, median): kuai {kc:.2f} s, DuckDB {dc:.2f} s (with Python), ratio {kc / dc:.2f}")
    print(f"peak memory: kuai {km:.0f} MB, DuckDB {dm:.0f} MB (with Python), ratio {km / dm:.2f} (target <= 1.00)")
    print(f"load average now {os.getloadavg()[0]:.1f}")
    for p in problems:
        print("DIFFERENCE:", p)
    print(json.dumps({"kuai_s": ks, "duck_s": ds, "kuai_cpu_s": kc, "duck_cpu_s": dc, "kuai_mb": km, "duck_mb": dm, "equal": not problems}))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
