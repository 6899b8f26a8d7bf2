# Sourced by the GPU scripts: the route PLATFORM.md verified on the GPU machine (no .NET there, a PyTorch install
# whose torch/lib is a CUDA libtorch). bench/gpu/publish.sh made .gpu/pub.tar.xz here: the bench program published
# self-contained with TorchBackend=external.
set -u
OUT=${OUT:-/tmp/gpu-out}
mkdir -p "$OUT"
LD_LIBRARY_PATH=$(python3 -c "import torch, os; print(os.path.join(os.path.dirname(torch.__file__), 'lib'))")
export LD_LIBRARY_PATH OMP_WAIT_POLICY=PASSIVE PYTHONUNBUFFERED=1
[ -x /tmp/pub/Microsoft.ML.Gan.Bench ] || tar -xJf .gpu/pub.tar.xz -C /tmp
BENCH=/tmp/pub/Microsoft.ML.Gan.Bench
