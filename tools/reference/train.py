"""The PyTorch reference: the paper's CIFAR-10 recipe (facebookresearch/mixup-cifar10) on a subset, the yardstick
that mixup-lab's runs are set beside (results/reference/ holds its runs; lib/reference/runs.ts reads them).

One run trains the reference PreAct ResNet-18 (the authors' models/preact_resnet.py layout, width scaled: stem conv,
4 stages of 2 pre-activation blocks, the shortcut taken on relu(bn1(x)) as in their code) with their recipe: SGD,
momentum 0.9, weight decay 1e-4, batch 128, random crop (pad 4) + horizontal flip, one lambda ~ Beta(alpha, alpha)
per batch mixing the batch with a shuffled copy of itself, lr 0.1 divided by 10 at 50 % and 75 % of the epochs. It
trains on the first N images of data_batch_1.bin (N <= 10,000), optionally with a fraction of the labels redrawn
uniformly (the memorisation experiment), and writes one JSON line per scored epoch and a final line with white-box
FGSM error at eps 1, 2, 4, 8 /255 on all 10,000 test images; then it saves the weights.

  python tools/reference/train.py run NAME DATA_DIR N WIDTH EPOCHS ALPHA NOISE SEED OUT_JSONL MODEL_PT
  python tools/reference/train.py blackbox DATA_DIR SOURCE_PT TARGET_PT...   (JSON lines on stdout)

DATA_DIR holds the CIFAR-10 binary files (data_batch_1.bin, test_batch.bin). EVAL_EVERY=k (environment) scores the
test set every k epochs and after the last (default 1). LAYERS=0,1,2 (environment) is Manifold Mixup (Verma et al.
2019, vikasverma1077/manifold_mixup's PreAct ResNet): each batch mixes where a draw from the list says, 0 the inputs,
k the hidden state after stage k (default 0: the inputs, mixup). Runs on a CUDA GPU when there is one, else on the CPU.
Every random draw is seeded from SEED: numpy's generator (seed 1000 + SEED) draws the label noise and the lambdas,
torch's generator (SEED) the shuffles, crops, flips and partners, torch's global seed (SEED) the initial weights.
Rerunning a row of results/reference/: see tools/reference/README.md.
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
torch.backends.cudnn.benchmark = True
# The authors' normalisation constants (mixup-cifar10 train.py).
MEAN = torch.tensor([0.4914, 0.4822, 0.4465], device=dev).view(1, 3, 1, 1)
STD = torch.tensor([0.2023, 0.1994, 0.2010], device=dev).view(1, 3, 1, 1)
EPS = [1, 2, 4, 8]
EVAL_EVERY = int(os.environ.get("EVAL_EVERY", "1"))
LAYERS = [int(k) for k in os.environ.get("LAYERS", "0").split(",")]
BATCH = 128


def load(path, n=None):
    """The first n images of a CIFAR-10 binary file as floats in [0, 1] (NCHW) and their labels."""
    raw = np.fromfile(path, dtype=np.uint8).reshape(-1, 3073)[:n]
    x = torch.from_numpy(raw[:, 1:].reshape(-1, 3, 32, 32).copy()).to(dev).float() / 255
    return x, torch.from_numpy(raw[:, 0].astype(np.int64)).to(dev)


class Block(nn.Module):
    """Pre-activation block; the shortcut (when it projects) reads relu(bn1(x)), as the authors' code does."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn1, self.conv1 = nn.BatchNorm2d(cin), nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2, self.conv2 = nn.BatchNorm2d(cout), nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.sc = nn.Conv2d(cin, cout, 1, stride, bias=False) if stride != 1 or cin != cout else nn.Identity()

    def forward(self, x):
        out = F.relu(self.bn1(x))
        return self.conv2(F.relu(self.bn2(self.conv1(out)))) + self.sc(out)


