// Owns pulling one series from a DICOMweb server into the local cache, <cache>/<study>/<series>/<sop>.dcm,
// resumably: every instance is written to a temporary name, flushed and renamed, so a file under its final
// name is always complete, and a second run fetches only the instances not yet there. With nothing cached the
// whole series comes in one WADO-RS stream (fastest); with some cached, each missing instance is fetched on
// its own (a few at a time). What arrived before a failure is kept, and the error says how much.
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDicom } from '../dicom/parse/parse-dicom.ts';
import { checkUid, type DicomwebClient, type RetrievedPart } from './dicomweb-client.ts';
import { PacsError } from './pacs-error.ts';
import { jsonString, searchAll } from './qido-query.ts';

export interface SeriesRef {
  studyInstanceUid: string;
  seriesInstanceUid: string;
}

export interface RetrieveProgress {
  seriesInstanceUid: string;
  /** Instances present in the cache (already there + fetched so far). */
  done: number;
  total: number;
  /** Bytes fetched in this run. */
  bytes: number;
}

export interface RetrieveOptions {
  onProgress?: (progress: RetrieveProgress) => void;
  signal?: AbortSignal;
  /** Parallel single-instance requests when resuming (default 4). */
  concurrency?: number;
}

export interface RetrieveResult {
  folder: string;
  /** Instances already in the cache before this run. */
  skipped: number;
  /** Instances fetched by this run. */
  fetched: number;
  total: number;
  bytes: number;
  /** Every instance file of the series now in the cache. */
  files: string[];
}

const WRITES_IN_FLIGHT = 8;

export function seriesFolder(cacheDir: string, ref: SeriesRef): string {
  return join(
    cacheDir,
    checkUid(ref.studyInstanceUid, 'Study Instance UID'),
    checkUid(ref.seriesInstanceUid, 'Series Instance UID'),
  );
}

/** Reads the SOP Instance UID from the bytes of a part (header only). */
function sopInstanceUidOf(part: RetrievedPart, server: string): string {
  const bytes = part.content.length === 1 ? part.content[0] : Buffer.concat(part.content);
  let uid: string | undefined;
  try {
    uid = parseDicom('retrieved instance', bytes, { headerOnly: true }).dataSet.string('x00080018')?.trim();
  } catch (error) {
    throw new PacsError(
      'protocol',
      `${server} sent an instance that is not DICOM: ${(error as Error).message}`,
    );
  }
  if (!uid) throw new PacsError('protocol', `${server} sent an instance without a SOP Instance UID`);
  return checkUid(uid, 'SOP Instance UID');
}

async function writeInstance(folder: string, sop: string, part: RetrievedPart): Promise<string> {
  const path = join(folder, `${sop}.dcm`);
  const temporary = `${path}.partial`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writev(part.content);
    // Flushed before the rename, so after a power cut a file under its final name is still whole.
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
  return path;
}

