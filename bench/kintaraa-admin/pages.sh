#!/usr/bin/env bash
# Times the Kintaraa admin pages over HTTP against a running Haven with the demo data (./run.sh --demo), signed in
# as the demo coordinator: median and p90 of N requests per page after 3 unmeasured ones, beside /health/live.
#   bench/kintaraa-admin/pages.sh [base-url] [requests]
set -euo pipefail
base="${1:-http://127.0.0.1:5080}"
n="${2:-30}"
token=$(python3 - "$base" <<'PY'
import base64, hashlib, hmac, json, struct, sys, time, urllib.request
base = sys.argv[1]
def post(path, body):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(req).read())
def totp(secret):
    h = hmac.new(base64.b32decode(secret), struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    o = h[-1] & 15
    return "%06d" % ((struct.unpack(">I", h[o:o + 4])[0] & 0x7fffffff) % 1000000)
r = post("/api/auth/login", {"email": "coordinator@kintaraa.demo", "password": "Safe haven network 2026"})
if r.get("status") == "mfa_required":
    r = post("/api/auth/login/mfa", {"mfa_token": r["mfa_token"], "code": totp("HAVENDEMOHAVENDEMOHAVENDEMOHAVEN")})
print(r["access_token"])
PY
)
for path in /health/live /kintaraa/admin /kintaraa/admin/providers /kintaraa/admin/routing "/kintaraa/admin/stats?days=30" "/kintaraa/admin/stats?days=365" /kintaraa/admin/users /kintaraa/admin/audit; do
  for _ in 1 2 3; do curl -s -o /dev/null -b "haven.access=$token" "$base$path"; done
  status=$(curl -s -o /dev/null -w "%{http_code}" -b "haven.access=$token" "$base$path")
  [ "$status" = 200 ] || { echo "$path answered $status, not 200: sign in again" >&2; exit 1; }
  for _ in $(seq 1 "$n"); do curl -s -o /dev/null -w "%{time_total}\n" -b "haven.access=$token" "$base$path"; done |
    sort -n | awk -v p="$path" '{a[NR] = $1} END {printf "%-34s p50 %6.1f ms  p90 %6.1f ms\n", p, a[int((NR + 1) / 2)] * 1000, a[int(NR * 0.9)] * 1000}'
done
