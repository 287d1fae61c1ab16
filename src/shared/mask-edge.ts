// Owns one question both the page and Node ask of a binary mask slice: is a set pixel on its outline? (The
// overlay draws outlines; the axes are measured over outline pixels only.) Pure.

/** Whether set pixel (row, column) of a rows × columns mask touches an unset 4-neighbour or the image's edge. */
export function onMaskEdge(
  mask: Uint8Array,
  rows: number,
  columns: number,
  row: number,
  column: number,
): boolean {
  const index = row * columns + column;
  return (
    row === 0 ||
    column === 0 ||
    row === rows - 1 ||
    column === columns - 1 ||
    !mask[index - 1] ||
    !mask[index + 1] ||
    !mask[index - columns] ||
    !mask[index + columns]
  );
}
