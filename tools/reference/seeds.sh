#!/usr/bin/env bash
# The PyTorch reference (train.py beside this file) on the low-data protocol over several seeds, all runs side by
# side: the spread our lowdata runs are compared with. Needs python3 with tools/reference/requirements.txt (no Node),
# so it runs on a GPU machine as well as here:
#   bash tools/reference/seeds.sh DATA_DIR OUT_DIR
# It also runs on a CPU (slowly: ~30 min a run on two cores); N, WIDTH, EPOCHS and SEEDS override the protocol for a
# quick check. Writes one JSON-lines file, $OUT/reference-lowdata.jsonl (per-epoch records, the final record with
# white-box FGSM, and black-box FGSM made on the second ERM, and the clean models' white-box FGSM along the exact
# gradient's sign from fgsm.py beside this file, and every model's calibration from calibration.py), which
# `results/reference/` keeps.
set -euo pipefail
data=${1:?data folder with data_batch_1.bin and test_batch.bin}
out=${2:?output folder}
here=$(cd "$(dirname "$0")" && pwd)
script="$here/train.py"
N=${N:-2500}; WIDTH=${WIDTH:-16}; EPOCHS=${EPOCHS:-240}; SEEDS=${SEEDS:-"1 2 3"}
export EVAL_EVERY=${EVAL_EVERY:-10}
mkdir -p "$out/models"
log="$out/reference-lowdata.jsonl"
run() { python3 "$script" run "$1" "$data" "$N" "$WIDTH" "$EPOCHS" "$2" "$3" "$4" "$log" "$out/models/$1.pt"; }
for s in $SEEDS; do
  run "erm-s$s" 0 0 "$s" &
  run "mixup-s$s" 1 0 "$s" &
  run "erm-noise50-s$s" 0 0.5 "$s" &
  run "mixup8-noise50-s$s" 8 0.5 "$s" &
  run "erm2-s$((s + 100))" 0 0 "$((s + 100))" &   # the second ERM that black-box examples are made on
done
wait
# Black-box: FGSM examples made on each seed's second ERM, scored on that seed's ERM and mixup.
for s in $SEEDS; do
  python3 "$script" blackbox "$data" "$out/models/erm2-s$((s + 100)).pt" "$out/models/erm-s$s.pt" "$out/models/mixup-s$s.pt" >> "$log"
done
# White-box FGSM along the exact gradient (what lib/attacks/fgsm does; the script's own float32 attack understates
# a confident ERM model's error), one line per clean model, attached to its run by name.
CIFAR10_DIR="$data" python3 "$here/fgsm.py" \
  $(for s in $SEEDS; do echo "$out/models/erm-s$s.pt $out/models/mixup-s$s.pt"; done) >> "$log"
# Calibration (ECE, reliability bins, confidence on inputs of no class) of every model, as lib/eval/calibration measures it.
CIFAR10_DIR="$data" python3 "$here/calibration.py" "$out"/models/*.pt >> "$log"
rm -rf "$out/models"   # weights do not come back (8 files at most); the JSON lines are the evidence
echo "reference runs: $(grep -c '"final": true' "$log") finished, black-box rows $(grep -c fgsm_black "$log"), in $log"
