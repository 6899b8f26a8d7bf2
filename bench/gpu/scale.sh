#!/usr/bin/env bash
# NetGAN's training step against the number of nodes on the GPU (synthetic graphs of Cora-ML's density, the
# paper's sizes), one process per size so each GPU memory reading is that size's (the flat Adam at Cora-ML's size
# is in steps.sh). About 2 minutes. Same set-up as steps.sh (common.sh); results in $OUT/scale-*.json and scale-gpu.log.
source bench/gpu/common.sh
{
  for n in ${NODES:-1000 2810 5000 10000 20000}; do
    within 120 $BENCH netgan-scale --gpu "$GPU" --nodes $n --warmup 3 --reps 10 --walks 20000 --out "$OUT/scale-$n.json"
  done
} 2>&1 | grep --line-buffered -v NNPACK | tee "$OUT/scale-gpu.log"
pack scale
echo SCALE-DONE
