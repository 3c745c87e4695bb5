#!/bin/sh
# One-shot (admin-tools image): creates Temporal's two databases on PostgreSQL and
# brings both schemas to this server's version. Each step is idempotent (as the
# server's own setup runs them at every start), so the job runs at every `up`;
# any failure stops it, and the server does not start.
set -eu
: "${TEMPORAL_DB_PASSWORD:?set the password of the temporal database role}"
export SQL_PASSWORD="$TEMPORAL_DB_PASSWORD"
for database in temporal temporal_visibility; do
    schema=$([ "$database" = temporal ] && echo temporal || echo visibility)
    sql_tool="temporal-sql-tool --plugin postgres12 --ep postgresql -p 5432 -u temporal --db $database"
    $sql_tool create
    $sql_tool setup-schema -v 0.0
    $sql_tool update-schema -d "/etc/temporal/schema/postgresql/v12/$schema/versioned"
done
echo "Temporal's schemas are up to date."
