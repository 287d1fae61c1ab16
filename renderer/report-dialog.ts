// The findings report (L, or "Findings report…" in the findings panel): the open series' findings as this
// reader decided them, as text to paste into their report (GET /api/series/{uid}/report, which measures them
// as the export does). Copy puts it on the clipboard; where the clipboard is not allowed the text is selected
// instead, for Ctrl+C.
import { api } from './api-client.ts';
import { byId } from './dom.ts';
import { showError } from './toasts.ts';

export function setUpReportDialog(seriesUid: () => string | null): { open(): Promise<void> } {
  const dialog = byId<HTMLDialogElement>('report-dialog');
  const text = byId<HTMLPreElement>('report-text');
  const copied = byId('report-copied');
  byId('report-close').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
  });
  byId('report-copy').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text.textContent ?? '');
      copied.textContent = 'Copied.';
    } catch {
      const range = document.createRange();
      range.selectNodeContents(text);
      document.getSelection()?.removeAllRanges();
      document.getSelection()?.addRange(range);
      copied.textContent = 'Selected: press Ctrl+C to copy.';
    }
  });
  return {
    async open() {
      const uid = seriesUid();
      if (!uid) return;
      text.textContent = 'Measuring…';
      copied.textContent = '';
      dialog.showModal();
      try {
        text.textContent = (await api.seriesReport(uid)).text;
      } catch (error) {
        text.textContent = '';
        dialog.close();
        showError(error);
      }
    },
  };
}
