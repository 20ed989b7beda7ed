import type { RangeSeries, TimeRange } from '@eventscope/config/prometheus-client';
import { formatValue } from '../units.js';

/** Inline SVG charts: no scripts, no external assets, so the preview opens anywhere. */

export interface NamedSeries extends RangeSeries {
  name: string;
}

const palette = ['#7eb26d', '#eab839', '#6ed0e0', '#ef843c', '#e24d42', '#1f78c1', '#ba43a9', '#705da0'];
const WIDTH = 560;
const HEIGHT = 200;
const PAD = { left: 64, right: 8, top: 8, bottom: 22 };

export const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const clock = (t: number) => new Date(t * 1000).toISOString().slice(11, 16);

function axes(range: TimeRange, min: number, max: number, unit: string): string {
  const out: string[] = [];
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  for (let i = 0; i <= 3; i++) {
    const value = min + ((max - min) * i) / 3;
    const y = PAD.top + innerH - (innerH * i) / 3;
    out.push(
      `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y}" y2="${y}" class="grid"/>`,
      `<text x="${PAD.left - 4}" y="${y + 3}" text-anchor="end">${escapeHtml(formatValue(value, unit))}</text>`,
    );
  }
  out.push(
    `<text x="${PAD.left}" y="${HEIGHT - 6}">${clock(range.start)}</text>`,
    `<text x="${WIDTH - PAD.right}" y="${HEIGHT - 6}" text-anchor="end">${clock(range.end)}</text>`,
  );
  return out.join('');
}

/** One polyline per series over the time range, with a value axis in the panel's unit. */
export function lineChart(
  series: readonly NamedSeries[],
  range: TimeRange,
  unit: string,
  fixedMin?: number,
): string {
  const values = series.flatMap((s) => s.points.map(([, v]) => v));
  let min = fixedMin ?? Math.min(0, ...values);
  let max = Math.max(...values);
  if (!(max > min)) max = min + (Math.abs(min) || 1);
  if (fixedMin === undefined && min > 0) min = 0;
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const span = Math.max(range.end - range.start, 1);
  const x = (t: number) => PAD.left + ((t - range.start) / span) * innerW;
  const y = (v: number) => PAD.top + innerH - ((v - min) / (max - min)) * innerH;
  const lines = series.map((s, i) => {
    const color = palette[i % palette.length];
    const points = s.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    // A single sample would draw nothing as a line; mark it with a dot.
    const dot =
      s.points.length === 1 && s.points[0]
        ? `<circle cx="${x(s.points[0][0]).toFixed(1)}" cy="${y(s.points[0][1]).toFixed(1)}" r="2" fill="${color}" class="series"/>`
        : '';
    return `<polyline class="series" fill="none" stroke="${color}" stroke-width="1.5" points="${points}"><title>${escapeHtml(s.name)}</title></polyline>${dot}`;
  });
  const legend = series
    .map(
      (s, i) =>
        `<li><span style="background:${palette[i % palette.length]}"></span>${escapeHtml(s.name)} <b>${escapeHtml(
          formatValue(s.points.at(-1)?.[1] ?? Number.NaN, unit),
        )}</b></li>`,
    )
    .join('');
  return `<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img">${axes(range, min, max, unit)}${lines.join('')}</svg><ul class="legend">${legend}</ul>`;
}

/**
 * A Prometheus histogram as a heatmap: one row per `le` bucket (cumulative counts turned into
 * per-bucket counts), one column per step, colour by events per second.
 */
export function heatmapChart(series: readonly RangeSeries[], range: TimeRange, unit: string): string {
  const buckets = series
    .map((s) => ({ le: Number(s.metric.le === '+Inf' ? Number.POSITIVE_INFINITY : s.metric.le), s }))
    .filter((b) => !Number.isNaN(b.le))
    .sort((a, b) => a.le - b.le);
  const times = [...new Set(buckets.flatMap((b) => b.s.points.map(([t]) => t)))].sort((a, b) => a - b);
  const at = buckets.map((b) => new Map(b.s.points));
  const cells: { col: number; row: number; value: number }[] = [];
  let peak = 0;
  times.forEach((t, col) => {
    let below = 0;
    at.forEach((values, row) => {
      const cumulative = values.get(t) ?? below;
      const value = Math.max(cumulative - below, 0);
      below = cumulative;
      cells.push({ col, row, value });
      peak = Math.max(peak, value);
    });
  });
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const cw = innerW / Math.max(times.length, 1);
  const ch = innerH / Math.max(buckets.length, 1);
  const rects = cells
    .filter((c) => c.value > 0)
    .map((c) => {
      const intensity = Math.sqrt(c.value / (peak || 1));
      const yTop = PAD.top + innerH - (c.row + 1) * ch;
      return `<rect class="series" x="${(PAD.left + c.col * cw).toFixed(1)}" y="${yTop.toFixed(1)}" width="${Math.max(cw, 1).toFixed(1)}" height="${ch.toFixed(1)}" fill="rgb(255,${Math.round(200 - 150 * intensity)},${Math.round(80 - 80 * intensity)})" fill-opacity="${(0.15 + 0.85 * intensity).toFixed(2)}"/>`;
    });
  const labels = buckets
    .map((b, row) => ({ b, row }))
    .filter(({ row }) => row % Math.ceil(buckets.length / 6) === 0)
    .map(({ b, row }) => {
      const yMid = PAD.top + innerH - (row + 0.5) * ch;
      const text = Number.isFinite(b.le) ? `≤ ${formatValue(b.le, unit)}` : '+Inf';
      return `<text x="${PAD.left - 4}" y="${(yMid + 3).toFixed(1)}" text-anchor="end">${escapeHtml(text)}</text>`;
    });
  return `<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img">${rects.join('')}${labels.join('')}<text x="${PAD.left}" y="${HEIGHT - 6}">${clock(range.start)}</text><text x="${WIDTH - PAD.right}" y="${HEIGHT - 6}" text-anchor="end">${clock(range.end)}</text></svg>`;
}
