#!/bin/sh
# Entry point of the Clinic Concierge image: picks the process to run from the first argument.
#   web (default)          node dist/src/server.js
#   worker                 node dist/src/worker.js
#   concierge <command…>   node bin/concierge.js <command…> (e.g. concierge migrate, concierge audit verify)
#   healthcheck            exits 0 when /healthz answers 200 on $METRICS_PORT if set, else $PORT (HEALTHCHECK)
#   anything else          run as given (e.g. sh, node -e …)
# `exec` leaves node as the only child of tini, so SIGTERM reaches it.
set -eu
cd /app

role=${1:-web}
if [ "$#" -gt 0 ]; then shift; fi

case "$role" in
  web)
    exec node dist/src/server.js "$@"
    ;;
  worker)
    exec node dist/src/worker.js "$@"
    ;;
  concierge)
    exec node bin/concierge.js "$@"
    ;;
  healthcheck)
    exec node -e '
      const port = process.env.METRICS_PORT || process.env.PORT || "3000";
      fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(4000) }).then(
        (response) => process.exit(response.status === 200 ? 0 : 1),
        () => process.exit(1),
      );
    '
    ;;
  *)
    exec "$role" "$@"
    ;;
esac
