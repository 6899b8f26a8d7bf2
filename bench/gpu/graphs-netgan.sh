#!/usr/bin/env bash
# One GPU call (about 4 minutes): NetGAN's training iteration replayed as one CUDA graph (the CudaGraphs option, on by
# default on a GPU) against the same iteration launched kernel by kernel, beside PyTorch eager and PyTorch with
# torch.cuda.graph (bench/pytorch/netgan_step.py --cuda-graph), all on Cora-ML at the paper's configuration; the
# library's CUDA-graph checks with the critic's gradient penalty (graphs --run penalty|timing); one evaluation's parts
# (netgan-eval, both ways of drawing the walks); and a short NetGAN training run with graphs on (captured again at each
# evaluation's temperature change), to check that it trains.
# Run from the repository root on the GPU machine after `bash bench/gpu/publish.sh none` here (carry .gpu/pub.tar.xz).
# Dry run here: BENCH="dotnet bench/Microsoft.ML.Gan.Bench/bin/Release/net10.0/Microsoft.ML.Gan.Bench.dll" GPU=false \
#   PY="echo python3" CONFIG=small R="--warmup 0 --reps 2" ITERATIONS=20 OUT=/tmp/dry bash bench/gpu/graphs-netgan.sh
source bench/gpu/common.sh
R=${R:-"--warmup 5 --reps 20"}
ITERATIONS=${ITERATIONS:-1000}
steps() { within "$1" $BENCH steps --config "$CONFIG" --gpu "$GPU" $R --edges $CORA --gans netgan --flat-adam false "${@:2}"; }
{
  [ "$GPU" = true ] && within 30 python3 -c "import torch; print('pytorch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.get_device_name(0))"
  steps 60 --out "$OUT/steps-netgan-graphs.json"
  steps 60 --cuda-graphs false --out "$OUT/steps-netgan-eager.json"
  within 60 $PY bench/pytorch/netgan_step.py $D --edges $CORA --critic ids --cuda-graph $R --out "$OUT/pytorch-netgan-ids-graph.json"
  within 60 $PY bench/pytorch/netgan_step.py $D --edges $CORA --critic ids $R --out "$OUT/pytorch-netgan-ids.json"
  if [ "$GPU" = true ]; then
    for run in penalty timing; do within 40 $BENCH graphs --gpu true --run $run; echo "graphs --run $run: exit code $?"; done
  fi
  within 60 $BENCH netgan-eval --gpu "$GPU" --reps 2 --walks 100000 --out "$OUT/netgan-eval.json"
  within 110 $BENCH netgan --gpu "$GPU" --iterations "$ITERATIONS" --eval-every $((ITERATIONS / 4)) --eval-walks 100000 \
    --scoring-walks 500000 --eo 0.5 --out /tmp/netgan-graphs
  echo "netgan exit code $?"
  cp /tmp/netgan-graphs/result.md "$OUT/netgan-graphs-result.md" 2>/dev/null
  within 60 $PY bench/pytorch/netgan_step.py $D --edges $CORA $R --out "$OUT/pytorch-netgan.json"
} 2>&1 | grep --line-buffered -v NNPACK | tee "$OUT/graphs-netgan.log"
pack graphs-netgan
echo GRAPHS-NETGAN-DONE
