"""PyTorch CPU yardstick for bench/train-speed.ts: the reference PreAct ResNet-18 (mixup-cifar10's
models/resnet.py, widths scaled by width/64), one SGD step per batch after warm-up. Prints one JSON line."""
import argparse, json, resource, time
import torch
import torch.nn as nn
import torch.nn.functional as F


class PreActBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False))

    def forward(self, x):
        out = F.relu(self.bn1(x))
        shortcut = self.shortcut(out)
        out = self.conv1(out)
        out = self.conv2(F.relu(self.bn2(out)))
        return out + shortcut


class PreActResNet18(nn.Module):
    def __init__(self, width):
        super().__init__()
        w = [width, 2 * width, 4 * width, 8 * width]
        self.conv1 = nn.Conv2d(3, w[0], 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(w[0])
        layers, cin = [], w[0]
        for s, cout in enumerate(w):
            for b in range(2):
                layers.append(PreActBlock(cin, cout, 2 if (b == 0 and s > 0) else 1))
                cin = cout
        self.layers = nn.Sequential(*layers)
        self.linear = nn.Linear(w[3], 10)

    def forward(self, x):
        out = self.layers(F.relu(self.bn1(self.conv1(x))))
        return self.linear(torch.flatten(F.avg_pool2d(out, 4), 1))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--width', type=int, default=16)
    p.add_argument('--batch', type=int, default=128)
    p.add_argument('--steps', type=int, default=10)
    a = p.parse_args()
    torch.manual_seed(1)
    net = PreActResNet18(a.width)
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    x = torch.rand(a.batch, 3, 32, 32)
    y = torch.randint(0, 10, (a.batch,))

    def step():
        opt.zero_grad()
        F.cross_entropy(net(x), y).backward()
        opt.step()

    net.train()
    for _ in range(3):
        step()
    t = time.time()
    for _ in range(a.steps):
        step()
    train = a.batch * a.steps / (time.time() - t)
    net.eval()
    with torch.no_grad():
        net(x)
        t = time.time()
        for _ in range(a.steps):
            net(x)
        infer = a.batch * a.steps / (time.time() - t)
    print(json.dumps({'backend': 'pytorch', 'width': a.width, 'batch': a.batch, 'train_img_s': round(train, 1),
                      'infer_img_s': round(infer, 1), 'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                      'threads': torch.get_num_threads()}))


if __name__ == '__main__':
    main()
