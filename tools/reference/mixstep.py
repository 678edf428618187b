"""One mixup step as the references take it (facebookresearch/mixup-cifar10's train.py): one lambda ~ Beta(alpha, alpha)
per batch from numpy's `rng` (alpha 0: ERM, lambda 1), the batch mixed with a shuffled copy of itself (the permutation
from torch's generator `g`), the loss mixed with the same lambda. Shared by speech.py and uci.py."""
import torch
import torch.nn.functional as F


def mixup_step(m, opt, x, y, alpha, rng, g):
    lam = float(rng.beta(alpha, alpha)) if alpha > 0 else 1.0
    p = torch.randperm(x.shape[0], generator=g)
    out = m(lam * x + (1 - lam) * x[p])
    loss = lam * F.cross_entropy(out, y) + (1 - lam) * F.cross_entropy(out, y[p])
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss
