// FindingInfo and WorklistItem values for the renderer's unit tests.
import type { FindingInfo, WorklistItem } from '../../src/shared/api-types.ts';

export function finding(id: number, patch: Partial<FindingInfo> = {}): FindingInfo {
  return {
    id,
    source: 'model',
    score: 0.8,
    volumeMm3: 100,
    diameterMm: 6,
    centerMm: [0, 0, 0],
    sliceRange: [10, 14],
    focusSlice: 12,
    focusPoint: [100, 120],
    decision: null,
    ...patch,
  };
}

export function decided(kind: 'confirmed' | 'rejected' | 'corrected' | 'added'): FindingInfo['decision'] {
  return {
    kind,
    reason: kind === 'rejected' ? 'vessel' : null,
    note: null,
    reader: 'dr a',
    at: '2026-01-01T00:00:00Z',
  };
}

export function item(uid: string, patch: Partial<WorklistItem> = {}): WorklistItem {
  return {
    seriesUid: uid,
    studyUid: `study-${uid}`,
    patientId: `P-${uid}`,
    patientName: 'Doe^Jane',
    studyDate: '20240102',
    accessionNumber: `A-${uid}`,
    studyDescription: 'CT CHEST',
    seriesDescription: 'Lung 1.25',
    modality: 'CT',
    instances: 120,
    score: 0.5,
    largestMm: 8.2,
    findingCount: 1,
    reviewedCount: 0,
    status: 'flagged',
    scopeWarnings: [],
    warnings: [],
    arrivedAt: '2026-01-01T00:00:00Z',
    priorStudyDate: null,
    ...patch,
  };
}
