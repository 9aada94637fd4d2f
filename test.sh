#!/usr/bin/env bash
# Installs what the tests need (PostgreSQL, Chromium, npm tools), builds, runs the whole suite against a real
# PostgreSQL started for this run, and ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -x /usr/sbin/clamd ] || missing+=(clamav-daemon)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]}..."
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error || { echo "0 passed, 1 failed"; exit 1; }
fi

if ! dotnet build Haven.slnx -c Release -nologo -v quiet -clp:ErrorsOnly; then
  echo "0 passed, 1 failed"
  exit 1
fi

# A throwaway PostgreSQL for this run: loopback only, trust auth, durability off (tests never need a crash-safe disk).
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
work=$(mktemp -d /tmp/haven-test.XXXXXX)
chmod 755 "$work"
port=${HAVEN_TEST_PG_PORT:-54350}
pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$work"
pg "$bin/initdb" -D "$work/pg" -U haven --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
pg "$bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" start >/dev/null
cleanup() { pg "$bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1; rm -rf "$work"; }
trap cleanup EXIT
export HAVEN_TEST_PG="Host=127.0.0.1;Port=$port;Username=haven;Database=postgres"

rm -rf TestResults
dotnet test Haven.slnx -c Release --no-build --results-directory TestResults --logger "trx" "$@"
status=$?

passed=0; failed=0
for f in TestResults/*.trx; do
  [ -f "$f" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$f" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f2=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f2:-0}))
done
# A crashed test host or a build error leaves no result file; never report that as a pass.
if [ $status -ne 0 ] && [ $failed -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
exit $status
