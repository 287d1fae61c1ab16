// The single source of the keyboard shortcuts: the key map the app dispatches on, the sheet shown on `?`,
// and the README's table are all built from SHORTCUTS. Pure data and functions — no DOM — so it is tested
// under Node and cannot drift from what the keys really do.

/** Where a key applies: the worklist, the viewer, or the viewer while a reject reason is awaited. */
export type ShortcutContext = 'global' | 'worklist' | 'viewer' | 'reason';

export type ShortcutAction =
  | 'show-shortcuts'
  | 'undo'
  | 'redo'
  | 'import'
  | 'export'
  | 'worklist-up'
  | 'worklist-down'
  | 'worklist-open'
  | 'focus-filter'
  | 'slice-previous'
  | 'slice-next'
  | 'slice-page-up'
  | 'slice-page-down'
  | 'slice-first'
  | 'slice-last'
  | 'preset-1'
  | 'preset-2'
  | 'preset-3'
  | 'preset-4'
  | 'preset-5'
  | 'invert'
  | 'reset'
  | 'cine'
  | 'toggle-slab'
  | 'toggle-planes'
  | 'measure'
  | 'clear-measurements'
  | 'toggle-probability'
  | 'toggle-flags'
  | 'next-finding'
  | 'previous-finding'
  | 'confirm'
  | 'reject'
  | 'brush'
  | 'eraser'
  | 'radius-down'
  | 'radius-up'
  | 'toggle-paint-range'
  | 'toggle-prior'
  | 'add-finding'
  | 'outline'
  | 'fill-slices'
  | 'report'
  | 'done'
  | 'back'
  | 'reason-vessel'
  | 'reason-scar'
  | 'reason-artefact'
  | 'reason-benign'
  | 'reason-other'
  | 'cancel-reason';

