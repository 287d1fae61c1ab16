// Owns the mapping from modality values (HU for CT) to what the network was trained on, and the value that
// stands for "no data" where the input is padded beyond the field of view.
import type { ModelManifest } from './model-manifest.ts';

export interface IntensityMapping {
  normalize(value: number): number;
  /** Normalised value used for padding: the window's (or clip's) low end, i.e. air; -1024 HU unclipped. */
  padValue: number;
}

export function intensityMapping(normalization: ModelManifest['input']['normalization']): IntensityMapping {
  if (normalization.kind === 'window') {
    const [lo, hi] = normalization.window;
    const scale = 1 / (hi - lo);
    const normalize = (value: number): number => {
      const x = (value - lo) * scale;
      return x < 0 ? 0 : x > 1 ? 1 : x;
    };
    return { normalize, padValue: 0 };
  }
  const { mean, std, clip } = normalization;
  const inverseStd = 1 / std;
  const normalize = clip
    ? (value: number): number => {
        const clipped = value < clip[0] ? clip[0] : value > clip[1] ? clip[1] : value;
        return (clipped - mean) * inverseStd;
      }
    : (value: number): number => (value - mean) * inverseStd;
  return { normalize, padValue: normalize(clip ? clip[0] : -1024) };
}
