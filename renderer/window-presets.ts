// Window/level: the five CT presets on keys 1–5 and the drag rule (horizontal = width, vertical = level),
// as pure functions so the numbers a radiologist relies on are tested.

export interface WindowLevel {
  /** Window width, in modality units (HU for CT). */
  width: number;
  /** Window centre (level). */
  center: number;
}

export interface WindowPreset extends WindowLevel {
  key: string;
  name: string;
}

export const WINDOW_PRESETS: readonly WindowPreset[] = [
  { key: '1', name: 'Lung', width: 1500, center: -600 },
  { key: '2', name: 'Mediastinum', width: 350, center: 50 },
  { key: '3', name: 'Bone', width: 2000, center: 300 },
  { key: '4', name: 'Brain', width: 80, center: 40 },
  { key: '5', name: 'Abdomen', width: 400, center: 50 },
];

export function presetForKey(key: string): WindowPreset | undefined {
  return WINDOW_PRESETS.find((preset) => preset.key === key);
}

/**
 * The window after dragging by (dx, dy) screen pixels from `start`: right widens, down raises the level
 * (the common PACS convention). `sensitivity` is modality units per pixel, scaled by the current width so a
 * narrow brain window is not blown away by a small movement.
 */
export function dragWindowLevel(start: WindowLevel, dx: number, dy: number, sensitivity = 1): WindowLevel {
  const step = Math.max(1, start.width / 256) * sensitivity;
  return { width: Math.max(1, start.width + dx * step), center: start.center + dy * step };
}

export function formatWindowLevel(value: WindowLevel): string {
  return `W ${Math.round(value.width)} L ${Math.round(value.center)}`;
}
