# PyTorch/OpenBLAS side of MatMulBenchmarks: the forward products of the discrete VAE at batch 100, the first
# layer's backward products (A^T*B and A*B^T, which shared/peers/torch_kernels.py does not time) and 1024^3,
# timed like torch_kernels.py times its sgemm. Usage: /usr/bin/python3 torch_matmul_shapes.py [THREADS]
import os, sys
THREADS = sys.argv[1] if len(sys.argv) > 1 else '2'
os.environ['OPENBLAS_NUM_THREADS'] = THREADS  # torch.set_num_threads alone does not limit OpenBLAS
import time, torch
torch.set_num_threads(int(THREADS))
torch.manual_seed(0)
def timeit(f, work):
    for _ in range(3): f()
    reps = max(5, int(3e7 / work)); t = time.perf_counter()
    for _ in range(reps): f()
    return (time.perf_counter() - t) / reps
cases = [
    ("A*B 100x784x512", torch.rand(100, 784), torch.rand(784, 512), lambda a, b: a @ b, 100 * 784 * 512),
    ("A*B 100x512x256", torch.rand(100, 512), torch.rand(512, 256), lambda a, b: a @ b, 100 * 512 * 256),
    ("A*B 100x256x200", torch.rand(100, 256), torch.rand(256, 200), lambda a, b: a @ b, 100 * 256 * 200),
    ("A^T*B 784x100x512", torch.rand(100, 784), torch.rand(100, 512), lambda a, b: a.t() @ b, 784 * 100 * 512),
    ("A*B^T 100x512x784", torch.rand(100, 512), torch.rand(784, 512), lambda a, b: a @ b.t(), 100 * 512 * 784),
    ("A*B 1024x1024x1024", torch.rand(1024, 1024), torch.rand(1024, 1024), lambda a, b: a @ b, 1024 ** 3),
]
for name, a, b, op, fma in cases:
    t = timeit(lambda: op(a, b), fma / 100)
    print(f"{name}: {t * 1e6:.1f} us, {2 * fma / t / 1e9:.1f} GFLOP/s", flush=True)
