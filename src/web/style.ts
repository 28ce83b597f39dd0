// The console's one stylesheet (served as /static/app.css, inlined into the printable report):
// readable on a phone, printable. A module rather than a .css file so the compiled dist/ carries it.
export const APP_CSS = `/* khaosat web console: one small stylesheet, readable on a phone, printable. */
:root { --fg: #1d232b; --muted: #4d5866; --line: #d5dae1; --bg: #f6f7f9; --accent: #1f4e9c; --ok: #156a30; --warn: #8a5a00; --alert: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "DejaVu Sans", "Noto Sans", system-ui, sans-serif; color: var(--fg); background: var(--bg); line-height: 1.45; font-size: 16px; }
a { color: var(--accent); }
header.top { background: #fff; border-bottom: 1px solid var(--line); padding: .5rem 1rem; display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; }
header.top .brand { font-weight: bold; text-decoration: none; color: var(--fg); }
header.top nav { display: flex; flex-wrap: wrap; gap: .25rem .75rem; flex: 1; }
header.top .who { color: var(--muted); font-size: .9rem; }
header.top form { display: inline; }
main { max-width: 1100px; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
section.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 1rem; margin-bottom: 1rem; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f5; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: var(--muted); }
.flash { padding: .6rem .8rem; border-radius: 4px; margin-bottom: 1rem; }
.flash.error { background: #fdecea; color: var(--alert); border: 1px solid #f2b8b5; }
.flash.ok { background: #e7f4ea; color: var(--ok); border: 1px solid #b5dcbf; }
.flash.warn { background: #fff4e0; color: var(--warn); border: 1px solid #f0d39a; }
.alert { color: var(--alert); font-weight: bold; }
.provisional { display: inline-block; background: #fff4e0; color: var(--warn); border: 1px solid #f0d39a; border-radius: 3px; padding: 0 .4rem; font-size: .85rem; }
form.stack label { display: block; margin: .6rem 0 .2rem; font-weight: bold; }
/* A checkbox and its words on one line, the words clickable (the box is inside its label). */
form.stack label.check { display: flex; align-items: baseline; gap: .5rem; font-weight: normal; cursor: pointer; }
label.check input { margin: 0; flex: none; }
input[type=text], input[type=email], input[type=password], select, textarea { width: 100%; max-width: 32rem; padding: .5rem; font: inherit; border: 1px solid #8a94a3; border-radius: 4px; }
textarea { min-height: 8rem; }
button, .button { display: inline-block; padding: .5rem .9rem; font: inherit; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; text-decoration: none; margin-top: .6rem; }
button.secondary, .button.secondary { background: #fff; color: var(--accent); }
button.link { background: none; border: none; color: var(--accent); text-decoration: underline; padding: 0; margin: 0; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: .75rem; }
.stat { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .75rem; }
.stat b { display: block; font-size: 1.6rem; }
figure.chart { margin: 0; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
/* Each chart comes in two sizes drawn for the screen (charts.ts): never scaled below its font size. */
figure.chart .chart-narrow { display: none; }
@media screen and (max-width: 820px) { figure.chart .chart-wide { display: none; } figure.chart .chart-narrow { display: block; } }
figure.chart figcaption { color: var(--muted); font-size: .9rem; }
.lang a[aria-current] { font-weight: bold; text-decoration: none; color: var(--fg); }
.chat { background: #dfe7ee; padding: .75rem; border-radius: 6px; max-width: 32rem; }
.bubble { background: #fff; border-radius: 10px; padding: .5rem .75rem; margin: .25rem 0; white-space: pre-wrap; overflow-wrap: anywhere; box-shadow: 0 1px 1px rgba(0,0,0,.15); }
form.inline { display: inline-block; margin: 0 .5rem .5rem 0; }
pre.problems { white-space: pre-wrap; background: #fdecea; padding: .5rem; border-radius: 4px; }
@media (max-width: 600px) { main { padding: .5rem; } section.card { padding: .5rem; } th, td { padding: .3rem; font-size: .9rem; }
  /* The menu on a phone: brand and language on the first row, then the links as tap-sized buttons in one row, then who is signed in. */
  header.top { display: grid; grid-template-columns: 1fr auto; gap: .4rem .5rem; padding: .5rem; }
  header.top nav { grid-column: 1 / -1; grid-row: 2; gap: .4rem; }
  header.top nav a { padding: .35rem .6rem; border: 1px solid var(--line); border-radius: 4px; text-decoration: none; }
  header.top .lang { grid-column: 2; grid-row: 1; white-space: nowrap; }
  header.top .who { grid-column: 1; grid-row: 3; font-size: .85rem; overflow-wrap: anywhere; min-width: 0; }
  header.top form { grid-column: 2; grid-row: 3; align-self: center; } }
@media print { header.top, .noprint, form { display: none !important; } body { background: #fff; } section.card { border: none; } }
`;

/** The console's icon (a tab in the browser): a clipboard with a tick, in the accent colour. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect x="4" y="3" width="24" height="27" rx="4" fill="#1f4e9c"/><rect x="11" y="1" width="10" height="6" rx="2" fill="#f0d39a"/><path d="M9.5 17.5l4.5 4.5 9-10" fill="none" stroke="#fff" stroke-width="3.2" stroke-linecap="round" stroke-linejoin="round"/></svg>
`;