export async function retrieveSeries(
  client: DicomwebClient,
  ref: SeriesRef,
  cacheDir: string,
  options: RetrieveOptions = {},
): Promise<RetrieveResult> {
  const { signal, onProgress } = options;
  const folder = seriesFolder(cacheDir, ref);
  await mkdir(folder, { recursive: true });

  const present = new Set<string>();
  for (const name of await readdir(folder)) {
    if (name.endsWith('.partial'))
      await rm(join(folder, name), { force: true }); // a run cut short
    else if (name.endsWith('.dcm')) present.add(name.slice(0, -4));
  }
  // The instance list says what "complete" means. With nothing cached the whole-series stream starts at the
  // same time (archives answer instance-level QIDO slowly: ~0.5 s for 300 instances in Orthanc), and the
  // list is checked against what arrived at the end.
  const listing = searchAll(
    (page) => client.searchInstances(ref.studyInstanceUid, ref.seriesInstanceUid, page, signal),
    1000,
  ).then((listed) => {
    const uids = new Set(listed.map((d) => jsonString(d, '00080018')).filter(Boolean));
    if (uids.size === 0) {
      throw new PacsError(
        'http',
        `${client.label} has no instances of series ${ref.seriesInstanceUid} in study ${ref.studyInstanceUid}`,
      );
    }
    for (const uid of uids) checkUid(uid, 'SOP Instance UID');
    return uids;
  });
  const streamAll = present.size === 0;
  let expected = new Set<string>();
  if (!streamAll) expected = await listing;
  else listing.catch(() => undefined); // awaited (and its error thrown) after the stream
  const missing = [...expected].filter((uid) => !present.has(uid));
  const skipped = streamAll ? 0 : expected.size - missing.length;
  const progress: RetrieveProgress = {
    seriesInstanceUid: ref.seriesInstanceUid,
    done: skipped,
    total: expected.size,
    bytes: 0,
  };
  onProgress?.({ ...progress });
  if (streamAll) {
    listing.then(
      (uids) => ((expected = uids), (progress.total = uids.size)),
      () => undefined,
    );
  }

  const writing = new Set<string>();
  const keep = async (part: RetrievedPart, sop: string) => {
    // Parts already parsed from the stream would still arrive after a cancel; stop at once instead.
    if (signal?.aborted) throw new PacsError('aborted', 'cancelled');
    if (!present.has(sop) && !writing.has(sop)) {
      writing.add(sop);
      await writeInstance(folder, sop, part);
      present.add(sop);
      progress.done++;
    }
    progress.bytes += part.size;
    onProgress?.({ ...progress });
  };

  let fetched = 0;
  const started = present.size;
  // Writes (each ending in an fsync) overlap with each other and with the download, a few at a time.
  const inFlight = new Set<Promise<void>>();
  let writeError: unknown;
  try {
    if (streamAll) {
      for await (const part of client.retrieve(ref, signal)) {
        const write: Promise<void> = keep(part, sopInstanceUidOf(part, client.label))
          .catch((error: unknown) => void (writeError ??= error))
          .finally(() => inFlight.delete(write));
        inFlight.add(write);
        if (inFlight.size >= WRITES_IN_FLIGHT) await Promise.race(inFlight);
        if (writeError) throw writeError;
      }
      await Promise.all(inFlight);
      if (writeError) throw writeError;
      expected = await listing;
    } else {
      const queue = [...missing];
      const worker = async () => {
        for (let sop = queue.shift(); sop !== undefined; sop = queue.shift()) {
          for await (const part of client.retrieve({ ...ref, sopInstanceUid: sop }, signal)) {
            await keep(part, sopInstanceUidOf(part, client.label));
          }
        }
      };
      const workers = Array.from({ length: Math.min(options.concurrency ?? 4, queue.length) }, worker);
      const outcomes = await Promise.allSettled(workers);
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed) throw failed.reason;
    }
  } catch (error) {
    await Promise.allSettled(inFlight);
    fetched = present.size - started;
    if (error instanceof PacsError && error.kind === 'aborted') throw error;
    // The message counts against the listed total; the listing is already answered or fails quickly.
    if (streamAll) await listing.then((uids) => (progress.total = uids.size)).catch(() => undefined);
    const total = progress.total ? `${progress.total}` : 'the';
    const kept = `${progress.done} of ${total} instances are in ${folder} (${fetched} from this run); run the pull again to fetch only the rest`;
    if (error instanceof PacsError) {
      throw new PacsError(error.kind, `${error.message} — ${kept}`, { status: error.status, cause: error });
    }
    throw new PacsError(
      'interrupted',
      `retrieve of series ${ref.seriesInstanceUid} failed: ${(error as Error).message} — ${kept}`,
      {
        cause: error,
      },
    );
  }
  fetched = present.size - started;
  progress.done = [...expected].filter((uid) => present.has(uid)).length;
  const stillMissing = [...expected].filter((uid) => !present.has(uid));
  if (stillMissing.length > 0) {
    throw new PacsError(
      'protocol',
      `${client.label} listed ${expected.size} instances of series ${ref.seriesInstanceUid} but ${stillMissing.length} did not arrive — the ${progress.done} received are kept; try the pull again`,
    );
  }
  return {
    folder,
    skipped,
    fetched,
    total: expected.size,
    bytes: progress.bytes,
    files: [...expected].map((uid) => join(folder, `${uid}.dcm`)),
  };
}
