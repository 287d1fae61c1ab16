// Owns DICOM dates (DA, YYYYMMDD): how they are shown to people (YYYY-MM-DD, anything else as given) and the
// day arithmetic a follow-up needs (the days between two studies; a date some days later). Shared by the
// viewer's corner and worklist, the findings report, the follow-up and the sample generator.

/** DICOM dates (YYYYMMDD) as YYYY-MM-DD; anything else as given. */
export function formatDicomDate(date: string): string {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(date);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : date;
}

/** Days since 1970-01-01 of a DICOM date, or null for anything that is not YYYYMMDD. */
export function dicomDayNumber(date: string): number | null {
  if (!/^\d{8}$/.test(date)) return null;
  return Date.UTC(+date.slice(0, 4), +date.slice(4, 6) - 1, +date.slice(6, 8)) / 864e5;
}

/** Days from `earlier` to `later` (negative when it is not later); null when either is not a date. */
export function daysBetween(earlier: string, later: string): number | null {
  const [a, b] = [dicomDayNumber(earlier), dicomDayNumber(later)];
  return a === null || b === null ? null : b - a;
}

/** The DICOM date `days` after `date` (a YYYYMMDD date). */
export function addDays(date: string, days: number): string {
  const day = dicomDayNumber(date);
  if (day === null) throw new Error(`${date} is not a DICOM date (YYYYMMDD)`);
  return new Date((day + days) * 864e5).toISOString().slice(0, 10).replaceAll('-', '');
}
