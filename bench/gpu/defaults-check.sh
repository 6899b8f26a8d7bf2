#!/usr/bin/env bash
# One GPU call (about 4.5 minutes; carry .gpu, timeout_s 330): the defaults of 2026-11-28 checked on the GPU, and
# WaveGAN's MixedPrecision timed again.
# 1. The flat Adam is now the default where the updates are CUDA graphs (GanTrainerOptions.FlatAdam null). With no
#    --flat-adam flag the library chooses: graph-check for SeqGAN (the graphed model, flat, against the eager one, per
#    tensor; must PASS), then SeqGAN, NetGAN and CycleGAN steps at the paper's configuration beside PyTorch's best
#    (autotuning + torch.cuda.graph) in the same call.
# 2. WaveGAN: in the call of 2026-11-28 MixedPrecision took the step from 106.0 to 103.2 ms (IQR 102.2–107.8,
#    min 87.7), against 104.7 → 90.0 on 2026-11-27. The defaults and MixedPrecision alternate twice, then the defaults
#    with the losses read every 10 steps and with the flat Adam; PyTorch eager with defaults (the goal's denominator),
#    and PyTorch's profile of its bfloat16 step with the same matrix products, to see where that step's time goes.
# Here first: bash bench/gpu/publish.sh none (the program into .gpu/pub.tar.xz).
# Dry run here: BENCH="dotnet bench/Microsoft.ML.Gan.Bench/bin/Release/net10.0/Microsoft.ML.Gan.Bench.dll" GPU=false \
#   PY="echo python3" CONFIG=small R="--warmup 0 --reps 2" GRAPHS=false OUT=/tmp/dry bash bench/gpu/defaults-check.sh
export BUDGET=${BUDGET:-300}
export DEADLINE=${DEADLINE:-$(( $(date +%s) + BUDGET ))}
source bench/gpu/common.sh
R=${R:-"--warmup 5 --reps 20"}
GRAPHS=${GRAPHS:-true} # false in a dry run on the CPU, which refuses CUDA graphs
steps() { within 60 $BENCH steps --config "$CONFIG" --gpu "$GPU" --cudnn-benchmark true $R "$@"; }
# What WaveGAN's Fit does on a GPU by default (wavegan-next.sh).
WAVEGAN="--gans wavegan --conv-form matrix --tf32 true --non-blocking-copies true"
{
  [ "$GPU" = true ] && within 30 python3 -c "import torch; print('pytorch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.get_device_name(0))"
  within 60 $BENCH graph-check --gan seqgan --gpu "$GPU" --cuda-graphs "$GRAPHS"
  steps --cuda-graphs "$GRAPHS" --gans seqgan,netgan,cyclegan --edges $CORA --out "$OUT/steps-defaults.json"
  if [ "$GRAPHS" = true ]; then
    within 45 $PY bench/pytorch/seqgan_step.py $D --cudnn-benchmark --cuda-graph $R --out "$OUT/pytorch-seqgan-cudnn-graph.json"
    within 45 $PY bench/pytorch/netgan_step.py $D --edges $CORA --critic ids --cuda-graph $R --out "$OUT/pytorch-netgan-ids-graph.json"
    within 60 $PY bench/pytorch/cyclegan_step.py $D --sizes 256 --blocks 9 --augment-on device --cudnn-benchmark --cuda-graph $R \
      --out "$OUT/pytorch-cyclegan256-cudnn-graph.json"
  fi
  for i in 1 2; do
    steps $WAVEGAN --out "$OUT/steps-wavegan-defaults-$i.json"
    steps $WAVEGAN --mixed-precision true --out "$OUT/steps-wavegan-bf16-$i.json"
  done
  steps $WAVEGAN --read-every 10 --out "$OUT/steps-wavegan-read10.json"
  steps $WAVEGAN --flat-adam true --out "$OUT/steps-wavegan-flat.json"
  within 45 $PY bench/pytorch/wavegan_step.py $D $R --out "$OUT/pytorch-wavegan-defaults.json"
  within 60 $PY bench/pytorch/wavegan_step.py $D --cudnn-benchmark --tf32 --matmul critic --autocast bf16 $R --profile \
    --out "$OUT/pytorch-wavegan-matmul-critic-bf16.json"
} 2>&1 | grep --line-buffered -v NNPACK | tee "$OUT/defaults-check.log"
pack defaults-check
echo DEFAULTS-CHECK-DONE
