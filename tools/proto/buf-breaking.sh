#!/usr/bin/env bash
# Breaking-change check of libs/contracts/proto against the branch main (buf FILE rules).
# Skips (exit 0) while main has no libs/contracts/proto, e.g. before the first commit.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
export PATH="$PWD/.ordermesh/tools/node/bin:$PATH"

if git rev-parse --verify --quiet 'main^{commit}' >/dev/null &&
  [ -n "$(git ls-tree -d --name-only main -- libs/contracts/proto)" ]; then
  exec node_modules/.bin/buf breaking libs/contracts/proto \
    --against '.git#branch=main,subdir=libs/contracts/proto'
fi
echo "buf-breaking: skipped (branch main has no libs/contracts/proto yet)"
