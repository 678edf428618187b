#!/usr/bin/env bash
# The reference's ERM and mixup over seeds, each model then rescored by calibration.py beside this file (ECE, MCE, NLL,
# reliability bins, confidence on noise and on pixel-shuffled images): what notebook 2's calibration section sets our
# runs beside. Two runs at a time, one thread each (MAX_PARALLEL, OMP_NUM_THREADS override), on any machine with
# python3 and tools/reference/requirements.txt; a GPU machine runs them as well.
#   N=1000 WIDTH=8 EPOCHS=240 SEEDS="2 3 4" bash tools/reference/calibration-seeds.sh DATA_DIR OUT_FILE
# OUT_FILE (JSON lines: train.py's per-epoch and final records, then one "calibrated" line per model) is what
# results/reference/ keeps. The saved weights are deleted at the end: the lines are the evidence.
set -euo pipefail
data=${1:?data folder with data_batch_1.bin and test_batch.bin}
log=${2:?output JSON-lines file}
here=$(cd "$(dirname "$0")" && pwd)
PYTHON=${PYTHON:-python3}
N=${N:-2500}; WIDTH=${WIDTH:-16}; EPOCHS=${EPOCHS:-240}; SEEDS=${SEEDS:-"1 2 3"}; ALPHA=${ALPHA:-1}
export EVAL_EVERY=${EVAL_EVERY:-20} OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
MAX_PARALLEL=${MAX_PARALLEL:-2}
models=$(mktemp -d)
trap 'rm -rf "$models"' EXIT
names=()
for s in $SEEDS; do names+=("erm-s$s:0:$s" "mixup-s$s:$ALPHA:$s"); done
running=0
for spec in "${names[@]}"; do
  IFS=: read -r name alpha seed <<<"$spec"
  "$PYTHON" "$here/train.py" run "$name" "$data" "$N" "$WIDTH" "$EPOCHS" "$alpha" 0 "$seed" "$log" "$models/$name.pt" &
  running=$((running + 1))
  if [ "$running" -ge "$MAX_PARALLEL" ]; then wait -n; running=$((running - 1)); fi
done
wait
CIFAR10_DIR="$data" "$PYTHON" "$here/calibration.py" "$models"/*.pt >>"$log"
echo "reference runs: $(grep -c '"final": true' "$log") finished, $(grep -c '"calibrated"' "$log") calibrated, in $log"
