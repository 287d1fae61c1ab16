// How a model probability reads on screen: a whole percentage, except near the ends, where rounding would
// claim certainty ("100%", "0%") the model never gave — there it says ">99.9%", "99.7%" or "<1%". The worklist
// ranks on the full value; this keeps the column from showing a row of identical "100%" for different scores.
export function formatProbability(p: number): string {
  if (p >= 0.9995) return '>99.9%';
  if (p >= 0.995) return `${(p * 100).toFixed(1)}%`;
  if (p > 0 && p < 0.005) return '<1%';
  return `${Math.round(p * 100)}%`;
}
