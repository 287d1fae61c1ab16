// `overread sample`: writes synthetic chest CT studies (DICOM + truth.json + nodule mask) for demos, tests and
// model training. All the work is in src/sample; this file only parses arguments and reports progress.
import { parseArgs } from 'node:util';
import type { Command } from '../main.ts';
import { writeSampleStudies } from '../../sample/write-sample-studies.ts';

const HELP = `usage: overread sample <outdir> [--studies N] [--seed S] [--size 512] [--slices N] [--nodules N]
  --studies N  how many studies (default 1)
  --seed S     seed; the same seed gives byte-identical output (default 1)
  --size N     rows and columns (default 512; pixel spacing scales to keep a 320–400 mm field of view)
  --slices N   slices per study (default 150–250, drawn from the seed)
  --nodules N  nodules per study (default 0–4, drawn from the seed)
  --follow-up  also write each study's follow-up beside it (study-NNN-follow-up): the same patient scanned
               again later, lying a little differently, each nodule stable, grown, shrunk or gone, maybe a new one
  --interval-days N  days between a study and its follow-up (default 90–540, drawn from the seed)`;

function integer(name: string, text: string | undefined, low: number, high: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < low || value > high) {
    throw new Error(`--${name} ${text} must be a whole number from ${low} to ${high}`);
  }
  return value;
}

export const command: Command = {
  summary: 'write synthetic chest CT studies with nodule ground truth',
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        studies: { type: 'string' },
        seed: { type: 'string' },
        size: { type: 'string' },
        slices: { type: 'string' },
        nodules: { type: 'string' },
        'follow-up': { type: 'boolean' },
        'interval-days': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (positionals.length !== 1) {
      console.error(`overread sample: give exactly one output folder\n${HELP}`);
      return 2;
    }
    const studies = integer('studies', values.studies, 1, 100000) ?? 1;
    const started = Date.now();
    writeSampleStudies(positionals[0], {
      studies,
      seed: values.seed ?? '1',
      size: integer('size', values.size, 32, 1024),
      slices: integer('slices', values.slices, 4, 2000),
      nodules: integer('nodules', values.nodules, 0, 20),
      followUp:
        values['follow-up'] || values['interval-days'] !== undefined
          ? { days: integer('interval-days', values['interval-days'], 1, 3650) }
          : undefined,
      onStart(index, total) {
        process.stderr.write(`sample: generating study ${index}/${total}…\n`);
      },
      onStudy(done, total, dir) {
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        process.stderr.write(`sample: ${done}/${total} studies written (${seconds} s) — ${dir}\n`);
      },
    });
    return 0;
  },
};
