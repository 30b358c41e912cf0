// Server-side SVG chart of SCIM requests per hour by outcome: no script, no external
// asset, readable by screen readers through <title>/<desc> and a text summary the page prints.
import { escapeHtml } from './html.ts';

export interface HourBucket {
  hour: Date; // start of the UTC hour
  success: number;
  failure: number;
}

const HOUR = 3_600_000;

/** Fills the hours with no counter row, so the chart has exactly `hours` bars ending at `end`'s hour. */
export function fillHours(rows: { hour: Date; requests: number; failures: number }[], end: Date, hours: number): HourBucket[] {
  const last = end.getTime() - (end.getTime() % HOUR);
  const first = last - (hours - 1) * HOUR;
  const byHour = new Map(rows.map((r) => [r.hour.getTime(), r]));
  const out: HourBucket[] = [];
  for (let t = first; t <= last; t += HOUR) {
    const r = byHour.get(t);
    out.push({ hour: new Date(t), success: r ? Math.max(0, r.requests - r.failures) : 0, failure: r ? r.failures : 0 });
  }
  return out;
}

const DAY = 86_400_000;

/** The same counters summed per UTC day: exactly `days` bars ending with `end`'s day. */
export function fillDays(rows: { hour: Date; requests: number; failures: number }[], end: Date, days: number): HourBucket[] {
  const last = end.getTime() - (end.getTime() % DAY);
  const out: HourBucket[] = [];
  for (let t = last - (days - 1) * DAY; t <= last; t += DAY) out.push({ hour: new Date(t), success: 0, failure: 0 });
  for (const r of rows) {
    const i = Math.floor((r.hour.getTime() - (last - (days - 1) * DAY)) / DAY);
    if (i < 0 || i >= days) continue;
    out[i].success += Math.max(0, r.requests - r.failures);
    out[i].failure += r.failures;
  }
  return out;
}

/** 1, 2, 5 × 10^n at or above v: gridlines at round numbers. */
export function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

export interface ChartOptions {
  title: string;
  /** Bars per UTC day (7-day view) or per hour (default). */
  unit?: 'hour' | 'day';
  /** Distinguishes the ids of several charts on one page. */
  id?: string;
  width?: number;
  height?: number;
}

export const CHART_COLORS = { success: '#2f6fdf', failure: '#c8372d' } as const;

export function renderActivityChart(buckets: HourBucket[], opts: ChartOptions): string {
  const width = opts.width ?? 860;
  const height = opts.height ?? 220;
  const left = 44;
  const right = 8;
  const top = 12;
  const bottom = 28;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const n = Math.max(1, buckets.length);
  const slot = plotW / n;
  const barW = Math.max(1, slot * 0.8);
  const max = niceMax(Math.max(0, ...buckets.map((b) => b.success + b.failure)));
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

  const totalS = buckets.reduce((a, b) => a + b.success, 0);
  const totalF = buckets.reduce((a, b) => a + b.failure, 0);
  const day = opts.unit === 'day';
  const id = opts.id ?? 'chart';
  const desc = `${totalS + totalF} requests in ${buckets.length} ${day ? 'days' : 'hours'}: ${totalS} succeeded, ${totalF} failed.`;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}-title ${id}-desc">`,
    `<title id="${id}-title">${escapeHtml(opts.title)}</title>`,
    `<desc id="${id}-desc">${escapeHtml(desc)}</desc>`,
  );
  // Horizontal gridlines with their values.
  // Whole-number gridlines: 50 → 0,10,…,50 rather than 0,12.5,…
  const divisions = [4, 5, 2].find((d) => Number.isInteger(max / d)) ?? 1;
  for (let i = 0; i <= divisions; i++) {
    const v = (max / divisions) * i;
    const yy = y(v).toFixed(1);
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${yy}" y2="${yy}" stroke="#d9dee7" stroke-width="1"/>`);
    parts.push(`<text x="${left - 6}" y="${yy}" dy="0.32em" text-anchor="end" font-size="11" fill="#4a5568">${fmt(v)}</text>`);
  }
  buckets.forEach((b, i) => {
    const x = (left + i * slot + (slot - barW) / 2).toFixed(2);
    const label = `${day ? b.hour.toISOString().slice(0, 10) : `${b.hour.toISOString().slice(0, 13).replace('T', ' ')}:00 UTC`}: ${b.success} succeeded, ${b.failure} failed`;
    if (b.success + b.failure === 0) return;
    parts.push(`<g><title>${escapeHtml(label)}</title>`);
    if (b.success > 0) {
      parts.push(`<rect x="${x}" y="${y(b.success).toFixed(2)}" width="${barW.toFixed(2)}" height="${(plotH - (y(b.success) - top)).toFixed(2)}" fill="${CHART_COLORS.success}"/>`);
    }
    if (b.failure > 0) {
      const yTop = y(b.success + b.failure);
      parts.push(`<rect x="${x}" y="${yTop.toFixed(2)}" width="${barW.toFixed(2)}" height="${(y(b.success) - yTop).toFixed(2)}" fill="${CHART_COLORS.failure}"/>`);
    }
    parts.push('</g>');
  });
  if (day) {
    buckets.forEach((b, i) => {
      const x = (left + i * slot + slot / 2).toFixed(1);
      parts.push(`<text x="${x}" y="${height - 8}" font-size="11" text-anchor="middle" fill="#4a5568">${b.hour.toISOString().slice(5, 10)}</text>`);
    });
  } else if (buckets.length <= 48) {
    // A day or two of hours: label every third hour.
    buckets.forEach((b, i) => {
      if (b.hour.getUTCHours() % 3 !== 0) return;
      const x = (left + i * slot + slot / 2).toFixed(1);
      parts.push(`<text x="${x}" y="${height - 8}" font-size="11" text-anchor="middle" fill="#4a5568">${b.hour.toISOString().slice(11, 13)}:00</text>`);
    });
  }
  // Day boundaries (UTC midnight) with a date label, on long hourly charts.
  buckets.forEach((b, i) => {
    if (day || buckets.length <= 48 || b.hour.getUTCHours() !== 0) return;
    const x = (left + i * slot).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${top}" y2="${top + plotH}" stroke="#aab3c2" stroke-width="1" stroke-dasharray="2 3"/>`);
    parts.push(`<text x="${x}" y="${height - 8}" font-size="11" fill="#4a5568">${b.hour.toISOString().slice(5, 10)}</text>`);
  });
  parts.push(`<line x1="${left}" x2="${width - right}" y1="${top + plotH}" y2="${top + plotH}" stroke="#4a5568" stroke-width="1"/>`);
  parts.push('</svg>');
  return parts.join('');
}
