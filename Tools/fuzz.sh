#!/usr/bin/env bash
# Long fuzz runs (issue 4, Formats/bad-input.md section 7): the column-file / manifest mutation, CSV
# harness and the SQL harness (parse + bind + execute) with N iterations of each property instead
# of the suite's short fixed-seed runs. Prints one line per harness: inputs, errors by kind,
# "no crash". A crash ends the test process; the SQL being run is in $TMPDIR/kuai-fuzz-last.sql.
#
#   Tools/fuzz.sh [N=20000] [SEED=random]
#   KUAI_SCRATCH=.build-x Tools/fuzz.sh 5000 7      # another build folder
#
# Optional libFuzzer run of the SQL parser (outside the package; needs nothing but the toolchain):
#   Tools/fuzz.sh --libfuzzer [SECONDS=300]
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${KUAI_SCRATCH:-.build}

if [ "${1:-}" = "--libfuzzer" ]; then
    secs=${2:-300}
    dir=$(mktemp -d "${TMPDIR:-/tmp}/kuai-libfuzz-XXXXXX")
    root=$(pwd)
    mkdir -p "$dir/Sources/SQLFuzz" "$dir/corpus"
    ln -s "$root/Sources/KuaiCore" "$dir/Sources/KuaiCore"
    ln -s "$root/Sources/KuaiSQL" "$dir/Sources/KuaiSQL"
    cat > "$dir/Package.swift" <<'EOF'
// swift-tools-version:6.0
import PackageDescription
let package = Package(name: "kuailibfuzz", targets: [
    .target(name: "KuaiCore"),
    .target(name: "KuaiSQL", dependencies: ["KuaiCore"]),
    .executableTarget(name: "SQLFuzz", dependencies: ["KuaiCore", "KuaiSQL"], swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
])
EOF
    cat > "$dir/Sources/SQLFuzz/main.swift" <<'EOF'
import KuaiCore
import KuaiSQL

/// libFuzzer entry point: the bytes as SQL (lossy UTF-8); a KuaiError is fine, a trap is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let sql = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let stmt = try? Parser.parse(sql) { _ = "\(stmt)" }
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ cb: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

/// SwiftPM links executables with `main` = `<module>_main`: hand control to libFuzzer's driver.
@_cdecl("SQLFuzz_main")
func sqlFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var c = argc
    var v = argv
    return LLVMFuzzerRunDriver(&c, &v) { data, size in fuzz(data, size) }
}
EOF
    # Seed corpus: the SQL of every corpus record.
    awk -v out="$dir/corpus" '
        /^(query|error) [a-z]+$/ { n++; f = sprintf("%s/q%04d.sql", out, n); insql = 1; next }
        /^----/ || /^$/ { insql = 0; next }
        insql { print > f }
    ' Tests/KuaiEndToEndTests/Corpus/*.slt
    (cd "$dir" && swift build -c debug -Xswiftc -sanitize=fuzzer)
    "$dir/.build/debug/SQLFuzz" "$dir/corpus" -max_total_time="$secs" -max_len=2048 -print_final_stats=1 2>&1 | grep -E "^#|stat::|ERROR|crash" | tail -15
    echo "libFuzzer work folder: $dir"
    exit 0
fi

N=${1:-20000}
SEED=${2:-$RANDOM}
echo "== swift build --build-tests ($SCRATCH)"
swift build --scratch-path "$SCRATCH" --build-tests
echo "== fuzz: $N iterations of each property, seed $SEED"
KUAI_FUZZ_ITERATIONS=$N KUAI_FUZZ_SEED=$SEED swift test --scratch-path "$SCRATCH" --skip-build \
    --filter 'FuzzColumnFileTests|FuzzSQLTests|FuzzCSVTests' 2>&1 | grep -E 'inputs|payloads|CSV fuzz|passed after|failed|error:|Fatal|crash' || true
