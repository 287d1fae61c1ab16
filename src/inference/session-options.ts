// Owns how onnxruntime sessions are configured: CPU only, all cores but one for the network's own threads so
// the app stays responsive, and thread-pool spinning off (spinning keeps idle cores at 100 % between batches,
// which starves decoding and the UI; onnxruntime-node 1.30 takes config entries through `extra`). `unfusedQdq`
// keeps a QDQ model's quantize/dequantize pairs instead of fusing them into int8 kernels; `preciseInt8` fuses
// them into kernels that cannot saturate on CPUs without VNNI (signed weights made unsigned, u8 × u8 widened
// before adding; onnxruntime's session.x64quantprecision). Both for int8-kernel-check.ts.
import os from 'node:os';
import type { InferenceSession } from 'onnxruntime-node';

export function defaultThreadCount(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

export function sessionOptions(
  threads = 0,
  { unfusedQdq = false, preciseInt8 = false }: { unfusedQdq?: boolean; preciseInt8?: boolean } = {},
): InferenceSession.SessionOptions {
  return {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads > 0 ? threads : defaultThreadCount(),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    extra: {
      session: {
        intra_op: { allow_spinning: '0' },
        inter_op: { allow_spinning: '0' },
        ...(unfusedQdq ? { disable_quant_qdq: '1' } : {}),
        ...(preciseInt8 ? { x64quantprecision: '1' } : {}),
      },
    },
  };
}
