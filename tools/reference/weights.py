"""mixup-lab weights in the PyTorch reference network (tools/reference/train.py's Net), for the bench tools
that set the two side by side (lockstep.py, fgsm.py)."""
import json, os, struct, sys
import numpy as np, torch

HERE = os.path.dirname(os.path.abspath(__file__))


def reference_module():
    """The reference trainer (train.py beside this file) imported as a module."""
    sys.path.insert(0, HERE)
    return __import__('train')


def cifar_dir():
    return os.environ.get('CIFAR10_DIR', os.path.join(HERE, '..', '..', 'data', 'cifar-10', 'cifar-10-batches-bin'))


def torch_name(ours):
    """mixup-lab's parameter name -> (reference state_dict key, converter from our layout)."""
    conv = lambda a: a.transpose(3, 2, 0, 1)  # [k, k, cin, cout] -> [cout, cin, k, k]
    same = lambda a: a
    bn = {'gamma': 'weight', 'beta': 'bias', 'mean': 'running_mean', 'var': 'running_var'}
    parts = ours.split('/')
    if parts[0] == 'stem':
        return ('conv1.weight', conv) if parts[1] == 'conv' else (f'bn1.{bn[parts[2]]}', same)
    if parts[0] == 'linear':
        return ('fc.weight', lambda a: a.T) if parts[1] == 'w' else ('fc.bias', same)
    s, b = int(parts[0][5:]), int(parts[1][5:])
    pre = f'layers.{(s - 1) * 2 + b - 1}'
    if parts[2] in ('conv1', 'conv2'): return f'{pre}.{parts[2]}.weight', conv
    if parts[2] == 'shortcut': return f'{pre}.sc.weight', conv
    return f'{pre}.{parts[2]}.{bn[parts[3]]}', same


def load_into(net, arrays):
    """Copies {our name: array in our layout} into the reference network."""
    state = net.state_dict()
    for name, arr in arrays.items():
        key, conv = torch_name(name)
        assert state[key].shape == conv(arr).shape, (name, key, state[key].shape, conv(arr).shape)
        state[key] = torch.from_numpy(np.ascontiguousarray(conv(arr)))
    net.load_state_dict(state)
    return net


def checkpoint_arrays(path):
    """The model tensors of a mixup-lab checkpoint.bin (lib/train/checkpoint.ts) and its header."""
    buf = open(path, 'rb').read()
    n = struct.unpack('<I', buf[:4])[0]; head = json.loads(buf[4:4 + n]); off = 4 + n; out = {}
    for e in head['model']:
        c = int(np.prod(e['shape'])); out[e['name']] = np.frombuffer(buf, np.float32, c, off).reshape(e['shape']); off += 4 * c
    return out, head
