#!/usr/bin/env bash
# One GPU call (about 4 minutes): WaveGAN's paper step (batch 64, d = 64, cuDNN autotuning) with the critic's strided
# convolutions in each form of WaveGanSettings.ConvolutionForm: direct (cuDNN), as matrix products (im2col;
# with and without TF32 for the products, which cuDNN's convolutions already use by default) and phase-split
# (stride folded into channels, stride-1 cuDNN convolutions), beside PyTorch eager with defaults; then `conv-forms`,
# whether the forms' first-step critic gradients agree with the direct form's on the GPU.
# Run from the repository root on the GPU machine after `bash bench/gpu/publish.sh none` here (carry .gpu/pub.tar.xz).
# Dry run here: BENCH="dotnet bench/Microsoft.ML.Gan.Bench/bin/Release/net10.0/Microsoft.ML.Gan.Bench.dll" GPU=false \
#   PY="echo python3" CONFIG=small R="--warmup 0 --reps 2" CHECK="--d 4 --batch 2 --draws 1" OUT=/tmp/dry bash bench/gpu/wavegan-conv-forms.sh
source bench/gpu/common.sh
R=${R:-"--warmup 3 --reps 15"}
CHECK=${CHECK:-"--d 64 --batch 16 --draws 2"}
steps() { within 45 $BENCH steps --config "$CONFIG" --gpu "$GPU" --cudnn-benchmark true $R --gans wavegan --conv-form "$@"; }
{
  steps matrix --tf32 true --out "$OUT/steps-wavegan-matrix-tf32.json"
  steps direct --out "$OUT/steps-wavegan-direct.json"
  within 45 $PY bench/pytorch/wavegan_step.py $D $R --out "$OUT/pytorch-wavegan-defaults.json"
  steps phases --out "$OUT/steps-wavegan-phases.json"
  within 60 $BENCH conv-forms --gpu "$GPU" --tf32 true $CHECK --out "$OUT/conv-forms-tf32.json"
  steps matrix --out "$OUT/steps-wavegan-matrix.json"
} 2>&1 | grep --line-buffered -v NNPACK | tee "$OUT/wavegan-conv-forms.log"
echo WAVEGAN-CONV-FORMS-DONE
# Two more calls on the same warm machine followed (call5.log, call6.log beside the results), with common.sh sourced:
#   within 45 $BENCH steps --config paper --gpu true --cudnn-benchmark true --warmup 3 --reps 15 --gans wavegan --conv-form matrix --mixed-precision true [--non-blocking-copies true]
#   within 45 $BENCH steps ... --conv-form matrix --tf32 true --non-blocking-copies true
#   within 40 python3 bench/pytorch/wavegan_step.py --device cuda --warmup 3 --reps 15   (PyTorch defaults again)
