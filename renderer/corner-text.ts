// The four corner annotations over the image, as a reading room expects them: who and which study top left,
// which series top right, where in the stack bottom left (slice, position, thickness), how it is shown
// bottom right (window/level, zoom). Pure so the texts are tested.
import type { SeriesInfo } from '../src/shared/api-types.ts';
import { formatWindowLevel, type WindowLevel } from './window-presets.ts';

export interface CornerState {
  slice: number;
  window: WindowLevel;
  zoom: number;
  invert: boolean;
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

/** DICOM dates (YYYYMMDD) as YYYY-MM-DD; anything else as given. */
export function formatDicomDate(date: string): string {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(date);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : date;
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
    ),
    bottomRight: lines(
      formatWindowLevel(state.window),
      `Zoom ${state.zoom.toFixed(2)}×${state.invert ? ' · inverted' : ''}`,
    ),
  };
}
