#!/usr/bin/env bash
# Runs the editor suites, one at a time: installs (tests/editors/install.sh), builds the server and the
# VS Code extension, snapshot-tests the TextMate grammar, then drives a real headless Neovim 0.11 and a
# real VS Code 1.139 (code-server in Chromium) over tests/editors/corpus. Every wait is bounded, each
# editor runs in its own process group that is killed on exit, and logs are printed on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
# Outside the clone by default, so that CI runs on fresh clones of this machine reuse the installs.
CACHE="${KANWU_EDITOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kanwu/editors}"
ARTIFACTS="$ROOT/target/editor-artifacts"
started_all=$SECONDS

step() { echo "== [editors $(date +%H:%M:%S), ${SECONDS}s] $*"; }

# Scratch space, and the process groups to kill however the script ends.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/kanwu-editors.XXXXXX")"
GROUPS_FILE="$WORK/groups"
: >"$GROUPS_FILE"
cleanup() {
  local status=$?
  while read -r group; do
    [ -n "$group" ] && kill -KILL -- "-$group" 2>/dev/null || true
  done <"$GROUPS_FILE"
  # code-server's group is started by the harness; its id is left in a file.
  for pgid_file in "$WORK"/vscode/code-server.pgid; do
    [ -f "$pgid_file" ] && kill -KILL -- "-$(cat "$pgid_file")" 2>/dev/null || true
  done
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Runs "$@" in a new session and process group under `timeout`, which signals the whole group when the
# limit passes; whatever is left of the group afterwards is killed too.
run_group() {
  local limit=$1
  shift
  setsid timeout --kill-after=5 "$limit" "$@" &
  local pid=$!
  echo "$pid" >>"$GROUPS_FILE"
  local status=0
  wait "$pid" || status=$?
  kill -KILL -- "-$pid" 2>/dev/null || true
  if [ "$status" = 124 ] || [ "$status" = 137 ]; then
    echo "error: $1 ran past its limit of ${limit}s and was killed" >&2
  fi
  return "$status"
}

step "installing (cache: $CACHE; KANWU_FRESH_INSTALL=${KANWU_FRESH_INSTALL:-0})"
bash tests/editors/install.sh
export PATH="$CACHE/node24/bin:$PATH"
export npm_config_cache="$CACHE/npm-cache" npm_config_update_notifier=false

step "building the server (cargo build -p kanwu)"
cargo build --locked -p kanwu 2>&1 | tail -3
KANWU_BIN="$ROOT/target/debug/kanwu"
test -x "$KANWU_BIN"

step "compiling the VS Code extension and snapshot-testing the grammar"
(cd editors/vscode && npm run --silent compile && npm run --silent test:grammar)

step "packaging the extension (.vsix)"
(cd editors/vscode && rm -f kanwu.vsix && npm run --silent package >"$WORK/vsce.log" 2>&1) || {
  cat "$WORK/vsce.log" >&2
  exit 1
}
VSIX="$ROOT/editors/vscode/kanwu.vsix"

rm -rf "$ARTIFACTS"
mkdir -p "$ARTIFACTS"
failed=()

# Neovim: headless, a clean profile, the plugin from editors/nvim, on a copy of the corpus.
step "Neovim suite"
mkdir -p "$WORK/nvim"
cp -r tests/editors/corpus "$WORK/nvim/corpus"
nvim_status=0
XDG_STATE_HOME="$WORK/nvim/state" XDG_CACHE_HOME="$WORK/nvim/cache" XDG_DATA_HOME="$WORK/nvim/data" XDG_CONFIG_HOME="$WORK/nvim/config" \
  KANWU_BIN="$KANWU_BIN" KANWU_CORPUS="$(cd "$WORK/nvim/corpus" && pwd -P)" \
  run_group 180 "$CACHE/nvim-venv/bin/nvim" --headless --clean -u NONE --cmd "set rtp^=$ROOT/editors/nvim" \
  -l tests/editors/nvim/test.lua </dev/null || nvim_status=$?
if [ "$nvim_status" != 0 ]; then
  failed+=("neovim")
  echo "---- Neovim's LSP log (with the server's stderr) ----"
  tail -n 200 "$WORK/nvim/state/nvim/lsp.log" 2>/dev/null || echo "(no lsp.log)"
  echo "---- end of Neovim's LSP log ----"
fi

# VS Code: code-server in Chromium, driven by playwright-core.
step "VS Code suite"
mkdir -p "$WORK/vscode"
cp -r tests/editors/corpus "$WORK/vscode/corpus"
vscode_status=0
CODE_SERVER="$CACHE/code-server/node_modules/.bin/code-server" KANWU_VSIX="$VSIX" KANWU_BIN="$KANWU_BIN" \
  KANWU_CORPUS="$(cd "$WORK/vscode/corpus" && pwd -P)" KANWU_WORK="$WORK/vscode" KANWU_ARTIFACTS="$ARTIFACTS" \
  run_group 300 node tests/editors/vscode/test.mjs </dev/null || vscode_status=$?
if [ "$vscode_status" != 0 ]; then
  failed+=("vscode")
  echo "---- code-server's output ----"
  tail -n 100 "$ARTIFACTS/code-server.log" 2>/dev/null || true
  for file in $(find "$WORK/vscode/user-data/logs" -name 'Kanwu.log' -o -name 'remoteexthost.log' 2>/dev/null); do
    echo "---- $file ----"
    tail -n 150 "$file"
  done
  echo "---- end of VS Code logs (screenshots in $ARTIFACTS) ----"
fi

step "editor suites done in $((SECONDS - started_all))s; artefacts in $ARTIFACTS"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "editor suites failed: ${failed[*]}" >&2
  exit 1
fi
