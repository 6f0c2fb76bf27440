#!/usr/bin/env bash
# README command 2: check the formatting, build everything and run the whole test suite (what
# .ci/run runs).
# Installs the -dev packages (Tools/lib.sh) first when missing. Needs no DuckDB and no data download: the corpus tests
# carry DuckDB's answers (Tests/KuaiEndToEndTests/Corpus) and the fixtures are in the repository.
# Extra arguments go to `swift test` (e.g. Tools/test.sh --filter CorpusTests).
set -euo pipefail
cd "$(dirname "$0")/.."
source Tools/lib.sh
kuai_need_dev_packages
swift --version 2>&1 | head -1
echo "== Tools/format.sh --check   (swift format lint --strict on Package.swift, Sources, Tests)"
Tools/format.sh --check
echo "== swift build --build-tests   (the libraries, both executables and every test target)"
swift build --build-tests
echo "== swift test"
swift test --skip-build "$@"
