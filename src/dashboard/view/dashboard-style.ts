/** The dashboard's stylesheet, served from /admin/assets (no inline styles: the page's CSP forbids them). */
export const DASHBOARD_STYLE = `
:root {
  --ink: #1f2933; --muted: #6b7785; --line: #e3e8ee; --panel: #ffffff; --page: #f4f6f8;
  --ok: #2f9e44; --bad: #d9480f; --warn: #e8a317; --accent: #1c6fb8;
}
* { box-sizing: border-box; }
body {
  margin: 0; background: var(--page); color: var(--ink);
  font: 14px/1.5 system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif;
}
header.top {
  display: flex; align-items: baseline; justify-content: space-between; gap: 1rem;
  padding: .8rem 1.5rem; background: #17324d; color: #fff;
}
header.top h1 { margin: 0; font-size: 1.25rem; }
header.top small { font-weight: normal; opacity: .8; margin-left: .5rem; }
header.top nav a { color: #cfe3f7; margin-left: 1rem; }
main { padding: 0 1.5rem 2rem; }
section {
  background: var(--panel); border: 1px solid var(--line); border-radius: 6px;
  padding: .8rem 1rem 1rem; margin: 1rem 0;
}
h2 { font-size: 1.05rem; margin: 0 0 .6rem; display: flex; gap: .6rem; align-items: baseline; }
h2 .count { background: var(--page); border-radius: 10px; padding: 0 .5rem; font-size: .9rem; }
h2 .range { margin-left: auto; font-size: .85rem; font-weight: normal; display: flex; gap: .8rem; }
.meta, .muted { color: var(--muted); }
.muted { font-size: .85em; }
.warn { color: var(--bad); font-weight: 600; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: .85rem; }
td.id { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .8rem; }
td.error { max-width: 28rem; color: var(--bad); font-size: .85rem; word-break: break-word; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 3px; font-size: .8rem; font-weight: 600; color: #fff; }
.state-CLOSED { background: var(--ok); }
.state-OPEN { background: var(--bad); }
.state-HALF_OPEN { background: var(--warn); }
.badge.paused { background: var(--muted); }
.empty { color: var(--ok); }
button.replay {
  border: 1px solid var(--accent); background: #fff; color: var(--accent); border-radius: 4px;
  padding: .15rem .6rem; cursor: pointer;
}
button.replay:hover { background: var(--accent); color: #fff; }
button.replay:disabled { opacity: .5; cursor: default; }
#flash { margin: .8rem 1.5rem 0; padding: .5rem .8rem; border-radius: 4px; background: #e7f5ff; }
#flash.error { background: #fff0e6; color: var(--bad); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 1rem; }
figure { margin: 0; }
figcaption { font-size: .9rem; margin-bottom: .3rem; }
svg.chart { width: 100%; height: auto; display: block; }
svg .grid { stroke: var(--line); }
svg .tick { fill: var(--muted); font-size: 10px; }
.seg-delivered, .volume { fill: var(--ok); background: var(--ok); }
.seg-failed { fill: var(--bad); background: var(--bad); }
.seg-rejected { fill: var(--warn); background: var(--warn); }
.depth-line { fill: none; stroke: var(--accent); stroke-width: 1.5; }
.depth { fill: var(--accent); }
svg .volume { fill: #8cc7a1; }
.rate-line { fill: none; stroke: var(--accent); stroke-width: 2; }
.rate { fill: var(--accent); background: var(--accent); }
.legend { color: var(--muted); font-size: .85rem; margin-left: .6rem; }
p.legend { margin: 0 0 .5rem; }
.legend i { display: inline-block; width: .7rem; height: .7rem; margin: 0 .25rem 0 .6rem; vertical-align: -1px; }
.legend i.volume { background: #8cc7a1; }
`;

/** The tab icon (a browser asks for one; without it, a 404 for /favicon.ico). */
export const DASHBOARD_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="6" fill="#17324d"/><path d="M7 22h4V14H7zm7 0h4V9h-4zm7 0h4v-5h-4z" fill="#8cc7a1"/>
</svg>`;
