// Owns reading an ONNX file's top-level graph nodes (operator type, inputs, outputs) straight from its protobuf
// bytes. Written by hand on purpose: onnxruntime-node does not expose the graph, and the three fields needed
// here (ModelProto.graph = 7, GraphProto.node = 1, NodeProto.input = 1 / output = 2 / op_type = 4) do not
// justify a protobuf runtime plus onnx.proto's generated code (the onnx-proto package pulls in protobufjs 6).
// Every other field, the weights among them, is skipped by its length without being read.

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
}

const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_OP_TYPE = 4;
const LENGTH_DELIMITED = 2;

/** The nodes of the model's main graph, in file order. Throws on bytes that are not a protobuf message. */
export function onnxGraphNodes(bytes: Uint8Array): OnnxNode[] {
  const text = new TextDecoder();
  const nodes: OnnxNode[] = [];
  for (const graph of fields(bytes, 0, bytes.length)) {
    if (graph.field !== MODEL_GRAPH || graph.wire !== LENGTH_DELIMITED) continue;
    for (const node of fields(bytes, graph.start, graph.end)) {
      if (node.field !== GRAPH_NODE || node.wire !== LENGTH_DELIMITED) continue;
      const parsed: OnnxNode = { opType: '', inputs: [], outputs: [] };
      for (const f of fields(bytes, node.start, node.end)) {
        if (f.wire !== LENGTH_DELIMITED) continue;
        const value = () => text.decode(bytes.subarray(f.start, f.end));
        if (f.field === NODE_INPUT) parsed.inputs.push(value());
        else if (f.field === NODE_OUTPUT) parsed.outputs.push(value());
        else if (f.field === NODE_OP_TYPE) parsed.opType = value();
      }
      nodes.push(parsed);
    }
  }
  return nodes;
}

interface Field {
  field: number;
  wire: number;
  /** The value's bytes (a length-delimited value's contents, without its length). */
  start: number;
  end: number;
}

function* fields(bytes: Uint8Array, start: number, end: number): Generator<Field> {
  let pos = start;
  while (pos < end) {
    const [key, afterKey] = varint(bytes, pos, end);
    const wire = key % 8;
    let valueStart = afterKey;
    let valueEnd: number;
    if (wire === 0) valueEnd = varint(bytes, afterKey, end)[1];
    else if (wire === 1) valueEnd = afterKey + 8;
    else if (wire === LENGTH_DELIMITED) {
      const [length, at] = varint(bytes, afterKey, end);
      valueStart = at;
      valueEnd = at + length;
    } else if (wire === 5) valueEnd = afterKey + 4;
    else throw new Error(`not an ONNX file: protobuf wire type ${wire} at byte ${pos}`);
    if (valueEnd > end) throw new Error(`not an ONNX file: a field at byte ${pos} runs past its message`);
    yield { field: Math.floor(key / 8), wire, start: valueStart, end: valueEnd };
    pos = valueEnd;
  }
}

/** A base-128 varint at pos: its value (exact up to 2^53, enough for keys and lengths) and the next position. */
function varint(bytes: Uint8Array, pos: number, end: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10 && pos < end; i++) {
    const byte = bytes[pos++]!;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if (byte < 0x80) return [value, pos];
  }
  throw new Error(`not an ONNX file: a malformed number before byte ${pos}`);
}
