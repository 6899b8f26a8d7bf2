#!/bin/bash
# oneDNN's CPU convolutions against float64 over the library's networks (BENCHMARKS.md, "oneDNN on the CPU, checked again"):
# CycleGAN's generator and discriminator at several widths and image sizes, SeqGAN's discriminator, WaveGAN's
# generator and critic; seeds alternate between 2 and 1 libtorch threads; once with fresh graphs, once with passes
# from one kept graph (as the old CycleGanGradientTests failure). Exit status 1 if any pass was wrong.
# ISA=AVX512_CORE runs the same without the library's AVX2 cap (its AVX-512 kernels were wrong on earlier hosts).
# Build the bench first (dotnet build -c Release bench/Microsoft.ML.Gan.Bench), or point BENCH at a built copy.
set -uo pipefail
cd "$(dirname "$0")/../.."
BENCH=${BENCH:-bench/Microsoft.ML.Gan.Bench/bin/Release/net10.0/Microsoft.ML.Gan.Bench.dll}
SEEDS=${SEEDS:-4}
[ -n "${ISA:-}" ] && export ONEDNN_MAX_CPU_ISA=$ISA
status=0
check() { dotnet "$BENCH" onednn-check --thread-counts 2,1 --seeds "$SEEDS" --runs 3 "$@" | grep -v '^onednn-check\|passes wrong in all' || status=1; }
echo "oneDNN sweep, ONEDNN_MAX_CPU_ISA ${ONEDNN_MAX_CPU_ISA:-AVX2, as the library caps it}; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2) (family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | tr -d ' '), model $(grep -m1 '^model\s*:' /proc/cpuinfo | cut -d: -f2 | tr -d ' ')); $(date -u '+%Y-%m-%d %H:%M') UTC"
echo "| network | configuration | wrong passes | largest relative error: oneDNN | libtorch's own float32 | own, input nudged by ±1e-6 or ±1e-5 |"
echo "|---|---|---|---|---|---|"
for retain in false true; do
  for width in 4 8 16 32 64; do
    for size in 24 32 64; do
      check --nets cyclegan-g --width $width --size $size --blocks 2 --retain $retain
      [ $size -ge 32 ] && check --nets cyclegan-d --width $width --size $size --retain $retain
    done
  done
  # Through oneDNN's Conv1d in the runs of 2026-11-27; since then the CPU computes these convolutions as matrix products.
  check --nets seqgan-d --batch 64 --retain $retain
  for width in 8 16; do check --nets wavegan-g,wavegan-d --width $width --batch 2 --retain $retain; done
  # SpecGAN's few-channel layers (its networks turn oneDNN off themselves, so the layers are checked alone):
  # the critic's first and the generator's last at d = 8.
  check --nets conv2d --conv 1,8,5,2,2 --size 128 --retain $retain
  check --nets conv2d --conv 8,1,5,1,2 --size 64 --retain $retain
done
exit $status
