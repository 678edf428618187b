"""The PyTorch reference of notebook 6 (the paper's section 3.3 on spoken digits, here FSDD): the same spectrograms
(exported by export-speech.ts: the project's own, split and standardised as lib/experiments/speech does), the same two
nets (lib/models/convnets.ts: LeNet with valid 5x5 convs, and VGG-11's layout of 3x3 conv + BN + ReLU at a width, global
average pooling), the same initialisation (PyTorch's defaults, which lib/models/params.ts follows; convs without
bias), Adam at lr 1e-3 with tfjs's epsilon 1e-7, batch 100, no augmentation, one lambda ~ Beta(alpha, alpha) per batch
mixing the batch with a shuffled copy of itself.

  python tools/reference/speech.py run NAME DATA_DIR SPLIT MODEL WIDTH EPOCHS ALPHA SEED OUT_JSONL

SPLIT names the exported files (official, speaker-nicolas, ...); MODEL lenet or vgg (WIDTH is VGG's; ignored for
LeNet). Writes a JSON line per epoch (test error %) and a final line. Every draw is seeded from SEED: torch's generator
the shuffles and partners and (global seed) the initial weights, numpy's (seed 1000 + SEED) the lambdas.
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from mixstep import mixup_step

torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
BATCH = 100


def load(data, split, part):
    head = json.load(open(os.path.join(data, f"{split}.json")))
    n = head[part]
    x = np.fromfile(os.path.join(data, f"{split}.{part}.x.f32"), dtype=np.float32).reshape(n, 1, head["frames"], head["bins"])
    y = np.fromfile(os.path.join(data, f"{split}.{part}.y.i32"), dtype=np.int32).astype(np.int64)
    return torch.from_numpy(x.copy()), torch.from_numpy(y)


class LeNet(nn.Module):
    def __init__(self, frames, bins):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 6, 5, bias=False), nn.Conv2d(6, 16, 5, bias=False)
        side = lambda v: ((v - 4) // 2 - 4) // 2
        self.fc1, self.fc2, self.fc3 = nn.Linear(side(frames) * side(bins) * 16, 120), nn.Linear(120, 84), nn.Linear(84, 10)

    def forward(self, x):
        h = F.max_pool2d(F.relu(self.conv1(x)), 2)
        h = F.max_pool2d(F.relu(self.conv2(h)), 2)
        # Flattened in NHWC order, as our reshape of a [n, h, w, c] tensor does, so fc1's rows mean the same.
        h = h.permute(0, 2, 3, 1).flatten(1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(h)))))


VGG11 = [1, "M", 2, "M", 4, 4, "M", 8, 8, "M", 8, 8, "M"]


class Vgg(nn.Module):
    def __init__(self, width):
        super().__init__()
        layers, cin = [], 1
        for l in VGG11:
            if l == "M":
                layers.append(nn.MaxPool2d(2))
            else:
                layers += [nn.Conv2d(cin, l * width, 3, padding=1, bias=False), nn.BatchNorm2d(l * width), nn.ReLU()]
                cin = l * width
        self.features, self.head = nn.Sequential(*layers), nn.Linear(cin, 10)

    def forward(self, x):
        return self.head(self.features(x).mean((2, 3)))


@torch.no_grad()
def error(m, x, y, bs=500):
    m.eval()
    wrong = sum(int((m(x[b:b + bs]).argmax(1) != y[b:b + bs]).sum()) for b in range(0, x.shape[0], bs))
    return wrong / x.shape[0]


def run(name, data, split, model, width, epochs, alpha, seed, out_path):
    xtr, ytr = load(data, split, "train")
    xte, yte = load(data, split, "test")
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(1000 + seed)
    m = LeNet(xtr.shape[2], xtr.shape[3]) if model == "lenet" else Vgg(width)
    if model == "lenet":
        # LeNet's 5x5 convs run ~5x faster channels-last (oneDNN) and give the same logits to 1e-7. VGG stays NCHW:
        # channels-last picks convolutions there that are off by 1e-3 in the logits against float64.
        m = m.to(memory_format=torch.channels_last)
        xtr, xte = (v.contiguous(memory_format=torch.channels_last) for v in (xtr, xte))
    opt = torch.optim.Adam(m.parameters(), lr=1e-3, eps=1e-7)
    head = {"name": name, "split": split, "model": model, "width": width, "epochs": epochs, "alpha": alpha, "seed": seed}
    t0 = time.time()
    with open(out_path, "a") as f:
        for ep in range(epochs):
            m.train()
            perm = torch.randperm(xtr.shape[0], generator=g)
            total = 0.0
            for b in range(0, xtr.shape[0], BATCH):
                ids = perm[b:b + BATCH]
                loss = mixup_step(m, opt, xtr[ids], ytr[ids], alpha, rng, g)
                total += float(loss.detach()) * ids.shape[0]
            rec = {**head, "epoch": ep, "loss": round(total / xtr.shape[0], 4), "test_err": round(100 * error(m, xte, yte), 2),
                   "s": round(time.time() - t0, 1)}
            f.write(json.dumps(rec) + "\n")
            f.flush()
        f.write(json.dumps({**head, "final": True, "test_err": rec["test_err"], "s": rec["s"]}) + "\n")


if __name__ == "__main__":
    a = sys.argv
    if len(a) != 11 or a[1] != "run":
        sys.exit(__doc__)
    run(a[2], a[3], a[4], a[5], int(a[6]), int(a[7]), float(a[8]), int(a[9]), a[10])
