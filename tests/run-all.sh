#!/usr/bin/env bash
# Runs every test of Kanwu on a fresh or warm machine: installs what is missing, checks formatting and
# lints (cargo fmt, clippy -D warnings), then the Rust suites
# (unit, fixtures, quality report against ../shared/seeds, property tests, CLI and LSP end-to-end), then,
# last, the editor suites (TextMate grammar snapshots, real Neovim and real VS Code; tests/editors/run.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

# The Rust toolchain ships with the machine; fail clearly if it is not there.
if ! command -v cargo >/dev/null 2>&1; then
  echo "error: cargo is not installed (install Rust with rustup first)" >&2
  exit 2
fi

# The quality report reads the real seed pages beside the project.
if [ ! -d ../shared/seeds ]; then
  echo "error: ../shared/seeds is missing; the quality report needs the seed pages beside the project" >&2
  exit 2
fi

# Property tests are bounded so the whole suite stays well inside CI's time.
export PROPTEST_CASES="${PROPTEST_CASES:-256}"

# Each part's output is kept too, to count its tests for the closing line.
log_dir="$(mktemp -d "${TMPDIR:-/tmp}/kanwu-run-all.XXXXXX")"
trap 'rm -rf "$log_dir"' EXIT

# Habits first: formatting and lints are part of the tests (rustfmt.toml, clippy with warnings as errors).
lint_status=0
cargo fmt --all --check || { echo "run-all: cargo fmt --check found unformatted code (run cargo fmt)" >&2; lint_status=1; }
cargo clippy --workspace --all-targets --locked -- -D warnings || { echo "run-all: clippy found warnings" >&2; lint_status=1; }

rust_status=0
cargo test --workspace --locked --no-fail-fast 2>&1 | tee "$log_dir/cargo.log" || rust_status=$?

# The editor suites run last whatever the Rust suites gave, so one run reports both.
# KANWU_FRESH_INSTALL=1 makes them install everything again instead of reusing .cache/editors.
editors_status=0
bash tests/editors/run.sh 2>&1 | tee "$log_dir/editors.log" || editors_status=$?

# One closing line over every suite: cargo's per-binary results plus the editor checks.
cargo_passed=$(grep -oE 'test result: [a-zA-Z]+\. [0-9]+ passed' "$log_dir/cargo.log" | awk '{s+=$4} END {print s+0}')
cargo_failed=$(grep -oE '[0-9]+ failed;' "$log_dir/cargo.log" | awk '{s+=$1} END {print s+0}')
editor_passed=$(grep -cE '^ok ' "$log_dir/editors.log" || true)
editor_failed=$(grep -cE '^(not ok|FAIL) ' "$log_dir/editors.log" || true)
summary="summary: $((cargo_passed + editor_passed)) passed, $((cargo_failed + editor_failed)) failed"

if [ "$lint_status" != 0 ] || [ "$rust_status" != 0 ] || [ "$editors_status" != 0 ]; then
  echo "run-all: FAILED (fmt/clippy: $lint_status, cargo test: $rust_status, editor suites: $editors_status)" >&2
  echo "$summary"
  exit 1
fi
echo "run-all: all suites passed"
echo "$summary"
