#!/usr/bin/env bash
# Long fuzz runs (issue 4, Formats/bad-input.md section 7): the column-file / manifest mutation, CSV
# harness and the SQL harness (parse + bind + execute) with N iterations of each property instead
# of the suite's short fixed-seed runs. Prints one line per harness: inputs, errors by kind,
# "no crash". A crash ends the test process; the SQL being run is in $TMPDIR/kuai-fuzz-last.sql.
#
#   Tools/fuzz.sh [N=20000] [SEED=random]
#   KUAI_SCRATCH=.build-x Tools/fuzz.sh 5000 7      # another build folder
#
# Coverage-guided runs with libFuzzer (outside the package: a generated package in .build-fuzz/ links
# the engine's sources and the harnesses of Tools/Fuzz/, built with -sanitize=fuzzer,address):
#   Tools/fuzz.sh --libfuzzer NAME [RUNS=1000000] [libFuzzer flags...]
#   NAME: sql (lexer + parser + printer), csv (CSV reader, type inference), colfile (column
#   files and manifest, built with -D KUAI_FUZZING: checksums do not stop mutated bytes), parquet
#   (footer Thrift, pages, decompression), or all (each in turn, the short fixed run: RUNS=20000).
# One core each; the last lines of libFuzzer's output (executions, cov/ft, crashes) are printed (all of it
# in .build-fuzz/NAME.log), a crash input is kept in .build-fuzz/crashes/NAME/. Seeds come from the test
# fixtures (Tests/Fixtures, the corpus .slt files); the corpus grows in .build-fuzz/corpus/NAME/ (delete it to start afresh).
if [ "${1:-}" = "--libfuzzer" ]; then
    name=${2:-sql}
    if [ "$name" = "all" ]; then
        for n in sql csv colfile parquet; do "$0" --libfuzzer "$n" "${3:-20000}" -seed=1; done
        exit 0
    fi
    runs=${3:-1000000}
    shift $(($# < 3 ? $# : 3))
    root=$(pwd)
    dir=$root/.build-fuzz
    mkdir -p "$dir/Sources"
    for t in KuaiCore KuaiSQL KuaiFormat KuaiParquet KuaiIngest CLZ4 CZstd CSnappy CZlib; do
        ln -sfn "$root/Sources/$t" "$dir/Sources/$t"
    done
    for h in SQLFuzz CSVFuzz ColumnFileFuzz ParquetFuzz; do
        mkdir -p "$dir/Sources/$h"
        cp "Tools/Fuzz/$h.swift" "$dir/Sources/$h/Harness.swift"
        sed "s/HARNESS_main/${h}_main/" Tools/Fuzz/Driver.swift > "$dir/Sources/$h/Driver.swift"
    done
    cp Tools/Fuzz/Package.swift.in "$dir/Package.swift"
    (cd "$dir" && swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -DKUAI_FUZZING 2>&1 |
        grep -E "error:|Compiling|Build" | tail -3)
    corpus=$dir/corpus/$name
    seeds=$dir/seeds/$name
    crashes=$dir/crashes/$name
    rm -rf "$seeds"
    mkdir -p "$corpus" "$seeds" "$crashes"
    extra=
    case $name in
    sql)
        exe=SQLFuzz maxlen=4096
        awk -v out="$seeds" '
            /^(query|error|statement) [a-z]+/ { n++; f = sprintf("%s/q%04d.sql", out, n); insql = 1; next }
            /^----/ || /^$/ { insql = 0; next }
            insql { print > f }
        ' Tests/KuaiEndToEndTests/Corpus/*.slt
        ;;
    csv)
        # The first byte selects the table (8 + index: a KuaiLive table; 0: a new table with inferred
        # types) and the chunking (see Tools/Fuzz/CSVFuzz.swift).
        exe=CSVFuzz maxlen=8192
        i=0
        for f in Tests/Fixtures/seed-sample/*.csv Tests/Fixtures/edge/*.csv Tests/Fixtures/sniff/*; do
            [ -f "$f" ] || continue
            t=$(basename "$f" .csv)
            k=0
            for x in click comment gift like negative room streamer user; do
                [ "$x" = "$t" ] && break
                k=$((k + 1))
            done
            i=$((i + 1))
            [ $k -lt 8 ] && printf "\\$(printf %03o $((8 + k)))" | cat - "$f" > "$seeds/s$i-known"
            printf '\000' | cat - "$f" > "$seeds/s$i-new"
            printf '\160' | cat - "$f" > "$seeds/s$i-small"
        done
        ;;
    colfile)
        # -keep_seed=1: an unchanged file gives the same coverage whichever file it replaces, so libFuzzer would
        # keep only the first two seeds (209 bytes) and never mutate the larger column files.
        exe=ColumnFileFuzz maxlen=65536 extra=-keep_seed=1
        KUAI_FUZZ_SEEDS=$seeds "$dir/.build/debug/$exe" > /dev/null
        ;;
    parquet)
        exe=ParquetFuzz maxlen=32768
        cp Tests/Fixtures/parquet/*.parquet "$seeds/"
        ;;
    *)
        echo "unknown harness $name (sql, csv, colfile, parquet, all)" >&2
        exit 2
        ;;
    esac
    echo "== libFuzzer $name: $runs runs, $(ls "$seeds" | wc -l) seeds"
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 "$dir/.build/debug/$exe" "$corpus" "$seeds" -runs="$runs" -max_len=$maxlen \
        -rss_limit_mb=4096 -timeout=20 -print_final_stats=1 -artifact_prefix="$crashes/" $extra "$@" 2>&1 | tee "$dir/$name.log" |
        grep -E "^#[0-9]+[[:space:]]+(INITED|DONE)|stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY|Test unit written|Fatal error|not a KuaiError" |
        tail -12
    echo "crash inputs: $(ls "$crashes" | wc -l) in $crashes"
    exit 0
fi

N=${1:-20000}
SEED=${2:-$RANDOM}
echo "== swift build --build-tests ($SCRATCH)"
swift build --scratch-path "$SCRATCH" --build-tests
echo "== fuzz: $N iterations of each property, seed $SEED"
KUAI_FUZZ_ITERATIONS=$N KUAI_FUZZ_SEED=$SEED swift test --scratch-path "$SCRATCH" --skip-build \
    --filter 'FuzzColumnFileTests|FuzzSQLTests|FuzzCSVTests' 2>&1 | grep -E 'inputs|payloads|CSV fuzz|passed after|failed|error:|Fatal|crash' || true
