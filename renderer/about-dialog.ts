// About: what Overread is and the card of every installed model — id, version, the sha256 recorded with each
// finding, where it came from, its threshold — plus the models that were refused and why, and whether the
// dataset's audit log verifies (its head is what every export records as its dataset version).
import { api } from './api-client.ts';
import { byId, element } from './dom.ts';
import { showError } from './toasts.ts';

export function setUpAboutDialog(): { open(): Promise<void> } {
  const dialog = byId<HTMLDialogElement>('about-dialog');
  byId('about-close').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
  });
  const open = async () => {
    const cards = byId('model-cards');
    try {
      const { models, refused } = await api.models();
      const row = (label: string, value: string) =>
        element('tr', {}, [
          element('th', { text: label, attributes: { scope: 'row' } }),
          element('td', { text: value }),
        ]);
      cards.replaceChildren(
        ...models.map((model) =>
          element('section', { className: 'model-card', attributes: { 'aria-label': `Model ${model.id}` } }, [
            element('h4', { text: `${model.id} ${model.version}${model.active ? ' (active)' : ''}` }),
            element('table', {}, [
              element('tbody', {}, [
                row('Source', model.source === 'bundled' ? 'bundled with Overread' : 'installed by a user'),
                row(
                  'Threshold',
                  `${model.threshold.toFixed(2)} (default ${model.defaultThreshold.toFixed(2)})`,
                ),
                row('sha256', model.sha256),
              ]),
            ]),
          ]),
        ),
        ...refused.map((model) =>
          element('p', { className: 'model-refused', text: `${model.id} was not loaded: ${model.reason}` }),
        ),
      );
      if (models.length === 0 && refused.length === 0) {
        cards.replaceChildren(
          element('p', { text: 'No model is installed: series are listed but not triaged.' }),
        );
      }
    } catch (error) {
      showError(error);
    }
    const audit = byId('audit-status');
    audit.classList.remove('audit-broken');
    try {
      const status = await api.audit();
      if (status.ok) {
        audit.textContent =
          status.head === null
            ? 'Empty: nothing has been recorded yet.'
            : `${status.entries} entries, hash chain intact. Head: ${status.head} — exports record this as ` +
              'their dataset version, and “overread audit verify --expect” checks that a later log still holds it.';
      } else {
        audit.classList.add('audit-broken');
        audit.textContent =
          `BROKEN at entry ${status.brokenAt?.seq}: ${status.brokenAt?.reason}. ` +
          `${status.entries} entries before it verify; run “overread audit verify” on the dataset file for details.`;
      }
    } catch (error) {
      audit.textContent = 'Could not verify the audit log.';
      showError(error);
    }
    if (!dialog.open) dialog.showModal();
  };
  return { open };
}