export interface Shortcut {
  action: ShortcutAction;
  /** Key chords as shown to the user: `Ctrl+Shift+Z`, `Shift+Tab`, `PageUp`, `Y`, `?`, `[`. */
  keys: string[];
  context: ShortcutContext;
  description: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { action: 'show-shortcuts', keys: ['?'], context: 'global', description: 'Show this shortcut sheet' },
  { action: 'undo', keys: ['Ctrl+Z'], context: 'viewer', description: 'Undo the last review action' },
  { action: 'redo', keys: ['Ctrl+Shift+Z', 'Ctrl+Y'], context: 'viewer', description: 'Redo' },
  {
    action: 'import',
    keys: ['Ctrl+O'],
    context: 'worklist',
    description: 'Import studies (folder or files)',
  },
  {
    action: 'export',
    keys: ['Ctrl+E'],
    context: 'worklist',
    description: 'Export labels (nnU-Net, NIfTI, DICOM SEG, CSV/JSON)',
  },
  { action: 'worklist-up', keys: ['ArrowUp', 'K'], context: 'worklist', description: 'Previous series' },
  { action: 'worklist-down', keys: ['ArrowDown', 'J'], context: 'worklist', description: 'Next series' },
  { action: 'worklist-open', keys: ['Enter'], context: 'worklist', description: 'Open the selected series' },
  { action: 'focus-filter', keys: ['/'], context: 'worklist', description: 'Search the worklist' },
  {
    action: 'slice-previous',
    keys: ['ArrowUp'],
    context: 'viewer',
    description: 'Previous slice (or wheel)',
  },
  { action: 'slice-next', keys: ['ArrowDown'], context: 'viewer', description: 'Next slice (or wheel)' },
  { action: 'slice-page-up', keys: ['PageUp'], context: 'viewer', description: 'Back 10 slices' },
  { action: 'slice-page-down', keys: ['PageDown'], context: 'viewer', description: 'Forward 10 slices' },
  { action: 'slice-first', keys: ['Home'], context: 'viewer', description: 'First slice' },
  { action: 'slice-last', keys: ['End'], context: 'viewer', description: 'Last slice' },
  { action: 'preset-1', keys: ['1'], context: 'viewer', description: 'Window: lung (W1500 L−600)' },
  { action: 'preset-2', keys: ['2'], context: 'viewer', description: 'Window: mediastinum (W350 L50)' },
  { action: 'preset-3', keys: ['3'], context: 'viewer', description: 'Window: bone (W2000 L300)' },
  { action: 'preset-4', keys: ['4'], context: 'viewer', description: 'Window: brain (W80 L40)' },
  { action: 'preset-5', keys: ['5'], context: 'viewer', description: 'Window: abdomen (W400 L50)' },
  { action: 'invert', keys: ['I'], context: 'viewer', description: 'Invert greyscale' },
  { action: 'reset', keys: ['R'], context: 'viewer', description: 'Reset window, zoom and pan' },
  { action: 'cine', keys: ['C'], context: 'viewer', description: 'Cine play / stop' },
  {
    action: 'toggle-slab',
    keys: ['T'],
    context: 'viewer',
    description: 'Thick-slab MIP on / off, on the planes too (thickness in the toolbar, 10 mm first)',
  },
  {
    action: 'toggle-planes',
    keys: ['V'],
    context: 'viewer',
    description:
      'Coronal and sagittal planes on / off (click a plane to go there; double-click the slice to move them)',
  },
  {
    action: 'toggle-prior',
    keys: ['S'],
    context: 'viewer',
    description: "The patient's prior scan side by side, scrolling with this one (in place of the planes)",
  },
  { action: 'measure', keys: ['M'], context: 'viewer', description: 'Ruler: drag to measure a length' },
  {
    action: 'clear-measurements',
    keys: ['Delete', 'Backspace'],
    context: 'viewer',
    description: 'Clear the ruler lines on this slice',
  },
  { action: 'toggle-probability', keys: ['P'], context: 'viewer', description: 'Probability map on / off' },
  { action: 'toggle-flags', keys: ['H'], context: 'viewer', description: 'Hide / show flag overlays' },
  { action: 'next-finding', keys: ['J', 'Tab'], context: 'viewer', description: 'Next finding' },
  {
    action: 'previous-finding',
    keys: ['K', 'Shift+Tab'],
    context: 'viewer',
    description: 'Previous finding',
  },
  { action: 'confirm', keys: ['Y', 'Enter'], context: 'viewer', description: 'Confirm the selected finding' },
  {
    action: 'reject',
    keys: ['N'],
    context: 'viewer',
    description: 'Reject the selected finding, then a reason',
  },
  { action: 'brush', keys: ['B'], context: 'viewer', description: 'Brush: paint the selected mask' },
  { action: 'eraser', keys: ['E'], context: 'viewer', description: 'Eraser: erase from the selected mask' },
  { action: 'radius-down', keys: ['['], context: 'viewer', description: 'Smaller brush' },
  { action: 'radius-up', keys: [']'], context: 'viewer', description: 'Larger brush' },
  {
    action: 'toggle-paint-range',
    keys: ['G'],
    context: 'viewer',
    description: 'Brush paints only within the value range under its banner (−700 … 3000 HU first) on / off',
  },
  {
    action: 'add-finding',
    keys: ['A'],
    context: 'viewer',
    description: 'Add a missed finding by painting it',
  },
  {
    action: 'outline',
    keys: ['O'],
    context: 'viewer',
    description: 'Outline a missed nodule in 3-D: click inside it',
  },
  {
    action: 'fill-slices',
    keys: ['F'],
    context: 'viewer',
    description: 'Fill the slices between the painted ones of the selected finding (interpolated)',
  },
  {
    action: 'report',
    keys: ['L'],
    context: 'viewer',
    description: 'Findings report: your decisions on this series as text to paste into a report',
  },
  { action: 'done', keys: ['D'], context: 'viewer', description: 'Mark the series done, open the next' },
  {
    action: 'back',
    keys: ['Escape'],
    context: 'viewer',
    description: 'Leave the tool, then back to worklist',
  },
  { action: 'reason-vessel', keys: ['1'], context: 'reason', description: 'Reject reason: vessel' },
  { action: 'reason-scar', keys: ['2'], context: 'reason', description: 'Reject reason: scar' },
  { action: 'reason-artefact', keys: ['3'], context: 'reason', description: 'Reject reason: artefact' },
  { action: 'reason-benign', keys: ['4'], context: 'reason', description: 'Reject reason: benign' },
  {
    action: 'reason-other',
    keys: ['5'],
    context: 'reason',
    description: 'Reject reason: other (type a note)',
  },
  { action: 'cancel-reason', keys: ['Escape'], context: 'reason', description: 'Cancel the rejection' },
];

