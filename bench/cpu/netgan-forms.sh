#!/bin/bash
# The NetGAN iteration on Cora-ML on the CPU, one thread, interleaved rounds (BENCHMARKS.md, "CPU levers"):
#   ours, with glibc's malloc as the library sets it and as glibc leaves it (MLGAN_DEFAULT_MALLOC);
#   PyTorch with the official one-hot critic, with the library's node-id critic, and that again with the same malloc.
# Needs a Python with torch and numpy (PYTHON, default python3); on the project's machine an isolated Debian PyTorch:
#   source /tmp/pytorch-deb/env.sh; PYTHON=/usr/bin/python3 bash bench/cpu/netgan-forms.sh
# Build the bench first (dotnet build -c Release bench/Microsoft.ML.Gan.Bench), or point BENCH at a built copy.
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH=${BENCH:-bench/Microsoft.ML.Gan.Bench/bin/Release/net10.0/Microsoft.ML.Gan.Bench.dll}
PYTHON=${PYTHON:-python3}
ROUNDS=${ROUNDS:-2}
EDGES=../../examples/data/cora_ml/cora_ml_lcc.edges
for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round"
  dotnet "$BENCH" steps --config paper --gans netgan --threads 1 --warmup 2 --reps 10 | grep "NetGAN |"
  MLGAN_DEFAULT_MALLOC=1 dotnet "$BENCH" steps --config paper --gans netgan --threads 1 --warmup 2 --reps 10 | grep "NetGAN |" | sed 's/^/default malloc: /'
  (cd bench/pytorch && "$PYTHON" netgan_step.py --device cpu --edges $EDGES --critic one-hot --warmup 1 --reps 3 --threads 1)
  (cd bench/pytorch && "$PYTHON" netgan_step.py --device cpu --edges $EDGES --critic ids --warmup 2 --reps 10 --threads 1)
  (cd bench/pytorch && MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=1073741824 \
    "$PYTHON" netgan_step.py --device cpu --edges $EDGES --critic ids --warmup 2 --reps 10 --threads 1) | sed 's/^/malloc as ours: /'
done
