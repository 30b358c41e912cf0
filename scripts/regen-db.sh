#!/usr/bin/env bash
# Pre-release: one init migration regenerated from prisma/schema.prisma, then the client.
# (After the first release, add new migration folders instead of rewriting this one.)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
tmp=$(mktemp -d)
DATABASE_URL="file:$tmp/empty.db" prisma migrate diff --from-empty --to-schema-datamodel prisma/schema.prisma --script > "$tmp/migration.sql"
mv "$tmp/migration.sql" prisma/migrations/20261128000000_init/migration.sql
rm -rf "$tmp"
prisma generate >/dev/null
echo "migration and client regenerated"
