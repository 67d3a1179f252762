# The two PyTorch timings that docs/benchmarks.md compares against, measured the same way as
# ../shared/peers/torch_kernels.py (same ops, same timing loop) but only at the target shapes, so a paired run
# fits between two of ours on a busy machine (the full peer script spends minutes on its n=100 cases). Prints wall
# time (as the peer does) and process CPU time, which moves far less with the machine's load.
# Usage: /usr/bin/python3 torch_targets.py [THREADS]
import os, sys
THREADS = sys.argv[1] if len(sys.argv) > 1 else '2'
os.environ['OPENBLAS_NUM_THREADS'] = THREADS
import time, torch, torch.nn.functional as F
torch.set_num_threads(int(THREADS))
torch.manual_seed(0)

def timeit(f, work):
    for _ in range(3): f()
    reps = max(5, int(3e7 / work)); t = time.perf_counter(); c = time.process_time()
    for _ in range(reps): f()
    return (time.perf_counter() - t) / reps, (time.process_time() - c) / reps

def report(name, f, work):
    wall, cpu = timeit(f, work)
    print(f"{name}: wall {wall * 1e9 / work:.2f} ns/elem, cpu {cpu * 1e9 / work:.2f} ns/elem, {THREADS} thread(s)")

n, k = 65536, 10
x = torch.randn(n, k)
report(f"gumbel_softmax n={n} k={k} soft fwd", lambda: F.gumbel_softmax(x, tau=0.5), n * k)
n, d = 4096, 500
la = torch.randn(d)
def hard_concrete():
    u = torch.rand(n, d).clamp_(1e-6, 1 - 1e-6)
    s = torch.sigmoid((torch.log(u) - torch.log1p(-u) + la) / (2 / 3))
    return (s * 1.2 - 0.1).clamp_(0, 1)
report(f"hard_concrete sample n={n} d={d}", hard_concrete, n * d)
