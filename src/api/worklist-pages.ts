// Owns reading the worklist past the store's page size: the store answers at most STORE_PAGE rows a query
// (so no single query holds the write lock long), while the renderer asks for up to 1000 at once.
import type { DatasetStore, WorklistQuery, WorklistRow } from '../dataset/dataset-types.ts';

export const STORE_PAGE = 500;

export function worklistPages(
  store: DatasetStore,
  query: WorklistQuery,
  reader?: string,
): { rows: WorklistRow[]; total: number } {
  const limit = query.limit ?? STORE_PAGE;
  const offset = query.offset ?? 0;
  const rows: WorklistRow[] = [];
  let total = 0;
  while (rows.length < limit) {
    const page = store.worklist(
      { ...query, offset: offset + rows.length, limit: Math.min(STORE_PAGE, limit - rows.length) },
      reader,
    );
    total = page.total;
    rows.push(...page.rows);
    if (page.rows.length === 0 || offset + rows.length >= total) break;
  }
  return { rows, total };
}
