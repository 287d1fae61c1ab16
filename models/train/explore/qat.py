"""Experiment (not the recipe): quantization-aware fine-tuning of a trained checkpoint, on the exported float graph.
The float ONNX graph (BatchNorm folded, ConvTranspose as 1x1 Conv + DepthToSpace) is run by a small torch
interpreter whose weights are trainable, with fake quantization exactly where quantize.py puts QDQ pairs
(per-channel int8 weights, uint8 activations at the fixed calibrated ranges); fine-tuned with train.py's
sampler and loss, then quantized with the same ranges and evaluated like the recipe's int8 model.
    /usr/bin/python3 models/train/explore/qat.py [--steps 1500] [--lr 3e-5] [--mine] [--out DIR]   (CPU, ~12 min)
Measured on 1.4.1's weights (2026-11-26), see the card's History: float-level recall comes back, but with more
false findings than the float network's, and sensitivity at 1 FP/scan stays 0.802 (3000 steps, 1e-4) or falls
to 0.778 (1500 steps, 3e-5, --mine)."""
import argparse, json, os, sys, time
import numpy as np, onnx, torch
from onnx import numpy_helper
TRAIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
sys.path.insert(0, TRAIN)
import train as T
from quantize import calibrate, quantize, run_graph, transpose_as_depth_to_space
from sample_data import prepare, channel_offsets
from evaluate import evaluate
from unet import UNet25D

ap = argparse.ArgumentParser()
ap.add_argument('--checkpoint', default=f'{TRAIN}/out/checkpoint-overread-nodule-2d5.pt')
ap.add_argument('--steps', type=int, default=1500)
ap.add_argument('--lr', type=float, default=1e-4)
ap.add_argument('--out', default=f'{TRAIN}/out/qat')
ap.add_argument('--limit', type=int, default=None)
ap.add_argument('--mine', action='store_true')
args = ap.parse_args()
torch.set_num_threads(2)
torch.manual_seed(1234)
os.makedirs(args.out, exist_ok=True)
log = lambda m: print(time.strftime('%H:%M:%S'), m, flush=True)

sets = [(s, min(n, args.limit or n), z) for s, n, z in T.TRAIN_SETS]
prepared = []
for st in T.load_sets(sets, f'{TRAIN}/out/data'):
    image, labels, _ = prepare(st, T.CFG['target_mm'], T.CFG['multiple'], T.CFG['window'])
    prepared.append((image.astype(np.float16), labels.astype(np.float16), channel_offsets(T.CFG, st.spacing[2])))
log(f'{len(prepared)} training studies')

saved = torch.load(args.checkpoint)['model']
model = UNet25D(T.CFG['channels'], saved['down.0.0.weight'].shape[0])
model.load_state_dict(saved)
model.eval()
path = os.path.join(args.out, 'float.onnx')
torch.onnx.export(model, torch.rand(2, T.CFG['channels'], 72, 88), path, opset_version=17, input_names=['image'],
                  output_names=['probability'],
                  dynamic_axes={'image': {0: 'batch', 2: 'rows', 3: 'cols'},
                                'probability': {0: 'batch', 2: 'rows', 3: 'cols'}})
graph = transpose_as_depth_to_space(onnx.load(path))
calibration = T.calibration_batches(prepared, np.random.default_rng(1234 + 1))  # as train.py (seed + 1)
highs = calibrate(graph, calibration[1:])
log(f'calibrated {len(highs)} tensors')

# Scales as quantize.py derives them (MaxPool / DepthToSpace outputs keep their input's scale).
scales = {name: high / 255.0 for name, high in highs.items()}
for node in graph.graph.node:
    if node.output[0] in scales and node.op_type in ('MaxPool', 'DepthToSpace'):
        scales[node.output[0]] = scales[node.input[0]]
params = {i.name: torch.nn.Parameter(torch.from_numpy(numpy_helper.to_array(i).astype(np.float32).copy()))
          for i in graph.graph.initializer}
quantized_weights = {n.input[1] for n in graph.graph.node if n.op_type == 'Conv' and n.input[0] in scales}
sigmoid_input = next(n.input[0] for n in graph.graph.node if n.op_type == 'Sigmoid')


def fq_act(x, name):
    return torch.fake_quantize_per_tensor_affine(x, scales[name], 0, 0, 255)


def fq_weight(w):
    s = (w.detach().abs().reshape(w.shape[0], -1).amax(dim=1).clamp(min=1e-8) / 127.0)
    return torch.fake_quantize_per_channel_affine(w, s, torch.zeros(w.shape[0], dtype=torch.int32), 0, -127, 127)


def forward_logits(x):
    """The network's logits with fake quantization where quantize.py puts QDQ pairs (quantize.run_graph)."""
    weights = {n: fq_weight(p) if n in quantized_weights else p for n, p in params.items()}
    input_name = graph.graph.input[0].name
    return run_graph(graph, fq_act(x, input_name), weights=weights, stop_at=sigmoid_input,
                     observe=lambda name, t: fq_act(t, name) if name in scales else None)


with torch.no_grad():
    probe = calibration[0][:3]
    simulated = run_graph(quantize(graph, highs), probe)
    mine = torch.sigmoid(forward_logits(probe))
    log(f'fake-quant forward vs quantize.py simulation before fine-tuning: max abs diff {float((mine - simulated).abs().max()):.2e}, '
        f'mean {float((mine - simulated).abs().mean()):.2e}')
sampler = T.PatchSampler(prepared, 64, np.random.default_rng(77))


class FakeQuantNet:
    """The fake-quantized graph behind evaluate.py's model(x) interface (for the sampler's hard-negative mining)."""
    def __call__(self, x): return torch.sigmoid(forward_logits(x))
    def eval(self): return self
    def train(self): return self


if args.mine:
    with torch.no_grad():
        log(f'mined {sampler.mine(FakeQuantNet())} false-positive voxels of the fake-quantized network')
opt = torch.optim.Adam(list(params.values()), lr=args.lr)
started, running = time.time(), 0.0
for step in range(1, args.steps + 1):
    for g in opt.param_groups:
        g['lr'] = args.lr * (0.01 + 0.99 * 0.5 * (1 + np.cos(np.pi * (step - 1) / args.steps)))
    x, y = sampler.batch(16)
    loss = T.loss_fn(forward_logits(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    running = 0.95 * running + 0.05 * loss.item() if step > 1 else loss.item()
    if step % 100 == 0:
        log(f'qat step {step}/{args.steps} loss {running:.4f} ({time.time() - started:.0f} s)')
del prepared, sampler

for init in graph.graph.initializer:
    init.CopyFrom(numpy_helper.from_array(params[init.name].detach().numpy().astype(np.float32), init.name))
quantized = quantize(graph, highs)
onnx.save(quantized, os.path.join(args.out, 'model.onnx'))
heldout = T.load_sets([(s, min(n, args.limit or n), z) for s, n, z in T.HELDOUT_SETS], f'{TRAIN}/out/data')
metrics = evaluate(T.QuantizedNetwork(quantized), heldout, T.CFG, log)
metrics['qat'] = dict(steps=args.steps, lr=args.lr, seconds=round(time.time() - started))
json.dump(metrics, open(os.path.join(args.out, 'metrics.json'), 'w'), indent=2)
log(json.dumps({k: metrics[k] for k in ('sensitivityAt1FpPerScan', 'cpm', 'studyAuc')}))
log(json.dumps(metrics['atDefaultThreshold']['sensitivity']) + ' ' + json.dumps(metrics['atDefaultThreshold']['falsePositivesPerScan']))
log(json.dumps(metrics['sensitivityAtFpPerScan']))
