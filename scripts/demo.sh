#!/usr/bin/env bash
# npm run demo [-- --keep]: from a fresh clone, install what is missing (npm packages, the
# build, the lab's Debian packages), boot the lab and walk the story (scripts/demo.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/tsx ] || npm ci --no-audit --no-fund
# Build when the plugin is missing or older than any source file.
if [ ! -x plugin/kubectl-harbor ] || [ -n "$(find src scripts/build.mjs -newer plugin/kubectl-harbor -print -quit)" ]; then
  node scripts/build.mjs >/dev/null
fi
if [ "$(id -u)" != 0 ]; then
  echo "npm run demo needs root: the lab makes network namespaces and mounts (try: sudo npm run demo)" >&2
  exit 1
fi
node --import tsx lab/cli.ts deps
exec node --import tsx scripts/demo.ts "$@"
