#!/bin/bash
# Device exploration of training variants (not the recipe: train.py is, and runs on CPU). On a GPU machine
# lent through the `device` tool, from the repository root, with models/train/out/explore carried (pack.sh):
#   bash models/train/explore/run.sh            # generate, prepare, train the VARIANTS below side by side
#   EVAL_ONLY=1 bash models/train/explore/run.sh # held-out only, evaluating the checkpoints in $CHECKPOINTS
# Each variant is variant.py: train.py's sampler, loss and schedule on the GPU, then its float network on the
# held-out studies. Measured on an H100 (2026-11-26): 144 studies generated in 81 s and prepared in 39 s with
# 16 cores; eight variants side by side ran ~25 steps/s each (patch sampling on the CPU is the bottleneck, not
# the GPU) and their held-out evaluation, CPU-bound too (stacking and connected components), did not finish in
# the 5 minutes left: evaluate fewer variants there, or bring the checkpoints back and use evaluate_many.py.
#   ENSEMBLE=1 TRAIN_SETS=3 bash models/train/explore/run.sh  # seeds, snapshot ensembles, short pairs; then
#       ensemble_eval.py scores each network alone and the mean of several, beside the checkpoints in $A/prior
# Measured on an H200 (2026-11-26, ENSEMBLE=1 TRAIN_SETS=3 BUDGET=585 RESERVE=230): 104 studies generated and
# prepared in 91 s; seven variants of 6000 steps side by side in ~180 s (33 steps/s each); ensemble_eval.py with
# 15 processes then took 59–81 s to its first study (spawn, CUDA, 15 networks) and ~7 s per study after, so
# 24 of the 40 held-out studies were scored in the time left (PARTIAL= keeps what is done).
#   KINDS=1 TRAIN_SETS=3 bash models/train/explore/run.sh  # positives drawn by kind / nodule pixels weighed in
#       the BCE, four seeds each, scored beside the recipe's own seeds from $A/prior
# Measured on an H100 (2026-11-26, KINDS=1 TRAIN_SETS=3 BUDGET=580 RESERVE=215): 104 studies generated and
# prepared in 117 s; eight variants of 6000 steps side by side in 219–229 s; ensemble_eval.py with 15 processes
# scored the 12 networks alone (no averages) on all 40 held-out studies in 214 s.
#   RES=1 TARGET_MM=1.0 TRAIN_SETS=3 bash models/train/explore/run.sh  # the recipe on a finer in-plane grid
#   RESCORE=1 TRAIN_SETS=3 bash models/train/explore/run.sh  # six networks, then their candidates measured on the
#       held-out and three further sets (candidate_table.py) for fitting a false-positive reduction stage here
# SMOKE=1 PY=/usr/bin/python3 NODE=node runs it here on two studies per set.
set -u
E=$PWD/models/train/explore; A=$PWD/models/train/out/explore; export TRAIN_DIR=$PWD/models/train
PY=${PY:-python3}; BUDGET=${BUDGET:-545}; OUT=${OUT:-/tmp/explore-out}
mkdir -p /tmp/bin /tmp/site /tmp/res /tmp/data "$OUT"
log() { echo "[$SECONDS s] $*" | tee -a "$OUT/log.txt"; }
if [ -z "${NODE:-}" ]; then xz -dc "$A/node.xz" >/tmp/bin/node && chmod +x /tmp/bin/node; NODE=/tmp/bin/node; fi
tar -xJf "$A/pydicom.tar.xz" -C /tmp/site
export PYTHONPATH=/tmp/site
S=${SMOKE:+2}
gen() { $NODE "$A/overread-sample.mjs" /tmp/data/seed$1-n$2-s$3 --studies $2 --seed $1 --size $3 >/tmp/gen-$1.log 2>&1 || log "gen $1 failed"; }
HELDOUT_SPECS=("9001 10 512" "9003 20 256" "9002 10 256")   # train.py's HELDOUT_SETS
TRAIN_SPECS=("202 16 512" "101 24 256" "303 24 256" "606 16 512" "505 24 256")  # TRAIN_SETS + 505, 606
RESCORE_SPECS=("707 24 256" "808 16 512" "909 24 256")  # fitting the false-positive reduction stage (RESCORE=1)
specs=("${HELDOUT_SPECS[@]}"); [ -z "${EVAL_ONLY:-}" ] && specs+=("${TRAIN_SPECS[@]:0:${TRAIN_SETS:-5}}")
[ -n "${RESCORE:-}" ] && specs+=("${RESCORE_SPECS[@]}")
for spec in "${specs[@]}"; do set -- $spec; gen $1 ${S:-$2} $3 & done
wait
log "generated $(ls -d /tmp/data/*/study-* | wc -l) studies"
$PY "$E/prepare_shared.py" /tmp/data/seed* >>"$OUT/log.txt" 2>&1 || log "prepare failed"
H="seed9001 seed9002 seed9003"; T3="seed101 seed202 seed303"; T5="$T3 seed505 seed606"
X=${SMOKE:+--steps 40 --limit 1}
cap=$(awk "BEGIN{print ($BUDGET - $SECONDS - ${RESERVE:-200}) / 60}")
# ONLY="v0-base v5-base16" runs just those variants.
run() { name=$1; shift; [ -n "${ONLY:-}" ] && [[ " $ONLY " != *" $name "* ]] && return; $PY "$E/variant.py" --name $name --heldout $H --max-minutes $cap "$@" $X >/tmp/res/$name.log 2>&1 & }
if [ -n "${EVAL_ONLY:-}" ]; then
  export THRESHOLDS="0.3 0.5"
  for ck in ${CHECKPOINTS:?}; do
    base=$("$PY" -c "import torch,sys; print(torch.load(sys.argv[1])['model']['down.0.0.weight'].shape[0])" "$ck")
    run "$(basename "$ck" .pt)" --train none --checkpoint "$ck" --base "$base"
  done
