#!/usr/bin/env bash
# The project's formatter (swift-format, shipped with the Swift toolchain), configured by .swift-format.
#   Tools/format.sh          rewrite Package.swift, Sources/ and Tests/ in place
#   Tools/format.sh --check  lint only, --strict (every finding is an error); what CI runs
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v swift >/dev/null 2>&1; then export PATH="/opt/swift/usr/bin:$PATH"; fi
if [ "${1:-}" = "--check" ]; then
    swift format lint --strict --configuration .swift-format -r Package.swift Sources Tests
    echo "swift format lint --strict: clean"
else
    swift format format --configuration .swift-format -i -r Package.swift Sources Tests
fi
