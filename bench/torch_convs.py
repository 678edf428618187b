"""The convolutions of bench/infer-convs.ts (PreAct ResNet-18, inference batch 128) timed alone in PyTorch CPU:
`.venv/bin/python bench/torch_convs.py [width]` (2 threads, as the bench's PyTorch rows)."""
import sys, time, torch, torch.nn.functional as F

torch.set_num_threads(2)
w = int(sys.argv[1]) if len(sys.argv) > 1 else 16
shapes = [(32, 3, w, 3, 1, 1), (32, w, w, 3, 1, 4)]
for i in (1, 2, 3):
    cin = w * 2 ** (i - 1); size = 32 // 2 ** (i - 1)
    shapes += [(size, cin, 2 * cin, 3, 2, 1), (size // 2, 2 * cin, 2 * cin, 3, 1, 3), (size, cin, 2 * cin, 1, 2, 1)]
total = 0.0
with torch.no_grad():
    for size, cin, cout, k, stride, count in shapes:
        x = torch.randn(128, cin, size, size); f = torch.randn(cout, cin, k, k)
        run = lambda: F.conv2d(x, f, stride=stride, padding=(k - 1) // 2)
        for _ in range(3): run()
        t = time.perf_counter()
        for _ in range(20): run()
        ms = (time.perf_counter() - t) * 1e3 / 20
        total += ms * count
        print(f'{size}x{size} {cin}->{cout} k{k} stride {stride} x{count}: {ms:.2f} ms each')
print(f'convolutions per batch: {total:.1f} ms (width {w}, torch {torch.__version__}, {torch.get_num_threads()} threads)')
