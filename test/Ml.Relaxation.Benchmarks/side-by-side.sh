#!/usr/bin/env bash
# Runs our quick timers and the PyTorch peers back to back, pair by pair, logging the load before each run.
# Usage: [SHARED=path/to/shared] bash test/Ml.Relaxation.Benchmarks/side-by-side.sh [VAE_EPOCHS]  (SHARED defaults to ../shared)
set -uo pipefail
cd "$(dirname "$0")/../.."
shared=${SHARED:-../shared}  # the read-only shared folder beside the repository
epochs=${1:-3}
bench() { echo; echo "### $* (load: $(cut -d' ' -f1-3 /proc/loadavg))"; "$@" 2>&1 | grep -vE '^\s*$'; }
dotnet build -c Release test/Ml.Relaxation.Benchmarks >/dev/null || exit 1
ours="dotnet test/Ml.Relaxation.Benchmarks/bin/Release/net10.0/Ml.Relaxation.Benchmarks.dll"
bench $ours relax-cpu 2
bench /usr/bin/python3 test/Ml.Relaxation.Benchmarks/Relaxations/torch_targets.py 2
bench $ours engine-quick 2   # the VAE step and a quick look at the products
bench /usr/bin/python3 test/Ml.Relaxation.Benchmarks/Engine/matmul_interleaved.py 8 2   # the products against the peer, interleaved
bench $ours vae-mnist "$epochs" soft 2
bench /usr/bin/python3 $shared/peers/torch_vae.py "$epochs" soft 100 2
bench $ours selector-quick 100 5 2
bench /usr/bin/python3 $shared/peers/torch_gates.py $shared/data/breast_cancer.csv 5 100 0.5 64 2
