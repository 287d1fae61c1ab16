// The findings panel's wording of a finding's axes and density (src/shared/finding-profile.ts measures them).
// Pure, so the text is tested.
import { SOLID_HU, type FindingProfile } from '../src/shared/finding-profile.ts';

/** The panel's line: "axial 12.4 × 9.1 mm on slice 52 · mean −35 HU ± 40 · 88% ≥ −300 HU" (CT), values else. */
export function formatProfile(profile: FindingProfile, modality: string): string {
  const { longMm, shortMm, slice } = profile.axes;
  const axes = `axial ${longMm.toFixed(1)} × ${shortMm.toFixed(1)} mm on slice ${slice + 1}`;
  const signed = (v: number) => (v < 0 ? `−${Math.abs(v)}` : String(v));
  const mean = Math.round(profile.mean);
  const sd = Math.round(profile.sd);
  if (modality !== 'CT') return `${axes} · mean ${signed(mean)} ± ${sd}`;
  const solid = Math.round(profile.solidFraction * 100);
  return `${axes} · mean ${signed(mean)} HU ± ${sd} · ${solid}% ≥ ${signed(SOLID_HU)} HU`;
}
