// Owns how a DICOM date (DA, YYYYMMDD) is shown to people: as YYYY-MM-DD, anything else as given. Shared by the
// viewer's corner and worklist, the findings report and the follow-up's wording, so all write dates alike.

/** DICOM dates (YYYYMMDD) as YYYY-MM-DD; anything else as given. */
export function formatDicomDate(date: string): string {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(date);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : date;
}
