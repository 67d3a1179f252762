#!/usr/bin/env bash
# CUDA parity and throughput of the ONNX scorer for both models (the gated selector pipeline and the MNIST encoder),
# against the CPU, on a machine with an NVIDIA GPU and PyTorch's CUDA 13 / cuDNN 9 Python wheels (nvidia-*).
#
#   Here (no GPU needed):   test/Ml.Relaxation.Benchmarks/Gpu/cuda-check.sh prepare
#       exports the models, inputs and ML.NET's outputs (deploy-export), publishes the checker self-contained for
#       linux-x64 with Microsoft.ML.OnnxRuntime.Gpu.Linux, runs its CPU path here (the CUDA row then reports why CUDA
#       is unavailable), and packs everything as .gpu-check/part-* (zstd, at most 56 MiB each: a device call carries
#       64 MiB). The CUDA provider library alone is 271 MB (186 MB with zstd -19), so it takes 4 or 5 calls.
#   On the GPU machine, one device call per part, back to back (each within the machine's 30 s warm window), each
#   carrying one part and running:
#       test/Ml.Relaxation.Benchmarks/Gpu/cuda-check.sh receive     (moves the carried part(s) to /tmp/cuda-check)
#   then, in the call that carries the last part:
#       test/Ml.Relaxation.Benchmarks/Gpu/cuda-check.sh receive && test/Ml.Relaxation.Benchmarks/Gpu/cuda-check.sh run
#       (joins the parts, points LD_LIBRARY_PATH at the nvidia-* wheels' libraries, runs the checker; the report is
#       also written to $OUT/cuda-check.txt when OUT is set).
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
stage="$root/.gpu-check"
remote=/tmp/cuda-check

case "${1:-}" in
prepare)
  rm -rf "$stage" && mkdir -p "$stage/bundle"
  dotnet run -c Release --project "$root/test/Ml.Relaxation.Benchmarks" -- deploy-export "$stage/bundle/models"
  dotnet publish "$root/test/Ml.Relaxation.Benchmarks/Gpu/CudaCheck" -c Release -r linux-x64 --self-contained -o "$stage/bundle/checker"
  echo "== CPU path here (CUDA is expected to be unavailable on this machine) =="
  "$stage/bundle/checker/CudaCheck" "$stage/bundle/models" 1 || true
  tar -C "$stage" -cf - bundle | zstd -T0 "-${ZSTD_LEVEL:-12}" -q | split -b 56M -d - "$stage/part-"
  rm -rf "$stage/bundle"
  ls -l "$stage"
  echo "Carry each of .gpu-check/part-* in its own device call (carry: [\".gpu-check/part-NN\"]), see the header of this script."
  ;;
receive)
  mkdir -p "$remote"
  mv "$root"/.gpu-check/part-* "$remote/"
  ls -l "$remote"
  ;;
run)
  cd "$remote"
  cat part-* | zstd -d -q | tar -xf -
  wheels="$(python3 -c 'import nvidia, os; print(os.path.dirname(list(nvidia.__path__)[0]))')"
  LD_LIBRARY_PATH="$(find "$wheels/nvidia" -name 'lib*.so*' -printf '%h\n' | sort -u | paste -sd:):${LD_LIBRARY_PATH:-}"
  export LD_LIBRARY_PATH
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true
  set -o pipefail
  bundle/checker/CudaCheck bundle/models 5 2>&1 | tee "${OUT:-$remote}/cuda-check.txt"
  ;;
*)
  sed -n 2,20p "$0"
  exit 2
  ;;
esac
