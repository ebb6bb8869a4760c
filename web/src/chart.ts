/* A stacked bar chart as inline SVG built through the DOM (the CSP allows no chart library), with a table as its text alternative. */
import { h, svg } from './dom.js';
import type { DailyCounts } from './timeline.js';

export interface ChartOptions {
  title: string;
  colourOf(category: string): string;
  labelOf(category: string): string;
}

export function stackedBarChart(data: DailyCounts, options: ChartOptions): HTMLElement {
  const width = 760;
  const height = 240;
  const left = 40;
  const bottom = 40;
  const top = 10;
  const plotH = height - top - bottom;
  const plotW = width - left - 10;
  const totals = data.counts.map((row) => row.reduce((a, b) => a + b, 0));
  const max = Math.max(1, ...totals);
  const step = plotW / Math.max(1, data.days.length);
  const barW = Math.max(2, Math.min(40, step * 0.7));
  const y = (n: number) => top + plotH - (n / max) * plotH;
  const bars = data.days.flatMap((day, i) => {
    let acc = 0;
    return data.categories.map((cat, j) => {
      const n = data.counts[i]![j]!;
      if (!n) return null;
      const rect = svg('rect', { x: left + i * step + (step - barW) / 2, y: y(acc + n), width: barW, height: Math.max(0.5, y(acc) - y(acc + n)), fill: options.colourOf(cat) },
        svg('title', null, `${day}: ${n} × ${options.labelOf(cat)}`));
      acc += n;
      return rect;
    });
  });
  const labelEvery = Math.ceil(data.days.length / 10);
  const xLabels = data.days.map((day, i) =>
    i % labelEvery === 0 ? svg('text', { x: left + i * step + step / 2, y: height - bottom + 16, 'text-anchor': 'middle', class: 'axis' }, day.slice(5)) : null,
  );
  const chart = svg(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': 'chart-title', class: 'chart' },
    svg('title', { id: 'chart-title' }, `${options.title}; the table below has the same numbers`),
    svg('line', { x1: left, y1: top + plotH, x2: left + plotW, y2: top + plotH, class: 'axis-line' }),
    svg('line', { x1: left, y1: top, x2: left, y2: top + plotH, class: 'axis-line' }),
    svg('text', { x: left - 6, y: top + 4, 'text-anchor': 'end', class: 'axis' }, String(max)),
    svg('text', { x: left - 6, y: top + plotH, 'text-anchor': 'end', class: 'axis' }, '0'),
    svg('text', { x: left + plotW / 2, y: height - 4, 'text-anchor': 'middle', class: 'axis' }, 'Day (UTC, month-day)'),
    svg('text', { x: 12, y: top + plotH / 2, transform: `rotate(-90 12 ${top + plotH / 2})`, 'text-anchor': 'middle', class: 'axis' }, 'Messages'),
    bars,
    xLabels,
  );
  const legend = h('ul', { class: 'legend', 'aria-label': 'Legend' }, data.categories.map((c) => h('li', null, h('span', { class: 'swatch', 'data-colour': c, 'aria-hidden': 'true' }), options.labelOf(c))));
  for (const s of legend.querySelectorAll<HTMLElement>('.swatch')) s.style.background = options.colourOf(s.dataset.colour ?? '');
  const table = h(
    'table',
    { class: 'data compact' },
    h('caption', null, options.title),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Day'), data.categories.map((c) => h('th', { scope: 'col' }, options.labelOf(c))), h('th', { scope: 'col' }, 'Total'))),
    h('tbody', null, data.days.map((d, i) => h('tr', null, h('th', { scope: 'row' }, d), data.counts[i]!.map((n) => h('td', null, n)), h('td', null, totals[i]!)))),
  );
  return h('figure', { class: 'chart-figure' }, chart, legend, h('details', null, h('summary', null, 'The numbers as a table'), table));
}
