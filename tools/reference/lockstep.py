"""The PyTorch half of the lock-step comparison (tools/reference/lockstep.ts writes OUT_DIR first).

usage: python tools/reference/lockstep.py compare OUT_DIR
       python tools/reference/lockstep.py replay OUT_DIR RESULT_JSONL MODEL_PT
(CIFAR10_DIR names the CIFAR-10 binary folder; default data/cifar-10/cifar-10-batches-bin, where the project fetches it.)

compare: loads mixup-lab's initial weights into the reference network of tools/reference/train.py, takes the very
same steps (mixup-lab's mixed batches and soft targets, the reference's SGD: momentum 0.9, coupled weight decay)
and prints, per step, both losses and the largest relative difference ||ours - ref|| / ||ref|| over the trainable
tensors and over the batch-norm running statistics, naming the tensor. Identical steps drift apart only by float
rounding, growing smoothly; a difference in the step itself shows at the first step, in the tensor it touches.
The soft-target cross-entropy used here equals the reference's lam * CE(y_a) + (1 - lam) * CE(y_b). It also checks
that the batches rebuilt from mixup-lab's recorded draws (order, crop offsets, flips, lambda, partners) equal the
batches mixup-lab trained on.

replay: trains the reference network from mixup-lab's initial weights on mixup-lab's draws for every epoch in OUT_DIR
(lockstep.js --draws-only --epochs 240), with the reference's batch assembly, loss and SGD, and writes the reference's
JSON lines (test error on a schedule, then white-box FGSM) and weights. It separates what the draws give (the same
draws as one mixup-lab run) from what the arithmetic gives (PyTorch's kernels instead of TensorFlow's).
"""
import json, os, sys, time
import numpy as np, torch, torch.nn.functional as F
from weights import cifar_dir, load_into, reference_module, torch_name

if len(sys.argv) < 3 or sys.argv[1] not in ('compare', 'replay'): sys.exit(__doc__)
mode, out = sys.argv[1], sys.argv[2]
tp = reference_module()
data_dir = cifar_dir()
torch.set_num_threads(int(os.environ.get('OMP_NUM_THREADS', '1')))

man = json.load(open(os.path.join(out, 'manifest.json')))
raw = np.fromfile(os.path.join(out, 'data.bin'), dtype=np.float32)
tensors, off = {}, 0
for t in man['tensors']:
    n = int(np.prod(t['shape'])) if t['shape'] else 1
    tensors[t['name']] = raw[off:off + n].reshape(t['shape']); off += n
assert off == raw.size, 'data.bin does not match manifest.json'

def params_at(prefix):
    return {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}

m = load_into(tp.Net(man['width']), params_at('init/'))
m.train()
opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=man['momentum'], weight_decay=man['weightDecay'])
trainable = {n for n, _ in m.named_parameters()}
xtr, ytr = tp.load(f'{data_dir}/data_batch_1.bin', man['n'])

def batch(st):
    """The step's batch from mixup-lab's draws, assembled the reference's way (tp.augment's gather, then mixing)."""
    ids = torch.tensor(st['idx']); a = torch.tensor(st['aug']).view(-1, 3); n = ids.shape[0]
    xp = F.pad(xtr[ids], (4, 4, 4, 4)); idx = torch.arange(32)
    rows, cols = a[:, 0].view(n, 1) + idx.view(1, 32), a[:, 1].view(n, 1) + idx.view(1, 32)
    x = xp[torch.arange(n).view(n, 1, 1, 1), torch.arange(3).view(1, 3, 1, 1), rows.view(n, 1, 32, 1), cols.view(n, 1, 1, 32)]
    x = torch.where(a[:, 2].bool().view(n, 1, 1, 1), x.flip(3), x)
    y = ytr[ids]
    if st['perm'] is None: return x, y, 1.0, y
    lam, p = torch.tensor(st['lam'], dtype=torch.float32), torch.tensor(st['perm'])  # lambda as mixup-lab's float32
    if st.get('layer', 0) > 0: return x, y, lam, y[p]  # Manifold Mixup: the model mixes a hidden state (step)
    return lam * x + (1 - lam) * x[p], y, lam, y[p]

