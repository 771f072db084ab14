#!/usr/bin/env bash
# What the setup scripts share: sourced by scripts/run, scripts/test, scripts/build-ui and
# sync-server/scripts/throwaway-postgres.sh, never run on its own.
# shellcheck shell=bash

step() { printf '\n==> %s\n' "$*"; }

need_cargo() {
    if ! command -v cargo >/dev/null 2>&1; then
        echo "Rust is needed: install it from your distribution or rustup, then run this again." >&2
        exit 1
    fi
}

# Where cargo puts builds: CARGO_TARGET_DIR, else what the workspace says.
target_dir() {
    if [ -n "${CARGO_TARGET_DIR:-}" ]; then
        echo "$CARGO_TARGET_DIR"
    else
        cargo metadata --format-version 1 --no-deps \
            | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])'
    fi
}

# apt_install PKG… installs the Debian packages given (the caller passes only missing ones).
# It writes to stderr only: a caller's standard output may be captured.
apt_install() {
    [ $# -gt 0 ] || return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "Install these first (as root): apt-get install -y $*" >&2
        exit 1
    fi
    step "Debian packages: $*" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

# cargo_install_pinned CRATE VERSION [BINARY]: the tool at exactly VERSION, built once.
cargo_install_pinned() {
    local crate="$1" version="$2"
    if ! cargo install --list | grep -q "^$crate v$version:"; then
        step "$crate $version (built once, then reused)"
        cargo install "$crate" --version "$version" --locked
    fi
}
