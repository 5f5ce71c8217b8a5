#!/bin/sh
# attack-reports.sh replays issue 19's report attack on a real `selfcheck
# serve` process: one firm's assessment with every item answered, a
# 20,000-character note and a 5,000-character plan on each (written into
# the database directly, so the attack can be replayed against a build
# whose limits refuse such notes), then ROUNDS rounds of N downloads of its
# PDF at once, while /healthz is timed and the process's RSS sampled.
#
#   sh cmd/selfcheck-bench/attack-reports.sh ./selfcheck [N] [ROUNDS] [PORT]
#
# NOTE and MEASURE (environment) change the note's and the measure's
# length, to replay the attack at the limits a build accepts.
#
# Prints the statuses of the downloads, the peak RSS (VmHWM) and the
# slowest /healthz. Needs curl, sqlite3 and python3. docs/BENCHMARKS.md
# has the figures.
set -eu
BIN=$1 N=${2:-16} ROUNDS=${3:-2} PORT=${4:-18080} NOTE=${NOTE:-20000} MEASURE=${MEASURE:-5000}
[ "$N" -ge 1 ] && [ "$ROUNDS" -ge 1 ] || { echo "N and ROUNDS must be at least 1" >&2; exit 2; }
DIR=$(mktemp -d)
PROBE=
trap 'kill $PID $PROBE 2>/dev/null; rm -rf "$DIR"' EXIT INT TERM
DB=$DIR/x.db URL=http://127.0.0.1:$PORT
"$BIN" serve --demo --db "$DB" --addr 127.0.0.1:$PORT >"$DIR/serve.log" 2>&1 &
PID=$!
until grep -q 'is running at' "$DIR/serve.log" 2>/dev/null && curl -fs "$URL/healthz" >/dev/null 2>&1; do sleep 0.2; done
TOKEN=$("$BIN" token create --email firm@demo.local --db "$DB")
H="Authorization: Bearer $TOKEN"
THEMES=$(curl -fs -H "$H" "$URL/api/v1/checklists" | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d.get("checklists",d) if isinstance(d,dict) else d; print(json.dumps([c["id"] for c in d]))')
ID=$(curl -fs -H "$H" -H 'Content-Type: application/json' -d "{\"themes\":$THEMES}" "$URL/api/v1/assessments" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
ITEMS=$(curl -fs -H "$H" "$URL/api/v1/assessments/$ID" | python3 -c '
import json,sys
d=json.load(sys.stdin)
def walk(o):
    if isinstance(o,dict):
        if "item" in o and isinstance(o["item"],str): yield o["item"]
        elif "id" in o and "answer" in o: yield o["id"]
        for v in o.values(): yield from walk(v)
    elif isinstance(o,list):
        for v in o: yield from walk(v)
print(" ".join(dict.fromkeys(walk(d))))')
for it in $ITEMS; do
  curl -fs -o /dev/null -X PUT -H "$H" -H 'Content-Type: application/json' -d '{"response":"non_compliant","note":"n"}' "$URL/api/v1/assessments/$ID/answers/$it"
  curl -fs -o /dev/null -X PUT -H "$H" -H 'Content-Type: application/json' -d '{"measure":"m","owner":"o","due":"2030-01-01"}' "$URL/api/v1/assessments/$ID/answers/$it/plan"
done
sqlite3 "$DB" "UPDATE answers SET note = replace(hex(zeroblob($NOTE)), '00', '测') WHERE assessment_id = $ID;
UPDATE plans SET measure = replace(hex(zeroblob($MEASURE)), '00', '改') WHERE assessment_id = $ID;"
echo "items: $(echo $ITEMS | wc -w)  RSS before: $(awk '/VmRSS/{print $2/1024 " MB"}' /proc/$PID/status)"
(while kill -0 $PID 2>/dev/null; do
  curl -s -o /dev/null -w '%{time_total}\n' "$URL/healthz" >>"$DIR/healthz"; sleep 0.25
done) &
PROBE=$!
start=$(date +%s)
for r in $(seq "$ROUNDS"); do
  pids=
  for i in $(seq "$N"); do
    curl -s -o "$DIR/r$i.pdf" -w '%{http_code}\n' -H "$H" "$URL/api/v1/assessments/$ID/report.pdf" >>"$DIR/codes" &
    pids="$pids $!"
  done
  wait $pids || true # a download cut off counts in the statuses (000)
done
echo "downloads: $(sort "$DIR/codes" | uniq -c | tr '\n' ' ') in $(( $(date +%s) - start )) s"
for f in "$DIR"/r*.pdf; do
  if head -c 5 "$f" | grep -q '%PDF-'; then
    echo "one report: $(wc -c <"$f") bytes"; break
  fi
done
echo "peak RSS: $(awk '/VmHWM/{print $2/1024 " MB"}' /proc/$PID/status)"
sort -n "$DIR/healthz" | awk '{ t[NR] = $1 } END {
  printf "/healthz over %d probes: median %.0f ms, 90th percentile %.0f ms, slowest %.0f ms\n",
    NR, 1000 * t[int((NR + 1) / 2)], 1000 * t[int(NR * 0.9 + 0.5)], 1000 * t[NR] }'
