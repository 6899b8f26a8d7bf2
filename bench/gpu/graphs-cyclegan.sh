#!/usr/bin/env bash
# One GPU call (about 5 minutes) (run on 2026-11-27, BENCHMARKS.md "GPU (H200, 2026-11-27, third GPU session)"): CycleGAN's step at the paper's configurations (256×256 with 9 blocks,
# 128×128 with 6, batch 1) with its two updates replayed as CUDA graphs (the CudaGraphs option, off by default until
# this has run) against the same step launched kernel by kernel, with and without cuDNN autotuning; beside PyTorch
# eager (defaults, and with autotuning) and PyTorch with autotuning and torch.cuda.graph
# (bench/pytorch/cyclegan_step.py --cuda-graph), both augmenting on the GPU as the library does.
# First `graph-check --gan cyclegan` (128×128, 6 blocks): a graphed and an eager model with the
# same seed, images and host draws, side by side for 30 steps, must agree (PASS). If the library's graphed step fails
# or does not train alike, the option stays off.
# Run from the repository root on the GPU machine after `bash bench/gpu/publish.sh none` here (carry .gpu/pub.tar.xz).
# Dry run here: BENCH="dotnet bench/Microsoft.ML.Gan.Bench/bin/Release/net10.0/Microsoft.ML.Gan.Bench.dll" GPU=false \
#   PY="echo python3" CONFIG=small R="--warmup 0 --reps 2" GRAPHS=false OUT=/tmp/dry bash bench/gpu/graphs-cyclegan.sh
source bench/gpu/common.sh
R=${R:-"--warmup 5 --reps 20"}
GRAPHS=${GRAPHS:-true} # false in a dry run on the CPU, which refuses CUDA graphs
steps() { within "$1" $BENCH steps --config "$CONFIG" --gpu "$GPU" $R --gans cyclegan --flat-adam false "${@:2}"; }
pytorch() { # pytorch NAME ARGS: both paper sizes
  within 60 $PY bench/pytorch/cyclegan_step.py $D --sizes 256 --blocks 9 --augment-on device $R "${@:2}" --out "$OUT/pytorch-cyclegan256$1.json"
  within 60 $PY bench/pytorch/cyclegan_step.py $D --sizes 128 --blocks 6 --augment-on device $R "${@:2}" --out "$OUT/pytorch-cyclegan128$1.json"
}
{
  [ "$GPU" = true ] && within 30 python3 -c "import torch; print('pytorch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.get_device_name(0))"
  check=$( [ "$CONFIG" = small ] && echo --size 32 --blocks 2 --filters 8 --steps 4 --reps 4 )
  within 90 $BENCH graph-check --gan cyclegan --flat-adam false --gpu "$GPU" --cuda-graphs "$GRAPHS" $check
  # A FAIL (exit 1) is read against the same check eager against eager: GPU convolutions are not reproducible either.
  [ $? -eq 1 ] && echo "FAIL: baseline, eager against eager:" && within 60 $BENCH graph-check --gan cyclegan --flat-adam false --gpu "$GPU" --cuda-graphs false $check
  # Most telling first, should the deadline cut the list: the library's best candidate, PyTorch eager with defaults
  # (issue 6's reference) and PyTorch's best (autotuning + torch.cuda.graph), then the rest.
  steps 90 --cudnn-benchmark true --cuda-graphs "$GRAPHS" --out "$OUT/steps-cyclegan-graphs-cudnn.json"
  pytorch ""
  [ "$GRAPHS" = true ] && pytorch -cudnn-graph --cudnn-benchmark --cuda-graph
  steps 90 --cudnn-benchmark true --cuda-graphs false --out "$OUT/steps-cyclegan-eager-cudnn.json"
  steps 90 --cuda-graphs "$GRAPHS" --out "$OUT/steps-cyclegan-graphs.json"
  pytorch -cudnn --cudnn-benchmark
  steps 90 --cuda-graphs false --out "$OUT/steps-cyclegan-eager.json"
  # The "no host synchronisation" lever on top of the graphs: losses read every 10 steps and the batches copied to the
  # GPU without waiting (a plain copy from host memory waits for the GPU), so the host prepares the next batches
  # (index, upload, augmentation, pool) while the GPU replays.
  steps 90 --cudnn-benchmark true --cuda-graphs "$GRAPHS" --read-every 10 --non-blocking-copies true --out "$OUT/steps-cyclegan-graphs-cudnn-read10-nonblocking.json"
} 2>&1 | grep --line-buffered -v NNPACK | tee "$OUT/graphs-cyclegan.log"
pack graphs-cyclegan
echo GRAPHS-CYCLEGAN-DONE
