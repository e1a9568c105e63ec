# SPDX-License-Identifier: EUPL-1.2
# Shared by deploy/local/{up,down,status}: versions, paths, ports and helpers.
# Every value can be overridden from the environment; the defaults keep all
# state under ./var and all downloads under ~/.cache/archief.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VAR=${ARCHIEF_VAR:-$ROOT/var}
CACHE=${ARCHIEF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/archief}
LOGS=$VAR/log
RUN=$VAR/run

# Versions. The Python client in pyproject.toml is pinned to the same 8.19 line.
ES_VERSION=${ARCHIEF_ES_VERSION:-8.19.21}
LUCENE_VERSION=9.12.2
# MinIO publishes source only and tags releases with non-semver names, so the
# Go module proxy serves it by pseudo-version; this one is the tip of master
# on 2026-02-12.
MINIO_VERSION=${ARCHIEF_MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}

ES_PORT=${ARCHIEF_ES_PORT:-19200}
ES_TRANSPORT_PORT=${ARCHIEF_ES_TRANSPORT_PORT:-19300}
# 2 cores / 24 GiB: 2 GiB of heap leaves the rest of memory to the page cache
# (which Lucene lives on) and to OCR processes.
ES_HEAP=${ARCHIEF_ES_HEAP:-2g}
MINIO_PORT=${ARCHIEF_MINIO_PORT:-19000}
MINIO_CONSOLE_PORT=${ARCHIEF_MINIO_CONSOLE_PORT:-19001}
MINIO_USER=${ARCHIEF_MINIO_USER:-archief}
MINIO_PASSWORD=${ARCHIEF_MINIO_PASSWORD:-archief-local-only}
PG_PORT=${ARCHIEF_PG_PORT:-15432}
REDIS_PORT=${ARCHIEF_REDIS_PORT:-16379}
HEALTH_TIMEOUT=${ARCHIEF_HEALTH_TIMEOUT:-180}

# Elasticsearch and PostgreSQL refuse to run as root; when we are root they run
# as this unprivileged system user.
SERVICE_USER=${ARCHIEF_SERVICE_USER:-archief}

# chromium and chromium-driver: the public face's end-to-end tests drive
# Debian's browser headless (tests/publiek/browser.py); nothing downloads one.
APT_PACKAGES=(postgresql redis-server tesseract-ocr tesseract-ocr-nld tesseract-ocr-eng
  tesseract-ocr-osd poppler-utils
  unzip curl ca-certificates openjdk-17-jdk-headless maven fonts-dejavu-core
  chromium chromium-driver)

if [ -t 2 ]; then B=$'\e[1m'; R=$'\e[31m'; G=$'\e[32m'; Y=$'\e[33m'; N=$'\e[0m'; else B=; R=; G=; Y=; N=; fi
# Progress goes to stderr so functions can return values on stdout.
log() { printf '%s==>%s %s\n' "$B" "$N" "$*" >&2; }
ok() { printf '  %s✓%s %s\n' "$G" "$N" "$*" >&2; }
warn() { printf '  %s!%s %s\n' "$Y" "$N" "$*" >&2; }
die() {
  printf '%serror:%s %s\n' "$R" "$N" "$*" >&2
  exit 1
}

is_root() { [ "$(id -u)" = 0 ]; }

# Run a command as the service user (or as ourselves when we are not root),
# from / because our working directory may be closed to that user.
as_service() {
  if is_root; then (cd / && runuser -u "$SERVICE_USER" -- "$@"); else "$@"; fi
}

# Wait until "$@" succeeds, or fail naming the service and its log.
wait_for() {
  local name=$1 logfile=$2
  shift 2
  local deadline=$((SECONDS + HEALTH_TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      warn "last lines of $logfile:"
      tail -n 20 "$logfile" >&2 2>/dev/null || true
      die "$name did not become healthy within ${HEALTH_TIMEOUT}s (log: $logfile)"
    fi
    sleep 1
  done
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Download once into the cache and check the checksum Maven Central publishes.
fetch_cached() {
  local url=$1 dest=$2
  [ -s "$dest" ] && return 0
  mkdir -p "$(dirname "$dest")"
  log "downloading $(basename "$dest")"
  curl -fSL --retry 3 --connect-timeout 20 -o "$dest.part" "$url" ||
    die "download failed: $url"
  local want
  want=$(curl -fsSL --retry 3 "$url.sha1" | awk '{print $1}') || die "no checksum at $url.sha1"
  local got
  got=$(sha1sum "$dest.part" | awk '{print $1}')
  [ "$want" = "$got" ] || die "checksum mismatch for $url (want $want, got $got)"
  mv "$dest.part" "$dest"
}

# Service-owned state must be reachable by the service user. A checkout under a
# private directory (mktemp -d makes 0700 ones) is not, so such state then lives
# under /var/lib/archief and ./var holds a symlink to it. Prints the real path,
# which is the one the service user can use.
service_dir() {
  local name=$1 dir=$VAR/$1
  if is_root; then
    if [ -L "$dir" ] && [ -d "$dir/" ]; then
      readlink -f "$dir"
      return
    fi
    mkdir -p "$dir"
    chown "$SERVICE_USER": "$dir"
    if ! runuser -u "$SERVICE_USER" -- test -w "$dir"; then
      local alt
      alt=/var/lib/archief/$(printf '%s' "$VAR" | sha1sum | cut -c1-12)/$name
      rmdir "$dir" 2>/dev/null || true
      mkdir -p "$alt"
      chown -R "$SERVICE_USER": "$(dirname "$alt")"
      ln -sfn "$alt" "$dir"
      warn "$SERVICE_USER cannot reach $VAR; $name state lives in $alt (linked from $dir)"
      dir=$alt
    fi
  else
    mkdir -p "$dir"
  fi
  echo "$dir"
}

java_home() {
  if [ -n "${ARCHIEF_JAVA_HOME:-}" ]; then echo "$ARCHIEF_JAVA_HOME"; return; fi
  local j
  for j in /usr/lib/jvm/java-17-openjdk-* /usr/lib/jvm/java-21-openjdk-*; do
    [ -x "$j/bin/java" ] && { echo "$j"; return; }
  done
  [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && { echo "$JAVA_HOME"; return; }
  return 1
}

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/pg_ctl" ] && echo "$d"
  done | sort -V | tail -n 1
}
