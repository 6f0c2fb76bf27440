# Shared set-up of Tools/demo.sh, Tools/test.sh and .ci/run (source it; bash).
# - puts Swift on PATH (the machines of this project install it at /opt/swift)
# - installs Debian's liblz4-dev and libedit-dev when they are missing (apt-get; sudo when not root)

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi
if ! command -v swift >/dev/null 2>&1; then
    echo "error: swift not found (install Swift 6 and put it on PATH, e.g. /opt/swift/usr/bin)" >&2
    exit 1
fi

kuai_need_lz4() {
    if dpkg-query -W -f='${Status}' liblz4-dev 2>/dev/null | grep -q "install ok installed"; then
        return 0
    fi
    if [ -f /usr/include/lz4.h ] && { [ -f /usr/lib/x86_64-linux-gnu/pkgconfig/liblz4.pc ] \
        || [ -f /usr/lib/aarch64-linux-gnu/pkgconfig/liblz4.pc ] || [ -f /usr/lib/pkgconfig/liblz4.pc ]; }; then
        return 0
    fi
    echo "== installing liblz4-dev (apt-get)" >&2
    local SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y liblz4-dev
}

# Debian's libedit-dev: the line editing of kuai-query's interactive shell (CEdit).
kuai_need_libedit() {
    if dpkg-query -W -f='${Status}' libedit-dev 2>/dev/null | grep -q "install ok installed"; then
        return 0
    fi
    if [ -f /usr/include/histedit.h ]; then
        return 0
    fi
    echo "== installing libedit-dev (apt-get)" >&2
    local SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y libedit-dev
}
