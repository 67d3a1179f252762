# The PyTorch/OpenBLAS side of matmul_interleaved.py: the products of torch_matmul_shapes.py, timed on request.
# Reads a shape name per line; answers the median seconds per call of ~2 ms samples over a ~150 ms window
# (the same statistic as MatMulPingPong.cs). Usage: /usr/bin/python3 torch_matmul_pingpong.py [THREADS]
import os, sys
THREADS = sys.argv[1] if len(sys.argv) > 1 else '2'
os.environ['OPENBLAS_NUM_THREADS'] = THREADS  # torch.set_num_threads alone does not limit OpenBLAS
import time, torch
torch.set_num_threads(int(THREADS))
torch.manual_seed(0)
def operands(ta, tb, m, k, n):
    a = torch.rand(k, m) if ta else torch.rand(m, k)
    b = torch.rand(n, k) if tb else torch.rand(k, n)
    if ta: return lambda: a.t() @ b
    if tb: return lambda: a @ b.t()
    return lambda: a @ b
shapes = {
    "A*B 100x784x512": (False, False, 100, 784, 512), "A*B 100x512x256": (False, False, 100, 512, 256),
    "A*B 100x256x200": (False, False, 100, 256, 200), "A^T*B 784x100x512": (True, False, 784, 100, 512),
    "A*B^T 100x512x784": (False, True, 100, 512, 784), "A*B 1024x1024x1024": (False, False, 1024, 1024, 1024),
}
products = {}
def window_median(f):
    t = time.perf_counter(); f(); once = time.perf_counter() - t
    reps = int(min(1000, max(1, 2e-3 / once)))
    samples, start = [], time.perf_counter()
    while time.perf_counter() - start < 0.15 or len(samples) < 5:
        t = time.perf_counter()
        for _ in range(reps): f()
        samples.append((time.perf_counter() - t) / reps)
    samples.sort()
    return samples[len(samples) // 2]
print("ready", flush=True)
for line in sys.stdin:
    name = line.strip()
    if name not in products:
        products[name] = operands(*shapes[name])
        for _ in range(10): products[name]()
    print(repr(window_median(products[name])), flush=True)
