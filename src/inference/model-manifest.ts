// Owns the model manifest: the `models/<id>/model.json` beside each `model.onnx`, validated by zod on load.
//
// SPEC (for whoever trains and exports a model — models/train/ writes this file):
//
//   {
//     "id": "lung-nodule-unet",            // [a-z0-9._-], the folder name under models/
//     "version": "1.0.0",                  // any non-empty string; recorded with every finding
//     "sha256": "<64 hex>",                // sha256 of model.onnx exactly as shipped; a mismatch refuses the model
//     "file": "model.onnx",                // optional, default model.onnx (relative to the manifest's folder)
//     "modality": "CT",                    // DICOM Modality (0008,0060) it was trained on
//     "bodyPart": "CHEST",                 // DICOM Body Part Examined (0018,0015)
//     "description": "…",                  // optional, one line for people
//     "input": {
//       "name": "image",                   // input tensor name; layout float32 NCHW = [batch, channels, rows, cols]
//       "channels": 3,                     // adjacent slices stacked as channels, centred on the slice being
//                                          // predicted: 3 = k-1, k, k+1 (odd; edge slices clamp to the first/last)
//       "sliceSpacingMm": 2,               // optional: channels sit this many mm apart (linear interpolation
//                                          // between slices) instead of one slice apart, whatever the series' spacing
//       "channelOffsetsMm": [-6, -2, 0, 2, 6],  // optional, instead of sliceSpacingMm: each channel's distance in
//                                          // mm from the predicted slice (one per channel, ascending, 0 in the
//                                          // middle) — fine near the slice, wide further out
//       "pixelSpacingMm": 0.8,             // optional: in-plane spacing the slices are resampled to (bilinear)
//       "size": [512, 512],                // optional [rows, cols]: fixed network input. With pixelSpacingMm the
//                                          // resampled slice is centre-padded/cropped to it; alone, the whole
//                                          // field of view is resampled to it. One of the two is required.
//       "sizeMultiple": 16,                // optional (default 1): pad rows/cols up to a multiple (U-Net strides)
//       "normalization": { "kind": "window", "window": [-1000, 400] }   // HU [lo, hi] → [0, 1], clamped
//                     or { "kind": "zscore", "mean": -500, "std": 500, "clip": [-1000, 400] }  // clip optional
//     },
//     "output": {
//       "name": "probability",             // output tensor name; float32 [batch, labels, rows, cols] (same rows/cols
//                                          // as the input) or [batch, rows, cols] for one label
//       "labels": ["nodule"],              // one name per output channel
//       "findingLabel": "nodule",          // optional: the channel that becomes findings (default: the first
//                                          // label for sigmoid, the second for softmax — index 0 is background)
//       "activation": "sigmoid",           // "sigmoid" | "softmax" | "none" (outputs already are probabilities)
//       "activationInGraph": true          // true: the graph already applies it; false: Overread applies it
//     },
//     "defaultThreshold": 0.5,             // probability in (0, 1) at or above which a voxel is part of a finding
//     "minFinding": { "diameterMm": 3, "volumeMm3": 10 },  // optional; smaller components are dropped
//     "trainingRanges": {                  // optional, each optional: what the model was fit on, inclusive.
//       "pixelSpacingMm": [0.5, 1.0],      // series outside any range still run, with a scope warning
//       "sliceThicknessMm": [0.6, 2.5],
//       "intensity": [-1024, 3071]         // modality values (HU for CT) the model has seen
//     },
//     "secondLook": {                      // optional: a classifier of the map's candidates (second-look.ts), each
//       "candidateThreshold": 0.1,         // region at p ≥ this measured (map and HU) and scaled so its peak is
//       "features": ["mean_p", "hu_mean"], // the score; names from SECOND_LOOK_FEATURES
//       "mean": [0.5, 2], "std": [0.2, 1.5],  // standardisation of each feature
//       "layers": [{ "weights": [[…]], "bias": […], "activation": "tanh" }, …]  // dense; the last has one output,
//     },                                   // whose sigmoid is the score
//     "training": { … }                    // optional, free-form provenance (data, epochs, metrics); not interpreted
//   }
import { z } from 'zod';
import { SECOND_LOOK_FEATURES } from './second-look.ts';

const range = z
  .tuple([z.number(), z.number()])
  .refine(([lo, hi]) => lo <= hi, { message: 'a range is [low, high] with low ≤ high' });

const positive = z.number().positive();

const normalizationSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('window'),
    window: range.refine(([lo, hi]) => lo < hi, { message: 'the window needs low < high' }),
  }),
  z.object({
    kind: z.literal('zscore'),
    mean: z.number(),
    std: positive,
    clip: range.optional(),
  }),
]);

