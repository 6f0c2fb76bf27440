# Shared set-up of Tools/demo.sh, Tools/test.sh and .ci/run (source it; bash).
# - puts Swift on PATH (the machines of this project install it at /opt/swift)
# - installs Debian's liblz4-dev, libzstd-dev, libsnappy-dev, zlib1g-dev, libedit-dev, libpcre2-dev and libxxhash-dev when
#   one is missing (apt-get; sudo when not root): kuai's column files use LZ4, its Parquet reader and writer
#   the first four, kuai-query's interactive shell libedit, the regexp_* functions PCRE2, the
#   column files' block checksums xxHash's XXH3 (its header)

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi
if ! command -v swift >/dev/null 2>&1; then
    echo "error: swift not found (install Swift 6 and put it on PATH, e.g. /opt/swift/usr/bin)" >&2
    exit 1
fi

# The Debian packages of the system library targets (Package.swift: CLZ4, CZstd, CSnappy, CZlib, CEdit;
# CVector includes xxhash.h).
KUAI_DEV_PACKAGES="liblz4-dev libzstd-dev libsnappy-dev zlib1g-dev libedit-dev libpcre2-dev libxxhash-dev"

kuai_need_dev_packages() {
    local missing=""
    for p in $KUAI_DEV_PACKAGES; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
            missing="$missing $p"
        fi
    done
    if [ -z "$missing" ]; then return 0; fi
    echo "== installing$missing (apt-get)" >&2
    local SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y $missing
}
