// The Export dialog: format, which series, the folder, de-identification and proposals, then a progress bar
// fed by the export job's SSE stream; Cancel stops a running export (the unfinished folder is removed). In
// Electron "Choose…" opens the shell's export-folder dialog (not an import: the folder is not remembered) and
// suggests a new folder inside the one picked; under `overread serve` the user types the path (a browser
// cannot reveal real paths). Built here rather than in index.html so the dialog stays in one file.
import type { Job } from '../src/shared/api-types.ts';
import { api } from './api-client.ts';
import { byId, element } from './dom.ts';
import {
  exportRequest,
  FORMAT_CHOICES,
  STATUS_CHOICES,
  suggestedFolder,
  type ExportFormValues,
} from './export-request.ts';
import { showError, showInfo } from './toasts.ts';

interface FolderPicker {
  chooseExportFolder(): Promise<string | null>;
}

function folderPicker(): FolderPicker | undefined {
  return (window as unknown as { overread?: FolderPicker }).overread;
}

function checkbox(id: string, text: string): { label: HTMLLabelElement; input: HTMLInputElement } {
  const input = element('input', { attributes: { id, type: 'checkbox' } });
  return {
    input,
    label: element('label', { className: 'check' }, [input, document.createTextNode(` ${text}`)]),
  };
}

function labelled(text: string, control: HTMLElement, extra: Node[] = []): HTMLLabelElement {
  return element('label', {}, [document.createTextNode(text), control, ...extra]);
}

