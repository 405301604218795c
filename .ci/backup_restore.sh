#!/usr/bin/env bash
# Backups that are known to restore: build the demo network in a fresh PostgreSQL database,
# back it up with `manage.py backup` (pg_dump, custom format), restore it into another fresh
# database with `manage.py restore`, and compare what must survive (.ci/impronta_db.py: the
# public counters, the attendance days, the audit log, every table's rows). Any difference
# fails. Called by .ci/run after the tests; runs alone as well.
set -euo pipefail
cd "$(dirname "$0")/.."

SERVER="${BACKUP_PG_SERVER:-postgres://postgres@127.0.0.1:5432}"
PREFISSO="${BACKUP_DB_PREFIX:-scu_ci_backup}"
ORIGINE="${PREFISSO}_origine"
COPIA="${PREFISSO}_copia"
PY=.venv/bin/python
CARTELLA="$(mktemp -d)"

pulisci() {
  for db in "$ORIGINE" "$COPIA"; do psql "$SERVER/postgres" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; done
  rm -rf "$CARTELLA"
}
trap pulisci EXIT

for db in "$ORIGINE" "$COPIA"; do
  psql "$SERVER/postgres" -qc "DROP DATABASE IF EXISTS $db" >/dev/null
  psql "$SERVER/postgres" -qc "CREATE DATABASE $db" >/dev/null
done

echo "demo network into $ORIGINE"
export DATABASE_URL="$SERVER/$ORIGINE"
unset REDIS_URL  # tasks in-process, no shared cache
$PY manage.py migrate --noinput -v0
$PY manage.py load_reference >/dev/null
$PY manage.py seed_demo >/dev/null
# The demo is built without audit events: write some the way the portal does, with the nightly
# job that concludes services, run as if a year had passed (one event per service, one INSERT).
$PY manage.py shell -c "import datetime; from django.utils import timezone; from volontari import ciclo; \
print('services concluded (audited):', ciclo.concludi_servizi_terminati(timezone.localdate() + datetime.timedelta(days=400)))"

echo "backup"
FILE="$($PY manage.py backup --cartella "$CARTELLA" --senza-media)"
ls -l "$FILE"

echo "restore into $COPIA"
$PY manage.py restore "$FILE" --database-url "$SERVER/$COPIA"

GIORNO="$(date +%F)"
$PY .ci/impronta_db.py "$SERVER/$ORIGINE" "$GIORNO" >"$CARTELLA/origine.json"
$PY .ci/impronta_db.py "$SERVER/$COPIA" "$GIORNO" >"$CARTELLA/copia.json"
if ! diff -u "$CARTELLA/origine.json" "$CARTELLA/copia.json"; then
  echo "the restored database differs from the original" >&2
  exit 1
fi
$PY - "$CARTELLA/origine.json" <<'PYEOF'
import json, sys
i = json.load(open(sys.argv[1]))
print(f"identical: {i['presenze']['righe']} attendance days, {i['audit']['righe']} audit events, "
      f"network counters {i['contatori']['rete']}, {len(i['tabelle'])} tables")
PYEOF
