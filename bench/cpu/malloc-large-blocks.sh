#!/bin/bash
# glibc's malloc with and without mmapped blocks (BENCHMARKS.md, "Large blocks from the heap: faster, more memory, not
# taken"), in alternating rounds:
#   before: the library's setting (mmap threshold 32 MiB, trim threshold 1 GiB), given here through glibc's own
#           variables, which make the library leave malloc alone;
#   after:  the same, and no block mmapped of its own (MALLOC_MMAP_MAX_=0; the library then still sets its thresholds).
# Build the bench first (dotnet build -c Release bench/Microsoft.ML.Gan.Bench), or point BENCH at a built copy.
set -uo pipefail
cd "$(dirname "$0")/../.."
BENCH=${BENCH:-bench/Microsoft.ML.Gan.Bench/bin/Release/net10.0/Microsoft.ML.Gan.Bench.dll}
ROUNDS=${ROUNDS:-2}
before=(env MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=1073741824)
after=(env MALLOC_MMAP_MAX_=0)
for round in $(seq 1 "$ROUNDS"); do
  for setting in before after; do
    declare -n run=$setting
    echo "== round $round, $setting"
    "${run[@]}" dotnet "$BENCH" step --sizes 64,128 --threads 2 --warmup 1 --reps 4 | grep -E '^\| [0-9]|^step'
    "${run[@]}" dotnet "$BENCH" steps --config small --threads 2 --warmup 2 --reps 10 | grep -E '^\| [A-Z]|^steps'
    "${run[@]}" dotnet "$BENCH" steps --config paper --gans netgan --threads 2 --warmup 2 --reps 10 | grep -E '^\| NetGAN'
  done
done
