// The push side of the PACS dialog: the series marked done, each with "Push labels" (its DICOM SEG, built by
// the API from this reader's labels, sent to the chosen server), the server's answer per object, and the
// retry queue of pushes not stored yet with "Retry now". Nothing is lost: a failed object waits in the queue.
import type { PacsPushResult } from '../src/shared/pacs-types.ts';
import { api } from './api-client.ts';
import { element } from './dom.ts';
import { pacsApi } from './pacs-client.ts';

export interface PushPanel {
  section: HTMLElement;
  refresh(): Promise<void>;
}

function cell(text: string): HTMLTableCellElement {
  return element('td', { text });
}

export function pushPanel(serverName: () => string | undefined, say: (text: string) => void): PushPanel {
  const doneBody = element('tbody');
  const doneTable = element(
    'table',
    { attributes: { id: 'pacs-done-series', 'aria-label': 'Series done, ready to push' } },
    [
      element('thead', {}, [
        element(
          'tr',
          {},
          ['Patient', 'Study date', 'Series', 'Findings', ''].map((h) => element('th', { text: h })),
        ),
      ]),
      doneBody,
    ],
  );
  const results = element('ul', {
    attributes: { id: 'pacs-push-results', 'aria-label': 'Push results per object', 'aria-live': 'polite' },
  });
  const queueBody = element('tbody');
  const queueTable = element('table', { attributes: { id: 'pacs-queue', 'aria-label': 'Retry queue' } }, [
    element('thead', {}, [
      element(
        'tr',
        {},
        ['Server', 'Object', 'Attempts', 'Last error'].map((h) => element('th', { text: h })),
      ),
    ]),
    queueBody,
  ]);
  const retry = element('button', {
    text: 'Retry now',
    attributes: { id: 'pacs-retry', type: 'button', 'aria-label': 'Retry the queued pushes now' },
  });
  const queueLine = element('p', { className: 'muted', attributes: { id: 'pacs-queue-line' } });

  const showResult = (result: PacsPushResult) => {
    results.replaceChildren(
      ...result.outcomes.map((o) =>
        element('li', {
          className: `push-${o.status}`,
          text: `${o.status}: ${o.sopInstanceUid}${o.reason ? ` — ${o.reason}` : ''}${o.queued ? ' (kept in the retry queue)' : ''}`,
        }),
      ),
    );
  };

  const refreshQueue = async () => {
    const { entries } = await pacsApi.queue();
    queueLine.textContent = entries.length
      ? `${entries.length} object(s) wait to be sent again.`
      : 'The retry queue is empty.';
    queueBody.replaceChildren(
      ...entries.map((e) =>
        element('tr', {}, [
          cell(e.server),
          cell(e.sopInstanceUid),
          cell(String(e.attempts)),
          cell(e.lastError),
        ]),
      ),
    );
    retry.disabled = entries.length === 0;
  };

  const refresh = async () => {
    const { items } = await api.worklist();
    const done = items.filter((item) => item.status === 'done');
    doneBody.replaceChildren(
      ...done.map((item) => {
        const label = item.seriesDescription || item.seriesUid;
        const push = element('button', {
          text: 'Push labels',
          attributes: {
            type: 'button',
            'aria-label': `Push labels of ${label}`,
            'data-series': item.seriesUid,
          },
        });
        push.addEventListener('click', async () => {
          const name = serverName();
          if (!name) return say('Choose a server first.');
          push.disabled = true;
          try {
            const result = await pacsApi.push(name, item.seriesUid);
            showResult(result);
            say(
              `${result.stored} of ${result.outcomes.length} object(s) stored on "${name}"${result.failed ? `, ${result.failed} kept in the retry queue` : ''}.`,
            );
          } catch (error) {
            say(error instanceof Error ? error.message : String(error));
          } finally {
            push.disabled = false;
            await refreshQueue().catch(() => undefined);
          }
        });
        return element('tr', {}, [
          cell(item.patientName),
          cell(item.studyDate),
          cell(label),
          cell(String(item.findingCount)),
          element('td', {}, [push]),
        ]);
      }),
    );
    if (done.length === 0)
      doneBody.append(
        element('tr', {}, [
          element('td', { text: 'No series is marked done yet.', attributes: { colspan: '5' } }),
        ]),
      );
    await refreshQueue();
  };

  retry.addEventListener('click', async () => {
    retry.disabled = true;
    try {
      const result = await pacsApi.retry();
      showResult(result);
      say(`Retry: ${result.stored} stored, ${result.failed} still queued.`);
    } catch (error) {
      say(error instanceof Error ? error.message : String(error));
    } finally {
      await refreshQueue().catch(() => undefined);
    }
  });

  const section = element('section', { attributes: { 'aria-labelledby': 'pacs-push-title' } }, [
    element('h3', { text: 'Push labels', attributes: { id: 'pacs-push-title' } }),
    element('p', {
      className: 'muted',
      text: 'Sends your labels of a done series as a DICOM SEG (you as its content creator) to the chosen server.',
    }),
    doneTable,
    results,
    element('h3', { text: 'Retry queue', attributes: { id: 'pacs-queue-title' } }),
    queueLine,
    queueTable,
    retry,
  ]);
  return { section, refresh };
}
