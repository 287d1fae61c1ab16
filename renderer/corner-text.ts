// The four corner annotations over the image, as a reading room expects them: who and which study top left,
// which series top right, where in the stack bottom left (slice, position, thickness, the thick slab, the value
// under the pointer), how it is shown bottom right (window/level, zoom, the last length measured on this
// slice). Pure so the texts are tested.
import { formatDicomDate } from '../src/shared/dicom-date.ts';
import type { SeriesInfo } from '../src/shared/api-types.ts';
import { formatLength } from './measurement.ts';
import { formatWindowLevel, type WindowLevel } from './window-presets.ts';

export interface CornerState {
  slice: number;
  window: WindowLevel;
  zoom: number;
  invert: boolean;
  /** The thick slab shown instead of slice k alone: its thickness and the slices it covers. */
  slab?: { mm: number; first: number; last: number } | null;
  /**
   * The pixel under the pointer and its modality value (of the projection while a slab is shown), with the
   * model's probability there while the probability map is shown.
   */
  probe?: { column: number; row: number; value: number; probability?: number } | null;
  /** The newest ruler length on this slice, mm. */
  lengthMm?: number | null;
}

export interface CornerTexts {
  topLeft: string;
  topRight: string;
  bottomLeft: string;
  bottomRight: string;
}

type CornerSeries = Pick<
  SeriesInfo,
  | 'patientName'
  | 'patientId'
  | 'studyDate'
  | 'studyDescription'
  | 'seriesDescription'
  | 'modality'
  | 'slices'
  | 'slicePositionsMm'
  | 'sliceThicknessMm'
>;

export { formatDicomDate };

/** A modality value as a reader reads it: HU for CT, integers without decimals. */
export function formatValue(modality: string, value: number): string {
  const number = Number.isInteger(value) ? String(value) : value.toFixed(1);
  return modality === 'CT' ? `HU ${number}` : `Value ${number}`;
}

export function cornerTexts(series: CornerSeries, state: CornerState): CornerTexts {
  const lines = (...parts: (string | null | undefined)[]) => parts.filter(Boolean).join('\n');
  const position = series.slicePositionsMm[state.slice];
  return {
    topLeft: lines(
      series.patientName.replace(/\^/g, ' ').trim(),
      series.patientId,
      formatDicomDate(series.studyDate),
    ),
    topRight: lines(series.studyDescription, series.seriesDescription, series.modality),
    bottomLeft: lines(
      `Slice ${state.slice + 1} / ${series.slices}`,
      position === undefined ? null : `Pos ${position.toFixed(1)} mm`,
      series.sliceThicknessMm === null ? null : `Thk ${series.sliceThicknessMm.toFixed(2)} mm`,
      state.slab ? `MIP ${state.slab.mm} mm · slices ${state.slab.first + 1}–${state.slab.last + 1}` : null,
      state.probe
        ? `${formatValue(series.modality, state.probe.value)}${
            state.probe.probability === undefined ? '' : ` · p ${state.probe.probability.toFixed(2)}`
          } at ${state.probe.column}, ${state.probe.row}`
        : null,
    ),
    bottomRight: lines(
      formatWindowLevel(state.window),
      `Zoom ${state.zoom.toFixed(2)}×${state.invert ? ' · inverted' : ''}`,
      state.lengthMm == null ? null : `Length ${formatLength(state.lengthMm)}`,
    ),
  };
}
