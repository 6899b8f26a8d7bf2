#!/usr/bin/env bash
# A short GPU call (about 4 minutes): each GAN's paper step in its own process with its GPU memory, the library
# beside our PyTorch scripts (defaults), after the training steps got one dispose scope per update; then the
# flat Adam lever against the same settings without it, alternated twice (cuDNN autotuning on; the three GANs
# whose steps are launch-bound, WaveGAN's is not). Same set-up as steps.sh (common.sh); results in $OUT (memory-*.json, lever-*.json, memory-gpu.log).
source bench/gpu/common.sh
R=${R:-"--warmup 5 --reps 20"}
{
  for gan in cyclegan netgan wavegan; do
    within 90 $BENCH steps --config "$CONFIG" --gpu "$GPU" --gans $gan $R --edges $CORA --out "$OUT/memory-$gan.json"
  done
  within 60 $PY bench/pytorch/cyclegan_step.py $D --sizes 256 --blocks 9 $R --out "$OUT/memory-pytorch-cyclegan256.json"
  within 60 $PY bench/pytorch/netgan_step.py $D --edges $CORA $R --out "$OUT/memory-pytorch-netgan.json"
  for round in 1 2; do
    for flat in false true; do
      within 100 $BENCH steps --config "$CONFIG" --gpu "$GPU" --gans cyclegan,seqgan,netgan --cudnn-benchmark true --flat-adam $flat $R --edges $CORA --out "$OUT/lever-flat-$flat-$round.json"
    done
  done
} 2>&1 | grep --line-buffered -v NNPACK | tee "$OUT/memory-gpu.log"
pack memory
echo MEMORY-DONE
