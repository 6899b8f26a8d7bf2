#!/usr/bin/env bash
# One GPU call (about 2 minutes) (run on 2026-11-27, BENCHMARKS.md "GPU (H200, 2026-11-27, third GPU session)"): SeqGAN's discriminator and MLE updates replayed as CUDA graphs (the
# CudaGraphs option, off by default until this has run). First `graph-check --gan seqgan` and `--gan seqgan-mle`: two
# models with the same seed and batches (dropout off), graph against eager, must agree (PASS) before any time counts;
# then the paper's step (`steps --gans seqgan`) with and without graphs, and PyTorch eager and PyTorch with
# torch.cuda.graph (bench/pytorch/seqgan_step.py --cuda-graph).
# Run from the repository root on the GPU machine after `bash bench/gpu/publish.sh none` here (carry .gpu/pub.tar.xz).
# Dry run here: BENCH="dotnet bench/Microsoft.ML.Gan.Bench/bin/Release/net10.0/Microsoft.ML.Gan.Bench.dll" GPU=false \
#   PY="echo python3" CONFIG=small R="--warmup 0 --reps 2" GRAPHS=false OUT=/tmp/dry bash bench/gpu/graphs-seqgan.sh
source bench/gpu/common.sh
R=${R:-"--warmup 5 --reps 20"}
GRAPHS=${GRAPHS:-true} # false in a dry run on the CPU, which refuses CUDA graphs
steps() { within "$1" $BENCH steps --config "$CONFIG" --gpu "$GPU" $R --gans seqgan --flat-adam false "${@:2}"; }
pytorch() { within 60 $PY bench/pytorch/seqgan_step.py $D $R "${@:2}" --out "$OUT/pytorch-seqgan$1.json"; }
{
  [ "$GPU" = true ] && within 30 python3 -c "import torch; print('pytorch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.get_device_name(0))"
  for gan in seqgan seqgan-mle; do
    within 90 $BENCH graph-check --gan $gan --flat-adam false --gpu "$GPU" --cuda-graphs "$GRAPHS"
    # A FAIL (exit 1) is read against the same check eager against eager, for the GPU's own run-to-run noise.
    [ $? -eq 1 ] && echo "FAIL: baseline, eager against eager:" && within 45 $BENCH graph-check --gan $gan --flat-adam false --gpu "$GPU" --cuda-graphs false
  done
  steps 90 --cudnn-benchmark true --cuda-graphs "$GRAPHS" --out "$OUT/steps-seqgan-graphs-cudnn.json"
  steps 90 --cudnn-benchmark true --cuda-graphs false --out "$OUT/steps-seqgan-eager-cudnn.json"
  steps 90 --cuda-graphs false --out "$OUT/steps-seqgan-eager.json"
  pytorch ""
  pytorch -cudnn --cudnn-benchmark
  [ "$GRAPHS" = true ] && pytorch -cudnn-graph --cudnn-benchmark --cuda-graph
} 2>&1 | grep --line-buffered -v NNPACK | tee "$OUT/graphs-seqgan.log"
pack graphs-seqgan
echo GRAPHS-SEQGAN-DONE
