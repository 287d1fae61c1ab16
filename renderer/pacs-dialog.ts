// The PACS dialog: the servers (pacs-servers-panel.ts), a study search with paging, "Pull selected" with a
// progress bar fed by the pull job's SSE stream (what arrives is imported and triaged), and the push panel
// (pacs-push-panel.ts). Built here rather than in index.html so the dialog stays in its own files.
import type { Job } from '../src/shared/api-types.ts';
import type { PacsStudy } from '../src/shared/pacs-types.ts';
import { api } from './api-client.ts';
import { byId, element } from './dom.ts';
import { pacsApi } from './pacs-client.ts';
import { pushPanel } from './pacs-push-panel.ts';
import { labelled, serversPanel, textInput as input } from './pacs-servers-panel.ts';
import { showInfo } from './toasts.ts';

const PAGE = 25;
// Series that hold no images to triage (labels, reports, states): pulled only when the modality names them.
const NOT_IMAGES = new Set(['SEG', 'SR', 'PR', 'KO', 'RTSTRUCT', 'REG', 'DOC']);

export function setUpPacs(onImported: () => void): { open(): void } {
  const status = element('p', { attributes: { id: 'pacs-status', role: 'status', 'aria-live': 'polite' } });
  const say = (text: string) => (status.textContent = text);
  const fail = (error: unknown) => say(error instanceof Error ? error.message : String(error));

  const servers = serversPanel(say, fail);
  const chosen = servers.chosen;
  // Search
  const fields = {
    patientName: input('pacs-patient-name', 'Patient name', { placeholder: 'SMITH*' }),
    patientId: input('pacs-patient-id', 'Patient ID'),
    dateFrom: input('pacs-date-from', 'Study date from', { type: 'date' }),
    dateTo: input('pacs-date-to', 'Study date to', { type: 'date' }),
    modality: input('pacs-modality', 'Modality', { placeholder: 'CT', maxlength: '4' }),
    accessionNumber: input('pacs-accession', 'Accession number'),
  };
  const search = element('button', {
    text: 'Search',
    className: 'primary',
    attributes: { id: 'pacs-search', type: 'submit' },
  });
  const resultsBody = element('tbody');
  const results = element('table', { attributes: { id: 'pacs-results', 'aria-label': 'Studies found' } }, [
    element('thead', {}, [
      element(
        'tr',
        {},
        ['', 'Patient', 'Patient ID', 'Date', 'Accession', 'Modalities', 'Description'].map((h) =>
          element('th', { text: h }),
        ),
      ),
    ]),
    resultsBody,
  ]);
  const previous = element('button', {
    text: 'Previous page',
    attributes: { id: 'pacs-previous', type: 'button' },
  });
  const next = element('button', { text: 'Next page', attributes: { id: 'pacs-next', type: 'button' } });
  const pageLine = element('span', { attributes: { id: 'pacs-page-line', 'aria-live': 'polite' } });
  previous.disabled = next.disabled = true;
  let offset = 0;
  let found: PacsStudy[] = [];
  const selected = new Set<string>();
  const pull = element('button', { text: 'Pull selected', attributes: { id: 'pacs-pull', type: 'button' } });
  pull.disabled = true;
  const bar = element('progress', { attributes: { id: 'pacs-pull-bar', 'aria-label': 'Pull progress' } });
  const pullLine = element('span', { attributes: { id: 'pacs-pull-line', 'aria-live': 'polite' } });
  const cancelPull = element('button', {
    text: 'Cancel pull',
    attributes: { id: 'pacs-cancel-pull', type: 'button' },
  });
  cancelPull.hidden = true;
  let pulling: Job | undefined;
  cancelPull.addEventListener('click', () => {
    if (pulling) api.cancelJob(pulling.id).catch(fail);
  });
  const progress = element('div', { className: 'export-progress' }, [bar, pullLine, cancelPull]);
  progress.hidden = true;

  const runSearch = async (at: number) => {
    const target = chosen();
    if (!target) return say('Add a server first.');
    say('Searching…');
    // The old results go at once: nobody may tick (and pull) a row of a search that is being replaced.
    selected.clear();
    pull.disabled = true;
    resultsBody.replaceChildren();
    try {
      const page = await pacsApi.studies(target, {
        patientName: fields.patientName.value,
        patientId: fields.patientId.value,
        dateFrom: fields.dateFrom.value,
        dateTo: fields.dateTo.value,
        modality: fields.modality.value.toUpperCase(),
        accessionNumber: fields.accessionNumber.value,
        limit: PAGE,
        offset: at,
      });
      offset = page.offset;
      found = page.studies;
      selected.clear();
      pull.disabled = true;
      resultsBody.replaceChildren(
        ...found.map((study) => {
          const box = element('input', {
            attributes: {
              type: 'checkbox',
              'aria-label': `Select study of ${study.patientName || study.patientId} on ${study.studyDate}`,
            },
          });
          box.addEventListener('change', () => {
            if (box.checked) selected.add(study.studyInstanceUid);
            else selected.delete(study.studyInstanceUid);
            pull.disabled = selected.size === 0;
          });
          return element('tr', {}, [
            element('td', {}, [box]),
            ...[
              study.patientName,
              study.patientId,
              study.studyDate,
              study.accessionNumber,
              study.modalities.join(' '),
              study.description,
            ].map((text) => element('td', { text })),
          ]);
        }),
      );
      previous.disabled = offset === 0;
      next.disabled = !page.more;
      pageLine.textContent = found.length
        ? `Studies ${offset + 1}–${offset + found.length}${page.more ? ' (more on the next page)' : ''}`
        : 'No study matches.';
      say('');
    } catch (error) {
      fail(error);
    }
  };
  previous.addEventListener('click', () => void runSearch(Math.max(0, offset - PAGE)));
  next.addEventListener('click', () => void runSearch(offset + PAGE));

  const push = pushPanel(chosen, say);
  pull.addEventListener('click', async () => {
    const target = chosen();
    if (!target || selected.size === 0) return;
    pull.disabled = true;
    try {
      const modality = fields.modality.value.trim().toUpperCase();
      const series = [];
      for (const study of selected) {
        for (const s of await pacsApi.series(target, study))
          if (modality ? s.modality === modality : !NOT_IMAGES.has(s.modality))
            series.push({ studyInstanceUid: s.studyInstanceUid, seriesInstanceUid: s.seriesInstanceUid });
      }
      if (series.length === 0) return say('The selected studies have no series to pull.');
      const job = await pacsApi.pull(target, series);
      pulling = job;
      progress.hidden = cancelPull.hidden = false;
      const last = await api.followJob(job, (state: Job) => {
        pullLine.textContent = state.message;
        if (state.total > 0) {
          bar.max = state.total;
          bar.value = state.done;
        } else bar.removeAttribute('value');
      });
      say(
        last.state === 'done'
          ? `Pull finished: ${last.message}`
          : last.state === 'cancelled'
            ? 'Pull cancelled; what arrived is kept in the cache, and pulling again fetches only the rest.'
            : `Pull ${last.state}: ${last.message}`,
      );
      if (last.state === 'done') showInfo(`Pull finished: ${last.message}`);
      onImported();
      await push.refresh();
    } catch (error) {
      fail(error);
    } finally {
      pulling = undefined;
      cancelPull.hidden = true;
      pull.disabled = selected.size === 0;
    }
  });

  const close = element('button', { text: 'Close', attributes: { id: 'pacs-close', type: 'button' } });
  const searchForm = element(
    'form',
    { attributes: { id: 'pacs-search-form', 'aria-labelledby': 'pacs-search-title' } },
    [
      element('h3', { text: 'Search', attributes: { id: 'pacs-search-title' } }),
      labelled('Patient name', fields.patientName),
      labelled('Patient ID', fields.patientId),
      labelled('From', fields.dateFrom),
      labelled('To', fields.dateTo),
      labelled('Modality', fields.modality),
      labelled('Accession', fields.accessionNumber),
      search,
    ],
  );
  searchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void runSearch(0);
  });
  const dialog = element('dialog', { attributes: { id: 'pacs-dialog', 'aria-labelledby': 'pacs-title' } }, [
    element('h2', { text: 'PACS (DICOMweb)', attributes: { id: 'pacs-title' } }),
    status,
    servers.section,
    searchForm,
    results,
    element('div', { className: 'dialog-buttons' }, [previous, pageLine, next]),
    pull,
    progress,
    push.section,
    element('div', { className: 'dialog-buttons' }, [close]),
  ]);
  document.body.append(dialog);
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    servers.forgetTyped();
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
  });
  const button = element('button', {
    text: 'PACS…',
    attributes: { id: 'pacs-button', type: 'button', title: 'Pull studies from and push labels to a PACS' },
  });
  byId('export-button').after(button);

  const open = () => {
    if (!dialog.open) dialog.showModal();
    void Promise.all([servers.load(), push.refresh()]).catch(fail);
    servers.focus();
  };
  button.addEventListener('click', open);
  return { open };
}
