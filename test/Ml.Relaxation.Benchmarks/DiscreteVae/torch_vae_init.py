# The PyTorch peer (shared/peers/torch_vae.py) with one change selectable: the initialization. Used to test whether
# the gap between our discrete VAE and the peer comes from the initialization (docs/benchmarks.md, Discrete VAE).
# Usage: python3 torch_vae_init.py EPOCHS torch|ours THREADS
#   torch: PyTorch's default Linear initialization, as the peer (weights and biases U(+-1/sqrt(fan_in)))
#   ours:  Ml.Relaxation's: He uniform U(+-sqrt(6/fan_in)) before a ReLU, Glorot uniform on each network's last
#          layer, biases 0
# Everything else is the peer's: data split, architecture, soft relaxation, Adam 1e-3, batch 100, tau schedule, and
# the exact discrete test -ELBO (one-hot z ~ q(z|x), analytic KL) printed per epoch.
import os, sys
THREADS = sys.argv[3] if len(sys.argv) > 3 else '1'
os.environ['OPENBLAS_NUM_THREADS'] = THREADS
import time, math, gzip, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(int(THREADS))
torch.manual_seed(0)
L, K = 20, 10
epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
init = sys.argv[2] if len(sys.argv) > 2 else 'torch'
data = os.environ.get('ML_RELAXATION_DATA') or os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..', 'shared', 'data')
with gzip.open(os.path.join(data, 'mnist10k-images-idx3-ubyte.gz')) as f:
    X = np.frombuffer(f.read()[16:], dtype=np.uint8).reshape(-1, 784).astype(np.float32) / 255.0
Xb = torch.from_numpy((X > 0.5).astype(np.float32))
tr, te = Xb[:9000], Xb[9000:]
enc = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, L * K))
dec = nn.Sequential(nn.Linear(L * K, 256), nn.ReLU(), nn.Linear(256, 512), nn.ReLU(), nn.Linear(512, 784))
if init == 'ours':
    for net in (enc, dec):
        layers = [m for m in net if isinstance(m, nn.Linear)]
        for i, layer in enumerate(layers):
            if i == len(layers) - 1: nn.init.xavier_uniform_(layer.weight)
            else: nn.init.kaiming_uniform_(layer.weight, nonlinearity='relu')
            nn.init.zeros_(layer.bias)
opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), lr=1e-3)
def neg_elbo(x, tau, hard):
    logits = enc(x).view(-1, L, K)
    z = F.gumbel_softmax(logits, tau=tau, hard=hard, dim=-1)
    xl = dec(z.view(-1, L * K))
    rec = F.binary_cross_entropy_with_logits(xl, x, reduction='sum') / x.shape[0]
    q = F.softmax(logits, -1)
    kl = (q * (F.log_softmax(logits, -1) + math.log(K))).sum() / x.shape[0]
    return rec + kl
def discrete_neg_elbo(x):
    state = torch.get_rng_state(); torch.manual_seed(12345)
    with torch.no_grad():
        v = neg_elbo(x, 1.0, True).item()
    torch.set_rng_state(state)
    return v
step = 0; tau = 1.0
for ep in range(epochs):
    t0 = time.perf_counter()
    perm = torch.randperm(len(tr))
    for i in range(0, len(tr), 100):
        x = tr[perm[i:i + 100]]
        loss = neg_elbo(x, tau, False)
        opt.zero_grad(); loss.backward(); opt.step()
        step += 1
        if step % 100 == 0:
            tau = max(0.5, math.exp(-3e-5 * step))
    dt = time.perf_counter() - t0
    with torch.no_grad():
        te_loss = neg_elbo(te, tau, False).item()
    print(f"init {init} epoch {ep+1} time_s {dt:.3f} test_neg_elbo {te_loss:.2f} tau {tau:.3f} discrete_neg_elbo {discrete_neg_elbo(te):.2f}", flush=True)
