"""The stand-in network of bench/inference.bench.ts: a small 2D U-Net (3 adjacent slices in, 1 probability out),
defined in PyTorch so the very same network can be timed in PyTorch (CPU) and, exported, in onnxruntime.

usage: inference-unet.py export OUT.onnx
       inference-unet.py time SLICES ROWS COLS BATCH THREADS [BASE CHANNELS [int8]]
       → prints {"seconds": …, "int8Seconds": …} (network only; int8Seconds with int8)
With BASE and CHANNELS, the network timed is the trained model's architecture (models/train/unet.py, UNet25D of
that base width and input channels; its weights do not change its speed) instead of the stand-in. PyTorch runs
it in float32, as the trainer does, and with int8 also quantized by PyTorch itself (onednn), the fair match for a
shipped int8 model (models/train/quantize.py).
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


def timed(model, x, slices, batch):
    """Seconds for `slices` slices in batches of `batch` (after one warm-up batch, as onnxruntime's session
    creation is outside its timing too)."""
    with torch.inference_mode():
        model(x)
        started = time.perf_counter()
        done = 0
        while done < slices:
            n = min(batch, slices - done)
            model(x[:n])
            done += n
        return time.perf_counter() - started


def int8(model, x):
    """The same network quantized by PyTorch itself (FX graph mode, onednn engine: s8 weights per channel, u8
    activations — the scheme of models/train/quantize.py; ConvTranspose per tensor, which is all PyTorch offers
    for it). Calibrated on `x`: ranges do not change the speed."""
    from torch.ao.quantization import default_qconfig, get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
    torch.backends.quantized.engine = 'onednn'
    mapping = get_default_qconfig_mapping('onednn').set_object_type(nn.ConvTranspose2d, default_qconfig)
    prepared = prepare_fx(model, mapping, example_inputs=(x,))
    with torch.no_grad():
        prepared(x)
    return convert_fx(prepared)


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
        channels = int(sys.argv[8])
        model = UNet25D(channels, int(sys.argv[7])).eval()
    else:
        channels, model = 3, network()
    x = torch.rand(batch, channels, rows, cols)
    result = {"seconds": timed(model, x, slices, batch)}
    if len(sys.argv) > 9 and sys.argv[9] == 'int8':
        result["int8Seconds"] = timed(int8(model, x), x, slices, batch)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
