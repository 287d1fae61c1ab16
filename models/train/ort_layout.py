"""Rewrites of the quantized U-Net (the QDQ graph quantize.py writes) that make onnxruntime run it faster on the
CPU without changing what it computes: `ort_layout(model)` applies both, in this order.

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
   The first convolution keeps its 7 input channels, on the exact GEMM path, on purpose: the AVX2 symmetric
   kernel sums pairs of adjacent input channels' u8 × s8 products in 16 bits (vpmaddubsw), which saturates
   when both are large, and the image's adjacent channels are adjacent CT slices, alike by nature — padded to 8
   channels it moved probabilities by up to 0.6 and 267 voxels of a study's uint8 map changed. Later layers'
   channels are not alike in that way (1.4.1 already ran 13 of its 17 convolutions on that kernel), and
   tests/inference/ort-layout.test.ts checks that the shipped rewrite's map equals 1.4.1's voxel for voxel.
2. depth_to_space_nhwc — onnxruntime runs DepthToSpace only in NCHW, so between channels-last QLinearConvs every
   upsampling became Transpose → DepthToSpace → Concat → Transpose, the skip connection transposed too, and the
   uint8 DepthToSpace itself is slow. Each uint8 DepthToSpace (between the DequantizeLinear/QuantizeLinear pair
   quantize.py wraps it in, one scale: it only moves bytes) becomes the same move written channels-last:
   Transpose to NHWC, Reshape to [N, H, W, 2, 2C], swap W and the row phase, Reshape to [N, 2H, 2W, C],
   Transpose back; onnxruntime's layout optimizer then cancels the outer Transposes against the channels-last
   convolutions' own and runs the Concat channels-last, so the whole network stays NHWC.

Written by hand because no tool in reach does this: onnxruntime.quantization is not installed here (see
quantize.py) and its graph optimizers change neither channel counts nor DepthToSpace. quantize.run_graph runs
the rewritten graph, so evaluate.py still scores exactly what ships.

python3 models/train/ort_layout.py IN.onnx OUT.onnx rewrites a model file.
"""
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

# What model.json's training.quantization.layout says of a graph ort_layout rewrote.
LAYOUT = "channels padded for onnxruntime's fast int8 convolution, DepthToSpace channels-last (ort_layout.py)"
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


def ort_layout(model):
    return depth_to_space_nhwc(align_channels(model))


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit('usage: python3 models/train/ort_layout.py IN.onnx OUT.onnx')
    onnx.save(ort_layout(onnx.load(sys.argv[1])), sys.argv[2])
