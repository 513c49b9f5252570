#!/usr/bin/env bash
# Restores a backup written by backup.sh into the database at DATABASE_URL.
#
# Before the target is touched: the file must match its .sha256 checksum, and the whole file must decrypt and read
# as a complete pg_dump archive (a wrong passphrase or a damaged file stops here). The target must not already hold
# tables of the backup's schemas unless --clean is given. The restore itself is one transaction: it applies
# completely or not at all. Decrypted data only ever flows through pipes, never to disk.
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
  cat <<EOF
Usage: $PROGRAM [--clean] [--verify-only] FILE

Restores FILE (concierge-<timestamp>.dump.enc, written by backup.sh) into the target database.

  --clean, --force   the target may already hold the backup's tables: they are dropped and recreated
                     (objects that are not in the backup are left alone; an empty database is cleaner)
  --verify-only      check the checksum, decrypt and read the whole archive, print its contents; restore nothing
  -h, --help         this text

Environment:
  DATABASE_URL            the target, postgres://user[:password]@host:5432/db (else PGDATABASE with PGHOST,
                          PGPORT, PGUSER, PGPASSWORD, PGSSLMODE...); a password in the URL is passed as
                          PGPASSWORD, never on a command line. The database must exist: createdb it first.
  BACKUP_PASSPHRASE_FILE  file whose first line is the passphrase the backup was made with (required)

FILE.sha256 must sit next to FILE. Objects are restored owned by the connecting user, without the backup's
grants (pg_restore --no-owner --no-privileges). Afterwards run the product's migrations (it does at start,
or: npx concierge migrate) and check the audit trail: npx concierge audit verify.
Exit status: 0 restored (or verified), 1 refused or failed (the target is unchanged), 2 wrong usage.
EOF
}


clean=false
verify_only=false
file=
while [ $# -gt 0 ]; do
  case $1 in
    -h | --help)
      usage
      exit 0
      ;;
    --clean | --force) clean=true ;;
    --verify-only) verify_only=true ;;
    -*) usage_error "unknown option: $1" ;;
    *)
      [ -z "$file" ] || usage_error "give one backup file"
      file=$1
      ;;
  esac
  shift
done

[ -n "$file" ] || usage_error "give the backup file to restore"
[ -r "$file" ] || fail "cannot read $file"
passphrase_file=${BACKUP_PASSPHRASE_FILE:-}
[ -n "$passphrase_file" ] || usage_error "set BACKUP_PASSPHRASE_FILE"
[ -r "$passphrase_file" ] || fail "cannot read BACKUP_PASSPHRASE_FILE $passphrase_file"
split_database_url
target=${database_url:-${PGDATABASE:-}}
$verify_only || [ -n "$target" ] || usage_error "set DATABASE_URL (or PGDATABASE) to the target database"
for tool in pg_restore psql openssl sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed (Debian: apt-get install postgresql-client openssl)"
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

decrypt() {
  openssl enc -d -aes-256-cbc -pbkdf2 -iter "$PBKDF2_ITERATIONS" -pass "file:$passphrase_file" -in "$file"
}

# 1. The checksum: catches a truncated, damaged or replaced file before anything is decrypted.
checksum_file="$file.sha256"
[ -r "$checksum_file" ] || fail "no checksum file $checksum_file next to the backup; refusing to restore"
expected=$(cut -d ' ' -f 1 "$checksum_file")
[[ $expected =~ ^[0-9a-f]{64}$ ]] || fail "$checksum_file does not hold a sha256 checksum"
actual=$(sha256sum "$file" | cut -d ' ' -f 1)
[ "$expected" = "$actual" ] ||
  fail "checksum mismatch: $file is damaged or was changed (expected $expected, got $actual); nothing was restored"

# 2. The whole archive decrypts and reads (pg_restore decompresses every table's data into /dev/null).
if ! decrypt 2>"$work/decrypt.err" | pg_restore --file=/dev/null 2>"$work/read.err"; then
  cat "$work/decrypt.err" "$work/read.err" >&2
  fail "cannot decrypt or read $file: the passphrase in BACKUP_PASSPHRASE_FILE is wrong, or the file is damaged; nothing was restored"
fi

# 3. Its table of contents: what it holds, and in which schemas.
decrypt | { pg_restore --list >"$work/toc" && cat >/dev/null; } || fail "cannot list the contents of $file"
created=$(sed -n 's/^; Archive created at //p' "$work/toc")
source_db=$(sed -n 's/^;[[:space:]]*dbname: //p' "$work/toc")
mapfile -t tables < <(awk '$4 == "TABLE" && $5 != "DATA" { print $5 "." $6 }' "$work/toc")
schemas=$(awk '$4 == "SCHEMA" && $5 == "-" { print $6 } $4 == "TABLE" && $5 != "DATA" { print $5 }' "$work/toc" | sort -u | paste -sd ,)
printf 'backup %s: made %s from database %s; %s tables in schema(s) %s\n' \
  "$file" "$created" "$source_db" "${#tables[@]}" "${schemas:-none}"
if $verify_only; then
  printf 'verified: checksum matches, decrypts, and reads as a complete archive\n'
  exit 0
fi

target_sql() {
  psql --dbname="$target" --no-psqlrc --no-align --tuples-only --quiet --set=ON_ERROR_STOP=1 --set=schemas="$schemas" "$@"
}
target_sql --command='select 1' >/dev/null || fail "cannot connect to the target database"
target_name=$(target_sql --command='select current_database()')

# 4. Refuse a target that already holds objects in the backup's schemas, unless told to replace them.
existing=$(target_sql <<'SQL'
select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = any(string_to_array(:'schemas', ',')) and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f');
SQL
)
if [ "$existing" -gt 0 ] && ! $clean; then
  fail "database $target_name already holds $existing tables, views or sequences in schema(s) $schemas;" \
    "restore into an empty database (createdb), or give --clean to replace them. Nothing was restored"
fi

# 5. Schemas that exist already (public, always) are not created again; the rest of the list is restored as is.
existing_schemas=$(target_sql <<'SQL'
select nspname from pg_namespace where nspname = any(string_to_array(:'schemas', ','));
SQL
)
awk -v existing="$existing_schemas" '
  BEGIN { count = split(existing, names, "\n"); for (i = 1; i <= count; i++) skip[names[i]] = 1 }
  ($4 == "SCHEMA" && $5 == "-" && ($6 in skip)) || ($4 == "COMMENT" && $5 == "-" && $6 == "SCHEMA" && ($7 in skip)) { print ";" $0; next }
  { print }
' "$work/toc" >"$work/restore.list"

restore_args=(--dbname="$target" --exit-on-error --single-transaction --no-owner --no-privileges
  --use-list="$work/restore.list")
if $clean; then restore_args+=(--clean --if-exists); fi
started=$(date +%s)
decrypt | pg_restore "${restore_args[@]}" || fail "pg_restore failed; the transaction was rolled back, $target_name is unchanged"

printf 'restored %s into database %s in %ss:\n' "$file" "$target_name" "$(($(date +%s) - started))"
target_sql --field-separator=' ' <<'SQL'
select format('  %-40s %s rows', table_schema || '.' || table_name,
  (xpath('/row/c/text()', query_to_xml(format('select count(*) as c from %I.%I', table_schema, table_name), false, true, '')))[1]::text)
from information_schema.tables
where table_schema = any(string_to_array(:'schemas', ',')) and table_type = 'BASE TABLE'
order by table_schema, table_name;
SQL
printf 'next: start the product (it migrates at start, or run: npx concierge migrate), then: npx concierge audit verify\n'
