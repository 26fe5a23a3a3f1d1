#!/usr/bin/env bash
# `make test`: everything CI runs, in the cheapest order that fails fast.
#   1. platform set-up (downloads/builds, cached) and the chart tests' Helm 3 build start in the
#      background at once;
#   2. static checks and unit tests run meanwhile, two at a time (the machines have two cores);
#   3. integration and e2e tests on a test-profile platform of their own.
# Each step's output goes to results/test/<step>.log; a failing step's log is printed.
# The last line is the totals of every test runner: "tests: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
RESULTS=results/test
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
export ORDERMESH_JEST_RESULTS="$PWD/$RESULTS"
failed=()

run_step() { # name command...
  local name=$1; shift
  local started=$SECONDS
  if "$@" >"$RESULTS/$name.log" 2>&1; then
    printf '  ✔ %-18s %4ss\n' "$name" $((SECONDS - started))
  else
    printf '  ✘ %-18s %4ss  (log: %s)\n' "$name" $((SECONDS - started)) "$RESULTS/$name.log"
    return 1
  fi
}

# Runs steps two at a time; records failures.
run_parallel() {
  local -a pids=() names=()
  for step in "$@"; do
    run_step "$step" "step_$step" & pids+=($!); names+=("$step")
    if (( ${#pids[@]} == 2 )); then
      wait "${pids[0]}" || failed+=("${names[0]}")
      pids=("${pids[@]:1}"); names=("${names[@]:1}")
    fi
  done
  for i in "${!pids[@]}"; do wait "${pids[$i]}" || failed+=("${names[$i]}"); done
}

jest_json() { # name config...
  local name=$1; shift
  jest --ci --json --outputFile="$ORDERMESH_JEST_RESULTS/$name.json" "$@"
}

# ESLint's Nx module-boundary rule skips itself without a project graph: compute it first.
step_lint()        { nx show projects >/dev/null && eslint --max-warnings=0 . && prettier --check --log-level warn . ; }
# The env tables are generated from the compiled env schemas: build first (under a second; the
# parallel steps beside it never read dist/).
step_contracts()   { buf lint && bash tools/proto/buf-breaking.sh && node tools/proto/check-generated.mjs && node --disable-warning=MODULE_TYPELESS_PACKAGE_JSON tools/platform/manifest.ts --check && node tools/build/build.mjs && node tools/build/env-docs.mjs --check ; }
step_typecheck()   { tsc -p tsconfig.json && tsc -p tools/platform/tsconfig.json && tsc -p tools/bench/tsconfig.json && tsc -p tools/cluster/tsconfig.json && tsc -p tools/observability/tsconfig.json ; }
step_unit()        { jest_json unit -c jest.config.js ; }
step_tools_unit()  { node --disable-warning=MODULE_TYPELESS_PACKAGE_JSON --test --test-reporter=spec 'tools/platform/**/*.test.ts' 'tools/bench/**/*.test.ts' 'tools/cluster/test/*.test.ts' 'tools/cluster/images/unit.test.ts' 'tools/observability/*.test.ts' 'tools/lint/*.test.mjs' 'tools/build/*.test.mjs' ; }
step_chart()       { wait_chart_tools && node tools/chart/sync-assets.mjs --check && jest_json chart -c charts/ordermesh/tests/jest.config.ts ; }
# The chart tests' helm3 is built in the background from the start (below); its log is chart-tools.log.
wait_chart_tools() { until [[ -f "$RESULTS/chart-tools.rc" ]]; do sleep 2; done ; }
step_observability() { bash tools/observability/check.sh ; }

echo "make test"
started_all=$SECONDS
# Set-up first in the background: on a fresh machine it downloads Kafka and builds FerretDB and
# Jaeger (minutes); everything below up to the e2e step does not need it.
( node tools/platform/bin/ordermesh.mjs setup >"$RESULTS/setup.log" 2>&1; echo $? >"$RESULTS/setup.rc" ) &
setup_pid=$!

steps=(lint contracts typecheck unit tools_unit)
if [[ -f charts/ordermesh/tests/jest.config.ts ]]; then
  steps+=(chart)
  # Helm 3 for the chart tests is built from its Go module (minutes on a fresh clone, cached in
  # .ordermesh/tools): start it now as well; the chart step waits for it (and reports a failure).
  ( node tools/chart/install-tools.mjs --helm3 >"$RESULTS/chart-tools.log" 2>&1; echo $? >"$RESULTS/chart-tools.rc" ) &
fi
[[ -f tools/observability/check.sh ]] && steps+=(observability)
run_parallel "${steps[@]}"

wait "$setup_pid"
if [[ "$(cat "$RESULTS/setup.rc")" != 0 ]]; then
  echo "  ✘ setup (log: $RESULTS/setup.log)"; failed+=(setup)
else
  echo "  ✔ setup"
  run_step build node tools/build/build.mjs || failed+=(build)
  run_step e2e jest_json e2e -c apps/platform-e2e/jest.config.js || failed+=(e2e)
fi

for step in "${failed[@]}"; do
  echo; echo "===== $step: last 80 lines of $RESULTS/$step.log ====="
  tail -n 80 "$RESULTS/$step.log"
done
echo
node tools/test/summary.mjs "$RESULTS" "$((SECONDS - started_all))"
(( ${#failed[@]} == 0 ))
