#!/usr/bin/env bash
# npm run demo: build the plugin, put it on PATH, and run it through the real kubectl.
# (Until the lab lands this shows the frame: help, version, and how a
# `kubectl vsphere login` kubeconfig is understood.)
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/build.mjs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ln -s "$PWD/plugin/kubectl-harbor" "$work/kubectl-harbor"
export PATH="$work:$PATH"
cat > "$work/kubeconfig" <<'YAML'
apiVersion: v1
kind: Config
current-context: team-a
clusters:
  - { name: 10.0.0.10, cluster: { server: 'https://10.0.0.10:443' } }
  - { name: 10.0.0.20, cluster: { server: 'https://10.0.0.20:6443' } }
users:
  - { name: 'wcp:10.0.0.10:devops@vsphere.local', user: { token: demo } }
  - { name: 'wcp:10.0.0.20:devops@vsphere.local', user: { token: demo } }
contexts:
  - { name: 10.0.0.10, context: { cluster: 10.0.0.10, user: 'wcp:10.0.0.10:devops@vsphere.local' } }
  - { name: team-a, context: { cluster: 10.0.0.10, user: 'wcp:10.0.0.10:devops@vsphere.local', namespace: team-a } }
  - { name: tkc-1, context: { cluster: 10.0.0.20, user: 'wcp:10.0.0.20:devops@vsphere.local' } }
YAML
step() { printf '\n$ %s\n' "$*"; "$@"; }
step kubectl plugin list
step kubectl harbor --help
step kubectl harbor version
step kubectl harbor context --kubeconfig "$work/kubeconfig"
step kubectl harbor context --kubeconfig="$work/kubeconfig" --context tkc-1 -o yaml
