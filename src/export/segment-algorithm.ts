// Owns how a finding's review state becomes a DICOM Segment Algorithm Type (PS3.3 C.8.20.4): the model's
// unreviewed proposal is AUTOMATIC; a model finding a reader confirmed unchanged is SEMIAUTOMATIC (machine
// made, human verified); a corrected or reader-added finding is MANUAL (its final outline is the reader's).
import type { SegmentAlgorithmType } from '../dicom/write-seg/build-seg.ts';

export interface ReviewState {
  /** pending | confirmed | rejected | corrected | added */
  decision: string;
  /** True when this export uses the model's proposal mask rather than the final one. */
  proposal: boolean;
}

export function segmentAlgorithmType({ decision, proposal }: ReviewState): SegmentAlgorithmType {
  if (proposal || decision === 'pending') return 'AUTOMATIC';
  if (decision === 'confirmed') return 'SEMIAUTOMATIC';
  return 'MANUAL';
}

/** Whether a finding contributes a label: rejected findings stay in the table but never in a mask. */
export function hasLabel(decision: string, includeProposals: boolean): boolean {
  if (decision === 'rejected') return false;
  if (decision === 'pending') return includeProposals;
  return true;
}
