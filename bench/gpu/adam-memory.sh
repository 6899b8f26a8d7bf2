#!/usr/bin/env bash
# A GPU run of about 3 minutes: what GPU memory the optimiser step costs, now that each update frees its temporaries
# as it goes (flat: a chunk of 4 million elements at a time; BENCHMARKS.md, "The optimiser step's temporaries"), and
# whether the flat Adam still costs CycleGAN GPU memory: 6,685 -> 7,137 MiB in use at 256x256 and 2,245 -> 2,631 at
# 128x128 in "GPU (H200, 2026-11-28, fourth GPU session)".
# First `adam-step` (the step alone over CycleGAN's two generators) in the two modes the GPU defaults use (per-tensor for
# WaveGAN's eager steps, flat and capturable in the graphs), one process each so that neither sees the other's cached
# memory; then CycleGAN's paper steps with graphs and autotuning, flat off and on, as flat-adam.sh ran them; then
# SeqGAN's with the defaults: its discriminator (7.0 million parameters) is now two chunks, a few more kernels in a
# 1.7 ms graphed step that PyTorch's best takes 1.9 ms for.
# Run it after next.sh if the session has time left: from the repository root on the GPU machine after
# `bash bench/gpu/publish.sh none` here (carry .gpu): `bash bench/gpu/adam-memory.sh` (BUDGET 200 by default; call the
# device with timeout_s 240).
# Dry run here: BENCH="dotnet bench/Microsoft.ML.Gan.Bench/bin/Release/net10.0/Microsoft.ML.Gan.Bench.dll" GPU=false \
#   CONFIG=small R="--warmup 0 --reps 2" GRAPHS=false OUT=/tmp/dry bash bench/gpu/adam-memory.sh
export BUDGET=${BUDGET:-200}
export DEADLINE=${DEADLINE:-$(( $(date +%s) + BUDGET ))}
source bench/gpu/common.sh
R=${R:-"--warmup 5 --reps 20"}
GRAPHS=${GRAPHS:-true} # false in a dry run on the CPU, which refuses CUDA graphs
steps() { within 60 $BENCH steps --config "$CONFIG" --gpu "$GPU" --cudnn-benchmark true --cuda-graphs "$GRAPHS" $R "$@"; }
{
  for mode in per-tensor flat-capturable; do
    within 30 $BENCH adam-step --gpu "$GPU" --modes $mode --out "$OUT/adam-step-$mode.json"
  done
  for flat in false true; do steps --gans cyclegan --flat-adam $flat --out "$OUT/steps-cyclegan-flat-$flat.json"; done
  steps --gans seqgan --out "$OUT/steps-seqgan-defaults.json"
} 2>&1 | grep --line-buffered -v NNPACK | tee "$OUT/adam-memory.log"
pack adam-memory
echo ADAM-MEMORY-DONE
