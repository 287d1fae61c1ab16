"""Compact 2.5D U-Net: adjacent CT slices in as channels, one nodule probability map out (same rows/cols).

Three poolings (so inputs are padded to a multiple of 8), BatchNorm folded into the convolutions by the ONNX
exporter in eval mode, and the sigmoid inside the graph so the shipped output already is a probability.
"""
import torch
from torch import nn


def block(cin, cout):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class UNet25D(nn.Module):
    STRIDE = 8

    def __init__(self, channels=3, base=16):
        super().__init__()
        widths = [base, base * 2, base * 4, base * 8]
        self.down = nn.ModuleList()
        cin = channels
        for w in widths:
            self.down.append(block(cin, w))
            cin = w
        self.pool = nn.MaxPool2d(2)
        self.up = nn.ModuleList()
        self.merge = nn.ModuleList()
        for w in reversed(widths[:-1]):
            self.up.append(nn.ConvTranspose2d(cin, w, 2, stride=2))
            self.merge.append(block(2 * w, w))
            cin = w
        self.head = nn.Conv2d(cin, 1, 1)

    def logits(self, x):
        skips = []
        for i, down in enumerate(self.down):
            x = down(x)
            if i < len(self.down) - 1:
                skips.append(x)
                x = self.pool(x)
        for up, merge in zip(self.up, self.merge):
            x = up(x)
            x = merge(torch.cat([x, skips.pop()], dim=1))
        return self.head(x)

    def forward(self, x):
        return torch.sigmoid(self.logits(x))