const inputSchema = z
  .object({
    name: z.string().min(1),
    channels: z
      .number()
      .int()
      .positive()
      .refine((n) => n % 2 === 1, { message: 'channels must be odd (slices centred on the predicted one)' }),
    sliceSpacingMm: positive.optional(),
    channelOffsetsMm: z.array(z.number().finite()).optional(),
    pixelSpacingMm: positive.optional(),
    size: z.tuple([z.number().int().positive(), z.number().int().positive()]).optional(),
    sizeMultiple: z.number().int().positive().default(1),
    normalization: normalizationSchema,
  })
  .refine((input) => input.pixelSpacingMm !== undefined || input.size !== undefined, {
    message: 'input needs pixelSpacingMm, size, or both',
  })
  .refine((input) => input.channelOffsetsMm === undefined || input.sliceSpacingMm === undefined, {
    message: 'give channelOffsetsMm or sliceSpacingMm, not both',
    path: ['channelOffsetsMm'],
  })
  .refine(
    (input) => input.channelOffsetsMm === undefined || validOffsets(input.channelOffsetsMm, input.channels),
    {
      message: 'channelOffsetsMm needs one offset per channel, in ascending order, with 0 in the middle',
      path: ['channelOffsetsMm'],
    },
  );

function validOffsets(offsets: number[], channels: number): boolean {
  return (
    offsets.length === channels &&
    offsets[(channels - 1) / 2] === 0 &&
    offsets.every((o, i) => i === 0 || o > offsets[i - 1]!)
  );
}

const outputSchema = z
  .object({
    name: z.string().min(1),
    labels: z.array(z.string().min(1)).min(1),
    findingLabel: z.string().min(1).optional(),
    activation: z.enum(['sigmoid', 'softmax', 'none']),
    activationInGraph: z.boolean(),
  })
  .refine((output) => output.findingLabel === undefined || output.labels.includes(output.findingLabel), {
    message: 'findingLabel must be one of labels',
  })
  .refine((output) => output.activation !== 'softmax' || output.labels.length >= 2, {
    message: 'softmax needs at least two labels (background first)',
  });

const secondLookSchema = z
  .object({
    candidateThreshold: z.number().gt(0).lt(1),
    features: z.array(z.enum(SECOND_LOOK_FEATURES)).min(1),
    mean: z.array(z.number().finite()),
    std: z.array(positive),
    layers: z
      .array(
        z.object({
          weights: z.array(z.array(z.number().finite()).min(1)).min(1),
          bias: z.array(z.number().finite()),
          activation: z.enum(['tanh', 'linear']),
        }),
      )
      .min(1),
  })
  .refine((look) => look.mean.length === look.features.length && look.std.length === look.features.length, {
    message: 'mean and std need one entry per feature',
  })
  .refine((look) => chained(look.features.length, look.layers), {
    message:
      'each layer needs one weight row of the previous width per output and one bias per output, the last one output',
    path: ['layers'],
  });

function chained(width: number, layers: { weights: number[][]; bias: number[] }[]): boolean {
  for (const layer of layers) {
    if (layer.bias.length !== layer.weights.length || layer.weights.some((row) => row.length !== width))
      return false;
    width = layer.weights.length;
  }
  return width === 1;
}

export const modelManifestSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" or "-"'),
  version: z.string().min(1),
  sha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, '64 hexadecimal digits')
    .transform((s) => s.toLowerCase()),
  file: z
    .string()
    .regex(/^[^/\\]+\.onnx$/, 'a .onnx file name in the manifest’s own folder')
    .default('model.onnx'),
  modality: z.string().min(1),
  bodyPart: z.string().min(1),
  description: z.string().optional(),
  input: inputSchema,
  output: outputSchema,
  defaultThreshold: z.number().gt(0).lt(1),
  minFinding: z.object({ diameterMm: positive.optional(), volumeMm3: positive.optional() }).default({}),
  trainingRanges: z
    .object({
      pixelSpacingMm: range.optional(),
      sliceThicknessMm: range.optional(),
      intensity: range.optional(),
    })
    .default({}),
  secondLook: secondLookSchema.optional(),
  training: z.record(z.string(), z.unknown()).optional(),
});

/** A validated manifest (defaults filled in). */
export type ModelManifest = z.output<typeof modelManifestSchema>;
/** What a manifest file may contain before defaults are applied (for writers, e.g. tests). */
export type ModelManifestInput = z.input<typeof modelManifestSchema>;

/** Index of the output channel that becomes findings. */
export function findingChannel(manifest: ModelManifest): number {
  const { labels, findingLabel, activation } = manifest.output;
  if (findingLabel !== undefined) return labels.indexOf(findingLabel);
  return activation === 'softmax' ? 1 : 0;
}

/**
 * Validates parsed JSON as a manifest. Throws an Error naming the source and every problem, so whoever ships
 * the model can fix the file in one go.
 */
export function parseModelManifest(json: unknown, source: string): ModelManifest {
  const result = modelManifestSchema.safeParse(json);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const where = issue.path.length ? issue.path.join('.') : '(top level)';
    return `${where}: ${issue.message}`;
  });
  throw new Error(`${source}: not a valid model manifest — ${problems.join('; ')}`);
}
