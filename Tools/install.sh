#!/usr/bin/env bash
# Puts kuai on the PATH: builds the release executables and installs, under PREFIX (default ~/.local),
#   PREFIX/bin/kuai-convert, kuai-query, kuai-report
#   PREFIX/share/man/man1/kuai-convert.1, ...              (swift-argument-parser's generate-manual plugin)
#   PREFIX/share/bash-completion/completions/kuai-query, ... (--generate-completion-script bash)
#   PREFIX/share/zsh/site-functions/_kuai-query, ...        (--generate-completion-script zsh)
#   PREFIX/share/fish/vendor_completions.d/kuai-query.fish, ... (--generate-completion-script fish)
#
#   Tools/install.sh [--prefix DIR]      # DIR: ~/.local (default), /usr/local (run as root), ...
#   Tools/install.sh --uninstall [--prefix DIR]
#
# Installs Debian's -dev packages first when one is missing (Tools/lib.sh). Prints what it wrote and
# what to add to the shell's start-up file when PREFIX/bin or the completion folders are not searched.
set -euo pipefail
cd "$(dirname "$0")/.."

PREFIX="$HOME/.local"
UNINSTALL=0
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a folder" >&2; exit 2; }
                  PREFIX="$2"; shift 2 ;;
        --prefix=*) PREFIX="${1#--prefix=}"; shift ;;
        --uninstall) UNINSTALL=1; shift ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown argument \"$1\" (use --prefix DIR or --uninstall)" >&2; exit 2 ;;
    esac
done
PREFIX="${PREFIX%/}"
TOOLS="kuai-convert kuai-query kuai-report"
BIN_DIR="$PREFIX/bin"
MAN_DIR="$PREFIX/share/man/man1"
BASH_DIR="$PREFIX/share/bash-completion/completions"
ZSH_DIR="$PREFIX/share/zsh/site-functions"
FISH_DIR="$PREFIX/share/fish/vendor_completions.d"

if [ "$UNINSTALL" = 1 ]; then
    for t in $TOOLS; do
        rm -fv "$BIN_DIR/$t" "$MAN_DIR/$t.1" "$BASH_DIR/$t" "$ZSH_DIR/_$t" "$FISH_DIR/$t.fish"
    done
    exit 0
fi

source Tools/lib.sh
kuai_need_dev_packages

# The static release executables make the linker warn about glibc functions kuai never calls
# (see Tools/demo.sh): drop those lines.
quiet_link() { grep -v -e "in statically linked applications requires at runtime" -e "the use of .mktemp. is dangerous" || true; }

echo "== swift build -c release"
if ! swift build -c release 2>&1 | quiet_link; then echo "install.sh: the release build failed" >&2; exit 1; fi
BUILD="$(swift build -c release --show-bin-path)"

echo "== man pages (swift package generate-manual)"
# The plugin builds the package in release mode (already done above: nothing to compile) and runs
# swift-argument-parser's generate-manual on each executable.
swift package generate-manual 2>&1 | quiet_link | grep -v "^Building\|^Built\|^\[" || true
MANUALS=".build/plugins/GenerateManual/outputs"

mkdir -p "$BIN_DIR" "$MAN_DIR" "$BASH_DIR" "$ZSH_DIR" "$FISH_DIR"
for t in $TOOLS; do
    install -m 755 "$BUILD/$t" "$BIN_DIR/$t"
    page="$MANUALS/$t/$t.1"
    [ -f "$page" ] || { echo "install.sh: generate-manual wrote no $page" >&2; exit 1; }
    # generate-manual lists the `help` subcommand swift-argument-parser adds to every command, which
    # kuai's tools do not have (see Sources/KuaiCore/CompletionScript.swift): drop it from the page.
    sed -e '/^\.Ar subcommand$/d' -e '/^\.It Em help$/,/^\.El$/d' "$page" >"$MAN_DIR/$t.1"
    chmod 644 "$MAN_DIR/$t.1"
    "$BUILD/$t" --generate-completion-script bash >"$BASH_DIR/$t"
    "$BUILD/$t" --generate-completion-script zsh >"$ZSH_DIR/_$t"
    "$BUILD/$t" --generate-completion-script fish >"$FISH_DIR/$t.fish"
    echo "installed $BIN_DIR/$t, $MAN_DIR/$t.1, completions $BASH_DIR/$t, $ZSH_DIR/_$t, $FISH_DIR/$t.fish"
done

# What the user's shell needs to find them.
case ":$PATH:" in
    *":$BIN_DIR:"*) ;;
    *) echo "note: $BIN_DIR is not on PATH; add to ~/.bashrc or ~/.zshrc: export PATH=\"$BIN_DIR:\$PATH\"" ;;
esac
if [ "$PREFIX" != "/usr/local" ] && [ "$PREFIX" != "/usr" ]; then
    echo "note: man finds the pages through PATH ($BIN_DIR -> $PREFIX/share/man); else: export MANPATH=\"$PREFIX/share/man:\""
    echo "note: bash-completion reads $BASH_DIR when PREFIX is ~/.local (\$XDG_DATA_HOME); else: source $BASH_DIR/kuai-query in ~/.bashrc"
    echo "note: zsh: add to ~/.zshrc before compinit: fpath=(\"$ZSH_DIR\" \$fpath)"
    echo "note: fish: when completions do not load from $FISH_DIR, copy its .fish files to ~/.config/fish/completions"
fi
