# Sourced by the GPU scripts: the route PLATFORM.md verified on the GPU machine (no .NET there, a PyTorch install
# whose torch/lib is a CUDA libtorch). bench/gpu/publish.sh made .gpu/pub.tar.xz here: the bench program published
# self-contained with TorchBackend=external.
#
# A device call has a hard limit, so every run goes through `within SECONDS command...`: it gets at most SECONDS and
# never outlives DEADLINE (BUDGET seconds, default 540, from the start of the call: next.sh sets it first; a script
# run alone sets it when it sources this), and it is skipped with a note once under 20 s are left. Results written so far always come back.
#
# Dry run here, on the CPU, to check every command line before spending device time:
#   BENCH="dotnet bench/Microsoft.ML.Gan.Bench/bin/Release/net10.0/Microsoft.ML.Gan.Bench.dll" GPU=false PY="echo python3" \
#     CONFIG=small R="--warmup 0 --reps 2" OUT=/tmp/dry bash bench/gpu/steps.sh
set -u
OUT=${OUT:-/tmp/gpu-out}
mkdir -p "$OUT"
export OMP_WAIT_POLICY=PASSIVE PYTHONUNBUFFERED=1
PY=${PY:-python3}
GPU=${GPU:-true}
# The PyTorch step scripts' device flag, and the Cora-ML edges NetGAN's paper configuration trains on.
D="--device cuda"; [ "$GPU" = true ] || D="--device cpu"
CORA=examples/data/cora_ml/cora_ml_lcc.edges
CONFIG=${CONFIG:-paper}
if [ -z "${BENCH:-}" ]; then
  LD_LIBRARY_PATH=$(python3 -c "import torch, os; print(os.path.join(os.path.dirname(torch.__file__), 'lib'))")
  export LD_LIBRARY_PATH
  # Unpacked afresh each call (a warm machine may still hold an older program); later scripts of the call skip this.
  [ ! -f .gpu/pub.tar.xz ] || { rm -rf /tmp/pub && tar -xJf .gpu/pub.tar.xz -C /tmp; }
  BENCH=/tmp/pub/Microsoft.ML.Gan.Bench
  # Without the program every library run fails at once while the PyTorch runs spend the device time: stop here.
  [ -x "$BENCH" ] || { echo "error: no $BENCH; carry .gpu/pub.tar.xz (bash bench/gpu/publish.sh none)"; exit 1; }
fi
export BENCH # the next script of the same call finds it unpacked and skips the lines above
export DEADLINE=${DEADLINE:-$(( $(date +%s) + ${BUDGET:-540} ))}
within() {
  # A process that ignores SIGTERM (a .NET or CUDA shutdown can hang) is killed 10 s later, still before DEADLINE.
  local want=$1 left=$(( DEADLINE - $(date +%s) - 10 ))
  shift
  if [ "$left" -lt 10 ]; then echo "skipped, deadline: $*"; return 124; fi
  timeout -k 10 $(( want < left ? want : left )) "$@"
}
# A device call brings back at most 8 files of $OUT. `pack NAME` (the last line of each script) packs everything
# there into $OUT/NAME.tgz and leaves only that archive and the logs. Several scripts in one call: pack after each.
pack() {
  local archive=$1.tgz
  tar -czf "/tmp/$archive" -C "$OUT" --exclude='*.tgz' . || return
  find "$OUT" -mindepth 1 -maxdepth 1 ! -name '*.log' ! -name '*.tgz' -exec rm -rf {} +
  mv "/tmp/$archive" "$OUT/"
}