def step(st):
    for g in opt.param_groups: g['lr'] = st['lr']
    x, ya, lam, yb = batch(st)
    hidden = (st['layer'], lam, torch.tensor(st['perm'])) if st.get('layer', 0) > 0 else None
    out = m(x.contiguous(memory_format=torch.channels_last), mix=hidden)
    loss = lam * F.cross_entropy(out, ya) + (1 - lam) * F.cross_entropy(out, yb)
    opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
    return x, loss.item()

def compare(ours):
    sd = m.state_dict()
    worst = {'trainable': (0.0, ''), 'running': (0.0, '')}
    for name, arr in ours.items():
        key, conv = torch_name(name)
        ref = sd[key].detach().numpy()
        rel = float(np.linalg.norm(conv(arr) - ref) / max(np.linalg.norm(ref), 1e-12))
        kind = 'trainable' if key in trainable else 'running'
        if rel > worst[kind][0]: worst[kind] = (rel, name)
    return worst

if mode == 'compare':
    assert man['trained'], 'OUT_DIR holds draws only (--draws-only): use replay'
    print(f"{'step':>5} {'epoch':>5} {'loss ours':>12} {'loss ref':>12}  {'worst trainable rel. diff':<44} worst running-stat rel. diff")
    for k, st in enumerate(man['steps']):
        x, loss = step(st)
        gap = float((x.permute(0, 2, 3, 1) - torch.from_numpy(tensors[f'step{k}/x'])).abs().max())
        assert gap < 1e-6, f'step {k + 1}: the batch rebuilt from the draws differs from mixup-lab\'s by {gap}'
        w = compare(params_at(f'after{k}/'))
        if k < 5 or (k + 1) % 10 == 0 or k == len(man['steps']) - 1:
            print(f"{k + 1:5d} {st['epoch'] + 1:5d} {st['loss']:12.7f} {loss:12.7f}  {w['trainable'][0]:9.2e} {w['trainable'][1]:<34} "
                  f"{w['running'][0]:9.2e} {w['running'][1]}", flush=True)
    print('every batch rebuilt from the recorded draws equals the one mixup-lab trained on')
else:
    result, model_path = sys.argv[3], sys.argv[4]
    xte, yte = tp.load(f'{data_dir}/test_batch.bin')
    name = f"replay-a{man['alpha']:g}-s{man['seed']}"
    head = {'name': name, 'n': man['n'], 'width': man['width'], 'epochs': man['epochs'], 'alpha': man['alpha'], 'noise': 0.0,
            'seed': man['seed'], 'draws': 'mixup-lab'}
    f = open(result, 'a'); t0 = time.time(); epoch, tot, seen = 0, 0.0, 0
    for k, st in enumerate(man['steps']):
        m.train(); _, loss = step(st); tot += loss * len(st['idx']); seen += len(st['idx'])
        last = k == len(man['steps']) - 1 or man['steps'][k + 1]['epoch'] != st['epoch']
        if last and ((st['epoch'] + 1) % tp.EVAL_EVERY == 0 or st['epoch'] == man['epochs'] - 1):
            rec = {**head, 'epoch': st['epoch'], 'lr': st['lr'], 'loss': round(tot / seen, 4),
                   'test_err': round(100 * tp.error(m, xte, yte), 2), 's': round(time.time() - t0, 1)}
            f.write(json.dumps(rec) + '\n'); f.flush()
        if last: tot, seen = 0.0, 0
    fin = {**head, 'final': True, 'test_err': round(100 * tp.error(m, xte, yte), 2), 's': round(time.time() - t0, 1)}
    for e in tp.EPS: fin[f'fgsm_white_{e}'] = round(100 * tp.error(m, tp.fgsm(m, xte, yte, e), yte), 2)
    f.write(json.dumps(fin) + '\n'); f.close()
    torch.save({'w': man['width'], 'state': m.state_dict()}, model_path)
