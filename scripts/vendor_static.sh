#!/usr/bin/env bash
# Refresh static/vendor/ from the npm registry (the versions in static/vendor/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
(cd "$tmp" && npm pack bootstrap@5.3.8 htmx.org@2.0.8 bootstrap-icons@1.13.1 >/dev/null)
for f in "$tmp"/*.tgz; do d="${f%.tgz}"; mkdir -p "$d"; tar xzf "$f" -C "$d"; done
cp "$tmp"/bootstrap-5.3.8/package/dist/css/bootstrap.min.css* static/vendor/bootstrap/
cp "$tmp"/bootstrap-5.3.8/package/dist/js/bootstrap.bundle.min.js* static/vendor/bootstrap/
cp "$tmp"/htmx.org-2.0.8/package/dist/htmx.min.js static/vendor/htmx/
cp "$tmp"/bootstrap-icons-1.13.1/package/font/bootstrap-icons.min.css static/vendor/bootstrap-icons/
cp "$tmp"/bootstrap-icons-1.13.1/package/font/fonts/bootstrap-icons.woff* static/vendor/bootstrap-icons/fonts/
rm -rf "$tmp"
