"""Calibration of the PyTorch reference's models, measured as mixup-lab's lib/eval/calibration.ts measures it.

usage: python tools/reference/calibration.py [NAME=]MODEL...   (a tools/reference/train.py .pt, or a mixup-lab run folder)
       python tools/reference/calibration.py --logits FILE      (JSON {"logits": [[...], ...], "labels": [...]}: the measures
                                                                 as one JSON line; test/calibration.test.ts runs this)

Measures, on all 10,000 CIFAR-10 test images (CIFAR10_DIR): the expected and maximum calibration errors over 15
equal-width bins of the top-class probability (the last bin holds 1), the reliability diagram's rows (per bin: count,
mean confidence, accuracy), the mean confidence on right and on wrong predictions, the negative log-likelihood, and the
top-class confidence on inputs of no class: uniform noise and pixel-shuffled test images (mean, and share above 0.9).
The noise and shuffles are drawn here with numpy, not with mixup-lab's streams: the same kind of input, not the same
images. The measures themselves are plain Python on float64 softmax rows, so the cross-check needs no torch.
"""
import json, math, os, sys

BINS = 15
OOD_IMAGES = 1000


def softmax_rows(logits):
    """Softmax rows and each row's log-sum-exp, in float64."""
    out, lse = [], []
    for z in logits:
        m = max(z)
        e = [math.exp(v - m) for v in z]
        s = sum(e)
        out.append([v / s for v in e])
        lse.append(m + math.log(s))
    return out, lse


def measures(probs, labels, nll, bins=BINS):
    """The calibration record of softmax rows `probs` against `labels`; `nll` is the pass's mean cross-entropy."""
    n = len(labels)
    count, conf, right = [0] * bins, [0.0] * bins, [0] * bins
    conf_right = conf_wrong = 0.0
    n_right = 0
    total_conf = 0.0
    for p, y in zip(probs, labels):
        top = max(range(len(p)), key=lambda j: (p[j], -j))  # the first maximum, as lib/eval/calibration's topOf
        c = p[top]
        b = min(bins - 1, int(math.floor(c * bins)))
        count[b] += 1
        conf[b] += c
        total_conf += c
        if top == y:
            right[b] += 1; conf_right += c; n_right += 1
        else:
            conf_wrong += c
    ece = mce = 0.0
    rows = []
    for b in range(bins):
        m = count[b]
        row = {'lo': b / bins, 'hi': (b + 1) / bins, 'count': m,
               'confidence': conf[b] / m if m else None, 'accuracy': right[b] / m if m else None}
        if m:
            gap = abs(row['accuracy'] - row['confidence'])
            ece += m / n * gap
            mce = max(mce, gap)
        rows.append(row)
    return {'n': n, 'bins': bins, 'ece': ece, 'mce': mce, 'nll': nll, 'error': (n - n_right) / n if n else 0.0,
            'meanConfidence': total_conf / n if n else 0.0,
            'confidenceCorrect': conf_right / n_right if n_right else None,
            'confidenceWrong': conf_wrong / (n - n_right) if n - n_right else None,
            'reliability': rows}


def from_logits(logits, labels, bins=BINS):
    probs, lse = softmax_rows(logits)
    nll = sum(l - z[y] for l, z, y in zip(lse, logits, labels)) / len(labels)
    return measures(probs, labels, nll, bins)


def ood(probs):
    tops = [max(p) for p in probs]
    return {'mean': sum(tops) / len(tops), 'over90': sum(1 for c in tops if c > 0.9) / len(tops)}


def score_model(m, xte, yte, torch):
    """The record for one model: calibration on the test set, confidence on noise and on shuffled test images."""
    def logits_of(x, bs=500):
        with torch.no_grad():
            return torch.cat([m(x[b:b + bs]) for b in range(0, x.shape[0], bs)]).double()
    z = logits_of(xte)
    rec = from_logits(z.tolist(), yte.tolist())
    g = torch.Generator().manual_seed(0)
    k = min(OOD_IMAGES, xte.shape[0])
    noise = torch.randint(0, 256, xte[:k].shape, generator=g).float() / 255
    n, c, h, w = xte[:k].shape
    flat = xte[:k].reshape(n, c, h * w)
    order = torch.stack([torch.randperm(h * w, generator=g) for _ in range(n)])  # one shuffle per image; channels move together
    shuffled = torch.gather(flat, 2, order[:, None, :].expand(n, c, h * w)).reshape(n, c, h, w)
    for name, x in (('noise', noise), ('shuffled', shuffled)):
        o = ood(logits_of(x).softmax(1).tolist())
        rec[f'ood_{name}_confidence'] = o['mean']; rec[f'ood_{name}_over90'] = o['over90']
    return rec


if __name__ == '__main__':
    if len(sys.argv) < 2: sys.exit(__doc__)
    if sys.argv[1] == '--logits':
        d = json.load(open(sys.argv[2]))
        print(json.dumps(from_logits(d['logits'], d['labels'], d.get('bins', BINS))))
        sys.exit(0)
    import torch
    from weights import cifar_dir, reference_module
    from fgsm import load
    tp = reference_module()
    torch.set_num_threads(int(os.environ.get('OMP_NUM_THREADS', '2')))
    xte, yte = tp.load(f'{cifar_dir()}/test_batch.bin')
    for arg in sys.argv[1:]:
        name, path = arg.split('=', 1) if '=' in arg else (None, arg)
        m = load(path); m.eval()
        name = name or (os.path.basename(path)[:-3] if path.endswith('.pt') else 'mixup-lab:' + os.path.basename(path.rstrip('/')))
        print(json.dumps({'calibrated': name, 'model': path, **score_model(m, xte, yte, torch)}), flush=True)
