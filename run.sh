#!/usr/bin/env bash
# Sets up and runs Haven at http://127.0.0.1:5080.
#   ./run.sh            serve (private PostgreSQL under .data/ unless ConnectionStrings__Haven is set)
#   ./run.sh --demo     also load demo data and print the demo logins
#   ./run.sh migrate | seed-demo | create-admin ... | --help   admin commands of the same executable
set -euo pipefail
cd "$(dirname "$0")"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v dotnet >/dev/null 2>&1; then
  echo "Haven needs the .NET 10 SDK (https://dotnet.microsoft.com/download)." >&2
  exit 1
fi

# A private PostgreSQL needs the server binaries; an external server (ConnectionStrings__Haven) does not.
if [ -z "${ConnectionStrings__Haven:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "Installing PostgreSQL server packages..."
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

dotnet build src/Haven.Server/Haven.Server.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
exec dotnet src/Haven.Server/bin/Release/net10.0/Haven.Server.dll "$@"
