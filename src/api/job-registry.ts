// Owns long-running work started through the API (imports, model runs): each job reports progress that
// clients follow as server-sent events, and can be cancelled. Jobs live in memory; what they produce is
// written to the dataset store as it goes, so a crash loses the job's progress bar, never its results.
import { randomUUID } from 'node:crypto';
import type { Job } from '../shared/api-types.ts';

export interface JobContext {
  signal: AbortSignal;
  progress(done: number, total: number, message?: string): void;
}

interface Entry {
  job: Job;
  controller: AbortController;
  listeners: Set<(job: Job) => void>;
}

const FINISHED_KEPT = 200;

export class JobRegistry {
  private readonly jobs = new Map<string, Entry>();

  start(kind: Job['kind'], message: string, work: (context: JobContext) => Promise<string | void>): Job {
    const entry: Entry = {
      job: { id: randomUUID(), kind, state: 'running', done: 0, total: 0, message },
      controller: new AbortController(),
      listeners: new Set(),
    };
    this.jobs.set(entry.job.id, entry);
    const update = (patch: Partial<Job>) => {
      entry.job = { ...entry.job, ...patch };
      for (const listener of entry.listeners) listener(entry.job);
    };
    const context: JobContext = {
      signal: entry.controller.signal,
      progress: (done, total, text) => update({ done, total, ...(text ? { message: text } : {}) }),
    };
    void work(context).then(
      (summary) => update({ state: 'done', message: summary || entry.job.message, done: entry.job.total }),
      (error: unknown) =>
        update({
          state: entry.controller.signal.aborted ? 'cancelled' : 'failed',
          message: error instanceof Error ? error.message : String(error),
        }),
    );
    this.prune();
    return entry.job;
  }

  /** Jobs still running, oldest first: how a page that did not start them (model runs queued by an import)
   *  finds their progress. */
  running(): Job[] {
    return [...this.jobs.values()].filter((e) => e.job.state === 'running').map((e) => e.job);
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id)?.job;
  }

  cancel(id: string): boolean {
    const entry = this.jobs.get(id);
    if (!entry || entry.job.state !== 'running') return false;
    entry.controller.abort(new Error('cancelled by the user'));
    return true;
  }

  /** The job's state as a text/event-stream: one `data:` line per change, closed when the job ends. */
  events(id: string): ReadableStream<Uint8Array> | undefined {
    const entry = this.jobs.get(id);
    if (!entry) return undefined;
    const encoder = new TextEncoder();
    let listener: ((job: Job) => void) | undefined;
    return new ReadableStream<Uint8Array>({
      start(controller) {
        const send = (job: Job) => {
          controller.enqueue(encoder.encode(`data: ${JSON.stringify(job)}\n\n`));
          if (job.state !== 'running') {
            if (listener) entry.listeners.delete(listener);
            controller.close();
          }
        };
        listener = send;
        entry.listeners.add(send);
        send(entry.job);
      },
      cancel() {
        if (listener) entry.listeners.delete(listener);
      },
    });
  }

  /** Cancels everything still running (server shutdown). */
  cancelAll(): void {
    for (const entry of this.jobs.values()) if (entry.job.state === 'running') entry.controller.abort();
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((e) => e.job.state !== 'running');
    for (const entry of finished.slice(0, Math.max(0, finished.length - FINISHED_KEPT)))
      this.jobs.delete(entry.job.id);
  }
}
