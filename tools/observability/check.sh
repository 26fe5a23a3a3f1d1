#!/usr/bin/env bash
# Static checks of the dashboards, alert rules and SLOs in observability/ (part of `make test`):
#   1. the generated dashboards and rules are up to date with tools/observability/generate.mjs
#      and observability/slo/slos.yaml, their console pages with tools/observability/consoles.ts;
#   2. `promtool check rules` on every rule file, `promtool test rules` on the alert unit tests;
#   3. the dashboards are valid Grafana dashboard JSON, their PromQL parses (promtool), every
#      metric is in docs/telemetry-registry.md, every alert links an existing runbook section.
# Prints "N passed, N failed" at the end. promtool comes from Debian's prometheus package, as the
# local platform's Prometheus does.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
[[ -d .ordermesh/tools/node/bin ]] && export PATH="$ROOT/.ordermesh/tools/node/bin:$PATH"

PROMTOOL=${PROMTOOL:-$(command -v promtool || true)}
[[ -z "$PROMTOOL" && -x /usr/bin/promtool ]] && PROMTOOL=/usr/bin/promtool
if [[ -z "$PROMTOOL" ]]; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "promtool not found: installing Debian's prometheus package"
    # The platform set-up may be installing packages at the same time: wait for dpkg's lock.
    apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends prometheus >/dev/null ||
      { apt-get -o DPkg::Lock::Timeout=600 update >/dev/null &&
        apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends prometheus >/dev/null; }
  fi
  PROMTOOL=$(command -v promtool || echo /usr/bin/promtool)
  [[ -x "$PROMTOOL" ]] || { echo "promtool is missing (apt-get install prometheus)"; exit 1; }
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
step() { # name command...
  local name=$1; shift
  if "$@" >"$tmp/out" 2>&1; then
    passed=$((passed + 1)); echo "  ✔ $name"
  else
    failed=$((failed + 1)); echo "  ✘ $name"; sed 's/^/      /' "$tmp/out"
  fi
}

echo "observability checks"
step "generated dashboards and rules are up to date" node tools/observability/generate.mjs --check
step "console pages of the dashboards are up to date" node tools/observability/consoles.ts --check
step "promtool check rules" "$PROMTOOL" check rules observability/prometheus/rules/*.yml
step "promtool test rules" "$PROMTOOL" test rules observability/prometheus/tests/*.test.yml
step "dashboards, runbook links, metric registry" node tools/observability/check-dashboards.mjs "$tmp/dashboard-rules.yml"
if [[ -s "$tmp/dashboard-rules.yml" ]]; then
  step "dashboard PromQL parses (promtool)" "$PROMTOOL" check rules "$tmp/dashboard-rules.yml"
fi
echo "observability: $passed passed, $failed failed"
(( failed == 0 ))
