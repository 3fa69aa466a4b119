#!/usr/bin/env bash
# Installs the tools trainlint is benchmarked against, outside the repository, at pinned
# versions: ajv-cli 5.0.0 and Spectral 6.16.3 (npm, from bench/peers/package-lock.json) into
# $TRAINLINT_BENCH_HOME (default ~/.cache/trainlint-bench/peers), and yamllint 1.29 (Debian's
# package, apt-get) when it is not there. The `yaml` parse peer uses the repository's own
# `yaml` (the version trainlint bundles). Re-running is cheap: nothing is reinstalled when
# the lockfile has not changed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
home="${TRAINLINT_BENCH_HOME:-$HOME/.cache/trainlint-bench}"
peers="$home/peers"
mkdir -p "$peers"

if ! cmp -s "$here/peers/package-lock.json" "$peers/package-lock.json" || [ ! -x "$peers/node_modules/.bin/ajv" ]; then
  cp "$here/peers/package.json" "$here/peers/package-lock.json" "$peers/"
  (cd "$peers" && npm ci --no-audit --no-fund --ignore-scripts)
fi
echo "ajv-cli $(node -p "require('$peers/node_modules/ajv-cli/package.json').version"), spectral-cli $(node -p "require('$peers/node_modules/@stoplight/spectral-cli/package.json').version") in $peers"

want_yamllint="1.29"
have="$(yamllint --version 2>/dev/null | awk '{print $2}' || true)"
if [ "${have#"$want_yamllint"}" = "$have" ]; then
  if ! command -v apt-get >/dev/null; then
    echo "yamllint $want_yamllint is needed (have: ${have:-none}); install it, e.g. pip install yamllint==1.29.0" >&2
    exit 1
  fi
  candidate="$(apt-cache policy yamllint 2>/dev/null | awk '/Candidate:/ {print $2}')"
  if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then
    apt-get update -qq
    candidate="$(apt-cache policy yamllint | awk '/Candidate:/ {print $2}')"
  fi
  case "$candidate" in
    "$want_yamllint".*) apt-get install -y -qq "yamllint=$candidate" ;;
    *) echo "apt has yamllint ${candidate:-none}, not $want_yamllint.x; install yamllint $want_yamllint by hand" >&2; exit 1 ;;
  esac
fi
echo "yamllint $(yamllint --version | awk '{print $2}')"
command -v /usr/bin/time >/dev/null || { echo "GNU time (/usr/bin/time) is needed for peak memory: apt-get install time" >&2; exit 1; }
