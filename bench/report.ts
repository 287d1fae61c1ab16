// Prints a benchmark's table: our figure, the reference tool's figure from the same run, and the ratio
// (> 1 means we are better, whatever the unit's direction), as Markdown so it pastes into BENCHMARKS.md.
import os from 'node:os';

export interface BenchRow {
  what: string;
  unit: string;
  ours: number;
  reference?: number;
  referenceName?: string;
  /** True when a larger figure is better (throughput); false for times and sizes. */
  higherIsBetter: boolean;
  goal?: string;
}

function format(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return Math.abs(value) >= 100
    ? value.toFixed(0)
    : Math.abs(value) >= 1
      ? value.toFixed(2)
      : value.toPrecision(3);
}

export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

export function printTable(title: string, rows: BenchRow[]): void {
  const lines = [
    `### ${title}`,
    '',
    `Machine: ${machineLine()}`,
    '',
    '| what | unit | Overread | reference | reference figure | ratio (× better) | goal |',
    '| --- | --- | ---: | --- | ---: | ---: | --- |',
    ...rows.map((r) => {
      const ratio =
        r.reference === undefined
          ? undefined
          : r.higherIsBetter
            ? r.ours / r.reference
            : r.reference / r.ours;
      return `| ${r.what} | ${r.unit} | ${format(r.ours)} | ${r.referenceName ?? '—'} | ${format(r.reference)} | ${format(ratio)} | ${r.goal ?? ''} |`;
    }),
    '',
  ];
  console.log(lines.join('\n'));
}
