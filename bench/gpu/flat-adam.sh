#!/usr/bin/env bash
# A GPU run of about 2.5 minutes (run on 2026-11-28, BENCHMARKS.md "GPU (H200, 2026-11-28, fourth GPU session)"): the flat Adam (GanTrainerOptions.FlatAdam) inside the CUDA graphs, where
# launch overhead is gone and what is left of a small-kernel optimiser is each kernel's own time on the GPU. The
# capturable per-tensor Adam runs nine kernels per parameter tensor and one more to zero each gradient: about 310 for
# SeqGAN's discriminator (31 tensors), about 1,160 for CycleGAN's two updates (116). PyTorch's capturable Adam runs one
# multi-tensor kernel per operation (its seqgan_step.py still zeroes the gradients one by one), and SeqGAN's graphed D
# step is the one row still slower than PyTorch's best (2.2 against 2.0 ms, BENCHMARKS.md "Issue 6 at a glance").
# Since 2026-11-28 the flat Adam keeps parameters and gradients as views of one buffer each: zeroing is one kernel,
# the clip seven, the update nine plus six for the capturable numbers, whatever the number of tensors.
# First `graph-check --gan seqgan --flat-adam true` (graphed against eager, both flat; must PASS); then the paper's
# steps with graphs and autotuning, flat off and on alternated (SeqGAN twice, the row that decides), PyTorch's graphed
# D step in the same call, CycleGAN once each, and NetGAN last, where a deadline cuts first.
# next.sh runs it after wavegan-quality.sh, sharing its deadline. Alone, from the repository root on the GPU machine
# after `bash bench/gpu/publish.sh none` here (carry .gpu): `bash bench/gpu/flat-adam.sh` (BUDGET 200 by default;
# call the device with timeout_s 240).
# Dry run here: BENCH="dotnet bench/Microsoft.ML.Gan.Bench/bin/Release/net10.0/Microsoft.ML.Gan.Bench.dll" GPU=false \
#   PY="echo python3" CONFIG=small R="--warmup 0 --reps 2" GRAPHS=false OUT=/tmp/dry bash bench/gpu/flat-adam.sh
export BUDGET=${BUDGET:-200}
# The clock starts now, before unpacking the program and importing torch (next.sh sets it first when it runs this).
export DEADLINE=${DEADLINE:-$(( $(date +%s) + BUDGET ))}
source bench/gpu/common.sh
R=${R:-"--warmup 5 --reps 20"}
GRAPHS=${GRAPHS:-true} # false in a dry run on the CPU, which refuses CUDA graphs
steps() { within 60 $BENCH steps --config "$CONFIG" --gpu "$GPU" --cudnn-benchmark true --cuda-graphs "$GRAPHS" $R --edges $CORA "$@"; }
{
  [ "$GPU" = true ] && within 30 python3 -c "import torch; print('pytorch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.get_device_name(0))"
  within 60 $BENCH graph-check --gan seqgan --gpu "$GPU" --cuda-graphs "$GRAPHS" --flat-adam true
  for i in 1 2; do
    steps --gans seqgan --flat-adam false --out "$OUT/steps-seqgan-flat-false-$i.json"
    steps --gans seqgan --flat-adam true --out "$OUT/steps-seqgan-flat-true-$i.json"
  done
  [ "$GRAPHS" = true ] && within 45 $PY bench/pytorch/seqgan_step.py $D --cudnn-benchmark --cuda-graph $R --out "$OUT/pytorch-seqgan-cudnn-graph.json"
  for gan in cyclegan netgan; do
    steps --gans $gan --flat-adam false --out "$OUT/steps-$gan-flat-false.json"
    steps --gans $gan --flat-adam true --out "$OUT/steps-$gan-flat-true.json"
  done
} 2>&1 | grep --line-buffered -v NNPACK | tee "$OUT/flat-adam.log"
pack flat-adam
echo FLAT-ADAM-DONE
