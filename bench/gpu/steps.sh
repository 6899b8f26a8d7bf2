#!/usr/bin/env bash
# One GPU call (about 5 minutes): the training step of all four GANs at the papers' configurations, the library
# (`steps --config paper`, one process per GAN so each memory reading is that GAN's) beside our PyTorch scripts of
# the same steps (bench/pytorch/*_step.py). Settings, each on both sides where both have it: the defaults; cuDNN
# autotuning; autotuning + TF32 matrix products; and on the library's side the flat Adam (GanTrainerOptions.FlatAdam)
# with autotuning. Run from the repository root on the GPU machine after `bash bench/gpu/publish.sh` here (carry
# .gpu); results land in $OUT (steps-*.json, pytorch-*.json, steps-gpu.log). common.sh says how to dry-run it here.
source bench/gpu/common.sh
R=${R:-"--warmup 5 --reps 20"}
steps() { within "$1" $BENCH steps --config "$CONFIG" --gpu "$GPU" $R --edges $CORA "${@:2}"; }
pytorch() { # pytorch NAME GANS SETTINGS-ARGS: our PyTorch scripts of those GANs' steps at the paper configurations
  local name=$1 gans=$2; shift 2
  case $gans in *cyclegan*)
    within 90 $PY bench/pytorch/cyclegan_step.py $D --sizes 256 --blocks 9 $R "$@" --out "$OUT/pytorch-cyclegan256$name.json"
    within 90 $PY bench/pytorch/cyclegan_step.py $D --sizes 128 --blocks 6 $R "$@" --out "$OUT/pytorch-cyclegan128$name.json";;
  esac
  case $gans in *seqgan*) within 90 $PY bench/pytorch/seqgan_step.py $D $R "$@" --out "$OUT/pytorch-seqgan$name.json";; esac
  case $gans in *netgan*) # the official one-hot critic, and the library's node-id form of it (BENCHMARKS.md, "CPU levers")
    within 90 $PY bench/pytorch/netgan_step.py $D --edges $CORA $R "$@" --out "$OUT/pytorch-netgan$name.json"
    within 90 $PY bench/pytorch/netgan_step.py $D --edges $CORA --critic ids $R "$@" --out "$OUT/pytorch-netgan-ids$name.json";;
  esac
  case $gans in *wavegan*) within 90 $PY bench/pytorch/wavegan_step.py $D $R "$@" --out "$OUT/pytorch-wavegan$name.json";; esac
}
ALL=cyclegan,seqgan,netgan,wavegan
MATMUL=seqgan,netgan,wavegan # the GANs with matrix products; TF32 leaves CycleGAN's convolutions as they are
{
  [ "$GPU" = true ] && within 30 python3 -c "import torch; print('pytorch', torch.__version__, 'cuda', torch.version.cuda, 'cudnn', torch.backends.cudnn.version(), torch.cuda.get_device_name(0))"
  # Defaults (cuDNN autotuning off, TF32 only in convolutions, in both): one library process per GAN, so each memory reading is that GAN's.
  for gan in cyclegan seqgan netgan wavegan; do steps 120 --gans $gan --out "$OUT/steps-$gan.json"; done
  pytorch "" $ALL
  # The resize-crop-flip on the GPU, as the library does it since 2026-11-27 (its steps above include it).
  within 90 $PY bench/pytorch/cyclegan_step.py $D --sizes 256 --blocks 9 --augment-on device $R --out "$OUT/pytorch-cyclegan256-augment-device.json"
  # cuDNN autotuning on both sides; then the library's levers on top of it (all GANs in one process each).
  steps 200 --cudnn-benchmark true --flat-adam false --out "$OUT/steps-cudnn.json"
  pytorch -cudnn $ALL --cudnn-benchmark
  steps 200 --cudnn-benchmark true --flat-adam true --out "$OUT/steps-cudnn-flat.json"
  # NetGAN's critic in three LSTM passes, against the one pass the library takes on a GPU (NetGanSettings.CriticInOnePass).
  steps 90 --gans netgan --critic-one-pass false --out "$OUT/steps-netgan-three-passes.json"
  steps 200 --gans $MATMUL --cudnn-benchmark true --tf32 true --out "$OUT/steps-cudnn-tf32.json"
  pytorch -cudnn-tf32 $MATMUL --cudnn-benchmark --tf32
} 2>&1 | grep --line-buffered -v NNPACK | tee "$OUT/steps-gpu.log"
pack steps
echo STEPS-DONE
