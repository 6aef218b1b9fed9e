#!/usr/bin/env bash
# Refresh tests/browser/vendor/axe.min.js (axe-core, MPL-2.0) from the npm registry. The accessibility tests
# inject it into pages through Playwright; it is never served to users.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="${AXE_VERSION:-4.14.1}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "axe-core@${VERSION}" >/dev/null && tar xzf "axe-core-${VERSION}.tgz")
cp "$tmp/package/axe.min.js" tests/browser/vendor/axe.min.js
cp "$tmp/package/LICENSE" tests/browser/vendor/axe-core.LICENSE
echo "axe-core ${VERSION}" > tests/browser/vendor/VERSION
echo "tests/browser/vendor/axe.min.js is axe-core ${VERSION}"
