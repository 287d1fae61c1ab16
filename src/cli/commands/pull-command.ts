// `overread pull`: fetch studies from a DICOMweb server (PACS) into the local cache — one study by UID, or a
// batch such as every CT since a date, so a night's studies can be triaged before the morning — then, with
// --triage, hand the pulled series to `overread triage`. A second run fetches only what is missing. All the
// work is in src/pacs; this file parses arguments and draws progress. Nothing printed names a patient.
import { parseArgs } from 'node:util';
import type { Command } from '../main.ts';
import { ProgressLine } from './triage-progress.ts';
import {
  chainSecretStores,
  defaultAppDataDir,
  defaultPullCacheDir,
  envSecretStore,
  openServer,
  promptSecretStore,
  pullSeries,
  searchAll,
  seriesToPull,
  studySummary,
  terminalSecretPrompt,
  type QidoQuery,
  type SecretStore,
} from '../../pacs/index.ts';

const HELP = `usage: overread pull --server NAME (--study UID | --since DATE [--until DATE]) [options]
  --server NAME     a server set up in <app data>/pacs-servers.json (see docs/pacs.md)
  --study UID       every series of this study
  --since DATE      every study from DATE (YYYY-MM-DD) on; --until DATE ends the range
  --modality M      only series of this modality, e.g. CT (with --since, only studies holding it)
  --patient-id ID   only studies of this patient (with --since, or alone)
  --accession N     only the study with this accession number
  --list            list the matching studies and stop (nothing is fetched)
  --test            check the connection and credentials only
  --cache DIR       where instances land (default <app data>/pacs-cache/<study>/<series>/<sop>.dcm)
  --data DIR        the app data folder (default $OVERREAD_DATA_DIR or the per-user folder)
  --triage          run \`overread triage\` on the pulled series; --model, --models, --threshold and
                    --json are passed on to it
Secrets: $OVERREAD_PACS_<NAME>_PASSWORD (basic) or $OVERREAD_PACS_<NAME>_TOKEN (bearer); on a terminal
without them you are asked.`;

export function cliSecretStore(): SecretStore {
  const ask = terminalSecretPrompt();
  return ask ? chainSecretStores(envSecretStore(), promptSecretStore(ask)) : envSecretStore();
}

const megabytes = (bytes: number) => (bytes / 1e6).toFixed(1);

export const command: Command = {
  summary: 'fetch studies from a DICOMweb server (PACS) into the local cache, optionally triage them',
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        server: { type: 'string' },
        study: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        modality: { type: 'string' },
        'patient-id': { type: 'string' },
        accession: { type: 'string' },
        list: { type: 'boolean', default: false },
        test: { type: 'boolean', default: false },
        cache: { type: 'string' },
        data: { type: 'string' },
        triage: { type: 'boolean', default: false },
        model: { type: 'string' },
        models: { type: 'string' },
        threshold: { type: 'string' },
        json: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (!values.server) {
      console.error(`overread pull: --server NAME is required\n${HELP}`);
      return 2;
    }
    const dataDir = values.data ?? defaultAppDataDir();
    const client = await openServer(dataDir, values.server, cliSecretStore());
    if (values.test) {
      await client.testConnection();
      console.log(`${client.label}: connected, credentials accepted`);
      return 0;
    }
    const search = values.since || values['patient-id'] || values.accession || values.until;
    if (!values.study === !search) {
      console.error(
        `overread pull: give either --study UID or a search (--since, --patient-id, --accession)\n${HELP}`,
      );
      return 2;
    }
    const query: QidoQuery | undefined = search
      ? {
          studyDateFrom: values.since,
          studyDateTo: values.until,
          modality: values.modality,
          patientId: values['patient-id'],
          accessionNumber: values.accession,
        }
      : undefined;

    if (values.list) {
      const studies = (
        await searchAll((page) =>
          client.searchStudies({ ...(query ?? {}), studyInstanceUid: values.study, ...page }),
        )
      ).map(studySummary);
      for (const study of studies) {
        // Dates, accession numbers and UIDs only: no patient name or ID on a screen that may be logged.
        console.log(
          [
            study.studyDate || '—',
            study.accessionNumber || '—',
            study.modalities.join('/') || '—',
            study.instances ?? '?',
            study.studyInstanceUid,
          ].join('  '),
        );
      }
      console.error(`${studies.length} studies on ${client.label}`);
      return 0;
    }

    const series = await seriesToPull(client, {
      studyInstanceUid: values.study,
      query,
      modality: values.modality,
    });
    if (series.length === 0) {
      console.error(`overread pull: nothing on ${client.label} matches — no series to fetch`);
      return values.study ? 1 : 0;
    }
    const cacheDir = values.cache ?? defaultPullCacheDir(dataDir);
    const progress = new ProgressLine(process.stderr);
    let label = '';
    const started = performance.now();
    const pulled = await pullSeries(client, series, cacheDir, {
      onSeries: (_entry, n, total) => (label = `series ${n + 1}/${total}`),
      onProgress: (p) => progress.update(`${label} ${p.done}/${p.total}`, p.total ? p.done / p.total : 0),
    }).finally(() => progress.clear());

    let bytes = 0;
    let failures = 0;
    for (const { series: entry, result, error } of pulled) {
      if (result) {
        bytes += result.bytes;
        console.log(
          `${entry.modality || '—'}  ${result.total} instances (${result.fetched} fetched, ${result.skipped} already here)  ${result.folder}`,
        );
      } else {
        failures++;
        console.error(`series ${entry.seriesInstanceUid} failed: ${error?.message}`);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    console.error(
      `pulled ${pulled.length - failures} of ${pulled.length} series, ${megabytes(bytes)} MB in ${seconds.toFixed(1)} s into ${cacheDir}`,
    );

    if (values.triage) {
      const folders = pulled.flatMap((p) => (p.result ? [p.result.folder] : []));
      if (folders.length === 0) return 1;
      const forwarded = (['model', 'models', 'threshold', 'json'] as const).flatMap((name) =>
        values[name] === undefined ? [] : [`--${name}`, values[name] as string],
      );
      const { command: triage } = await import('./triage-command.ts');
      const code = await triage.run([...folders, ...forwarded]);
      if (code !== 0) return code;
    }
    return failures > 0 ? 1 : 0;
  },
};
