"""Peer of BatchSourceBenchmarks: one epoch of shuffled batches of 100 rows from 10,000 x 784 floats.

Run: /usr/bin/python3 test/Ml.Relaxation.Benchmarks/Data/torch_batches.py [threads]
Prints the median of 15 epochs (after 3 warm-up epochs) for a DataLoader over a TensorDataset (the usual way) and for
randperm + index_select (the fastest hand-written way).
"""
import sys
import time

import torch

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
torch.set_num_threads(threads)
torch.manual_seed(1)
x = torch.rand(10_000, 784)


def median_ms(fn, repeats=15, warmup=3):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return times[len(times) // 2]


loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x), batch_size=100, shuffle=True)


def data_loader_epoch():
    s = 0.0
    for (b,) in loader:
        s += float(b[0, 0])
    return s


def randperm_epoch():
    s = 0.0
    perm = torch.randperm(x.shape[0])
    for i in range(0, x.shape[0], 100):
        b = x.index_select(0, perm[i:i + 100])
        s += float(b[0, 0])
    return s


print(f"torch {torch.__version__}, threads {threads}")
print(f"DataLoader(TensorDataset, batch 100, shuffle): {median_ms(data_loader_epoch):.2f} ms/epoch")
print(f"randperm + index_select: {median_ms(randperm_epoch):.2f} ms/epoch")
