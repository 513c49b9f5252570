# Sourced by backup.sh and restore.sh. A password inside DATABASE_URL would be visible to every local user in the
# process list once passed to pg_dump, pg_restore or psql, so it moves to PGPASSWORD (which libpq reads, and which
# only the same user can see) and the URL keeps the rest.
# shellcheck shell=bash

# Sets database_url to DATABASE_URL without its password, and exports PGPASSWORD when the URL had one.
split_database_url() {
  database_url=${DATABASE_URL:-}
  if [[ $database_url =~ ^(postgres(ql)?://[^:@/]*):([^@/]*)@(.*)$ ]]; then
    local encoded=${BASH_REMATCH[3]}
    encoded=${encoded//\\/\\\\}
    PGPASSWORD=$(printf '%b' "${encoded//%/\\x}")
    export PGPASSWORD
    database_url="${BASH_REMATCH[1]}@${BASH_REMATCH[4]}"
  fi
}
