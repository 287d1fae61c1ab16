// Toasts: a failed save is shown, never swallowed. Errors stay until dismissed (a radiologist must see that
// a decision was not stored); information fades after a few seconds.
import { element, byId } from './dom.ts';

export function showError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  console.error(error);
  show(message, 'error');
}

export function showInfo(message: string): void {
  show(message, 'info');
}

function show(message: string, kind: 'error' | 'info'): void {
  // The same failure repeated (say, on every slice scrolled past) is one toast, not a pile.
  const shown = Array.from(
    byId('toasts').querySelectorAll(`.toast.${kind} span`),
    (span) => span.textContent,
  );
  if (shown.includes(message)) return;
  const close = element('button', { text: '×', attributes: { type: 'button', 'aria-label': 'Dismiss' } });
  const toast = element(
    'div',
    { className: `toast ${kind}`, attributes: { role: kind === 'error' ? 'alert' : 'status' } },
    [element('span', { text: message }), close],
  );
  close.addEventListener('click', () => toast.remove());
  byId('toasts').append(toast);
  if (kind === 'info') setTimeout(() => toast.remove(), 4000);
}
