// `overread push`: send DICOM objects (the SEG and findings report of reviewed series) to a DICOMweb server
// with STOW-RS and print the server's answer per object. Anything not confirmed stays in the retry queue
// (<app data>/pacs-push-queue/) with the reason; `--retry` sends the queue again, `--queue` lists it.
import { parseArgs } from 'node:util';
import type { Command } from '../main.ts';
import { cliSecretStore } from './pull-command.ts';
import {
  defaultAppDataDir,
  openServer,
  pushFiles,
  PushQueue,
  retryQueue,
  type PushFileOutcome,
} from '../../pacs/index.ts';

const HELP = `usage: overread push --server NAME FILE...      send these DICOM files (e.g. SEG exports)
       overread push [--server NAME] --retry      send the queued pushes again (all servers without --server)
       overread push --queue                      list what waits in the retry queue
  --data DIR   the app data folder (default $OVERREAD_DATA_DIR or the per-user folder)
Secrets: $OVERREAD_PACS_<NAME>_PASSWORD (basic) or $OVERREAD_PACS_<NAME>_TOKEN (bearer), or a prompt.
Exit status 1 when any object was not stored (it is then in the retry queue).`;

function report(outcomes: PushFileOutcome[]): number {
  let failed = 0;
  for (const outcome of outcomes) {
    const reason = outcome.reason ? ` — ${outcome.reason}` : '';
    const queued = outcome.queued ? ' (kept in the retry queue)' : '';
    if (outcome.status === 'failed') failed++;
    console.log(`${outcome.status.padEnd(7)}  ${outcome.sopInstanceUid}  ${outcome.file}${reason}${queued}`);
  }
  const stored = outcomes.length - failed;
  console.error(
    `${stored} of ${outcomes.length} objects stored${failed ? `, ${failed} queued for retry` : ''}`,
  );
  return failed > 0 ? 1 : 0;
}

export const command: Command = {
  summary: 'send DICOM SEG / reports to a DICOMweb server (PACS); failed pushes wait in a retry queue',
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        server: { type: 'string' },
        retry: { type: 'boolean', default: false },
        queue: { type: 'boolean', default: false },
        data: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const dataDir = values.data ?? defaultAppDataDir();
    const queue = new PushQueue(dataDir);
    if (values.queue) {
      const entries = await queue.list(values.server);
      for (const e of entries) {
        console.log(
          `${e.server}  ${e.sopInstanceUid}  ${e.attempts} attempt(s), last ${e.lastTriedAt}: ${e.lastError}`,
        );
      }
      console.error(`${entries.length} objects wait in ${queue.folder}`);
      return 0;
    }
    const secrets = cliSecretStore();
    if (values.retry) {
      if (positionals.length) {
        console.error(`overread push: --retry sends the queue; give no files\n${HELP}`);
        return 2;
      }
      const servers = values.server
        ? [values.server]
        : [...new Set((await queue.list()).map((e) => e.server))];
      if (servers.length === 0) {
        console.error(`the retry queue ${queue.folder} is empty`);
        return 0;
      }
      let code = 0;
      for (const name of servers) {
        const client = await openServer(dataDir, name, secrets);
        code = Math.max(code, report(await retryQueue(client, queue)));
      }
      return code;
    }
    if (!values.server || positionals.length === 0) {
      console.error(`overread push: give --server NAME and the files to send\n${HELP}`);
      return 2;
    }
    const client = await openServer(dataDir, values.server, secrets);
    return report(await pushFiles(client, positionals, queue));
  },
};
