# shellcheck shell=bash
# Shared by backup.sh and restore.sh: the calling script's name for messages, the key-derivation work factor (the two
# must agree, or a backup cannot be decrypted), DATABASE_URL handling, and error exits.

PROGRAM=$(basename "$0")
# shellcheck disable=SC2034 # read by the scripts that source this
PBKDF2_ITERATIONS=200000
# shellcheck source=lib/database-url.sh
source "$(dirname "${BASH_SOURCE[0]}")/database-url.sh"

fail() {
  printf '%s: error: %s\n' "$PROGRAM" "$*" >&2
  exit 1
}

usage_error() {
  printf '%s: %s (see %s -h)\n' "$PROGRAM" "$*" "$PROGRAM" >&2
  exit 2
}
