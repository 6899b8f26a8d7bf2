#!/usr/bin/env bash
# One GPU call (estimated 4-6 minutes, not yet run): the training step of all four GANs at the papers' configurations, the library
# (`steps --config paper`, one process per GAN so each memory reading is that GAN's) beside our PyTorch scripts of
# the same steps (bench/pytorch/*_step.py), cuDNN autotuning off (both frameworks' default) and on, and the flat Adam
# lever (GanTrainerOptions.FlatAdam) on the library's side with autotuning on. Run from the repository root on the GPU machine after
# `bash bench/gpu/publish.sh` here (carry .gpu); results land in $OUT (steps-*.json, steps-gpu.log).
source bench/gpu/common.sh
python3 -c "import torch; print('pytorch', torch.__version__, 'cuda', torch.version.cuda, 'cudnn', torch.backends.cudnn.version(), torch.cuda.get_device_name(0))"
CORA=examples/data/cora_ml/cora_ml_lcc.edges
{
  # Defaults (cuDNN autotuning off in both): one library process per GAN, so each memory reading is that GAN's.
  for gan in cyclegan seqgan netgan wavegan; do
    timeout 150 $BENCH steps --config paper --gans $gan --gpu true --warmup 5 --reps 20 --edges $CORA --out "$OUT/steps-$gan.json"
  done
  timeout 90 python3 bench/pytorch/cyclegan_step.py --device cuda --sizes 256 --blocks 9 --warmup 5 --reps 20 --out "$OUT/pytorch-cyclegan256.json"
  timeout 90 python3 bench/pytorch/cyclegan_step.py --device cuda --sizes 128 --blocks 6 --warmup 5 --reps 20 --out "$OUT/pytorch-cyclegan128.json"
  timeout 90 python3 bench/pytorch/seqgan_step.py --device cuda --warmup 5 --reps 20 --out "$OUT/pytorch-seqgan.json"
  timeout 90 python3 bench/pytorch/netgan_step.py --device cuda --edges $CORA --warmup 5 --reps 20 --out "$OUT/pytorch-netgan.json"
  timeout 90 python3 bench/pytorch/wavegan_step.py --device cuda --warmup 5 --reps 20 --out "$OUT/pytorch-wavegan.json"
  # Best settings: cuDNN autotuning on both sides; the library also with the flat Adam (all GANs in one process).
  timeout 240 $BENCH steps --config paper --gpu true --cudnn-benchmark true --warmup 5 --reps 20 --edges $CORA --out "$OUT/steps-cudnn.json"
  timeout 240 $BENCH steps --config paper --gpu true --cudnn-benchmark true --flat-adam true --warmup 5 --reps 20 --edges $CORA --out "$OUT/steps-cudnn-flat.json"
  timeout 90 python3 bench/pytorch/cyclegan_step.py --device cuda --cudnn-benchmark --sizes 256 --blocks 9 --warmup 5 --reps 20 --out "$OUT/pytorch-cyclegan256-cudnn.json"
  timeout 90 python3 bench/pytorch/cyclegan_step.py --device cuda --cudnn-benchmark --sizes 128 --blocks 6 --warmup 5 --reps 20 --out "$OUT/pytorch-cyclegan128-cudnn.json"
  timeout 90 python3 bench/pytorch/seqgan_step.py --device cuda --cudnn-benchmark --warmup 5 --reps 20 --out "$OUT/pytorch-seqgan-cudnn.json"
  timeout 90 python3 bench/pytorch/wavegan_step.py --device cuda --cudnn-benchmark --warmup 5 --reps 20 --out "$OUT/pytorch-wavegan-cudnn.json"
} 2>&1 | grep -v NNPACK | tee "$OUT/steps-gpu.log"
echo STEPS-DONE
