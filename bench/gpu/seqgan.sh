#!/usr/bin/env bash
# A short GPU call (about 1 minute): SeqGAN's paper step in the library and in our PyTorch script, defaults, after
# the rollout began drawing every prefix length's completions in one batch (Rollout / CompleteEveryPrefix).
# Same set-up as steps.sh (common.sh); results in $OUT (seqgan-*.json, seqgan-gpu.log).
source bench/gpu/common.sh
R=${R:-"--warmup 5 --reps 20"}
{
  within 90 $BENCH steps --config "$CONFIG" --gpu "$GPU" --gans seqgan $R --out "$OUT/seqgan-library.json"
  within 60 $PY bench/pytorch/seqgan_step.py $D $R --out "$OUT/seqgan-pytorch.json"
} 2>&1 | grep --line-buffered -v NNPACK | tee "$OUT/seqgan-gpu.log"
pack seqgan
echo SEQGAN-DONE