class Net(nn.Module):
    """PreAct ResNet-18 at width w (64 in the paper): stages of w, 2w, 4w, 8w channels."""

    def __init__(self, w):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(3, w, 3, 1, 1, bias=False), nn.BatchNorm2d(w)
        layers, cin = [], w
        for stage, cout in enumerate([w, 2 * w, 4 * w, 8 * w]):
            for j in range(2):
                layers.append(Block(cin, cout, 2 if stage > 0 and j == 0 else 1))
                cin = cout
        self.layers, self.fc = nn.Sequential(*layers), nn.Linear(8 * w, 10)

    def forward(self, x, mix=None):  # x in [0, 1]; mix = (k, lam, partner): mix the hidden state after stage k
        out = F.relu(self.bn1(self.conv1((x - MEAN) / STD)))
        for i, block in enumerate(self.layers):
            out = block(out)
            if mix is not None and i == 2 * mix[0] - 1:
                out = mix[1] * out + (1 - mix[1]) * out[mix[2]]
        return self.fc(F.avg_pool2d(out, 4).flatten(1))


def augment(x, g):
    """Random 32x32 crop of the image padded by 4 (zeros), then a horizontal flip with probability 1/2."""
    n = x.shape[0]
    padded = F.pad(x, (4, 4, 4, 4))
    top = torch.randint(0, 9, (n,), generator=g, device=dev)
    left = torch.randint(0, 9, (n,), generator=g, device=dev)
    idx = torch.arange(32, device=dev)
    rows, cols = top.view(n, 1) + idx.view(1, 32), left.view(n, 1) + idx.view(1, 32)
    out = padded[torch.arange(n, device=dev).view(n, 1, 1, 1), torch.arange(3, device=dev).view(1, 3, 1, 1),
                 rows.view(n, 1, 32, 1), cols.view(n, 1, 1, 32)]
    flip = torch.rand(n, generator=g, device=dev) < 0.5
    return torch.where(flip.view(n, 1, 1, 1), out.flip(3), out)


@torch.no_grad()
def error(m, x, y, bs=1000):
    """Error rate (a fraction) of model m on (x, y), in inference mode."""
    m.eval()
    wrong = 0
    for b in range(0, x.shape[0], bs):
        wrong += int((m(x[b:b + bs]).argmax(1) != y[b:b + bs]).sum())
    return wrong / x.shape[0]


def fgsm(m, x, y, eps, bs=1000):
    """White-box FGSM at eps/255: one step along the sign of the (float32) loss gradient, clipped to [0, 1]."""
    m.eval()
    outs = []
    for b in range(0, x.shape[0], bs):
        xb = x[b:b + bs].clone().requires_grad_(True)
        g, = torch.autograd.grad(F.cross_entropy(m(xb), y[b:b + bs]), xb)
        outs.append((xb + eps / 255 * g.sign()).clamp(0, 1).detach())
    return torch.cat(outs)


