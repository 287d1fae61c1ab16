"""Rewrites of the quantized U-Net (the QDQ graph quantize.py writes) that make onnxruntime run it faster on the
CPU, and compute on CPUs without VNNI what the graph says, without changing what the graph computes:
`ort_layout(model)` applies all three, in this order.

Why, measured with onnxruntime-node 1.30's profiler (batch 4 × 240², 1 thread, model 1.4.1): QLinearConv took
80 % of session.run and DepthToSpace with the Transposes around it 15 %.

1. align_channels — onnxruntime's QLinearConv takes MLAS's symmetric indirect-convolution kernel (MlasConvSym, no
   im2col) only for at least 16 output channels, a multiple of 8, and input channels a multiple of 4 (the x64
   dispatch's pack count and alignments; MlasConvSymPackWSize). The four full-resolution convolutions have 12
   channels, so they fell to im2col + a general int8 GEMM, 15-30× slower per multiply-add here than the
   96-channel layers, and took 60 % of session.run. A convolution short of those terms gets all-zero filter rows
   and bias up to the next multiple of 8 (at least 16); every later convolution reading those channels, directly
   or through Relu, MaxPool, QuantizeLinear/DequantizeLinear or Concat, gets a zero column at each padded
   channel's place. A zero row with a zero bias gives 0, which Relu keeps and a zero-point-0 uint8 quantizes
   exactly; a zero column adds nothing. The convolutions feeding a DepthToSpace and the head keep their counts
   (DepthToSpace rearranges the one's layout, the other's is the probability map).
   The image's convolution is rewrite 3's.
2. depth_to_space_nhwc — onnxruntime runs DepthToSpace only in NCHW, so between channels-last QLinearConvs every
   upsampling became Transpose → DepthToSpace → Concat → Transpose, the skip connection transposed too, and the
   uint8 DepthToSpace itself is slow. Each uint8 DepthToSpace (between the DequantizeLinear/QuantizeLinear pair
   quantize.py wraps it in, one scale: it only moves bytes) becomes the same move written channels-last:
   Transpose to NHWC, Reshape to [N, H, W, 2, 2C], swap W and the row phase, Reshape to [N, 2H, 2W, C],
   Transpose back; onnxruntime's layout optimizer then cancels the outer Transposes against the channels-last
   convolutions' own and runs the Concat channels-last, so the whole network stays NHWC.
3. image_conv_split — on x86 CPUs without VNNI (AVX2 only, e.g. AMD Zen 2/3, Intel before Ice Lake), both MLAS int8
   paths, the symmetric kernel and the im2col GEMM, multiply u8 activations by s8 weights with vpmaddubsw, which
   adds each pair of adjacent input channels' products in 16 bits and saturates at 32767; two products of a weight
   up to 127 and a pixel up to 255 reach 64770. The image's channels are adjacent CT slices, alike by nature, so
   pairs of large products are common there: on such a CPU model 1.4.2's probabilities on five held-out studies'
   nodule slices differed from the int8 graph's own arithmetic by up to 0.95 (1 pixel in 12 000 of those slices by
   more than 0.05), and scored as that CPU ran it (rescore.py --onnxruntime) it found 0.790 of the nodules at 1
   FP/scan where its evaluation said 0.802. Deeper layers' channels are not alike in that way: with this rewrite
   the encoder's outputs on a study's nodule slices are the graph's within one quantization level (onnxruntime
   requantizes with a float multiplier, the simulation dequantizes and rounds again), four studies' nodule slices
   came out within 0.05 of the graph (14 pixels in 4.3 million more than 0.01 off, where one level moves a steep
   edge), and the held-out figures as that CPU runs it are the evaluated ones to the last digit. The image's
   convolution reads the image twice, its weights w split as high = trunc(w / 2) and low = w - high (|high| ≤ 63,
   |low| ≤ 64, high + low = w) against the two copies, so any pair of its products sums to at most 255 × (64 + 64)
   = 32640 and never saturates, on any CPU, and its int32 sums are the old ones exactly. The copies are padded with
   zero channels to a multiple of 4 (2 × 7 → 16: a Concat and a Pad of the image's bytes and zero weight columns),
   which puts it on the symmetric kernel — the 7-channel image had left it on im2col + GEMM — so twice the
   multiply-adds cost no time. Tried first and not kept: 7-bit weights for that convolution alone (onnxruntime's
   reduce_range; also unsaturated), which changed the model — on the held-out studies the same sensitivity at 1
   FP/scan, but 0.78 false findings per scan at p ≥ 0.5 instead of 0.50, and a 27 mm nodule lost at p ≥ 0.5.

Written by hand because no tool in reach does this: onnxruntime.quantization is not installed here (see
quantize.py) and its graph optimizers change neither channel counts nor DepthToSpace. quantize.run_graph runs
the rewritten graph, so evaluate.py still scores exactly what ships, and tests/inference/ort-layout.test.ts checks
onnxruntime's output against it on a study's nodule slices.

python3 models/train/ort_layout.py IN.onnx OUT.onnx rewrites a model file.
"""
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

