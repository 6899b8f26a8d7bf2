#!/usr/bin/env bash
# One GPU call (about 2 minutes) (run on 2026-11-27, BENCHMARKS.md "GPU (H200, 2026-11-27, third GPU session)"): WaveGAN's paper step (batch 64, d = 64) in float32 and with the
# MixedPrecision option (bfloat16 forward passes under libtorch's autocast, switched from C#: Core/Native/Autocast.cs),
# beside PyTorch in float32 and under torch.autocast in bfloat16, all with cuDNN autotuning (both sides' best so far);
# PyTorch also counts a step's floating-point operations (--flops) and profiles its float32 step's kernels (--profile),
# to say how far the step is from the GPU's arithmetic rate and where its time goes; then the float32 step with its
# host-to-GPU copies made without waiting.
# Run from the repository root on the GPU machine after `bash bench/gpu/publish.sh none` here (carry .gpu/pub.tar.xz).
# Dry run here: BENCH="dotnet bench/Microsoft.ML.Gan.Bench/bin/Release/net10.0/Microsoft.ML.Gan.Bench.dll" GPU=false \
#   PY="echo python3" CONFIG=small R="--warmup 0 --reps 2" OUT=/tmp/dry bash bench/gpu/wavegan-bf16.sh
source bench/gpu/common.sh
R=${R:-"--warmup 5 --reps 20"}
steps() { within "$1" $BENCH steps --config "$CONFIG" --gpu "$GPU" --cudnn-benchmark true $R --gans wavegan "${@:2}"; }
pytorch() { within 90 $PY bench/pytorch/wavegan_step.py $D --cudnn-benchmark $R "${@:2}" --out "$OUT/pytorch-wavegan$1.json"; }
{
  [ "$GPU" = true ] && within 30 python3 -c "import torch; print('pytorch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.get_device_name(0))"
  steps 90 --out "$OUT/steps-wavegan-fp32.json"
  steps 90 --mixed-precision true --out "$OUT/steps-wavegan-bf16.json"
  pytorch -fp32 --flops --profile
  pytorch -bf16 --autocast bf16 --flops
  # Last, cut first by the deadline: float32 with the step's eleven host-to-GPU copies (five batches of clips, six
  # latent batches) made without the host waiting for the GPU (GanTrainerOptions.NonBlockingCopies).
  steps 90 --non-blocking-copies true --out "$OUT/steps-wavegan-fp32-nonblocking.json"
} 2>&1 | grep --line-buffered -v NNPACK | tee "$OUT/wavegan-bf16.log"
pack wavegan-bf16
echo WAVEGAN-BF16-DONE
