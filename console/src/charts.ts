/**
 * Bar charts for the leader's pages (Chart.js, only the parts a bar chart needs, bundled by Vite:
 * nothing is fetched at run time). A chart is a picture of a table the page also shows, so the
 * canvas is `role="img"` with a label and the numbers stay readable to screen readers and print.
 */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { h } from '../../addin/src/dom.ts';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export interface Series {
  label: string;
  data: Array<number | null>;
  color: string;
}

export interface BarOptions {
  stacked?: boolean;
  /** Bars from the left (long labels: departments, officers). */
  horizontal?: boolean;
  /** A bar clicked: the label's index (drill-down). */
  onClick?: (index: number) => void;
  /** The value axis' upper bound (100 for shares). */
  max?: number;
}

/** Charts of the page on screen; a new page destroys them (their resize observers go with them). */
const live: Chart[] = [];

export function resetCharts(): void {
  for (const c of live.splice(0)) c.destroy();
}

export const COLORS = { received: '#0f5ca8', registered: '#5c8fc7', inProgress: '#8a6d00', overdue: '#a4262c', done: '#107c10', target: '#5c5c5c' };

/** A figure with the chart; `title` is its caption and the canvas' accessible name. */
export function barChart(title: string, labels: string[], series: Series[], opts: BarOptions = {}): HTMLElement {
  const canvas = h('canvas', { role: 'img', 'aria-label': title });
  const height = opts.horizontal ? Math.max(160, labels.length * (opts.stacked ? 28 : 18 * series.length) + 60) : 260;
  const box = h('div', { class: 'chart-box' }, canvas);
  box.style.height = `${height}px`;
  const figure = h('figure', { class: 'chart' }, h('figcaption', {}, title), box);
  // Chart.js measures its container: create it once the figure is in the document (pages attach it synchronously).
  requestAnimationFrame(() => {
    if (!canvas.isConnected) return;
    const chart = new Chart(canvas, {
      type: 'bar',
      data: { labels, datasets: series.map((s) => ({ label: s.label, data: s.data, backgroundColor: s.color, borderColor: s.color })) },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: opts.horizontal ? 'y' : 'x',
        scales: {
          x: { stacked: opts.stacked, ...(opts.horizontal ? { beginAtZero: true, max: opts.max, ticks: { precision: 0 } } : {}) },
          y: { stacked: opts.stacked, ...(opts.horizontal ? {} : { beginAtZero: true, max: opts.max, ticks: { precision: 0 } }) },
        },
        plugins: { legend: { position: 'bottom' } },
        onClick: opts.onClick
          ? (_ev, elements) => {
              if (elements[0]) opts.onClick?.(elements[0].index);
            }
          : undefined,
      },
    });
    live.push(chart);
  });
  return figure;
}
