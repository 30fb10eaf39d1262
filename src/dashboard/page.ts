/**
 * The dashboard page: server-rendered HTML of every section (src/dashboard/render.ts with an escaping
 * `h`), its CSS and a small script that keeps it live over Server-Sent Events. Everything ships inside
 * the bundle: no CDN, no build step in the user's repository. The script and style carry the response's
 * CSP nonce; the page has no inline handlers.
 */
import type { DashboardModel } from '../core/dashboard-view.js';
import { type Child, type H, renderSections } from './render.js';

/** Already-escaped HTML (what the server-side `h` returns). */
export class Html {
  constructor(readonly html: string) {}
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

const flat = (children: Child<Html>[]): (Html | string)[] =>
  children.flatMap((c) => (Array.isArray(c) ? flat(c) : c === null || c === false || c === undefined ? [] : [c]));

/** The server-side `h`: text children and attribute values are escaped; tag and attribute names are the renderer's own. */
export const htmlH: H<Html> = (tag, attrs, ...children) => {
  const attributes = Object.entries(attrs ?? {})
    .filter(([, v]) => v !== null && v !== undefined && v !== false)
    .map(([k, v]) => (v === true ? ` ${k}` : ` ${k}="${escapeHtml(String(v))}"`))
    .join('');
  const inner = flat(children)
    .map((c) => (c instanceof Html ? c.html : escapeHtml(c)))
    .join('');
  return new Html(`<${tag}${attributes}>${inner}</${tag}>`);
};

const SECTIONS: { id: string; title: string }[] = [
  { id: 'pipeline', title: 'Pipeline' },
  { id: 'lanes', title: 'Shepherds' },
  { id: 'waiting', title: 'Waiting for you' },
  { id: 'spend', title: 'Usage and cost' },
  { id: 'roles', title: 'Support roles' },
  { id: 'summaries', title: 'Iterations' },
  { id: 'problems', title: 'Problems' },
];

export const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--card:#f6f8fa;--accent:#0550ae;--warn:#9a6700;--bad:#b3261e;--ok:#1a7f37}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9da7b3;--line:#30363d;--card:#161b22;--accent:#6cb6ff;--warn:#e3b341;--bad:#ff7b72;--ok:#56d364}}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;background:var(--bg);color:var(--fg)}
a{color:var(--accent)}a:focus-visible,button:focus-visible,select:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
header,main,footer{max-width:1200px;margin:0 auto;padding:8px 16px}header h1{font-size:1.3rem;margin:8px 0}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:var(--bg);padding:4px}
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:16px}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:8px 12px;min-width:0}
section h2{font-size:1.05rem;margin:4px 0 8px}#pipeline,#lanes,#log,#roles{grid-column:1/-1}
.pipeline{display:flex;flex-wrap:wrap;gap:6px;list-style:none;padding:0;margin:0}
.stage{border:1px solid var(--line);border-radius:6px;padding:4px 8px;display:flex;flex-direction:column;min-width:96px;background:var(--bg)}
.stage .count{font-size:1.4rem;font-weight:700}.stage .label,.empty,.when,.reason{color:var(--muted);font-size:.85rem}
.lanes{list-style:none;padding:0;margin:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:8px}
.lane{border:1px solid var(--line);border-left:4px solid var(--ok);border-radius:6px;padding:6px 10px;background:var(--bg)}
.lane-idle{border-left-color:var(--line)}.lane.stuck{border-left-color:var(--bad)}
.badge{font-size:.8rem;border:1px solid var(--line);border-radius:10px;padding:0 6px;margin-left:4px}.badge-stuck{color:var(--bad);border-color:var(--bad)}
.facts{display:grid;grid-template-columns:auto 1fr;gap:0 10px;margin:4px 0}.facts dt{color:var(--muted)}.facts dd{margin:0}
.timeline{display:flex;flex-wrap:wrap;gap:4px;list-style:none;padding:0;margin:4px 0;font-size:.85rem}.timeline li{border:1px solid var(--line);border-radius:4px;padding:0 4px}
.timeline li:last-child{border-color:var(--accent)}
.title{overflow-wrap:anywhere}.actions,.summaries,.problems,.ready{padding-left:18px;margin:0}.actions li{margin-bottom:8px}
.command{display:flex;gap:6px;align-items:flex-start}code{font:13px/1.4 ui-monospace,monospace;overflow-wrap:anywhere;white-space:pre-wrap}
.command code{flex:1;background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:2px 6px}
button,select{font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:2px 10px;cursor:pointer;min-height:32px}
.lane-head{display:flex;align-items:center;gap:4px;flex-wrap:wrap}.lane-head .show-log{margin-left:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{text-align:left;padding:2px 6px;border-bottom:1px solid var(--line);vertical-align:top}
.table-wrap{overflow-x:auto}meter{width:100%;height:14px}.paused{color:var(--warn);font-weight:600}
.error{color:var(--bad)}.warning{color:var(--warn)}
#log-lines{height:320px;overflow:auto;background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:6px;margin:6px 0 0;font:12px/1.4 ui-monospace,monospace;white-space:pre-wrap;overflow-wrap:anywhere}
.log-bar{display:flex;gap:8px;align-items:center;flex-wrap:wrap}.live{font-size:.85rem;color:var(--muted)}
@media (max-width:480px){header,main{padding:6px 8px}main{grid-template-columns:1fr}.pipeline{display:grid;grid-template-columns:1fr 1fr}.stage{min-width:0}.stage .label{overflow-wrap:anywhere}}
`;

/** The browser side: re-render sections on each `model` event, tail a log, copy commands. Plain ES2020, no library. */
const CLIENT = `
var h = function (tag, attrs) {
  var el = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (k) {
    var v = attrs[k];
    if (v === null || v === undefined || v === false) return;
    el.setAttribute(k, v === true ? '' : String(v));
  });
  var add = function (c) {
    if (Array.isArray(c)) return c.forEach(add);
    if (c === null || c === undefined || c === false) return;
    if (typeof c === 'string') { var t = document.createTextNode(''); t.textContent = c; el.appendChild(t); }
    else el.appendChild(c);
  };
  Array.prototype.slice.call(arguments, 2).forEach(add);
  return el;
};
var query = location.search;
var live = document.getElementById('live');
var logSelect = document.getElementById('log-select');
var logLines = document.getElementById('log-lines');
var logFile = document.getElementById('log-file');
var logSource = null;
var model = null;
var say = function (text) { live.textContent = text; };
function update(next) {
  model = next;
  var sections = renderSections(next, h);
  Object.keys(sections).forEach(function (id) {
    var box = document.getElementById('content-' + id);
    if (box) box.replaceChildren(sections[id]);
  });
  var chosen = logSelect.value;
  var options = [h('option', { value: '' }, 'Choose a worker…')];
  next.lanes.forEach(function (l) { if (l.has_log) options.push(h('option', { value: l.slot }, l.slot + (l.issue ? ' #' + l.issue : ''))); });
  next.roles.forEach(function (r) { if (r.has_log) options.push(h('option', { value: r.role }, r.role)); });
  if (chosen && !options.some(function (o) { return o.value === chosen; })) options.push(h('option', { value: chosen }, chosen));
  logSelect.replaceChildren.apply(logSelect, options);
  logSelect.value = chosen;
  say('Updated ' + new Date().toLocaleTimeString());
}
function follow(id) {
  if (logSource) { logSource.close(); logSource = null; }
  logLines.replaceChildren();
  logFile.textContent = '';
  if (!id) return;
  var params = new URLSearchParams(query);
  params.set('of', id);
  logSource = new EventSource('log?' + params.toString());
  logSource.addEventListener('file', function (e) { logFile.textContent = JSON.parse(e.data); });
  logSource.addEventListener('lines', function (e) {
    var atEnd = logLines.scrollTop + logLines.clientHeight >= logLines.scrollHeight - 4;
    JSON.parse(e.data).forEach(function (line) { logLines.appendChild(h('div', null, line)); });
    while (logLines.childNodes.length > 500) logLines.removeChild(logLines.firstChild);
    if (atEnd) logLines.scrollTop = logLines.scrollHeight;
  });
  logSource.addEventListener('missing', function (e) { logFile.textContent = JSON.parse(e.data); });
}
logSelect.addEventListener('change', function () { follow(logSelect.value); });
document.addEventListener('click', function (e) {
  var target = e.target instanceof Element ? e.target.closest('button') : null;
  if (!target) return;
  var log = target.getAttribute('data-log');
  if (log) {
    if (!Array.prototype.some.call(logSelect.options, function (o) { return o.value === log; })) logSelect.appendChild(h('option', { value: log }, log));
    logSelect.value = log;
    follow(log);
    logSelect.focus();
    return;
  }
  var copy = target.getAttribute('data-copy');
  if (copy) {
    var code = document.getElementById(copy);
    var text = code ? code.textContent : '';
    var done = function () { target.textContent = 'Copied'; setTimeout(function () { target.textContent = 'Copy'; }, 1500); say('Copied: ' + text); };
    if (navigator.clipboard) navigator.clipboard.writeText(text).then(done, function () { selectText(code); });
    else selectText(code);
  }
});
function selectText(node) {
  var range = document.createRange();
  range.selectNodeContents(node);
  var sel = getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
  say('Press Ctrl+C to copy the selected command');
}
var events = new EventSource('events' + query);
events.addEventListener('model', function (e) { update(JSON.parse(e.data)); });
events.addEventListener('error', function () { say('Connection lost; retrying…'); });
`;

export interface PageOptions {
  nonce: string;
}

/** The whole page for `model` (null: nothing read yet). */
export function renderPage(model: DashboardModel | null, options: PageOptions): string {
  const sections = model ? renderSections(model, htmlH) : null;
  const repo = model?.repository ?? 'this repository';
  const body = SECTIONS.map(({ id, title }) => {
    const content = sections?.[id]?.html ?? '<p class="empty">Loading…</p>';
    const wrap = id === 'roles' ? ' class="table-wrap"' : '';
    return `<section id="${id}" aria-labelledby="h-${id}"><h2 id="h-${id}">${escapeHtml(title)}</h2><div id="content-${id}"${wrap}>${content}</div></section>`;
  });
  const log = `<section id="log" aria-labelledby="h-log"><h2 id="h-log">Worker log</h2>
<div class="log-bar"><label for="log-select">Worker</label><select id="log-select"><option value="">Choose a worker…</option></select><span id="log-file" class="live"></span></div>
<div id="log-lines" role="log" aria-label="Worker log lines" tabindex="0"></div></section>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>Loom — ${escapeHtml(repo)}</title>
<style nonce="${options.nonce}">${STYLE}</style></head>
<body><a class="skip" href="#lanes">Skip to the shepherds</a>
<header><h1>Loom · ${
    model?.repository_url
      ? `<a href="${escapeHtml(model.repository_url)}" rel="noreferrer noopener">${escapeHtml(repo)}</a>`
      : escapeHtml(repo)
  }</h1><div id="content-daemon">${sections?.daemon?.html ?? ''}</div><p id="live" class="live" role="status" aria-live="polite"></p></header>
<main>${body.slice(0, 2).join('\n')}\n${log}\n${body.slice(2).join('\n')}</main>
<footer class="live">Read-only view of <code>loom status</code>, the state file and the worker logs; live over Server-Sent Events.</footer>
<script nonce="${options.nonce}">"use strict";(function(){var renderSections=${renderSections.toString()};${CLIENT}})();</script>
</body></html>`;
}
