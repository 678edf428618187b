"""Would TensorFlow's graph mode make our inference faster? `.venv/bin/python bench/tf_graph_infer.py` (W=16 by default)
runs PreAct ResNet-18's inference pass (batch 128, NHWC, eval-mode batch norm with nonzero statistics — an untrained
network's 0/1 statistics ran 1.5-2x slower here on both TensorFlow and PyTorch) in the TensorFlow 2.21 that
mixup-lab's binding is built against: eager ops (what tfjs-node does), tf.function with the weights frozen in as
constants (grappler folds batch norm into the convolutions and fuses on oneDNN), and tf.function with the weights as
arguments (one graph reusable across evaluations). ms per batch; docs/lab-notes.md, Benchmark, says what it showed."""
import os, time, numpy as np
import tensorflow as tf
tf.config.threading.set_intra_op_parallelism_threads(2); tf.config.threading.set_inter_op_parallelism_threads(1)
rng = np.random.default_rng(1); w = int(os.environ.get('W', '16'))
def conv_w(k, ci, co): return tf.constant(rng.normal(0, np.sqrt(2 / (k * k * ci)), (k, k, ci, co)).astype(np.float32))
def bn(c): return [tf.constant(rng.uniform(0.5, 1.5, c).astype(np.float32)), tf.constant(rng.normal(0, 0.1, c).astype(np.float32)),
                   tf.constant(rng.normal(0, 0.1, c).astype(np.float32)), tf.constant(rng.uniform(0.5, 2, c).astype(np.float32))]
def bnf(x, p): return tf.compat.v1.nn.fused_batch_norm(x, p[0], p[1], p[2], p[3], epsilon=1e-5, is_training=False)[0]
def conv(x, f, s):
    k = f.shape[0]
    if k == 1: return tf.nn.conv2d(x, f, s, 'VALID')
    if s == 1: return tf.nn.conv2d(x, f, 1, 'SAME')
    return tf.nn.conv2d(x, f, s, [[0, 0], [1, 1], [1, 1], [0, 0]])
blocks = []; cin = w
for i, (co, s) in enumerate([(w, 1), (w, 1), (2*w, 2), (2*w, 1), (4*w, 2), (4*w, 1), (8*w, 2), (8*w, 1)]):
    blocks.append(dict(bn1=bn(cin), c1=conv_w(3, cin, co), bn2=bn(co), c2=conv_w(3, co, co), s=s, sc=conv_w(1, cin, co) if (s != 1 or cin != co) else None)); cin = co
stem = conv_w(3, 3, w); bnL = bn(8*w); lin = tf.constant(rng.normal(0, 0.05, (8*w, 10)).astype(np.float32))
def forward(x):
    h = conv(x, stem, 1)
    for b in blocks:
        o = tf.nn.relu(bnf(h, b['bn1']))
        sc = conv(o, b['sc'], b['s']) if b['sc'] is not None else h
        t = conv(tf.nn.relu(bnf(conv(o, b['c1'], b['s']), b['bn2'])), b['c2'], 1)
        h = t + sc
    h = tf.nn.relu(bnf(h, bnL))
    return tf.matmul(tf.reduce_mean(h, [1, 2]), lin)
x = tf.constant(rng.uniform(0, 1, (128, 32, 32, 3)).astype(np.float32))
g = tf.function(forward)
for name, f in [('eager', forward), ('tf.function', g), ('eager', forward), ('tf.function', g)]:
    for _ in range(3): f(x).numpy()
    t = time.perf_counter(); n = 20
    for _ in range(n): f(x).numpy()
    print(f'{name}: {(time.perf_counter() - t) * 1e3 / n:.1f} ms/batch')
print('max |eager - graph| =', float(tf.reduce_max(tf.abs(forward(x) - g(x)))))
# Weights as inputs (one graph per architecture, any weights): the form a SavedModel for tfjs-node would take.
def forward_args(x, stem_, bnL_, lin_, blocks_):
    h = conv(x, stem_, 1)
    for b in blocks_:
        o = tf.nn.relu(bnf(h, b['bn1']))
        sc = conv(o, b['sc'], b['s']) if b['sc'] is not None else h
        h = conv(tf.nn.relu(bnf(conv(o, b['c1'], b['s']), b['bn2'])), b['c2'], 1) + sc
    h = tf.nn.relu(bnf(h, bnL_))
    return tf.matmul(tf.reduce_mean(h, [1, 2]), lin_)
ga = tf.function(forward_args)
args = (stem, bnL, lin, [{k: v for k, v in b.items()} for b in blocks])
for _ in range(2):
    for _ in range(3): ga(x, *args).numpy()
    t = time.perf_counter(); n = 20
    for _ in range(n): ga(x, *args).numpy()
    print(f'tf.function, weights as arguments: {(time.perf_counter() - t) * 1e3 / n:.1f} ms/batch')
print('max |eager - graph(args)| =', float(tf.reduce_max(tf.abs(forward(x) - ga(x, *args)))))