elif [ -n "${RESCORE:-}" ]; then
  # A false-positive reduction stage (rescore_fit.py, on this machine afterwards) needs candidates from studies
  # the networks never trained on: the recipe's seeds and base width 16 (the best recall, 0.914 at 8 FP/scan,
  # ranked worst) trained side by side, then every candidate of each on the held-out and RESCORE_SPECS studies
  # measured and matched (candidate_table.py).
  log "training cap $cap min (rescore plan)"
  Y="--no-eval $X"
  for seed in 1234 11 13; do
    run r-s$seed --train $T3 --seed $seed $Y
    run b16-s$seed --train $T3 --seed $seed --base 16 $Y
  done
  wait
  log "trained: $(grep -h RESULT /tmp/res/*.log | tr '\n' ' ')"
  tar -cf "$OUT/res.tar" -C /tmp res
  nets=(); for ck in /tmp/res/*.pt; do nets+=("$(basename "$ck" .pt)=$ck"); done
  PROCS=$([ -n "${SMOKE:-}" ] && echo 2 || echo 14) timeout $((BUDGET - SECONDS)) $PY "$E/candidate_table.py" "$OUT/table.pkl" \
    seed9001,seed9002,seed9003,seed707,seed808,seed909 "${nets[@]}" 2>&1 | tee -a "$OUT/log.txt"
elif [ -n "${RES:-}" ]; then
  # In-plane resolution: the recipe at TARGET_MM (exported before prepare_shared.py, e.g. 1.0 against the
  # recipe's 1.5 mm: a 5 mm nodule 5 pixels across instead of 3), seeds 1234 and 11 (1.5 mm, same held-out
  # studies, float: 0.815 and 0.827 at 1 FP/scan), with 64² patches (64 mm of context) and 96² (96 mm, as at 1.5).
  log "training cap $cap min (resolution plan, ${TARGET_MM:?} mm)"
  Y="--no-eval $X"
  for seed in 1234 11; do
    run r-s$seed --train $T3 --seed $seed $Y
    run r96-s$seed --train $T3 --seed $seed --patch 96 $Y
  done
  wait
  log "trained: $(grep -h RESULT /tmp/res/*.log | tr '\n' ' ')"
  tar -cf "$OUT/res.tar" -C /tmp res
  nets=(); for ck in /tmp/res/*.pt; do nets+=("$(basename "$ck" .pt)=$ck"); done
  PARTIAL="$OUT/partial.pkl" PROCS=$([ -n "${SMOKE:-}" ] && echo 2 || echo 15) timeout $((BUDGET - SECONDS)) $PY "$E/ensemble_eval.py" "$OUT/res.json" "${nets[@]}" 2>&1 | tee -a "$OUT/log.txt"
elif [ -n "${KINDS:-}" ]; then
  # The training data for the kinds every seed misses (attached, sub-solid, small): positives drawn by kind
  # (--kind-weights) or nodule pixels weighed in the BCE (--pos-weight), four seeds each, scored alone beside the
  # recipe's own four seeds (v0-base = 1234, v1-seed7, and e-s11, e-s13 from the ENSEMBLE round: copy them into
  # $A/prior first).
  log "training cap $cap min (kinds plan)"
  Y="--no-eval $X"
  for seed in 1234 7 11 13; do
    run k-s$seed --train $T3 --seed $seed --kind-weights 2 2 2 $Y
    run f-s$seed --train $T3 --seed $seed --pos-weight 3 $Y
  done
  wait
  log "trained: $(grep -h RESULT /tmp/res/*.log | tr '\n' ' ')"
  tar -cf "$OUT/res.tar" -C /tmp res
  nets=(); for ck in /tmp/res/*.pt "$A"/prior/{v0-base,v1-seed7,e-s11,e-s13}.pt; do [ -f "$ck" ] && nets+=("$(basename "$ck" .pt)=$ck"); done
  PARTIAL="$OUT/partial.pkl" PROCS=$([ -n "${SMOKE:-}" ] && echo 2 || echo 15) timeout $((BUDGET - SECONDS)) $PY "$E/ensemble_eval.py" "$OUT/kinds.json" "${nets[@]}" 2>&1 | tee -a "$OUT/log.txt"
elif [ -n "${ENSEMBLE:-}" ]; then
  # Seeds, snapshot ensembles and short pairs, every network then scored alone and averaged (ensemble_eval.py)
  # beside the earlier session's checkpoints carried in $A/prior (v0-base, v1-seed7, v5-base16 from res1, and
  # 1.4.0's checkpoint as m140.pt: copy them there before the call; the combinations below name them).
  log "training cap $cap min (ensemble plan)"
  Y="--no-eval $X"
  run e-s11 --train $T3 --seed 11 $Y
  run e-s13 --train $T3 --seed 13 $Y
  run e-cyc --train $T3 --cycles 3 $Y
  run e-cyc7 --train $T3 --cycles 3 --seed 7 $Y
  run e-h --train $T3 --steps 3000 $Y
  run e-h7 --train $T3 --steps 3000 --seed 7 $Y
  run e-b16s7 --train $T3 --base 16 --seed 7 $Y
  wait
  log "trained: $(grep -h RESULT /tmp/res/*.log | tr '\n' ' ')"
  tar -cf "$OUT/res.tar" -C /tmp res
  nets=(); for ck in /tmp/res/*.pt "$A"/prior/*.pt; do [ -f "$ck" ] && nets+=("$(basename "$ck" .pt)=$ck"); done
  PARTIAL="$OUT/partial.pkl" PROCS=$([ -n "${SMOKE:-}" ] && echo 2 || echo 14) timeout $((BUDGET - SECONDS)) $PY "$E/ensemble_eval.py" "$OUT/ensembles.json" "${nets[@]}" \
    v0-base+v1-seed7 v0-base+v1-seed7+m140 v0-base+v1-seed7+e-s11 v0-base+v1-seed7+e-s11+e-s13 \
    v0-base+v1-seed7+m140+e-s11+e-s13 v5-base16+e-b16s7 v5-base16+e-b16s7+v0-base+v1-seed7 \
    e-cyc-c1+e-cyc-c2+e-cyc-c3 e-cyc-c2+e-cyc-c3 e-cyc7-c1+e-cyc7-c2+e-cyc7-c3 e-cyc7-c2+e-cyc7-c3 e-h+e-h7 \
    e-h+e-h7+e-cyc-c3 e-cyc-c3+e-cyc7-c3 2>&1 | tee -a "$OUT/log.txt"
else
  log "training cap $cap min"
  run v0-base --train $T3
  run v1-seed7 --train $T3 --seed 7
  run v2-9k --train $T3 --steps 9000
  run v3-more --train $T5
  run v4-more9k --train $T5 --steps 9000
  run v5-base16 --train $T3 --base 16
  run v6-zoom --train $T3 --zoom 0.25
  run v7-all --train $T5 --steps 9000 --base 16 --zoom 0.25
fi
# What is under $OUT comes back even if the call runs out of time: keep a current copy there.
while [ -n "$(jobs -r)" ] && [ $SECONDS -lt $((BUDGET - 10)) ]; do
  sleep 20; tar -cf "$OUT/res.tmp" -C /tmp res && mv "$OUT/res.tmp" "$OUT/res.tar"
  log "$(grep -h RESULT /tmp/res/*.log | wc -l) done; $(tail -qn1 /tmp/res/*.log | cut -c1-40 | tr '\n' '|')"
done
tar -cf "$OUT/res.tar" -C /tmp res
grep -h RESULT /tmp/res/*.log | tee -a "$OUT/log.txt"
