// `overread audit verify [--db FILE]`: walks the dataset's hash-chained audit log and says whether it is
// intact. A broken chain exits 1 and prints the first entry that does not fit, so whoever investigates knows
// where to look. Reads only: never creates or migrates a dataset that is not there.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Command } from '../main.ts';
import { defaultDatasetPath, openDataset } from '../../dataset/open-dataset.ts';

const HELP = `usage: overread audit verify [--db FILE] [--json]
  verify       check the audit log's hash chain (exit 1 and the first broken entry when it does not hold)
  --db FILE    the dataset (default: ${defaultDatasetPath()})
  --json       print the result as JSON`;

export const command: Command = {
  summary: 'verify the dataset’s hash-chained audit log',
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { db: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (positionals.length !== 1 || positionals[0] !== 'verify') {
      console.error(HELP);
      return 2;
    }
    const file = values.db ?? defaultDatasetPath();
    if (!existsSync(file)) {
      throw new Error(`no dataset at ${file} — pass the file with --db`);
    }
    const store = openDataset(file);
    try {
      const result = store.verifyAudit();
      const broken = result.brokenAt && store.audit().find((e) => e.seq === result.brokenAt!.seq);
      if (values.json) {
        console.log(JSON.stringify({ file: store.path, ...result, brokenEntry: broken }, null, 2));
      } else if (result.ok) {
        console.log(`audit log of ${store.path}: ${result.entries} entries, hash chain intact`);
      } else {
        console.log(
          `audit log of ${store.path} is BROKEN at entry ${result.brokenAt!.seq}: ${result.brokenAt!.reason}`,
        );
        console.log(`${result.entries} entries before it verify.`);
        if (broken) {
          console.log(
            `entry ${broken.seq}: ${broken.at} ${broken.action} by ${broken.reader ?? '(system)'} ${broken.detail}`,
          );
        }
      }
      return result.ok ? 0 : 1;
    } finally {
      store.close();
    }
  },
};
