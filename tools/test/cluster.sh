#!/usr/bin/env bash
# `make test-cluster`: the chart on a real single-node Kubernetes. Where Docker runs, KUBECONFIG may
# name a kind cluster (`make cluster` made it); otherwise the Docker-free local cluster of
# tools/cluster is built (cached), started in its own network namespace, and taken down at the end
# (KEEP_CLUSTER=1 keeps it for another run). Last line: "cluster: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
RESULTS=results/test-cluster
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
CLUSTER="node tools/cluster/bin/cluster.mjs"
started=$SECONDS
phase() { printf '  %-28s %4ss\n' "$1" $((SECONDS - started)); }

own_cluster=0
if [[ -z "${KUBECONFIG:-}" ]]; then
  own_cluster=1
  [[ "${KEEP_CLUSTER:-0}" == 1 ]] || trap 'if ! $CLUSTER down >"$RESULTS/down.log" 2>&1; then echo "cluster down failed:"; tail -20 "$RESULTS/down.log"; exit 1; fi' EXIT
  # Images and the cluster's own binaries build at once (each is partly downloads).
  ( node --disable-warning=MODULE_TYPELESS_PACKAGE_JSON tools/cluster/images/build.ts >"$RESULTS/images.log" 2>&1; echo $? >"$RESULTS/images.rc" ) &
  if ! $CLUSTER build >"$RESULTS/cluster-build.log" 2>&1; then
    wait; echo "cluster build failed:"; tail -40 "$RESULTS/cluster-build.log"; exit 1
  fi
  phase 'cluster binaries built'
  wait
  if [[ "$(cat "$RESULTS/images.rc")" != 0 ]]; then echo "image build failed:"; tail -40 "$RESULTS/images.log"; exit 1; fi
  phase 'images built'
  if ! $CLUSTER up >"$RESULTS/up.log" 2>&1; then echo "cluster up failed:"; tail -60 "$RESULTS/up.log"; exit 1; fi
  phase 'cluster up'
fi

jest --ci -c apps/cluster-e2e/jest.config.js --json --outputFile="$RESULTS/cluster.json" 2>&1 | tee "$RESULTS/jest.log"
rc=${PIPESTATUS[0]}
phase 'cluster tests'
node tools/test/summary.mjs "$RESULTS" "$((SECONDS - started))" test-cluster | sed 's/^tests:/cluster:/'
exit "$rc"