/** Mouse gestures of the viewer, listed on the sheet and in the README beside the keys. */
export const MOUSE_GESTURES: readonly { gesture: string; description: string }[] = [
  { gesture: 'Wheel', description: 'Scroll through slices' },
  { gesture: 'Left or right drag', description: 'Window/level (right/left = width, down/up = level)' },
  { gesture: 'Ctrl+drag / Ctrl+wheel', description: 'Zoom' },
  { gesture: 'Shift+drag / middle drag', description: 'Pan' },
  { gesture: 'Left drag with B, E or A', description: 'Paint, erase, or paint a missed finding' },
  { gesture: 'Left drag with M', description: 'Measure a length on this slice' },
  {
    gesture: 'Pointer over the image',
    description: 'Value under it (HU for CT; and p with the probability map on) in the lower left corner',
  },
  { gesture: 'Click or drag the slice bar', description: 'Go to that slice (marks show where findings are)' },
  {
    gesture: 'Click or drag on a plane (V)',
    description: 'Move the slice to that height and the other plane to that point',
  },
  {
    gesture: 'Left drag on a plane with B or E (V)',
    description: 'Paint or erase the selected finding along that plane (one Ctrl+Z undoes the stroke)',
  },
  { gesture: 'Wheel on a plane (V)', description: 'Step that plane one row or column' },
  { gesture: 'Double-click the slice (V)', description: 'Move both planes through that pixel' },
];

/** The parts of a KeyboardEvent the map needs, so tests can pass plain objects. */
export interface KeyInput {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  shiftKey?: boolean;
  altKey?: boolean;
}

interface Chord {
  key: string;
  ctrl: boolean;
  shift: boolean;
  alt: boolean;
}

function parseChord(text: string): Chord {
  // `+` alone is never bound, so splitting on it is unambiguous.
  const parts = text.split('+');
  const key = parts.pop() ?? '';
  return { key, ctrl: parts.includes('Ctrl'), shift: parts.includes('Shift'), alt: parts.includes('Alt') };
}

const isLetter = (key: string) => /^[a-z]$/i.test(key);
const isNamed = (key: string) => key.length > 1;

function matches(chord: Chord, input: KeyInput): boolean {
  const ctrl = Boolean(input.ctrlKey || input.metaKey); // Cmd on macOS
  if (ctrl !== chord.ctrl || Boolean(input.altKey) !== chord.alt) return false;
  if (isLetter(chord.key)) {
    return input.key.toLowerCase() === chord.key.toLowerCase() && Boolean(input.shiftKey) === chord.shift;
  }
  if (isNamed(chord.key)) return input.key === chord.key && Boolean(input.shiftKey) === chord.shift;
  // Symbols and digits: Shift is part of typing `?` on most layouts, so it is not compared.
  return input.key === chord.key;
}

/** Which action a key press means in a context; viewer and worklist keys fall back to global ones. */
export function actionForKey(
  input: KeyInput,
  context: Exclude<ShortcutContext, 'global'>,
): ShortcutAction | null {
  const order: ShortcutContext[] = context === 'reason' ? ['reason'] : [context, 'global'];
  for (const where of order) {
    for (const shortcut of SHORTCUTS) {
      if (shortcut.context !== where) continue;
      if (shortcut.keys.some((key) => matches(parseChord(key), input))) return shortcut.action;
    }
  }
  return null;
}

const CONTEXT_TITLES: Record<ShortcutContext, string> = {
  global: 'Anywhere',
  worklist: 'Worklist',
  viewer: 'Viewer and review',
  reason: 'After N (reject)',
};

/** Shortcuts grouped for the `?` sheet, in the order above. */
export function shortcutGroups(): { title: string; shortcuts: Shortcut[] }[] {
  return (Object.keys(CONTEXT_TITLES) as ShortcutContext[]).map((context) => ({
    title: CONTEXT_TITLES[context],
    shortcuts: SHORTCUTS.filter((s) => s.context === context),
  }));
}

/** The README's table, generated from the same data. */
export function shortcutsMarkdown(): string {
  const rows = SHORTCUTS.map(
    (s) =>
      `| ${s.keys.map((k) => `\`${k === '|' ? '\\|' : k}\``).join(' / ')} | ${CONTEXT_TITLES[s.context]} | ${s.description} |`,
  );
  const mouse = MOUSE_GESTURES.map((m) => `| ${m.gesture} | Viewer (mouse) | ${m.description} |`);
  return ['| Keys | Where | Action |', '| --- | --- | --- |', ...rows, ...mouse].join('\n');
}