# What model.json's training.quantization.layout says of a graph ort_layout rewrote.
LAYOUT = ("channels padded for onnxruntime's fast int8 convolution, DepthToSpace channels-last, the image's "
          "convolution split so that no 16-bit pair sum saturates (ort_layout.py)")
PASS_THROUGH = ('Relu', 'MaxPool', 'QuantizeLinear', 'DequantizeLinear', 'Sigmoid')


def _aligned(channels, multiple=8, minimum=16):
    return max(minimum, -(-channels // multiple) * multiple)


def _spread_axis(array, axis, layout):
    """`array` with its `axis` laid out as `layout` says: entry j is original index layout[j], or zeros (-1)."""
    moved = np.moveaxis(array, axis, 0)
    out = np.zeros((len(layout),) + moved.shape[1:], array.dtype)
    for j, source in enumerate(layout):
        if source >= 0:
            out[j] = moved[source]
    return np.moveaxis(out, 0, axis)


class _Graph:
    """Producer, consumer and initializer lookups over a graph being rewritten in place."""

    def __init__(self, model):
        self.graph = model.graph
        self.inits = {i.name: i for i in model.graph.initializer}
        self.producers = {n.output[0]: n for n in model.graph.node}
        self.consumers = {}
        for node in model.graph.node:
            for name in node.input:
                self.consumers.setdefault(name, []).append(node)

    def array(self, name):
        return numpy_helper.to_array(self.inits[name])

    def replace(self, name, value):
        self.inits[name].CopyFrom(numpy_helper.from_array(np.ascontiguousarray(value), name))

    def constant(self, name, value):
        tensor = numpy_helper.from_array(np.asarray(value), name)
        self.graph.initializer.append(tensor)
        self.inits[name] = tensor
        return name

    def feeds(self, name, op):
        """Whether tensor `name` reaches an `op` node through pass-through operators only."""
        return any(c.op_type == op or (c.op_type in PASS_THROUGH and self.feeds(c.output[0], op))
                   for c in self.consumers.get(name, []))


def align_channels(model):
    """Rewrite 1 of the module docstring. Returns a new ModelProto; `model` is left as it is."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    g = _Graph(model)
    graph_output = model.graph.output[0].name
    image = model.graph.input[0].name
    # layout[tensor]: for each channel of an activation tensor, the original channel it holds, or -1 (zeros).
    layout = {image: list(range(model.graph.input[0].type.tensor_type.shape.dim[1].dim_value))}
    for node in model.graph.node:
        op, src = node.op_type, (node.input[0] if node.input else None)
        if op in PASS_THROUGH and src in layout:
            layout[node.output[0]] = layout[src]
        elif op == 'Concat' and src in layout:
            if {a.name: helper.get_attribute_value(a) for a in node.attribute}.get('axis') != 1:
                raise ValueError(f'align_channels: {node.name} concatenates along axis other than channels')
            joined, offset = [], 0
            for name in node.input:
                joined += [-1 if j < 0 else j + offset for j in layout[name]]
                offset += sum(1 for j in layout[name] if j >= 0)
            layout[node.output[0]] = joined
        elif op == 'DepthToSpace':
            if layout[src] != list(range(len(layout[src]))):
                raise ValueError(f'align_channels: the input of {node.name} would be padded')
            layout[node.output[0]] = list(range(len(layout[src]) // 4))
        elif op == 'Conv':
            w_name, w_scale, w_zero = g.producers[node.input[1]].input
            w = _spread_axis(g.array(w_name), 1, layout[src])
            count = w.shape[0]
            keep = node.output[0] == graph_output or g.feeds(node.output[0], 'DepthToSpace') or \
                any(c.output[0] == graph_output for c in g.consumers.get(node.output[0], []))
            size = count if keep else _aligned(count)
            if size != count:
                w = np.concatenate([w, np.zeros((size - count,) + w.shape[1:], w.dtype)])
                # Per output channel: the weight's scale and zero point, and the bias, its scale and zero point.
                # Any positive scale does for a zero row; everything else pads with zeros.
                bias = list(g.producers[node.input[2]].input) if len(node.input) > 2 else []
                scales = [w_scale, *bias[1:2]]
                for name in (w_scale, w_zero, *bias):
                    values = g.array(name)
                    fill = values.max() if name in scales else 0
                    g.replace(name, np.concatenate([values, np.full(size - count, fill, values.dtype)]))
            g.replace(w_name, w)
            layout[node.output[0]] = list(range(count)) + [-1] * (size - count)
    onnx.checker.check_model(model, full_check=True)
    return model


def depth_to_space_nhwc(model):
    """Rewrite 2 of the module docstring. Returns a new ModelProto; `model` is left as it is."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    g = _Graph(model)
    replaced, dropped = {}, set()
    for node in model.graph.node:
        if node.op_type != 'DepthToSpace':
            continue
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        dq = g.producers[node.input[0]]
        (q,) = g.consumers[node.output[0]]
        if attrs['blocksize'] != 2 or attrs.get('mode', b'DCR') not in ('DCR', b'DCR') or \
                dq.op_type != 'DequantizeLinear' or q.op_type != 'QuantizeLinear' or \
                any(not np.array_equal(g.array(a), g.array(b)) for a, b in zip(dq.input[1:], q.input[1:])):
            raise ValueError(f'depth_to_space_nhwc: {node.name} is not a DCR 2×2 DepthToSpace between a '
                             'DequantizeLinear and a QuantizeLinear of one scale')
        x, p = dq.input[0], node.name
        # DCR: output (n, c, 2h + a, 2w + b) is input (n, (2a + b)·C + c, h, w), i.e. NHWC [N, H, W, a, (b, c)]
        # → [N, H, a, W, (b, c)], which read as [N, 2H, 2W, C] is the answer.
        replaced[node.name] = [
            helper.make_node('Transpose', [x], [f'{p}_nhwc'], name=f'{p}_nhwc', perm=[0, 2, 3, 1]),
            helper.make_node('Reshape', [f'{p}_nhwc', g.constant(f'{p}_split_shape', np.array([0, 0, 0, 2, -1]))],
                             [f'{p}_split'], name=f'{p}_split'),
            helper.make_node('Transpose', [f'{p}_split'], [f'{p}_rows'], name=f'{p}_rows', perm=[0, 1, 3, 2, 4]),
            helper.make_node('Shape', [f'{p}_nhwc'], [f'{p}_shape'], name=f'{p}_shape'),
            helper.make_node('Mul', [f'{p}_shape', g.constant(f'{p}_grow_by', np.array([1, 2, 2, 1]))],
                             [f'{p}_grown'], name=f'{p}_grow'),
            helper.make_node('Div', [f'{p}_grown', g.constant(f'{p}_shrink_by', np.array([1, 1, 1, 4]))],
                             [f'{p}_merged_shape'], name=f'{p}_shrink'),
            helper.make_node('Reshape', [f'{p}_rows', f'{p}_merged_shape'], [f'{p}_merged'], name=f'{p}_merged'),
            helper.make_node('Transpose', [f'{p}_merged'], [q.output[0]], name=f'{p}_nchw', perm=[0, 3, 1, 2]),
        ]
        dropped |= {dq.name, q.name}
    nodes = []
    for node in model.graph.node:
        if node.name in replaced:
            nodes += replaced[node.name]
        elif node.name not in dropped:
            nodes.append(node)
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    used = {n for node in nodes for n in node.input}
    kept = [i for i in model.graph.initializer if i.name in used]
    del model.graph.initializer[:]
    model.graph.initializer.extend(kept)
    onnx.checker.check_model(model, full_check=True)
    return model


def image_conv_split(model):
    """Rewrite 3 of the module docstring. Returns a new ModelProto; `model` is left as it is."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    g = _Graph(model)
    (quantize,) = g.consumers[model.graph.input[0].name]
    (dequantize,) = g.consumers[quantize.output[0]]
    (conv,) = g.consumers[dequantize.output[0]]
    if (quantize.op_type, dequantize.op_type, conv.op_type) != ('QuantizeLinear', 'DequantizeLinear', 'Conv'):
        raise ValueError('image_conv_split: the image does not go QuantizeLinear → DequantizeLinear → Conv')
    zero = g.array(quantize.input[2])
    if zero.dtype != np.uint8 or zero.any():
        raise ValueError('image_conv_split: the image is not quantized to uint8 with zero point 0')
    w_name = g.producers[conv.input[1]].input[0]
    q = g.array(w_name).astype(np.int32)
    high = np.trunc(q / 2).astype(np.int32)  # |high| ≤ 63
    low = q - high  # |low| ≤ 64, high + low = q
    channels = q.shape[1]
    aligned = _aligned(2 * channels, multiple=4, minimum=0)
    w = np.concatenate([high, low, np.zeros((q.shape[0], aligned - 2 * channels) + q.shape[2:], np.int32)], 1)
    g.replace(w_name, w.astype(np.int8))
    # The image's bytes twice, then zero channels: [x, x, 0…] against [high, low, 0…].
    twice, padded = f'{quantize.output[0]}_twice', f'{quantize.output[0]}_aligned'
    pads = g.constant(f'{padded}_pads', np.array([0, 0, 0, 0, 0, aligned - 2 * channels, 0, 0], np.int64))
    nodes = list(model.graph.node)
    at = nodes.index(quantize) + 1
    nodes[at:at] = [
        helper.make_node('Concat', [quantize.output[0]] * 2, [twice], name=twice, axis=1),
        helper.make_node('Pad', [twice, pads], [padded], name=padded, mode='constant'),
    ]
    dequantize.input[0] = padded
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    onnx.checker.check_model(model, full_check=True)
    return model


def ort_layout(model):
    return image_conv_split(depth_to_space_nhwc(align_channels(model)))


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit('usage: python3 models/train/ort_layout.py IN.onnx OUT.onnx')
    onnx.save(ort_layout(onnx.load(sys.argv[1])), sys.argv[2])
