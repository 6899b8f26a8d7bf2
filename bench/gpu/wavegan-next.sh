#!/usr/bin/env bash
# One GPU call (about 2.5 minutes) (run on 2026-11-28, BENCHMARKS.md "GPU (H200, 2026-11-28, fourth GPU session)"): the WaveGAN step at the paper's size (batch 64, d = 64, autotuning)
# with the GPU defaults of 2026-11-27's third GPU session (the critic's convolutions as TF32 matrix products, copies
# without waiting), then with the generator's transposed convolutions as matrix products too (--generator-matrix,
# bench-only), each also with MixedPrecision; beside PyTorch eager with defaults and with autotuning (its best float32
# row); then `conv-forms`, whose last row checks the generator's form against the direct one on the GPU; last, PyTorch
# with the same matrix products (wavegan_step.py --matmul) profiled, to see where the remaining time goes.
# Run from the repository root on the GPU machine after `bash bench/gpu/publish.sh none` here (carry .gpu/pub.tar.xz).
# Dry run here: BENCH="dotnet bench/Microsoft.ML.Gan.Bench/bin/Release/net10.0/Microsoft.ML.Gan.Bench.dll" GPU=false \
#   PY="echo python3" CONFIG=small R="--warmup 0 --reps 2" CHECK="--d 4 --batch 2 --draws 1" OUT=/tmp/dry bash bench/gpu/wavegan-next.sh
source bench/gpu/common.sh
R=${R:-"--warmup 3 --reps 15"}
CHECK=${CHECK:-"--d 64 --batch 16 --draws 2"}
# What Fit does on a GPU by default; the MixedPrecision rows keep TF32 for the products too (as Fit does), unlike the
# 2026-11-27 rows without it (99.0 and 90.0 ms).
DEFAULTS="--conv-form matrix --tf32 true --non-blocking-copies true"
steps() { within 45 $BENCH steps --config "$CONFIG" --gpu "$GPU" --cudnn-benchmark true $R --gans wavegan $DEFAULTS "$@"; }
{
  steps --out "$OUT/steps-wavegan-defaults.json"
  steps --generator-matrix true --out "$OUT/steps-wavegan-defaults-generator.json"
  within 45 $PY bench/pytorch/wavegan_step.py $D $R --out "$OUT/pytorch-wavegan-defaults.json"
  steps --mixed-precision true --out "$OUT/steps-wavegan-defaults-bf16.json"
  steps --generator-matrix true --mixed-precision true --out "$OUT/steps-wavegan-defaults-generator-bf16.json"
  within 45 $PY bench/pytorch/wavegan_step.py $D --cudnn-benchmark $R --out "$OUT/pytorch-wavegan-cudnn.json"
  within 60 $BENCH conv-forms --gpu "$GPU" --tf32 true $CHECK --out "$OUT/conv-forms-tf32.json"
  within 60 $PY bench/pytorch/wavegan_step.py $D --cudnn-benchmark --tf32 --matmul critic $R --profile --out "$OUT/pytorch-wavegan-matmul-critic.json"
  within 60 $PY bench/pytorch/wavegan_step.py $D --cudnn-benchmark --tf32 --matmul both $R --profile --out "$OUT/pytorch-wavegan-matmul-both.json"
} 2>&1 | grep --line-buffered -v NNPACK | tee "$OUT/wavegan-next.log"
pack wavegan-next
echo WAVEGAN-NEXT-DONE
