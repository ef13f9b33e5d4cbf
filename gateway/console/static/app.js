// The admin console: plain ES modules and fetch, no build step. Every panel reads
// an admin API; a 401/403 anywhere returns to the sign-in screen and clears the page.
import { api, apiText, ApiError, signIn, token } from './api.js';
import { LogFollower, MAX_SHOWN } from './log-follow.js';
import { RateHistory, requestTotals, sparkline } from './request-rates.js';

const $ = (selector) => document.querySelector(selector);
const REFRESH_MS = 2000;
let timer = null;
let tab = 'services';
/** Polling the logs instead of streaming them: streaming did not work on this page (log-follow.js). */
let pollLogs = false;
// Request/error rates per upstream: one sample per Metrics-tab refresh (every 2 s).
let rates = new RateHistory();

/** Text-only DOM building: nothing from the server is ever parsed as HTML. */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('data-')) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(child ?? ''));
  return node;
}

function fill(tableSelector, rows) {
  const body = $(`${tableSelector} tbody`);
  body.replaceChildren(...rows.map((cells) => el('tr', {}, ...cells.map((cell) => (cell instanceof Node && cell.tagName === 'TD' ? cell : el('td', {}, cell))))));
}

const duration = (seconds) => (seconds == null ? '–' : seconds < 120 ? `${seconds} s` : seconds < 7200 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds / 3600)} h`);
const exitText = (exit) => (exit ? `${exit.signal ?? `code ${exit.code}`} at ${exit.at}` : '–');

function showSignIn(message = '') {
  stopTimer();
  follower.stop();
  token.clear();
  $('#console').hidden = true;
  $('#sign-out').hidden = true;
  $('#who').textContent = '';
  for (const tbody of document.querySelectorAll('#console tbody')) tbody.replaceChildren();
  for (const id of ['#log-lines', '#log-mode', '#reload', '#metrics', '#restart-chart', '#rates-note']) $(id).replaceChildren();
  rates = new RateHistory();
  $('#sign-in').hidden = false;
  $('#sign-in-error').textContent = message;
}

async function showConsole() {
  // The token must still be an admin's: verify before drawing anything.
  const me = await api('/api/v1/auth/verify');
  if (me.role !== 'admin') throw new ApiError(403, 'This console is for admins only');
  $('#who').textContent = me.username ?? me.email ?? '';
  $('#sign-in').hidden = true;
  $('#console').hidden = false;
  $('#sign-out').hidden = false;
  await refresh();
}

function handle(error) {
  if (error instanceof ApiError && (error.status === 401 || error.status === 403)) showSignIn(error.message);
  else $('#notice').textContent = error.message;
}

// --- panels ---------------------------------------------------------------------
async function drawServices() {
  const { services } = await api('/api/v1/services');
  const names = Object.keys(services);
  fill('#services', names.map((name) => {
    const s = services[name];
    const buttons = el('td', {}, ...['start', 'stop', 'restart'].map((action) => el('button', { 'data-action': action, 'data-service': name, disabled: s.managed === false, onclick: () => control(name, action) }, action)));
    return [name, el('td', { class: `state state-${s.status}`, 'data-service': name }, s.status), s.healthy ? 'yes' : 'no', s.managed === false ? 'external' : 'yes', duration(s.uptime_s), String(s.restarts ?? 0), exitText(s.last_exit), buttons];
  }));
  const select = $('#log-service');
  if (select.options.length !== names.length) select.replaceChildren(...names.map((name) => el('option', { value: name }, name)));
}

async function control(name, action) {
  $('#notice').textContent = '';
  try {
    await api(`/api/v1/services/${encodeURIComponent(name)}/${action}`, { method: 'POST' });
  } catch (error) {
    // 409: the service is already in that state (or busy); show the gateway's reason.
    if (error instanceof ApiError && error.status !== 401 && error.status !== 403) $('#notice').textContent = `${action} ${name}: ${error.status} ${error.message}`;
    else return handle(error);
  }
  await drawServices().catch(handle);
}

const logLine = (e) => `${e.time} ${e.stream} ${e.level ?? ''} ${e.msg}`;
/** What the log box shows, newest last (at most MAX_SHOWN lines). */
let shownLines = [];

function showLogLines(lines, { append = false } = {}) {
  const box = $('#log-lines');
  const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
  shownLines = append ? [...shownLines, ...lines] : lines;
  if (shownLines.length > MAX_SHOWN) shownLines = shownLines.slice(-MAX_SHOWN);
  box.textContent = shownLines.join('\n');
  if (atBottom) box.scrollTop = box.scrollHeight;
}

async function drawLogs() {
  const name = $('#log-service').value;
  if (!name) return;
  const { entries } = await api(`/api/v1/services/${encodeURIComponent(name)}/logs?lines=200`);
  // An answer for a service that is no longer selected (a slower earlier poll) is dropped.
  if ($('#log-service').value !== name) return;
  showLogLines(entries.map(logLine));
}

// Follow mode streams the logs (Server-Sent Events); it polls only when streaming does not work.
const follower = new LogFollower({
  token: () => token.get(),
  onReset: () => showLogLines([]),
  onEntries: (entries) => showLogLines(entries.map(logLine), { append: true }),
  onSkipped: (count) => showLogLines([`… ${count} lines skipped (this page could not keep up) …`], { append: true }),
  onState: (text) => void ($('#log-mode').textContent = text),
  onAuthError: (status, detail) => handle(new ApiError(status, detail)),
  onUnavailable: (reason) => {
    pollLogs = true;
    $('#log-mode').textContent = `polling every 2 s (streaming unavailable: ${reason})`;
    startTimer();
  },
});

async function drawHealth() {
  const monitor = await api('/health/monitor');
  fill('#health-targets', Object.entries(monitor.services ?? {}).map(([name, t]) => [name, t.healthy ? 'yes' : 'no', String(t.consecutive_failures ?? 0), t.last_check ?? '–', t.last_error ?? '']));
  fill('#recovery', [...(monitor.recovery_actions ?? [])].reverse().map((a) => [a.timestamp, a.service_name, a.action_type, a.reason]));
  return monitor;
}

async function drawRoutes() {
  const view = await api('/api/v1/config/routes');
  const reload = view.reload;
  const box = $('#reload');
  box.replaceChildren(
    el('p', { class: reload.ok ? 'ok' : 'error', id: 'reload-status' }, reload.ok ? `OK (${reload.count} applied, ${reload.failures} refused${reload.last_at ? `, last at ${reload.last_at}` : ''})` : `Refused at ${reload.last_at}; the gateway keeps the last good routes.`),
    el('ul', { id: 'reload-errors' }, ...reload.errors.map((location) => el('li', { class: 'error' }, location))),
  );
  fill('#routes', view.routes.map((r) => [r.prefix, r.upstream, r.auth, r.websocket ? 'yes' : 'no', `${r.timeout_ms} ms`, `${r.body_limit_bytes} B`]));
  fill('#upstreams', view.upstreams.map((u) => [u.name, u.managed ? 'supervised' : 'external', u.critical ? 'yes' : 'no']));
}

async function drawMetrics() {
  // Admin check first: /health/monitor is public, the console shows data to admins only.
  await api('/api/v1/services');
  await drawRequestRates();
  const monitor = await api('/health/monitor');
  const m = monitor.metrics ?? {};
  $('#metrics').replaceChildren(...[['Gateway uptime', duration(m.uptime_seconds)], ['Health checks run', m.total_checks], ['Recovery actions', m.total_recovery_actions], ['Routes reloads (ok / refused)', `${monitor.reload?.count ?? 0} / ${monitor.reload?.failures ?? 0}`]].flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, String(v ?? '–'))]));
  const counts = Object.entries(monitor.restart_counts ?? {});
  const max = Math.max(1, ...counts.map(([, c]) => c.restarts));
  $('#restart-chart').replaceChildren(...counts.map(([name, c]) => el('div', { class: 'bar' }, el('span', {}, `${name} ${c.restarts}`), el('span', { class: 'fill', style: `width:${(c.restarts / max) * 20}em` }))));
}

/** Requests and 5xx answers per upstream from the gateway's /metrics (all workers summed by the primary). */
async function drawRequestRates() {
  let text;
  try {
    text = await apiText('/metrics');
  } catch (error) {
    // METRICS_ENABLED=false: the route is gone; say so instead of an empty table.
    if (error instanceof ApiError && error.status === 404) {
      $('#rates-note').textContent = 'Request metrics are off on this gateway (METRICS_ENABLED=false).';
      fill('#rates', []);
      return;
    }
    throw error;
  }
  $('#rates-note').textContent = '';
  const totals = requestTotals(text);
  rates.add(totals, Date.now());
  const rate = (value) => (value == null ? '–' : value.toFixed(value < 10 ? 2 : 0));
  fill('#rates', Object.keys(totals).sort().map((upstream) => {
    const now = rates.latest(upstream);
    const series = rates.series[upstream] ?? [];
    return [
      el('td', { 'data-upstream': upstream }, upstream),
      String(totals[upstream].requests),
      String(totals[upstream].errors),
      rate(now?.requests),
      rate(now?.errors),
      el('td', {}, sparkline(series.map((s) => s.requests), { label: `${upstream} requests per second` })),
      el('td', {}, sparkline(series.map((s) => s.errors), { label: `${upstream} 5xx per second` })),
    ];
  }));
}

const PANELS = { services: drawServices, logs: async () => { await drawServices(); await drawLogs(); }, health: async () => { await api('/api/v1/services'); await drawHealth(); }, routes: drawRoutes, metrics: drawMetrics };

async function refresh() {
  await PANELS[tab]().catch(handle);
}

function stopTimer() {
  if (timer) clearInterval(timer);
  timer = null;
}

function startTimer() {
  stopTimer();
  // Every panel refreshes itself every 2 s; the logs only in follow mode, and only when they cannot be streamed.
  if (tab !== 'logs' || (following() && pollLogs)) timer = setInterval(() => void refresh(), REFRESH_MS);
}

const following = () => tab === 'logs' && $('#log-follow').checked;

/** Follow mode on the Logs tab: stream the selected service (or poll, once streaming failed); otherwise nothing runs. */
function syncFollow() {
  const name = $('#log-service').value;
  if (!following() || pollLogs || !name) {
    follower.stop();
    if (!following()) $('#log-mode').textContent = '';
  } else if (follower.service !== name) follower.start(name);
  startTimer();
}

function selectTab(next) {
  tab = next;
  $('#notice').textContent = '';
  for (const button of document.querySelectorAll('nav button')) button.classList.toggle('active', button.dataset.tab === next);
  for (const section of document.querySelectorAll('.tab')) section.hidden = section.id !== `tab-${next}`;
  // The Logs tab's first draw fills the service list, which follow mode needs.
  void refresh().then(syncFollow);
}

// --- wiring -----------------------------------------------------------------------
$('#sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('#sign-in-error').textContent = '';
  try {
    await signIn($('#mail').value, $('#password').value);
    $('#password').value = '';
    await showConsole();
    selectTab('services');
  } catch (error) {
    showSignIn(error instanceof ApiError && error.status === 401 ? 'Wrong mail or password' : error.message);
  }
});
$('#sign-out').addEventListener('click', () => showSignIn());
for (const button of document.querySelectorAll('nav button')) button.addEventListener('click', () => selectTab(button.dataset.tab));
$('#log-follow').addEventListener('change', () => {
  // Ticking follow again tries streaming again, even after a fallback to polling.
  pollLogs = false;
  syncFollow();
});
$('#log-refresh').addEventListener('click', () => void refresh());
$('#log-service').addEventListener('change', () => {
  follower.stop();
  void refresh().then(syncFollow);
});

if (token.get()) showConsole().then(() => selectTab('services'), handle);
else showSignIn();