export function setUpExport(): { open(): void } {
  const format = element('select', { attributes: { id: 'export-format', 'aria-label': 'Export format' } });
  format.append(
    ...FORMAT_CHOICES.map((c) => element('option', { text: c.label, attributes: { value: c.format } })),
  );
  const status = element('select', { attributes: { id: 'export-status', 'aria-label': 'Series to export' } });
  status.append(
    ...STATUS_CHOICES.map((c) => element('option', { text: c.label, attributes: { value: c.status } })),
  );
  const outDir = element('input', {
    attributes: {
      id: 'export-out',
      type: 'text',
      'aria-label': 'Export folder',
      placeholder: '/full/path/of/a/new/folder',
      spellcheck: 'false',
    },
  });
  const choose = element('button', { text: 'Choose…', attributes: { id: 'export-choose', type: 'button' } });
  const reader = element('input', {
    attributes: {
      id: 'export-reader',
      type: 'text',
      'aria-label': 'Reader whose labels to export',
      placeholder: 'any reader (latest decision)',
    },
  });
  const deidentify = checkbox('export-deidentify', 'De-identify (DICOM PS3.15 Basic Profile; UIDs remapped)');
  const writeKey = checkbox('export-key', 'Also write the pseudonym key beside the folder (keep it apart)');
  const proposals = checkbox('export-proposals', 'Include undecided model proposals (AUTOMATIC)');
  const bar = element('progress', { attributes: { id: 'export-bar', 'aria-label': 'Export progress' } });
  const line = element('span', { attributes: { id: 'export-progress-line', 'aria-live': 'polite' } });
  const progress = element('div', { className: 'export-progress', attributes: { id: 'export-progress' } }, [
    bar,
    line,
  ]);
  progress.hidden = true;
  const problem = element('p', {
    className: 'export-error',
    attributes: { id: 'export-error', role: 'alert' },
  });
  problem.hidden = true;
  const cancel = element('button', { text: 'Close', attributes: { id: 'export-cancel', type: 'button' } });
  const submit = element('button', {
    text: 'Export',
    className: 'primary',
    attributes: { id: 'export-submit', type: 'submit' },
  });
  const form = element('form', { attributes: { id: 'export-form', method: 'dialog' } }, [
    element('h2', { text: 'Export labels', attributes: { id: 'export-title' } }),
    labelled('Format', format),
    labelled('Series', status),
    labelled('Folder (created; must not exist yet)', outDir, folderPicker() ? [choose] : []),
    labelled('Reader', reader),
    deidentify.label,
    writeKey.label,
    proposals.label,
    element('p', {
      className: 'muted',
      text: 'Labels are the final ones: confirmed, corrected and added findings. Rejected findings are listed in the table with their reason, never labelled.',
    }),
    progress,
    problem,
    element('div', { className: 'dialog-buttons' }, [cancel, submit]),
  ]);
  const dialog = element(
    'dialog',
    { attributes: { id: 'export-dialog', 'aria-labelledby': 'export-title' } },
    [form],
  );
  document.body.append(dialog);
  const button = element('button', {
    text: 'Export…',
    attributes: { id: 'export-button', type: 'button', title: 'Export labels (Ctrl+E)' },
  });
  byId('import-button').after(button);

  let running: Job | undefined;
  const controls = [
    format,
    status,
    outDir,
    choose,
    reader,
    deidentify.input,
    writeKey.input,
    proposals.input,
  ];
  const setRunning = (job: Job | undefined) => {
    running = job;
    for (const control of controls) control.disabled = !!job;
    writeKey.input.disabled = !!job || !deidentify.input.checked;
    submit.disabled = !!job;
    cancel.textContent = job ? 'Cancel export' : 'Close';
  };
  const say = (text: string | undefined) => {
    problem.textContent = text ?? '';
    problem.hidden = !text;
  };
  deidentify.input.addEventListener('change', () => {
    writeKey.input.disabled = !deidentify.input.checked;
    if (!deidentify.input.checked) writeKey.input.checked = false;
  });
  writeKey.input.disabled = true;

  choose.addEventListener('click', async () => {
    try {
      const folder = await folderPicker()?.chooseExportFolder();
      if (folder)
        outDir.value = suggestedFolder(folder, format.value as ExportFormValues['format'], new Date());
    } catch (error) {
      showError(error);
    }
  });

  const follow = async (job: Job) => {
    progress.hidden = false;
    const update = (state: Job) => {
      line.textContent = state.message;
      if (state.total > 0) {
        bar.max = state.total;
        bar.value = state.done;
      } else bar.removeAttribute('value'); // indeterminate until the total is known
    };
    try {
      const last = await api.followJob(job, update);
      if (last.state === 'done') {
        showInfo(`Export finished: ${last.message}`);
        if (dialog.open) dialog.close();
        progress.hidden = true;
      } else if (last.state === 'cancelled') {
        say('Export cancelled; nothing was left in the folder.');
      } else {
        say(`Export failed: ${last.message}`);
        if (!dialog.open) showError(new Error(`Export failed: ${last.message}`));
      }
    } catch (error) {
      showError(error);
    } finally {
      setRunning(undefined);
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (running) return;
    const result = exportRequest({
      format: format.value as ExportFormValues['format'],
      outDir: outDir.value,
      status: status.value as ExportFormValues['status'],
      reader: reader.value,
      deidentify: deidentify.input.checked,
      writeKey: writeKey.input.checked,
      includeProposals: proposals.input.checked,
    });
    if ('error' in result) {
      say(result.error);
      outDir.focus();
      return;
    }
    say(undefined);
    void (async () => {
      try {
        const job = await api.exportDataset(result.request);
        setRunning(job);
        await follow(job);
      } catch (error) {
        // A problem before the job started (folder taken, nothing to export): say it where the user looks.
        say(error instanceof Error ? error.message : String(error));
      }
    })();
  });
  cancel.addEventListener('click', () => {
    if (!running) return dialog.close();
    api.cancelJob(running.id).catch(showError);
  });
  // Closing gives focus back to the opener; hand the keys back to the page's shortcuts instead.
  dialog.addEventListener('close', () => {
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
  });

  const open = () => {
    if (!running) {
      say(undefined);
      progress.hidden = true;
    }
    if (!dialog.open) dialog.showModal();
    (running ? cancel : format).focus();
  };
  button.addEventListener('click', open);
  return { open };
}
