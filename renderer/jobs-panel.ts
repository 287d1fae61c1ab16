// Import and model jobs in the top bar: each a real progress bar fed by the job's SSE stream, ending in a
// toast saying what happened (and, for failures, what failed). In Electron the preload's folder picker
// gives paths; under `overread serve` the user types them (a browser cannot reveal real paths).
import type { Job } from '../src/shared/api-types.ts';
import { api } from './api-client.ts';
import { byId, element } from './dom.ts';
import { showError, showInfo } from './toasts.ts';

interface OverreadPreload {
  openFolder(): Promise<string[]>;
  pathsForFiles(files: File[]): string[];
}

function preload(): OverreadPreload | undefined {
  return (window as unknown as { overread?: OverreadPreload }).overread;
}

/** Jobs with a progress bar on screen, so a job is never shown twice. */
const followed = new Set<string>();

/**
 * Shows a progress bar for every job the server is running that this page did not start — model runs an
 * import queued, an import started from another window — and calls `onFinished` as each ends.
 */
export async function followRunningJobs(onFinished: () => void): Promise<void> {
  try {
    for (const job of await api.runningJobs()) if (!followed.has(job.id)) void followJob(job, onFinished);
  } catch (error) {
    showError(error);
  }
}

export async function followJob(job: Job, onFinished: () => void): Promise<void> {
  if (followed.has(job.id)) return;
  followed.add(job.id);
  const label = element('span', { className: 'job-label' });
  const bar = element('progress', {
    attributes: { 'aria-label': job.kind === 'import' ? 'Import progress' : 'Model progress' },
  });
  const entry = element('div', { className: 'job' }, [label, bar]);
  byId('jobs').append(entry);
  const update = (state: Job) => {
    label.textContent = `${state.kind === 'import' ? 'Import' : 'Model'}: ${state.message}`;
    if (state.total > 0) {
      bar.max = state.total;
      bar.value = state.done;
    } else {
      bar.removeAttribute('value'); // indeterminate until the total is known
    }
  };
  try {
    const last = await api.followJob(job, update);
    if (last.state === 'done')
      showInfo(`${last.kind === 'import' ? 'Import' : 'Model run'} finished: ${last.message}`);
    else if (last.state === 'failed')
      showError(new Error(`${last.kind === 'import' ? 'Import' : 'Model run'} failed: ${last.message}`));
    else if (last.state === 'cancelled') showInfo(`${last.kind} cancelled`);
  } catch (error) {
    showError(error);
  } finally {
    followed.delete(job.id);
    entry.remove();
    onFinished();
  }
}

export function setUpImport(onChanged: () => void): { open(): void; importPaths(paths: string[]): void } {
  const dialog = byId<HTMLDialogElement>('import-dialog');
  const paths = byId<HTMLTextAreaElement>('import-paths');
  const start = async (list: string[]) => {
    if (list.length === 0) return;
    try {
      const job = await api.importPaths(list);
      void followJob(job, () => {
        onChanged();
        void followRunningJobs(onChanged); // the model runs the import queued
      });
    } catch (error) {
      showError(error);
    }
  };
  byId('import-form').addEventListener('submit', (event) => {
    event.preventDefault();
    dialog.close();
    void start(
      paths.value
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean),
    );
  });
  byId('import-cancel').addEventListener('click', () => dialog.close());
  // Closing gives focus back to the opener; hand the keys back to the page's shortcuts instead.
  dialog.addEventListener('close', () => {
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
  });
  const open = async () => {
    const shell = preload();
    if (shell) {
      try {
        await start(await shell.openFolder());
      } catch (error) {
        showError(error);
      }
      return;
    }
    if (!dialog.open) dialog.showModal();
    paths.focus();
  };
  byId('import-button').addEventListener('click', () => void open());
  // Dropping folders or files imports them; only the desktop app can tell their paths.
  document.addEventListener('dragover', (event) => {
    if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
  });
  document.addEventListener('drop', (event) => {
    const files = Array.from(event.dataTransfer?.files ?? []);
    if (files.length === 0) return;
    event.preventDefault();
    const shell = preload();
    if (!shell) {
      showInfo('The browser does not reveal where dropped files are: use Import… and type the folder path.');
      return;
    }
    void start(shell.pathsForFiles(files));
  });
  return { open: () => void open(), importPaths: (list) => void start(list) };
}
