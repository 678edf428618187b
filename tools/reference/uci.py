"""The PyTorch reference of notebook 4 (the paper's section 3.6, UCI data sets): the rows export-uci.ts wrote (the
project's own splits, fill and scaling, validation rows included), the same MLP (lib/models/mlp.ts: two hidden layers
of 128 ReLU units, PyTorch's default initialisation, which lib/models/params.ts follows), Adam at lr 1e-3 with tfjs's
epsilon 1e-7, batch 16 (a last batch of one example dropped, as lib/train/loop does), one lambda ~ Beta(alpha, alpha)
per batch mixing the batch with a shuffled copy of itself; alpha 0 is ERM.

  python tools/reference/uci.py all DATA_DIR OUT_JSONL          every run of DATA_DIR/runs.json not yet in OUT_JSONL
  python tools/reference/uci.py run DATA_DIR NAME OUT_JSONL     one run of runs.json, by name

Writes one JSON line per finished run: its name, set, scaling, the rows scored ("test", or "validation": the rows
alpha is chosen on), alpha, seed, the protocol, its last-epoch error % on those rows and its seconds. Every draw is
seeded from the run's seed: torch's generator the shuffles and partners and (global seed) the initial weights, numpy's
(seed 1000 + seed) the lambdas.
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

from mixstep import mixup_step

torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))


def load(data, split, part, head):
    n, d = head[part], head["inputs"]
    x = np.fromfile(os.path.join(data, f"{split}.{part}.x.f32"), dtype=np.float32)
    y = np.fromfile(os.path.join(data, f"{split}.{part}.y.i32"), dtype=np.int32)
    if x.size != n * d or y.size != n:
        sys.exit(f"{split}.{part}: {x.size} values and {y.size} labels, expected {n} x {d}: export the rows again")
    return torch.from_numpy(x.reshape(n, d).copy()), torch.from_numpy(y.astype(np.int64))


def mlp(inputs, hidden, classes):
    layers, cin = [], inputs
    for h in hidden:
        layers += [nn.Linear(cin, h), nn.ReLU()]
        cin = h
    return nn.Sequential(*layers, nn.Linear(cin, classes))


@torch.no_grad()
def error(m, x, y):
    m.eval()
    return float((m(x).argmax(1) != y).float().mean())


def run(data, spec, protocol, head, out_path):
    xtr, ytr = load(data, spec["split"], "train", head)
    xte, yte = load(data, spec["split"], "test", head)
    seed, alpha, batch = spec["seed"], spec["alpha"], protocol["batch"]
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(1000 + seed)
    m = mlp(head["inputs"], protocol["hidden"], head["classes"])
    opt = torch.optim.Adam(m.parameters(), lr=protocol["lr"], eps=1e-7)
    t0 = time.time()
    n = xtr.shape[0]
    for _ in range(protocol["epochs"]):
        m.train()
        perm = torch.randperm(n, generator=g)
        for b in range(0, n, batch):
            ids = perm[b:b + batch]
            if ids.shape[0] < 2:
                continue
            mixup_step(m, opt, xtr[ids], ytr[ids], alpha, rng, g)
    rec = {**{k: spec[k] for k in ("name", "set", "scaling", "scored", "alpha", "seed")},
           "epochs": protocol["epochs"], "batch": batch, "testFraction": protocol["testFraction"],
           "validationFraction": protocol["validationFraction"],
           "error": round(100 * error(m, xte, yte), 4), "s": round(time.time() - t0, 2)}
    with open(out_path, "a") as f:
        f.write(json.dumps(rec) + "\n")
    return rec


def main(a):
    if len(a) < 4 or a[1] not in ("all", "run") or (a[1] == "run") != (len(a) == 5):
        sys.exit(__doc__)
    data = a[2]
    manifest = json.load(open(os.path.join(data, "runs.json")))
    protocol, splits = manifest["protocol"], manifest["splits"]
    runs = {r["name"]: r for r in manifest["runs"]}
    if a[1] == "run":
        if a[3] not in runs:
            sys.exit(f"no run {a[3]} in {data}/runs.json: its runs are named like {next(iter(runs))}")
        todo, out = [runs[a[3]]], a[4]
    else:
        out = a[3]
        done = set()
        if os.path.exists(out):
            done = {json.loads(l)["name"] for l in open(out) if l.strip()}
        todo = [r for r in runs.values() if r["name"] not in done]
    t0 = time.time()
    for i, spec in enumerate(todo):
        rec = run(data, spec, protocol, splits[spec["split"]], out)
        print(f"uci.py {i + 1}/{len(todo)} {rec['name']}: {rec['error']:.2f} % in {rec['s']} s "
              f"({time.time() - t0:.0f} s so far)", flush=True)


if __name__ == "__main__":
    main(sys.argv)
