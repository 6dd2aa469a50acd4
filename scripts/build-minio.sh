#!/usr/bin/env bash
# Builds the pinned MinIO server from the Go module proxy, with the patches in
# deploy/minio applied, into the given binary.
#
# Why patched: the pinned release's response writer does not pass Flush
# through, so its bucket-notification listen API (the gateway's live event
# stream) delivers nothing until kilobytes have piled up. The patch adds the
# missing method and nothing else.
#
#   scripts/build-minio.sh VERSION OUTPUT
set -euo pipefail
version=$1
out=$2
here=$(cd "$(dirname "$0")/.." && pwd)

work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

# Download outside any module so the project's go.mod is not involved.
src=$(cd "$work" && GO111MODULE=on GOFLAGS= go mod download -json "github.com/minio/minio@$version" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$src" ] || { echo "build-minio: module source not found" >&2; exit 1; }

cp -R "$src" "$work/minio"
chmod -R u+w "$work/minio"
for p in "$here"/deploy/minio/*.patch; do
  git -C "$work/minio" apply --verbose "$p" 2>&1 | sed 's/^/  /' >&2 || { echo "build-minio: $p does not apply" >&2; exit 1; }
done
mkdir -p "$(dirname "$out")"
(cd "$work/minio" && CGO_ENABLED=0 go build -trimpath -o "$out.tmp" .)
mv "$out.tmp" "$out"
