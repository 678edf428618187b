"""White-box FGSM error of saved models in the PyTorch reference network, two ways, one JSON line per model.

usage: python tools/reference/fgsm.py [NAME=]MODEL...   (a tools/reference/train.py .pt, or a mixup-lab run folder / checkpoint.bin)

Each line names what it rescored: `rescored` is the run's name for a .pt (its file name, as tools/reference/train.py's
runs are named in tools/reference/seeds.sh) unless NAME= gives it, so lib/reference/runs.ts attaches the line to that run when it
sits in the same results/reference file; `model` is the path.

`fgsm_white_E`: tools/reference/train.py's own attack, the sign of the float32 gradient of F.cross_entropy.
`fgsm_exact_white_E`: the sign of the exact gradient, with the logits' gradient p - y formed as mixup-lab's
lib/attacks/fgsm.ts forms it (1 - p_y summed from the other classes). On a confident model (an ERM network that has
fitted its training set) float32 rounds 1 - p_y to a few ulps, and the first attack's direction is partly rounding
noise: it understates the error. ε = 1, 2, 4, 8 (/255) on all 10,000 CIFAR-10 test images (CIFAR10_DIR).
"""
import json, os, sys
import torch, torch.nn.functional as F
from weights import checkpoint_arrays, cifar_dir, load_into, reference_module

tp = reference_module()
torch.set_num_threads(int(os.environ.get('OMP_NUM_THREADS', '2')))


def load(path):
    if path.endswith('.pt'):
        s = torch.load(path, map_location='cpu'); m = tp.Net(s['w']); m.load_state_dict(s['state']); return m
    arrays, _ = checkpoint_arrays(os.path.join(path, 'checkpoint.bin') if os.path.isdir(path) else path)
    return load_into(tp.Net(arrays['stem/conv'].shape[3]), arrays)


def exact_direction(m, x, y, bs=500):
    m.eval(); out = []
    for b in range(0, x.shape[0], bs):
        xi = x[b:b + bs].clone().requires_grad_(True); z = m(xi)
        p = z.detach().softmax(1); oh = F.one_hot(y[b:b + bs], z.shape[1]).float()
        others = p * (1 - oh)
        g, = torch.autograd.grad(z, xi, others - oh * others.sum(1, keepdim=True))
        out.append(g.sign())
    return torch.cat(out)


if __name__ == '__main__':
    if len(sys.argv) < 2: sys.exit(__doc__)
    xte, yte = tp.load(f'{cifar_dir()}/test_batch.bin')
    for arg in sys.argv[1:]:
        name, path = arg.split('=', 1) if '=' in arg else (None, arg)
        m = load(path); m.eval()
        name = name or (os.path.basename(path)[:-3] if path.endswith('.pt') else 'mixup-lab:' + os.path.basename(os.path.dirname(path) if path.endswith('.bin') else path.rstrip('/')))
        rec = {'rescored': name, 'model': path, 'test_err': round(100 * tp.error(m, xte, yte), 2)}
        d = exact_direction(m, xte, yte)
        for e in tp.EPS:
            rec[f'fgsm_white_{e}'] = round(100 * tp.error(m, tp.fgsm(m, xte, yte, e), yte), 2)
            rec[f'fgsm_exact_white_{e}'] = round(100 * tp.error(m, (xte + e / 255 * d).clamp(0, 1), yte), 2)
        print(json.dumps(rec), flush=True)
