// Owns the Model page's plots, and is the one renderer module that imports the charting library (Apache
// ECharts, tree-shaken to line and scatter charts). On screen the charts draw to canvas; PNG export is the
// canvas at 2× pixel ratio, SVG export re-renders the same option with ECharts' SVG renderer off screen, so
// both files match what is shown. ECharts needs no eval and no inline script, so it runs under the app's CSP.
import { LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';
import type { FrocPoint, PrPoint, WeekFigures } from '../src/shared/metrics-types.ts';

echarts.use([
  LineChart,
  ScatterChart,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  CanvasRenderer,
  SVGRenderer,
]);

type Option = echarts.EChartsCoreOption;

const TEXT = '#c9ccd1';
const LINE = '#2b2f35';
const axis = (name: string, extra: Record<string, unknown> = {}) => ({
  type: 'value',
  name,
  nameLocation: 'middle',
  nameGap: 28,
  axisLine: { lineStyle: { color: TEXT } },
  splitLine: { lineStyle: { color: LINE } },
  ...extra,
});
const base = (title: string): Option => ({
  backgroundColor: '#15171a',
  animation: false,
  textStyle: { color: TEXT },
  title: { text: title, left: 8, top: 4, textStyle: { color: TEXT, fontSize: 13 } },
  grid: { left: 56, right: 56, top: 44, bottom: 44 },
  legend: { top: 4, right: 8, textStyle: { color: TEXT } },
  tooltip: { trigger: 'item' },
});

const fixed = (value: number | null, digits = 3) => (value === null ? '—' : value.toFixed(digits));

export interface OperatingMark {
  threshold: number;
  sensitivity: number | null;
  fpPerScan: number | null;
  precision: number | null;
}

export function frocOption(points: readonly FrocPoint[], mark: OperatingMark | null): Option {
  return {
    ...base('FROC'),
    xAxis: axis('false positives per scan', { min: 0 }),
    yAxis: axis('sensitivity', { min: 0, max: 1 }),
    series: [
      {
        name: 'FROC',
        type: 'line',
        step: 'end',
        data: points.map((p) => [p.fpPerScan, p.sensitivity, p.threshold]),
        tooltip: {
          formatter: (p: { value: number[] }) =>
            `threshold ${fixed(p.value[2])}: sensitivity ${fixed(p.value[1])} at ${fixed(p.value[0])} FP/scan`,
        },
      },
      markSeries(
        mark && mark.fpPerScan !== null && mark.sensitivity !== null
          ? [mark.fpPerScan, mark.sensitivity]
          : null,
        mark,
      ),
    ],
  };
}

export function prOption(points: readonly PrPoint[], mark: OperatingMark | null): Option {
  return {
    ...base('Precision–recall'),
    xAxis: axis('recall (sensitivity)', { min: 0, max: 1 }),
    yAxis: axis('precision', { min: 0, max: 1 }),
    series: [
      {
        name: 'PR',
        type: 'line',
        data: points.map((p) => [p.recall, p.precision, p.threshold]),
        tooltip: {
          formatter: (p: { value: number[] }) =>
            `threshold ${fixed(p.value[2])}: precision ${fixed(p.value[1])} at recall ${fixed(p.value[0])}`,
        },
      },
      markSeries(
        mark && mark.sensitivity !== null && mark.precision !== null
          ? [mark.sensitivity, mark.precision]
          : null,
        mark,
      ),
    ],
  };
}

function markSeries(point: [number, number] | null, mark: OperatingMark | null) {
  return {
    name: mark ? `at ${fixed(mark.threshold, 2)}` : 'preview',
    type: 'scatter',
    symbolSize: 11,
    itemStyle: { color: '#ffaa00', opacity: 1 },
    data: point ? [point] : [],
    tooltip: { formatter: () => (mark ? `preview at threshold ${fixed(mark.threshold)}` : '') },
  };
}

export function driftOption(weeks: readonly WeekFigures[]): Option {
  const interval = (e: WeekFigures['sensitivity']) =>
    e.low === null ? '' : ` [${fixed(e.low)}–${fixed(e.high)}]`;
  const line = (name: string, pick: (w: WeekFigures) => WeekFigures['sensitivity'], yAxisIndex = 0) => ({
    name,
    type: 'line',
    yAxisIndex,
    data: weeks.map((w) => pick(w).value),
    tooltip: {
      formatter: (p: { dataIndex: number }) => {
        const w = weeks[p.dataIndex];
        const e = pick(w);
        return `week of ${w.week}: ${name} ${fixed(e.value)}${interval(e)}, n=${e.count} (${w.series} series)`;
      },
    },
  });
  return {
    ...base('Per week'),
    xAxis: { type: 'category', data: weeks.map((w) => w.week), axisLine: { lineStyle: { color: TEXT } } },
    yAxis: [
      axis('sensitivity, precision', { min: 0, max: 1 }),
      axis('FP per scan', { min: 0, splitLine: { show: false } }),
    ],
    series: [
      line('sensitivity', (w) => w.sensitivity),
      line('precision', (w) => w.precision),
      line('FP/scan', (w) => w.fpPerScan, 1),
    ],
  };
}

/** One plot on the page: draws an option, redraws on resize, exports what it shows. */
export class Plot {
  private readonly chart: echarts.ECharts;
  private option: Option = {};

  constructor(private readonly container: HTMLElement) {
    this.chart = echarts.init(container, undefined, { renderer: 'canvas' });
    new ResizeObserver(() => this.chart.resize()).observe(container);
  }

  draw(option: Option): void {
    this.option = option;
    this.chart.setOption(option, { notMerge: true });
  }

  /** Number of data points drawn in the first series (what the page test checks besides pixels). */
  get points(): number {
    const series = (this.option.series as { data?: unknown[] }[] | undefined) ?? [];
    return series[0]?.data?.length ?? 0;
  }

  png(): string {
    return this.chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#15171a' });
  }

  svg(): string {
    const width = this.container.clientWidth || 640;
    const height = this.container.clientHeight || 360;
    const offscreen = echarts.init(null, undefined, { renderer: 'svg', ssr: true, width, height });
    try {
      offscreen.setOption(this.option);
      return offscreen.renderToSVGString();
    } finally {
      offscreen.dispose();
    }
  }
}
