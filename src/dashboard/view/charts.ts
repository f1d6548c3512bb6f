import type { DailyPoint, MinuteBucket } from '../dashboard-overview';
import { localTime, niceCeiling, percent } from './format';
import { html, type Html } from './html';

/**
 * Charts as inline SVG, drawn on the server: no script or library is needed to see them. Every
 * mark carries its numbers as data attributes (and a <title> tooltip), so what is drawn can be
 * checked against the data.
 */

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const round = (v: number) => Math.round(v * 10) / 10;

function plot(f: Frame) {
  const x0 = f.left;
  const y0 = f.height - f.bottom;
  return { x0, y0, width: f.width - f.left - f.right, height: y0 - f.top };
}

/** Grid lines at 0, half and top, labelled on the left (or the right, for a second axis). */
function axis(f: Frame, top: number, label: (v: number) => string, side: 'left' | 'right'): Html {
  const p = plot(f);
  const x = side === 'left' ? p.x0 - 4 : p.x0 + p.width + 4;
  const anchor = side === 'left' ? 'end' : 'start';
  return html`${[0, 0.5, 1].map((share) => {
    const y = round(p.y0 - share * p.height);
    return html`${side === 'left' && html`<line class="grid" x1="${p.x0}" x2="${p.x0 + p.width}" y1="${y}" y2="${y}" />`}
      <text class="tick" x="${x}" y="${y + 3}" text-anchor="${anchor}">${label(share * top)}</text>`;
  })}`;
}

function xLabels(f: Frame, count: number, every: number, label: (i: number) => string): Html {
  const p = plot(f);
  const slot = p.width / count;
  const indexes = Array.from({ length: count }, (_, i) => i).filter(
    (i) => i % every === 0 || i === count - 1,
  );
  return html`${indexes.map(
    (i) =>
      html`<text class="tick" x="${round(p.x0 + (i + 0.5) * slot)}" y="${f.height - 6}" text-anchor="middle"
        >${label(i)}</text
      >`,
  )}`;
}

function svg(f: Frame, label: string, body: Html): Html {
  return html`<svg
    class="chart"
    viewBox="0 0 ${f.width} ${f.height}"
    role="img"
    aria-label="${label}"
    preserveAspectRatio="xMidYMid meet"
  >
    ${body}
  </svg>`;
}

const SEGMENTS = [
  { key: 'delivered', label: '送达 delivered' },
  { key: 'failed', label: '失败 failed' },
  { key: 'rejected', label: '拒收 rejected' },
] as const;

/** Attempts per minute, stacked by outcome. */
export function throughputChart(minutes: MinuteBucket[]): Html {
  const f: Frame = { width: 720, height: 180, left: 36, right: 12, top: 10, bottom: 22 };
  const p = plot(f);
  const top = niceCeiling(Math.max(0, ...minutes.map((m) => m.delivered + m.failed + m.rejected)));
  const slot = p.width / minutes.length;
  const bars = minutes.map((m, i) => {
    let base = p.y0;
    const segments = SEGMENTS.filter((s) => m[s.key] > 0).map((s) => {
      const height = (m[s.key] / top) * p.height;
      base -= height;
      return html`<rect
        class="seg-${s.key}"
        x="${round(p.x0 + i * slot + slot * 0.15)}"
        y="${round(base)}"
        width="${round(slot * 0.7)}"
        height="${round(height)}"
      />`;
    });
    const tip = SEGMENTS.map((s) => `${s.label} ${m[s.key]}`).join(' · ');
    return html`<g
      class="minute"
      data-minute="${m.at}"
      data-delivered="${m.delivered}"
      data-failed="${m.failed}"
      data-rejected="${m.rejected}"
      ><title>${localTime(m.at, 'HH:mm')} — ${tip}</title>${segments}</g
    >`;
  });
  return svg(
    f,
    'Attempts per minute, last hour',
    html`${axis(f, top, String, 'left')}${bars}${xLabels(f, minutes.length, 10, (i) => localTime(minutes[i].at, 'HH:mm'))}`,
  );
}

/** Total queue depth at the end of each sampled minute. */
export function queueDepthChart(minutes: MinuteBucket[]): Html {
  const f: Frame = { width: 720, height: 140, left: 36, right: 12, top: 10, bottom: 22 };
  const p = plot(f);
  const top = niceCeiling(Math.max(0, ...minutes.map((m) => m.queueDepth ?? 0)));
  const slot = p.width / minutes.length;
  const points = minutes.flatMap((m, i) =>
    m.queueDepth === null
      ? []
      : [{ m, x: round(p.x0 + (i + 0.5) * slot), y: round(p.y0 - (m.queueDepth / top) * p.height) }],
  );
  const line = points.map((pt) => `${pt.x},${pt.y}`).join(' ');
  return svg(
    f,
    'Queue depth per minute, last hour',
    html`${axis(f, top, String, 'left')}
    ${points.length > 1 && html`<polyline class="depth-line" points="${line}" />`}
    ${points.map(
      ({ m, x, y }) =>
        html`<circle
          class="depth"
          cx="${x}"
          cy="${y}"
          r="2.5"
          data-minute="${m.at}"
          data-depth="${m.queueDepth}"
          ><title>${localTime(m.at, 'HH:mm')} — 队列 depth ${m.queueDepth}</title></circle
        >`,
    )}
    ${xLabels(f, minutes.length, 10, (i) => localTime(minutes[i].at, 'HH:mm'))}`,
  );
}

/** One department: deliveries created per day (bars, left axis) and the on-time rate (line, right axis). */
export function dailyChart(department: string, points: DailyPoint[]): Html {
  const f: Frame = { width: 720, height: 170, left: 36, right: 44, top: 10, bottom: 22 };
  const p = plot(f);
  const top = niceCeiling(Math.max(0, ...points.map((d) => d.volume)));
  const slot = p.width / points.length;
  const center = (i: number) => round(p.x0 + (i + 0.5) * slot);
  const days = points.map((d, i) => {
    const height = round((d.volume / top) * p.height);
    return html`<g
      class="day"
      data-department="${department}"
      data-day="${d.day}"
      data-volume="${d.volume}"
      data-eligible="${d.eligible}"
      data-on-time="${d.onTime}"
      data-rate="${d.rate ?? ''}"
    >
      <title>
        ${d.day} — 办件 volume ${d.volume} · 按时 on time ${d.onTime}/${d.eligible} (${percent(d.rate)})
      </title>
      ${d.volume > 0 && html`<rect class="volume" x="${round(p.x0 + i * slot + slot * 0.2)}" y="${round(p.y0 - height)}" width="${round(slot * 0.6)}" height="${height}" />`}
    </g>`;
  });
  const rated = points.flatMap((d, i) =>
    d.rate === null ? [] : [{ d, x: center(i), y: round(p.y0 - d.rate * p.height) }],
  );
  const line = rated.map((r) => `${r.x},${r.y}`).join(' ');
  return svg(
    f,
    `${department}: deliveries per day and on-time rate`,
    html`${axis(f, top, String, 'left')}${axis(f, 1, (v) => percent(v), 'right')}${days}
    ${rated.length > 1 && html`<polyline class="rate-line" points="${line}" />`}
    ${rated.map(
      ({ d, x, y }) =>
        html`<circle class="rate" cx="${x}" cy="${y}" r="3" data-day="${d.day}" data-rate="${d.rate}" />`,
    )}
    ${xLabels(f, points.length, Math.ceil(points.length / 7), (i) => points[i].day.slice(5))}`,
  );
}
