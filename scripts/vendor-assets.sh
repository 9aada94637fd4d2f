#!/usr/bin/env bash
# Copies the browser libraries the portals use from node_modules (versions pinned in package.json) into the
# platform's static files. The copies are committed so that serving Haven needs no npm step; rerun after
# changing a version in package.json, and commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules/htmx.org ] || npm ci --no-audit --no-fund
dest=src/Haven.Platform/wwwroot/lib
mkdir -p "$dest"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx.min.js"
cp node_modules/@microsoft/signalr/dist/browser/signalr.min.js "$dest/signalr.min.js"
cp node_modules/chart.js/dist/chart.umd.min.js "$dest/chart.umd.min.js"
{
  echo "Vendored by scripts/vendor-assets.sh from npm; licenses travel with the packages:"
  for p in htmx.org @microsoft/signalr chart.js; do
    node -e "const p=require('./node_modules/$p/package.json'); console.log('- '+p.name+' '+p.version+' ('+p.license+')')"
  done
} > "$dest/VERSIONS.txt"
cat "$dest/VERSIONS.txt"
