#!/usr/bin/env bash
# README command 1: the main job on the built-in sample, no download needed.
# Installs the -dev packages (Tools/lib.sh) when missing, builds kuai in release mode, converts Samples/kuailive-mini
# (the eight KuaiLive CSVs at 1/1000 scale) into a store under ./out, runs three analyst
# queries with kuai-query --format table, and draws the report (kuai-report) into out/report.html.
set -euo pipefail
cd "$(dirname "$0")/.."
source Tools/lib.sh
kuai_need_dev_packages
echo "== swift build -c release"
# The release executables are static (Package.swift); the linker then warns about glibc functions
# that static Foundation links in (dlopen and getaddrinfo need glibc's shared libraries at run time;
# mktemp is unsafe). kuai calls none of them: drop those lines.
swift build -c release 2>&1 | { grep -v -e "in statically linked applications requires at runtime" -e "the use of .mktemp. is dangerous" || true; }
BIN="$(swift build -c release --show-bin-path)"
STORE="${KUAI_DEMO_STORE:-out/kuailive-mini.kuai}"
mkdir -p "$(dirname "$STORE")"

echo
echo "\$ kuai-convert Samples/kuailive-mini -o $STORE"
"$BIN/kuai-convert" Samples/kuailive-mini -o "$STORE"

run() {
    echo
    echo "\$ kuai-query --store $STORE --format table '$1'"
    "$BIN/kuai-query" --store "$STORE" --format table "$1" || status=1
}
status=0
run 'SELECT gender, age, count(*) AS users FROM "user" GROUP BY gender, age ORDER BY gender, age'
run 'SELECT hour(epoch_ms(timestamp + 28800000)) AS hour_cn, count(*) AS clicks, round(sum(watch_live_time) / 60000.0, 1) AS watch_minutes FROM click GROUP BY hour_cn ORDER BY clicks DESC, hour_cn LIMIT 5'
run 'SELECT r.live_content_category AS category, count(*) AS clicks, count(DISTINCT c.user_id) AS users FROM click c JOIN room r ON r.live_id = c.live_id GROUP BY category ORDER BY clicks DESC, category'
REPORT="$(dirname "$STORE")/report.html"
echo
echo "\$ kuai-report --store $STORE -o $REPORT"
"$BIN/kuai-report" --store "$STORE" -o "$REPORT" || status=1
echo
echo "Store: $STORE (query it: $BIN/kuai-query --store $STORE \"SELECT ...\"); charts: $REPORT"
exit $status
