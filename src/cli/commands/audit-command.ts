// `overread audit verify [--db FILE]`: walks the dataset's hash-chained audit log and says whether it is
// intact. A broken chain exits 1 and prints the first entry that does not fit, so whoever investigates knows
// where to look. Reads only: the file is opened read-only, never created, migrated or repaired.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Command } from '../main.ts';
import { defaultDatasetPath } from '../../dataset/default-dataset-path.ts';
import { verifyAuditFile } from '../../dataset/verify-audit-file.ts';
import { parseAuditAnchor } from '../../dataset/audit-chain.ts';

const HELP = `usage: overread audit verify [--db FILE] [--expect HEAD] [--json]
  verify         check the audit log's hash chain (exit 1 and the first broken entry when it does not hold)
  --db FILE      the dataset (default: ${defaultDatasetPath()})
  --expect HEAD  a head recorded earlier — an export manifest's datasetVersion, e.g. "audit 12 9f86d081884c7d65";
                 the log must still hold that entry: catches newest entries removed, which the chain alone cannot
  --json         print the result as JSON`;

export const command: Command = {
  summary: 'verify the dataset’s hash-chained audit log',
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        db: { type: 'string' },
        expect: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
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
    const anchor = values.expect === undefined ? undefined : parseAuditAnchor(values.expect);
    const { verification: result, brokenEntry: broken } = verifyAuditFile(file, anchor);
    if (values.json) {
      console.log(JSON.stringify({ file, ...result, brokenEntry: broken }, null, 2));
    } else if (result.ok) {
      const held = anchor ? `, and entry ${anchor.seq} matches the head expected` : '';
      console.log(`audit log of ${file}: ${result.entries} entries, hash chain intact${held}`);
    } else {
      console.log(
        `audit log of ${file} is BROKEN at entry ${result.brokenAt!.seq}: ${result.brokenAt!.reason}`,
      );
      console.log(`${result.entries} entries before it verify.`);
      if (broken) {
        console.log(
          `entry ${broken.seq}: ${broken.at} ${broken.action} by ${broken.reader ?? '(system)'} ${broken.detail}`,
        );
      }
    }
    return result.ok ? 0 : 1;
  },
};
