// Owns reading a STOW-RS answer (PS3.18 10.5.3) into one outcome per object sent: stored (in Referenced SOP
// Sequence), stored with a warning (Warning Reason), or failed (in Failed SOP Sequence with its Failure
// Reason, or not mentioned at all, or the whole request refused). An object the server does not confirm is a
// failure: it stays queued rather than being assumed stored.
import type { DicomJson, StowResponse } from './dicomweb-client.ts';
import { jsonString } from './qido-query.ts';

export interface PushedObject {
  sopInstanceUid: string;
  sopClassUid: string;
}

export type PushStatus = 'stored' | 'warning' | 'failed';

export interface PushOutcome extends PushedObject {
  status: PushStatus;
  /** Why it failed or what the warning was, in words (with the DICOM code). */
  reason?: string;
}

// PS3.18 Table I.2-1 / PS3.4 B.2.3 codes seen in Failure Reason (0008,1197) and Warning Reason (0008,1196).
const REASONS: Record<number, string> = {
  0x0110: 'processing failure',
  0x0112: 'no such object instance',
  0x0122: 'SOP class not supported',
  0x0124: 'not authorised',
  0x0272: 'processing failure',
  0xa700: 'out of resources',
  0xa900: 'data set does not match SOP class',
  0xc000: 'cannot understand',
  0xc122: 'referenced transfer syntax not supported',
  0xb000: 'coercion of data elements',
  0xb006: 'elements discarded',
  0xb007: 'data set does not match SOP class (stored anyway)',
};

function reasonText(code: string): string {
  const value = Number(code);
  if (!code || Number.isNaN(value)) return 'no reason given';
  const hex = value.toString(16).toUpperCase().padStart(4, '0');
  return `${REASONS[value] ?? 'code'} (${hex}H)`;
}

function sequence(dataset: DicomJson | undefined, tag: string): DicomJson[] {
  return ((dataset?.[tag]?.Value ?? []) as DicomJson[]).filter((item) => item && typeof item === 'object');
}

export function stowOutcomes(
  objects: PushedObject[],
  response: StowResponse,
  serverLabel: string,
): PushOutcome[] {
  const stored = new Map<string, DicomJson>();
  for (const item of sequence(response.body, '00081199')) stored.set(jsonString(item, '00081155'), item);
  const failed = new Map<string, DicomJson>();
  for (const item of sequence(response.body, '00081198')) failed.set(jsonString(item, '00081155'), item);
  const requestFailed =
    response.status >= 300 && response.status !== 409 && stored.size === 0 && failed.size === 0;

  return objects.map((object) => {
    const storedItem = stored.get(object.sopInstanceUid);
    const failedItem = failed.get(object.sopInstanceUid);
    if (failedItem) {
      return { ...object, status: 'failed', reason: reasonText(jsonString(failedItem, '00081197')) };
    }
    if (storedItem) {
      const warning = jsonString(storedItem, '00081196');
      return warning
        ? { ...object, status: 'warning', reason: reasonText(warning) }
        : { ...object, status: 'stored' };
    }
    if (requestFailed) {
      const detail = response.text ? `: ${response.text}` : '';
      return {
        ...object,
        status: 'failed',
        reason: `${serverLabel} answered HTTP ${response.status}${detail}`,
      };
    }
    return {
      ...object,
      status: 'failed',
      reason: `${serverLabel} answered HTTP ${response.status} without confirming this object`,
    };
  });
}
