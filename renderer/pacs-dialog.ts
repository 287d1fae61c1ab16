// The PACS dialog: the DICOMweb servers (add or edit, test the connection, remove), a study search with
// paging, "Pull selected" with a progress bar fed by the pull job's SSE stream (what arrives is imported and
// triaged), and the push panel (pacs-push-panel.ts). A password or token typed here goes to the API once —
// into the OS keychain in the desktop app, or this session's memory under `overread serve` — and is never
// shown again or read back. Built here rather than in index.html so the dialog stays in one file.
import type { Job } from '../src/shared/api-types.ts';
import type { PacsAuthInfo, PacsServerInfo, PacsStudy } from '../src/shared/pacs-types.ts';
import { api } from './api-client.ts';
import { byId, element } from './dom.ts';
import { pacsApi } from './pacs-client.ts';
import { pushPanel } from './pacs-push-panel.ts';
import { showInfo } from './toasts.ts';

const PAGE = 25;

function input(id: string, label: string, attributes: Record<string, string> = {}): HTMLInputElement {
  return element('input', {
    attributes: { id, type: 'text', 'aria-label': label, spellcheck: 'false', ...attributes },
  });
}

function labelled(text: string, control: HTMLElement): HTMLLabelElement {
  return element('label', {}, [document.createTextNode(text), control]);
}

const SOURCES: Record<PacsServerInfo['secretSource'], string> = {
  keychain: 'secret in the OS keychain',
  session: 'secret kept until Overread closes',
  environment: 'secret from the environment variable',
  none: 'no authentication',
  missing: 'secret missing — enter it below',
};

