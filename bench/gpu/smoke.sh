#!/usr/bin/env bash
# First GPU call (about 4 minutes): short runs of every CUDA path the bench uses, then the CycleGAN training step
# timed alone in TorchSharp and in PyTorch (bench/pytorch/cyclegan_step.py) on the same GPU, cuDNN autotuning off/on.
# Run from the repository root on the GPU machine after bench/gpu/publish.sh here.
source bench/gpu/common.sh
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c "import torch; print('pytorch', torch.__version__, 'cuda', torch.version.cuda, 'cudnn', torch.backends.cudnn.version())"

# Short runs side by side (their speeds are those of two jobs sharing the GPU, as in long.sh).
timeout 170 $BENCH netgan --gpu true --iterations 100 --eval-every 50 --eval-walks 200000 --scoring-walks 100000 \
  --out /tmp/smoke-netgan > "$OUT/smoke-netgan.log" 2>&1 &
timeout 170 $BENCH emoji --gpu true --data .gpu/emoji --images 100 --epochs 2 --blocks 6 --ngf 64 --ndf 64 \
  --report-seconds 5 --out /tmp/smoke-emoji > "$OUT/smoke-emoji.log" 2>&1 &
wait
tail -n 4 "$OUT/smoke-netgan.log" "$OUT/smoke-emoji.log"
cp /tmp/smoke-emoji/result.json "$OUT/smoke-emoji.json" 2>/dev/null

# The training step alone: TorchSharp (the library's CycleGanModel) against PyTorch, same network and step.
{
  for cudnn in false true; do
    flag=$([ $cudnn = true ] && echo --cudnn-benchmark)
    timeout 90 $BENCH step --gpu true --cudnn-benchmark $cudnn --sizes 64,128 --blocks 6 --warmup 5 --reps 20
    timeout 90 python3 bench/pytorch/cyclegan_step.py --device cuda $flag --sizes 64,128 --blocks 6 --warmup 5 --reps 20
    timeout 90 $BENCH step --gpu true --cudnn-benchmark $cudnn --sizes 256 --blocks 9 --warmup 5 --reps 20
    timeout 90 python3 bench/pytorch/cyclegan_step.py --device cuda $flag --sizes 256 --blocks 9 --warmup 5 --reps 20
  done
  # The flat Adam lever (GanTrainerOptions.FlatAdam), PyTorch's best setting beside it above.
  timeout 90 $BENCH step --gpu true --cudnn-benchmark true --flat-adam true --sizes 64,128 --blocks 6 --warmup 5 --reps 20
  timeout 90 $BENCH step --gpu true --cudnn-benchmark true --flat-adam true --sizes 256 --blocks 9 --warmup 5 --reps 20
  timeout 120 $BENCH netgan-scale --gpu true --nodes 2810 --warmup 3 --reps 10 --walks 1000
  timeout 120 $BENCH netgan-scale --gpu true --flat-adam true --nodes 2810 --warmup 3 --reps 10 --walks 1000
} 2>&1 | tee "$OUT/steps.log"
pack smoke
echo SMOKE-DONE
