#!/usr/bin/env bash
# The benchmarks' set-up: installs what they need and is missing, and makes the
# origin's test PKI. Safe to run again: each step is skipped when its result is
# already there. `npm run bench` runs it before bench/run.ts.
#
#   Debian packages   nginx-light (the origin), mitmproxy (mitmdump, a contender),
#                     hey (a second CONNECT-capable client, for cross-checks)
#   bench/node_modules  the comparison-only npm dependencies (http-mitm-proxy),
#                     from bench/package-lock.json, never in the project's own
#   bench/.state/origin a test CA and a certificate for *.bench.test (openssl)
#
# A package that cannot be installed (no registry, no sudo) is not an error
# here: bench/run.ts reports the contender that needs it as skipped.
# The nginx configuration is written by the runner for each run
# (bench/origin/nginx-config.ts), because it names ports picked free then.
set -uo pipefail
bench_dir=$(cd "$(dirname "$0")" && pwd)
state_dir="$bench_dir/.state"
origin_dir="$state_dir/origin"

say() { printf 'bench setup: %s\n' "$*" >&2; }

# --- Debian packages ---------------------------------------------------------
need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v mitmdump >/dev/null 2>&1 || need+=(mitmproxy)
command -v hey >/dev/null 2>&1 || need+=(hey)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo -n); else sudo_cmd=(false); fi
  fi
  say "installing ${need[*]}"
  if "${sudo_cmd[@]}" apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; then
    say "installed ${need[*]}"
  else
    say "could not install ${need[*]}; the contenders that need them will be reported as skipped"
  fi
fi

# --- bench/node_modules ------------------------------------------------------
# Reinstalled when the lock file is newer than what npm last installed.
installed_lock="$bench_dir/node_modules/.package-lock.json"
if [ ! -f "$installed_lock" ] || [ "$bench_dir/package-lock.json" -nt "$installed_lock" ]; then
  say "npm ci --prefix bench"
  if ! npm ci --prefix "$bench_dir" --no-audit --no-fund --loglevel=error >/dev/null; then
    say "npm ci --prefix bench failed; http-mitm-proxy will be reported as skipped"
  fi
fi

# --- the origin's test PKI ---------------------------------------------------
# A CA of the bench's own (never jarsync's) and one certificate for every
# <label>.bench.test name. The CA key signs once and is deleted, so nothing
# else can ever be signed by this CA. Remade when missing or within a day of
# its end; 30 days keeps it well inside every client's leaf-lifetime cap.
if ! command -v openssl >/dev/null 2>&1; then
  say "openssl is missing: cannot make the origin's certificates"
  exit 1
fi
if [ -f "$origin_dir/cert.pem" ] && openssl x509 -checkend 86400 -noout -in "$origin_dir/cert.pem" >/dev/null 2>&1; then
  exit 0
fi
say "making the origin's test CA and a certificate for *.bench.test in $origin_dir"
mkdir -p "$origin_dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
set -e
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
  -keyout "$work/ca-key.pem" -out "$origin_dir/ca.pem" -days 31 \
  -subj "/O=jarsync bench/CN=jarsync bench origin CA" \
  -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -addext "subjectKeyIdentifier=hash" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
  -keyout "$work/key.pem" -out "$work/server.csr" \
  -subj "/O=jarsync bench/CN=bench.test" 2>/dev/null
cat >"$work/server.ext" <<'EXT'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:bench.test, DNS:*.bench.test
EXT
openssl x509 -req -in "$work/server.csr" -CA "$origin_dir/ca.pem" -CAkey "$work/ca-key.pem" \
  -CAcreateserial -CAserial "$work/ca.srl" -sha256 -days 30 -extfile "$work/server.ext" \
  -out "$origin_dir/cert.pem" 2>/dev/null
openssl pkey -in "$work/key.pem" -out "$origin_dir/key.pem"
chmod 600 "$origin_dir/key.pem"
openssl verify -x509_strict -CAfile "$origin_dir/ca.pem" "$origin_dir/cert.pem" >/dev/null
