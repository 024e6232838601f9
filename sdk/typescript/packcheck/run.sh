#!/usr/bin/env bash
# npm pack @statusd/client, install the tarball into a fresh project in a
# temporary folder outside the repository, compile consumer.ts there with
# tsc and run it against a real statusd built from this repository.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sdk=$(dirname "$here")
repo=$(cd "$sdk/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$repo" && go build -o "$work/statusd" ./cmd/statusd)
(cd "$sdk" && npm pack --silent --pack-destination "$work")
mkdir "$work/consumer"
cp "$here/consumer.ts" "$here/tsconfig.json" "$work/consumer/"
cd "$work/consumer"
npm init -y >/dev/null
npm pkg set type=module
npm install --no-audit --no-fund "$work"/statusd-client-*.tgz typescript@5.9.3 @types/node@20.19.25
npx tsc -p .
STATUSD_BIN="$work/statusd" node consumer.js