def learning_rate(epoch, epochs):
    """0.1, divided by 10 at half and again at three quarters of the epochs."""
    return 0.1 * (0.1 if epoch >= epochs // 2 else 1) * (0.1 if epoch >= (3 * epochs) // 4 else 1)


def redraw_labels(labels, noise, rng):
    """A fraction `noise` of the labels redrawn uniformly over the 10 classes (a redraw may hit the true class)."""
    n = labels.shape[0]
    noisy, corrupted = labels.clone(), torch.zeros(n, dtype=torch.bool, device=dev)
    if noise > 0:
        k = int(round(noise * n))
        idx = torch.from_numpy(rng.permutation(n)[:k]).to(dev)
        noisy[idx] = torch.from_numpy(rng.integers(0, 10, k)).to(dev)
        corrupted[idx] = True
    return noisy, corrupted


def train_epoch(m, opt, x_train, y_train, alpha, g, rng):
    """One epoch of mixup (alpha > 0) or ERM (alpha = 0: lambda = 1, the partner draw still made); mean loss."""
    n = x_train.shape[0]
    m.train()
    perm = torch.randperm(n, generator=g, device=dev)
    total = torch.zeros((), device=dev)
    for b in range(0, n, BATCH):
        ids = perm[b:b + BATCH]
        if ids.shape[0] < 2:
            continue  # batch norm cannot train on one image
        x, y = augment(x_train[ids], g), y_train[ids]
        # Where to mix, drawn first as the Manifold Mixup authors do; a single layer draws nothing (mixup's streams).
        layer = LAYERS[int(rng.integers(len(LAYERS)))] if alpha > 0 and len(LAYERS) > 1 else LAYERS[0]
        lam = float(rng.beta(alpha, alpha)) if alpha > 0 else 1.0
        partner = torch.randperm(x.shape[0], generator=g, device=dev)
        if layer == 0:
            out = m((lam * x + (1 - lam) * x[partner]).contiguous(memory_format=torch.channels_last))
        else:
            out = m(x.contiguous(memory_format=torch.channels_last), mix=(layer, lam, partner))
        loss = lam * F.cross_entropy(out, y) + (1 - lam) * F.cross_entropy(out, y[partner])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        total += loss.detach() * x.shape[0]
    return float(total) / n


def run(name, data, n, w, epochs, alpha, noise, seed, out_path, model_path):
    x_train, y_true = load(f"{data}/data_batch_1.bin", n)
    x_test, y_test = load(f"{data}/test_batch.bin")
    rng = np.random.default_rng(1000 + seed)
    y_train, corrupted = redraw_labels(y_true, noise, rng)
    torch.manual_seed(seed)
    g = torch.Generator(device=dev).manual_seed(seed)
    m = Net(w).to(dev).to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    head = {"name": name, "n": n, "width": w, "epochs": epochs, "alpha": alpha, "noise": noise, "seed": seed,
            **({"layers": LAYERS} if LAYERS != [0] else {})}
    t0 = time.time()
    with open(out_path, "a") as f:
        for ep in range(epochs):
            lr = learning_rate(ep, epochs)
            for pg in opt.param_groups:
                pg["lr"] = lr
            loss = train_epoch(m, opt, x_train, y_train, alpha, g, rng)
            if (ep + 1) % EVAL_EVERY and ep != epochs - 1:
                continue
            rec = {**head, "epoch": ep, "lr": lr, "loss": round(loss, 4), "test_err": round(100 * error(m, x_test, y_test), 2),
                   "s": round(time.time() - t0, 1)}
            if noise > 0:
                # Error against the labels trained on: 0 on the redrawn ones means every random label was memorised.
                rec["train_err_corrupted_vs_noisy"] = round(100 * error(m, x_train[corrupted], y_train[corrupted]), 2)
                rec["train_err_clean"] = round(100 * error(m, x_train[~corrupted], y_train[~corrupted]), 2)
            f.write(json.dumps(rec) + "\n")
            f.flush()
        fin = {"name": name, "final": True, **{k: v for k, v in head.items() if k != "name"},
               "test_err": round(100 * error(m, x_test, y_test), 2), "s": round(time.time() - t0, 1)}
        for e in EPS:
            fin[f"fgsm_white_{e}"] = round(100 * error(m, fgsm(m, x_test, y_test, e), y_test), 2)
        f.write(json.dumps(fin) + "\n")
    torch.save({"w": w, "state": m.state_dict()}, model_path)


def load_model(path):
    saved = torch.load(path, map_location=dev)
    m = Net(saved["w"]).to(dev)
    m.load_state_dict(saved["state"])
    return m


def blackbox(data, source, targets):
    """FGSM examples made on the source model, scored on each target: one JSON line per target."""
    x_test, y_test = load(f"{data}/test_batch.bin")
    src = load_model(source)
    adv = {e: fgsm(src, x_test, y_test, e) for e in EPS}
    for t in targets:
        m = load_model(t)
        rec = {"source": os.path.basename(source), "target": os.path.basename(t)}
        for e in EPS:
            rec[f"fgsm_black_{e}"] = round(100 * error(m, adv[e], y_test), 2)
        print(json.dumps(rec), flush=True)


USAGE = __doc__.split("\n\n")[1]

if __name__ == "__main__":
    a = sys.argv
    if len(a) == 12 and a[1] == "run":
        run(a[2], a[3], int(a[4]), int(a[5]), int(a[6]), float(a[7]), float(a[8]), int(a[9]), a[10], a[11])
    elif len(a) >= 5 and a[1] == "blackbox":
        blackbox(a[2], a[3], a[4:])
    else:
        sys.exit(f"usage:\n{USAGE}")
