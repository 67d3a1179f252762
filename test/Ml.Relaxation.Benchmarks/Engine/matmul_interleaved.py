# Side by side with the load held equal: starts our timer (MatMulPingPong) and the PyTorch peer as two servers and
# alternates them shape by shape, window by window (who goes first alternates too), with a pause between windows so
# neither side's idle worker threads (ours spin 50 us, OpenBLAS/OpenMP spin longer) run into the other's window.
# Prints, per product, our GFLOP/s and the peer's (medians over the rounds), and the median, range and count at or above
# the target of the per-round ratio ours/peer.
# Usage (repository root): /usr/bin/python3 test/Ml.Relaxation.Benchmarks/Engine/matmul_interleaved.py [ROUNDS] [THREADS]
import statistics, subprocess, sys, time
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 15
threads = sys.argv[2] if len(sys.argv) > 2 else '2'
here = 'test/Ml.Relaxation.Benchmarks'
subprocess.run(['dotnet', 'build', '-c', 'Release', here], check=True, stdout=subprocess.DEVNULL)
def server(cmd):
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
    assert p.stdout.readline().strip() == 'ready'
    return p
def ask(p, name):
    p.stdin.write(name + '\n'); p.stdin.flush()
    return float(p.stdout.readline())
ours = server(['dotnet', f'{here}/bin/Release/net10.0/Ml.Relaxation.Benchmarks.dll', 'matmul-pingpong', threads])
peer = server(['/usr/bin/python3', f'{here}/Engine/torch_matmul_pingpong.py', threads])
# product: (multiply-adds, issue #3's target ratio ours/peer)
shapes = {"A*B 100x784x512": (100 * 784 * 512, 1.2), "A*B 100x512x256": (100 * 512 * 256, 1.2),
          "A*B 100x256x200": (100 * 256 * 200, 1.2), "A^T*B 784x100x512": (784 * 100 * 512, 1.2),
          "A*B^T 100x512x784": (100 * 512 * 784, 1.2), "A*B 1024x1024x1024": (1024 ** 3, 0.9)}
times = {s: ([], []) for s in shapes}
for r in range(rounds):
    for s in shapes:
        order = [(0, ours), (1, peer)] if r % 2 == 0 else [(1, peer), (0, ours)]
        for side, p in order:
            time.sleep(0.3)
            times[s][side].append(ask(p, s))
print(f"{threads} threads, {rounds} rounds, load {open('/proc/loadavg').read().split()[:3]}")
print(f"{'product':<22}{'ours GFLOP/s':>14}{'peer GFLOP/s':>14}{'ratio median':>14}   range        rounds >= target")
for s, (fma, target) in shapes.items():
    o, q = times[s]
    ratios = sorted(b / a for a, b in zip(o, q))
    print(f"{s:<22}{2 * fma / statistics.median(o) / 1e9:>14.1f}{2 * fma / statistics.median(q) / 1e9:>14.1f}"
          f"{statistics.median(ratios):>14.3f}   {ratios[0]:.2f}-{ratios[-1]:.2f}    {sum(x >= target for x in ratios)}/{len(ratios)} (>= {target})")
ours.stdin.close(); peer.stdin.close(); ours.wait(); peer.wait()
