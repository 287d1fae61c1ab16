// Who is reading, and the first start: the session line in the top bar, the reader dialog (asked for at first
// run, when the dataset has no reader yet, and on the Reader… button to switch), and the offer of the bundled
// sample studies while the dataset is empty.
import type { SessionInfo } from '../src/shared/api-types.ts';
import { api } from './api-client.ts';
import { byId, element } from './dom.ts';
import { followJob, followRunningJobs } from './jobs-panel.ts';
import { showError, showInfo } from './toasts.ts';

export class SessionPanel {
  session: SessionInfo | null = null;
  private readonly dialog = byId<HTMLDialogElement>('reader-dialog');
  private readonly name = byId<HTMLInputElement>('reader-name');

  constructor(private readonly onChanged: () => void) {
    byId('reader-button').addEventListener('click', () => this.askReader());
    byId('reader-cancel').addEventListener('click', () => this.dialog.close());
    byId('reader-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.saveReader(this.name.value.trim());
    });
    this.dialog.addEventListener('close', () => {
      if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
    });
    byId('sample-button').addEventListener('click', () => void this.openSample());
  }

  async load(): Promise<SessionInfo | null> {
    try {
      this.show(await api.session());
    } catch (error) {
      showError(error);
    }
    return this.session;
  }

  /** The sample is offered while the dataset holds no series and the app has somewhere to write it. */
  offerSample(worklistEmpty: boolean): void {
    byId('sample-offer').hidden = !(worklistEmpty && this.session?.sampleAvailable);
  }

  askReader(): void {
    const readers = this.session?.readers ?? [];
    byId('reader-names').replaceChildren(
      ...readers.map((r) => element('option', { attributes: { value: r } })),
    );
    this.name.value = this.session?.reader ?? '';
    if (!this.dialog.open) this.dialog.showModal();
    this.name.focus();
    this.name.select();
  }

  private show(session: SessionInfo): void {
    this.session = session;
    const model = session.model
      ? `${session.model.id} ${session.model.version} · threshold ${session.model.threshold.toFixed(2)}`
      : 'no model installed';
    byId('session-line').textContent = `${session.reader ?? 'no reader chosen'} · ${model}`;
    byId('reader-button').textContent = session.reader ? 'Switch reader…' : 'Choose reader…';
  }

  private async saveReader(name: string): Promise<void> {
    if (!name) return;
    try {
      this.show(await api.setReader(name));
      this.dialog.close();
      showInfo(`Reading as ${name}.`);
      this.onChanged();
    } catch (error) {
      showError(error);
    }
  }

  private async openSample(): Promise<void> {
    const button = byId<HTMLButtonElement>('sample-button');
    button.disabled = true;
    try {
      const job = await api.sample();
      await followJob(job, this.onChanged);
      await followRunningJobs(this.onChanged); // the model runs the sample's import queued
    } catch (error) {
      showError(error);
    } finally {
      button.disabled = false;
    }
  }
}
