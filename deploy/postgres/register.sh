#!/bin/sh
# The benefit register's own database and role on the PostgreSQL service (run
# once, when the service first creates its data folder), with the password from
# FASTTRACK_DB_PASSWORD. The worker's migrations create the tables.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v password="$FASTTRACK_DB_PASSWORD" <<'SQL'
CREATE ROLE fasttrack LOGIN PASSWORD :'password';
CREATE DATABASE fasttrack_register OWNER fasttrack;
SQL
