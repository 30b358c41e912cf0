#!/usr/bin/env bash
# prisma/schema.prisma is the one source of the models. A Prisma schema cannot switch provider
# (env() in `provider` is rejected) and a generated client embeds its provider, so the PostgreSQL
# schema is derived from it here by swapping the datasource and the generator's output; the result
# is committed because `prisma generate` and `prisma migrate diff` read it from disk.
# `--check` exits 1 when the committed file is stale (run by the test suite).
set -euo pipefail
cd "$(dirname "$0")/.."
src=prisma/schema.prisma
dst=prisma/postgresql/schema.prisma
derived=$(
  printf '%s\n' "// DERIVED from prisma/schema.prisma by scripts/derive-pg-schema.sh: edit that file, then run this script."
  sed \
    -e 's#^\(  output *= *\)"\.\./src/db/generated"#\1"../../src/db/generated-pg"#' \
    -e 's#^\(  provider *= *\)"sqlite"#\1"postgresql"#' \
    -e 's#^\(  url *= *\)"file:\./unused"#\1"postgresql://unused@localhost/unused"#' \
    "$src"
)
for want in 'generated-pg"' 'provider = "postgresql"' 'postgresql://unused'; do
  grep -qF "$want" <<<"$derived" || { echo "derive-pg-schema: could not rewrite '$want' in $src" >&2; exit 1; }
done
if [ "${1:-}" = --check ]; then
  [ "$derived" = "$(cat "$dst" 2>/dev/null)" ] || { echo "$dst is stale: run scripts/derive-pg-schema.sh" >&2; exit 1; }
  exit 0
fi
mkdir -p "$(dirname "$dst")"
printf '%s\n' "$derived" > "$dst"
