"""The stand-in network of bench/inference.bench.ts: a small 2D U-Net (3 adjacent slices in, 1 probability out),
defined in PyTorch so the very same network can be timed in PyTorch (CPU) and, exported, in onnxruntime.

usage: inference-unet.py export OUT.onnx
       inference-unet.py time SLICES ROWS COLS BATCH THREADS [BASE]   → prints {"seconds": …} (network only)
With BASE, the network timed is the trained model's architecture (models/train/unet.py, UNet25D of that base
width; its weights do not change its speed) instead of the stand-in.
Run with /usr/bin/python3 (Debian's python3-torch).
"""
import json
import os
import sys
import time

import torch
from torch import nn


def block(cin, cout):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1), nn.ReLU(inplace=True),
    )


class UNet(nn.Module):
    def __init__(self, channels=3, base=8):
        super().__init__()
        self.enc1, self.enc2, self.enc3 = block(channels, base), block(base, 2 * base), block(2 * base, 4 * base)
        self.pool = nn.MaxPool2d(2)
        self.up2, self.dec2 = nn.ConvTranspose2d(4 * base, 2 * base, 2, stride=2), block(4 * base, 2 * base)
        self.up1, self.dec1 = nn.ConvTranspose2d(2 * base, base, 2, stride=2), block(2 * base, base)
        self.head = nn.Conv2d(base, 1, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(self.pool(e1))
        e3 = self.enc3(self.pool(e2))
        d2 = self.dec2(torch.cat([self.up2(e3), e2], 1))
        d1 = self.dec1(torch.cat([self.up1(d2), e1], 1))
        return torch.sigmoid(self.head(d1))


def network():
    torch.manual_seed(0)
    model = UNet().eval()
    with torch.no_grad():
        # Untrained weights put probabilities near 0.5 everywhere; a negative bias makes the map mostly
        # background, like a trained model's, so the findings stage is timed on a realistic map.
        model.head.bias.fill_(-4.0)
    return model


def main():
    if sys.argv[1] == "export":
        x = torch.zeros(1, 3, 64, 64)
        torch.onnx.export(
            network(), x, sys.argv[2], input_names=["image"], output_names=["probability"], opset_version=17,
            dynamic_axes={"image": {0: "N", 2: "H", 3: "W"}, "probability": {0: "N", 2: "H", 3: "W"}},
        )
        return
    slices, rows, cols, batch, threads = map(int, sys.argv[2:7])
    torch.set_num_threads(threads)
    if len(sys.argv) > 7:
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'models', 'train'))
        from unet import UNet25D  # noqa: E402 (the trainer's architecture, found at run time)
        model = UNet25D(3, int(sys.argv[7])).eval()
    else:
        model = network()
    x = torch.rand(batch, 3, rows, cols)
    with torch.inference_mode():
        model(x)  # warm-up, as onnxruntime's session creation is outside its timing too
        started = time.perf_counter()
        done = 0
        while done < slices:
            n = min(batch, slices - done)
            model(x[:n])
            done += n
        seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds}))


if __name__ == "__main__":
    main()