export function setUpPacs(onImported: () => void): { open(): void } {
  const status = element('p', { attributes: { id: 'pacs-status', role: 'status', 'aria-live': 'polite' } });
  const say = (text: string) => (status.textContent = text);
  const fail = (error: unknown) => say(error instanceof Error ? error.message : String(error));

  // Servers
  const server = element('select', { attributes: { id: 'pacs-server', 'aria-label': 'PACS server' } });
  const serverLine = element('span', { className: 'muted', attributes: { id: 'pacs-server-line' } });
  const test = element('button', {
    text: 'Test connection',
    attributes: { id: 'pacs-test', type: 'button' },
  });
  const remove = element('button', {
    text: 'Remove',
    attributes: { id: 'pacs-remove', type: 'button', 'aria-label': 'Remove this server' },
  });
  const name = input('pacs-name', 'Server name', { placeholder: 'hospital' });
  const baseUrl = input('pacs-url', 'DICOMweb URL', {
    type: 'url',
    placeholder: 'https://pacs.example.org/dicom-web',
  });
  const auth = element('select', { attributes: { id: 'pacs-auth', 'aria-label': 'Authentication' } });
  auth.append(
    ...[
      ['none', 'None'],
      ['basic', 'User name and password'],
      ['bearer', 'Bearer token'],
    ].map(([value, text]) => element('option', { text, attributes: { value: value! } })),
  );
  const username = input('pacs-username', 'User name', { autocomplete: 'off' });
  const secret = input('pacs-secret', 'Password or token', {
    type: 'password',
    autocomplete: 'new-password',
  });
  const keychainNote = element('p', { className: 'muted', attributes: { id: 'pacs-keychain-note' } });
  const save = element('button', { text: 'Save server', attributes: { id: 'pacs-save', type: 'button' } });
  let servers: PacsServerInfo[] = [];
  const chosen = () => server.value || undefined;

  const showServer = () => {
    const info = servers.find((s) => s.name === server.value);
    serverLine.textContent = info
      ? `${info.baseUrl} — ${SOURCES[info.secretSource]}`
      : 'No server is set up yet.';
    test.disabled = remove.disabled = !info;
    if (!info) return;
    name.value = info.name;
    baseUrl.value = info.baseUrl;
    auth.value = info.auth.type;
    username.value = info.auth.type === 'basic' ? info.auth.username : '';
    username.disabled = info.auth.type !== 'basic';
  };
  const loadServers = async (select?: string) => {
    const list = await pacsApi.servers();
    servers = list.servers;
    keychainNote.textContent = list.keychain
      ? 'The password or token is saved encrypted with the OS keychain, never as plain text.'
      : 'Under "overread serve" a password or token typed here is kept only until Overread closes; set the environment variable named for the server to keep it.';
    const previous = select ?? server.value;
    server.replaceChildren(
      ...servers.map((s) => element('option', { text: s.name, attributes: { value: s.name } })),
    );
    if (servers.some((s) => s.name === previous)) server.value = previous;
    showServer();
  };
  server.addEventListener('change', showServer);
  auth.addEventListener('change', () => (username.disabled = auth.value !== 'basic'));
  save.addEventListener('click', async () => {
    const type = auth.value as PacsAuthInfo['type'];
    const authInfo: PacsAuthInfo = type === 'basic' ? { type, username: username.value.trim() } : { type };
    try {
      const saved = await pacsApi.save(name.value.trim(), {
        baseUrl: baseUrl.value.trim(),
        auth: authInfo,
        ...(secret.value ? { secret: secret.value } : {}),
      });
      secret.value = '';
      await loadServers(saved.name);
      say(`Saved "${saved.name}" (${SOURCES[saved.secretSource]}).`);
    } catch (error) {
      secret.value = '';
      fail(error);
      await loadServers().catch(() => undefined);
    }
  });
  test.addEventListener('click', async () => {
    const target = chosen();
    if (!target) return;
    say(`Testing "${target}"…`);
    try {
      say((await pacsApi.test(target, secret.value || undefined)).message);
      secret.value = '';
      await loadServers(target);
    } catch (error) {
      fail(error);
    }
  });
  remove.addEventListener('click', async () => {
    const target = chosen();
    if (!target) return;
    try {
      await pacsApi.remove(target);
      await loadServers();
      say(`Removed "${target}" and its saved secret.`);
    } catch (error) {
      fail(error);
    }
  });

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
  const progress = element('div', { className: 'export-progress' }, [bar, pullLine]);
  progress.hidden = true;

  const runSearch = async (at: number) => {
    const target = chosen();
    if (!target) return say('Add a server first.');
    say('Searching…');
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
          if (!modality || s.modality === modality)
            series.push({ studyInstanceUid: s.studyInstanceUid, seriesInstanceUid: s.seriesInstanceUid });
      }
      if (series.length === 0) return say('The selected studies have no series to pull.');
      const job = await pacsApi.pull(target, series);
      progress.hidden = false;
      const last = await api.followJob(job, (state: Job) => {
        pullLine.textContent = state.message;
        if (state.total > 0) {
          bar.max = state.total;
          bar.value = state.done;
        } else bar.removeAttribute('value');
      });
      say(last.state === 'done' ? `Pull finished: ${last.message}` : `Pull ${last.state}: ${last.message}`);
      if (last.state === 'done') showInfo(`Pull finished: ${last.message}`);
      onImported();
      await push.refresh();
    } catch (error) {
      fail(error);
    } finally {
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
    element('section', { attributes: { 'aria-labelledby': 'pacs-servers-title' } }, [
      element('h3', { text: 'Servers', attributes: { id: 'pacs-servers-title' } }),
      labelled('Server', server),
      serverLine,
      element('div', { className: 'dialog-buttons' }, [test, remove]),
      element('details', {}, [
        element('summary', { text: 'Add or edit a server' }),
        labelled('Name', name),
        labelled('DICOMweb URL', baseUrl),
        labelled('Authentication', auth),
        labelled('User name', username),
        labelled('Password or token', secret),
        keychainNote,
        save,
      ]),
    ]),
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
    secret.value = '';
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
  });
  const button = element('button', {
    text: 'PACS…',
    attributes: { id: 'pacs-button', type: 'button', title: 'Pull studies from and push labels to a PACS' },
  });
  byId('export-button').after(button);

  const open = () => {
    if (!dialog.open) dialog.showModal();
    void Promise.all([loadServers(), push.refresh()]).catch(fail);
    server.focus();
  };
  button.addEventListener('click', open);
  return { open };
}
