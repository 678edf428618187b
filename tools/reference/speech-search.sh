#!/usr/bin/env bash
# The regime search of notebook 6 on the PyTorch speech reference (speech.py beside this file): a grid of splits,
# nets, widths, epochs, alphas and seeds, P runs side by side at one thread each, every run's JSON lines appended to
# one file. Runs that already have a final line there are skipped, so the search can stop anywhere and go on later.
# Needs python3 with tools/reference/requirements.txt and the exported spectrograms:
#   node dist/tools/reference/export-speech.js SPEECH official speaker:nicolas
#   bash tools/reference/speech-search.sh SPEECH OUT.jsonl GRID_FILE
# GRID_FILE holds one run per line, in the order to run them: SPLIT MODEL WIDTH EPOCHS ALPHA SEED (# comments).
# Every epoch is scored, so a 60-epoch run also gives the 10- and 30-epoch errors (Adam's rate is constant).
set -euo pipefail
export SEARCH_DATA=${1:?folder of exported spectrograms} SEARCH_OUT=${2:?output JSON-lines file}
grid=${3:?grid file}
export SEARCH_PY=${PYTHON:-python3} SEARCH_SCRIPT
SEARCH_SCRIPT="$(cd "$(dirname "$0")" && pwd)/speech.py"
touch "$SEARCH_OUT"
one() {
  local name="$1$([ "$1" = vgg ] && echo "$2")-$4-a$5-e$3-s$6"
  grep -q "\"name\": \"$name\", .*\"final\": true" "$SEARCH_OUT" && return 0
  echo "speech-search: $name" >&2
  OMP_NUM_THREADS=1 "$SEARCH_PY" "$SEARCH_SCRIPT" run "$name" "$SEARCH_DATA" "$4" "$1" "$2" "$3" "$5" "$6" "$SEARCH_OUT" 2>/dev/null ||
    echo "speech-search: $name failed" >&2
}
export -f one
# Fields reordered to MODEL WIDTH EPOCHS SPLIT ALPHA SEED for one().
grep -v '^\s*\(#\|$\)' "$grid" | awk '{ print $2, $3, $4, $1, $5, $6 }' | xargs -P "${P:-$(nproc)}" -L 1 bash -c 'one "$@"' _
echo "speech-search: $(grep -c '"final": true' "$SEARCH_OUT") finished runs in $SEARCH_OUT"
