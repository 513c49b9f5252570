#!/usr/bin/env bash
# Encrypted logical backup of the Clinic Concierge database.
#
# pg_dump (custom format) is piped straight into openssl (AES-256-CBC, PBKDF2 200 000 iterations, random salt), so
# no unencrypted byte reaches the disk. The file is written as .partial and renamed only once complete, next to a
# sha256 checksum. Backups older than BACKUP_RETENTION_DAYS are then deleted (never the newest). See usage below and
# infra/docs/disaster-recovery.md.
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
  cat <<EOF
Usage: $PROGRAM [--dir DIR]

Writes DIR/concierge-<UTC timestamp>.dump.enc (pg_dump -Fc, encrypted with openssl aes-256-cbc)
and DIR/concierge-<UTC timestamp>.dump.enc.sha256, then deletes backups older than the retention period
(never the newest one). Restore with restore.sh.

Environment:
  DATABASE_URL            postgres://user[:password]@host:5432/db (else the standard PGHOST, PGPORT, PGUSER,
                          PGPASSWORD, PGDATABASE, PGSSLMODE... variables are used). A password in the URL is
                          passed to pg_dump as PGPASSWORD, never on its command line; ~/.pgpass works too
  DATABASE_SCHEMA         dump only this schema (as the product's DATABASE_SCHEMA); unset: the whole database
  BACKUP_DIR              where backups go (or --dir)
  BACKUP_PASSPHRASE_FILE  file whose first line is the encryption passphrase (required; never pass it on
                          the command line). Create one: openssl rand -base64 48 > FILE && chmod 600 FILE
  BACKUP_RETENTION_DAYS   delete backups older than this many days (default 35; the newest is always kept)
  BACKUP_UPLOAD_CMD       optional: run with bash after a successful backup, with the backup file as \$1 and
                          its checksum file as \$2, e.g. 'aws s3 cp "\$1" s3://bucket/ && aws s3 cp "\$2" s3://bucket/'.
                          A failing upload makes this script exit 1 (the local backup is kept).

Needs pg_dump (same major version as the server or newer), openssl, sha256sum, GNU find.
Exit status: 0 done, 1 failed (nothing partial is left behind), 2 wrong usage.
EOF
}


backup_dir=${BACKUP_DIR:-}
while [ $# -gt 0 ]; do
  case $1 in
    -h | --help)
      usage
      exit 0
      ;;
    --dir)
      [ $# -ge 2 ] || usage_error "--dir needs a folder"
      backup_dir=$2
      shift 2
      ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done

[ -n "$backup_dir" ] || usage_error "set BACKUP_DIR or give --dir"
passphrase_file=${BACKUP_PASSPHRASE_FILE:-}
[ -n "$passphrase_file" ] || usage_error "set BACKUP_PASSPHRASE_FILE"
[ -r "$passphrase_file" ] || fail "cannot read BACKUP_PASSPHRASE_FILE $passphrase_file"
[ -n "$(head -n 1 "$passphrase_file")" ] || fail "the first line of $passphrase_file is empty"
if [ -n "$(find "$passphrase_file" -perm /044 2>/dev/null)" ]; then
  printf '%s: warning: %s is readable by other users; chmod 600 it\n' "$PROGRAM" "$passphrase_file" >&2
fi
retention_days=${BACKUP_RETENTION_DAYS:-35}
[[ $retention_days =~ ^[1-9][0-9]*$ ]] || usage_error "BACKUP_RETENTION_DAYS must be a whole number of days, 1 or more"
for tool in pg_dump openssl sha256sum find; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed (Debian: apt-get install postgresql-client openssl)"
done

umask 077
mkdir -p "$backup_dir"
timestamp=$(date -u +%Y%m%dT%H%M%SZ)
backup_file="$backup_dir/concierge-$timestamp.dump.enc"
checksum_file="$backup_file.sha256"
[ ! -e "$backup_file" ] || fail "$backup_file already exists"

partial_files=("$backup_file.partial" "$checksum_file.partial")
remove_partial_files() { rm -f "${partial_files[@]}"; }
trap remove_partial_files EXIT

dump_args=(--format=custom --no-password)
[ -z "${DATABASE_SCHEMA:-}" ] || dump_args+=(--schema="$DATABASE_SCHEMA")
split_database_url
[ -z "$database_url" ] || dump_args+=(--dbname="$database_url")

started=$(date +%s)
# pipefail: a failing pg_dump fails the pipeline even though openssl encrypted what it was given.
pg_dump "${dump_args[@]}" |
  openssl enc -aes-256-cbc -pbkdf2 -iter "$PBKDF2_ITERATIONS" -salt -pass "file:$passphrase_file" \
    -out "$backup_file.partial" ||
  fail "pg_dump or encryption failed; no backup was written"

digest=$(sha256sum "$backup_file.partial" | cut -d ' ' -f 1)
printf '%s  %s\n' "$digest" "$(basename "$backup_file")" >"$checksum_file.partial"
# The checksum first: a backup file that exists is always complete and has its checksum.
mv "$checksum_file.partial" "$checksum_file"
mv "$backup_file.partial" "$backup_file"
trap - EXIT

bytes=$(stat -c %s "$backup_file")
printf 'backup written: %s (%s bytes, sha256 %s, %ss)\n' "$backup_file" "$bytes" "$digest" "$(($(date +%s) - started))"

# Retention: only after a successful backup, by modification time, never the newest backup.
newest=$(find "$backup_dir" -maxdepth 1 -type f -name 'concierge-*.dump.enc' -printf '%T@ %p\n' | sort -n | tail -n 1 | cut -d ' ' -f 2-)
while IFS= read -r -d '' old; do
  [ "$old" != "$newest" ] || continue
  rm -f -- "$old" "$old.sha256"
  printf 'retention: deleted %s (older than %s days)\n' "$old" "$retention_days"
done < <(find "$backup_dir" -maxdepth 1 -type f -name 'concierge-*.dump.enc' -mmin "+$((retention_days * 1440))" -print0)
# Left by a run that was killed (SIGKILL, power loss) before its trap could clean up.
find "$backup_dir" -maxdepth 1 -type f -name 'concierge-*.partial' -mmin +1440 -delete

if [ -n "${BACKUP_UPLOAD_CMD:-}" ]; then
  bash -c "$BACKUP_UPLOAD_CMD" backup-upload "$backup_file" "$checksum_file" ||
    fail "BACKUP_UPLOAD_CMD failed (exit $?); the local backup $backup_file is kept"
  printf 'uploaded: %s\n' "$backup_file"
fi
