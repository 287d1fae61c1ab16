"""Scores a model folder's shipped int8 model.onnx again on the held-out studies, without retraining: for a change
to the int8 graph alone (ort_layout.py's rewrites), when the training checkpoint behind it is not at hand.

    /usr/bin/python3 models/train/rescore.py models/overread-nodule-2d5 [--version 1.4.3] [--second-look FILE]

Runs the same evaluation train.py runs after its export (evaluate.py on quantize.py's simulation of the file,
train.py's HELDOUT_SETS), replaces the held-out figures in metrics.json and model.json, records the file's
sha256, size and LAYOUT, and writes MODEL_CARD.md again (model_card.py). Training facts stay as they were.
About 25 min on 2 CPU cores. The figures are those of the map after the manifest's second look, when it has one;
--second-look FILE puts that JSON (rescore_fit.py EXPORT=) in the manifest as its `secondLook` first (`none`
takes it out).

With --onnxruntime it scores what onnxruntime-node computes on this CPU instead (ort-batches.mjs, the app's
session options), prints the figures and writes nothing: the card's figures are the graph's, the same on every
CPU, and this is how to see whether a CPU's int8 kernels compute that graph (ort_layout.py, rewrite 3)."""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import time

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from evaluate import evaluate  # noqa: E402
from model_card import write_card  # noqa: E402
from ort_layout import LAYOUT  # noqa: E402
from train import CFG, REPO, QuantizedNetwork, load_sets, log  # noqa: E402


class OnnxruntimeNetwork:
    """A model file run by onnxruntime-node in a child process, behind the interface evaluate.py uses."""

    def __init__(self, path):
        self.child = subprocess.Popen(
            ['node', '--import', 'tsx', os.path.join(REPO, 'models', 'train', 'ort-batches.mjs'), path],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=REPO)

    def __call__(self, x):
        n, _, h, w = x.shape
        self.child.stdin.write(np.array(x.shape, '<i4').tobytes() + x.numpy().astype('<f4').tobytes())
        self.child.stdin.flush()
        out = self.child.stdout.read(4 * n * h * w)
        if len(out) != 4 * n * h * w:
            raise RuntimeError(f'ort-batches.mjs ended early (exit {self.child.poll()})')
        return torch.from_numpy(np.frombuffer(out, '<f4').copy()).reshape(n, 1, h, w)

    def close(self):
        self.child.stdin.close()
        self.child.wait()

    def eval(self):
        return self


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('model_dir')
    ap.add_argument('--version', default=None, help="model.json's new version (default: unchanged)")
    ap.add_argument('--data', default=os.path.join(REPO, 'models', 'train', 'out', 'data'))
    ap.add_argument('--second-look', default=None, help="a secondLook JSON for the manifest, or 'none'")
    ap.add_argument('--onnxruntime', action='store_true',
                    help='score what onnxruntime-node computes on this CPU; print, write nothing')
    args = ap.parse_args()
    torch.set_num_threads(2)
    manifest_path, metrics_path = (os.path.join(args.model_dir, n) for n in ('model.json', 'metrics.json'))
    manifest, metrics = json.load(open(manifest_path)), json.load(open(metrics_path))
    path = os.path.join(args.model_dir, manifest['file'])
    started = time.time()
    sets = [(s['seed'], s['studies'], s['size']) for s in metrics['heldoutSeeds']]
    network = OnnxruntimeNetwork(path) if args.onnxruntime else QuantizedNetwork(onnx.load(path))
    if args.second_look == 'none':
        manifest.pop('secondLook', None)
    elif args.second_look:
        manifest['secondLook'] = json.load(open(args.second_look))
    scored = evaluate(network, load_sets(sets, args.data), CFG, log, second_look=manifest.get('secondLook'))
    log(f'evaluated in {(time.time() - started) / 60:.1f} min')
    if args.onnxruntime:
        network.close()
        log(json.dumps({k: v for k, v in scored.items() if k != 'atDefaultThreshold'}))
        log(json.dumps(scored['atDefaultThreshold']))
        return
    metrics.update(scored)
    quantization = dict(metrics['quantization'], layout=LAYOUT, int8Bytes=os.path.getsize(path))
    metrics['quantization'] = quantization
    training = manifest['training']
    training['quantization'] = quantization
    training['heldout'] = {k: scored[k] for k in ('sensitivityAt1FpPerScan', 'cpm', 'studyAuc')}
    manifest['sha256'] = hashlib.sha256(open(path, 'rb').read()).hexdigest()
    if args.version:
        manifest['version'] = args.version
    json.dump(metrics, open(metrics_path, 'w'), indent=2)
    json.dump(manifest, open(manifest_path, 'w'), indent=2)
    log(f'wrote {write_card(args.model_dir)}')
    log(json.dumps({k: v for k, v in scored.items() if k != 'atDefaultThreshold'}))


if __name__ == '__main__':
    main()
