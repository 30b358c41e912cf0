#!/usr/bin/env bash
# After editing prisma/schema.prisma: derive the PostgreSQL schema from it and regenerate both
# clients (src/db/generated for SQLite, src/db/generated-pg for PostgreSQL; both git-ignored).
# A schema change also needs a new migration folder for EACH provider, with the same name, in
# prisma/migrations (SQLite) and prisma/migrations-postgresql, each holding the output of
#   DATABASE_URL=<file: or postgresql:// URL> npx prisma migrate diff \
#     --from-schema-datamodel <schema before> --to-schema-datamodel <schema after> --script
# (the PostgreSQL diff needs a reachable server: scripts/pg-cluster.sh start <dir> gives one).
# Released migrations are never rewritten: src/db/migrate.ts records their checksums.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
bash scripts/derive-pg-schema.sh
prisma generate --schema prisma/schema.prisma >/dev/null
prisma generate --schema prisma/postgresql/schema.prisma >/dev/null
echo "postgresql schema derived, both clients regenerated"
