// console.js - the mailflow web console: a client of the admin API (/api/v1) in the page the admin server serves.
// Hash routes: #/queues, #/messages?queue=&sender=&recipient=&status=&after=, #/message/<id>, #/poison,
// #/tracking?sender=&recipients=&messageId=&eventId=&start=&end=&cursor=, #/report/<message id or network message id>.
// Everything shown comes from the API and is inserted as text (text nodes and textContent, never parsed as markup), so a subject or an
// address cannot become markup; the Content-Security-Policy forbids inline script besides.
'use strict';

const REFRESH_MS = 5000;
const PAGE_SIZE = 100;
let session = null;     // {name, role, csrfToken} from GET /api/v1/session
let refreshTimer = null;

// ---- the API -------------------------------------------------------------------------------------------------

/** Calls the API; answers {status, body}. 401 means the session ended: back to the login page. */
async function api(method, path, body, background) {
  const headers = {'Accept': 'application/json'};
  if (method !== 'GET') {
    headers['X-CSRF-Token'] = session ? session.csrfToken : '';
  }
  if (background) {
    headers['X-Mailflow-Refresh'] = 'auto'; // the periodic refresh does not keep an unattended session alive
  }
  const init = {method, headers, credentials: 'same-origin', cache: 'no-store'};
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (response.status === 401) {
    stopRefresh();
    location.replace('/login');
    throw new Error('not logged in');
  }
  let json = null;
  if ((response.headers.get('Content-Type') || '').startsWith('application/json')) {
    json = await response.json();
  }
  return {status: response.status, body: json};
}

/** The body on 2xx, else an Error carrying the API's message. */
async function apiOk(method, path, body, background) {
  const r = await api(method, path, body, background);
  if (r.status < 200 || r.status > 299) {
    const what = r.body && r.body.message ? r.body.message : 'HTTP ' + r.status;
    const error = new Error(what);
    error.status = r.status;
    throw error;
  }
  return r.body;
}

const enc = encodeURIComponent;
const mayAct = () => session && session.role === 'OrganizationManagement';

// ---- building the page (text only) ---------------------------------------------------------------------------

/** An element with attributes (set as attributes, never parsed) and children (strings become text nodes). */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined) {
      node.setAttribute(k, String(v));
    }
  }
  for (const child of children) {
    if (child === null || child === undefined) {
      continue;
    }
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function cell(col, ...children) {
  return el('td', {'data-col': col}, ...children);
}

function text(value) {
  return value === null || value === undefined || value === '' ? '–' : String(value);
}

function time(iso) {
  if (!iso) {
    return '–';
  }
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function age(seconds) {
  if (seconds === null || seconds === undefined) {
    return '–';
  }
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return s + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min';
  if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h';
}

function count(value) {
  return typeof value === 'number' ? value.toLocaleString('en-US') : text(value);
}

function rate(value) {
  return typeof value === 'number' ? value.toFixed(2) : '–';
}

function size(bytes) {
  if (typeof bytes !== 'number') return '–';
  if (bytes < 1024) return bytes + ' B';
  if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + ' KB';
  return (bytes / 1024 / 1024).toFixed(1) + ' MB';
}

function replaceRows(table, rows) {
  table.querySelector('tbody').replaceChildren(...rows);
}

function say(message, isError) {
  const status = document.getElementById('status');
  status.textContent = message;
  status.classList.toggle('error', !!isError);
  status.hidden = !message;
}

function showView(name) {
  for (const view of document.querySelectorAll('main > section')) {
    view.hidden = view.id !== 'view-' + name;
  }
}

// ---- confirmation ---------------------------------------------------------------------------------------------

/** Asks before an action; resolves to {reason} when confirmed, null when cancelled. */
function confirmAction(question) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-text').textContent = question;
  const reason = document.getElementById('confirm-reason');
  reason.value = '';
  dialog.returnValue = '';
  return new Promise(resolve => {
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'ok' ? {reason: reason.value.trim()} : null);
    }, {once: true});
    dialog.showModal();
  });
}

/** Confirms, POSTs, says what happened, then reloads the view. */
async function act(question, path, body, after) {
  const answer = await confirmAction(question);
  if (!answer) {
    return;
  }
  const payload = Object.assign({}, body || {});
  if (answer.reason) {
    payload.reason = answer.reason;
  }
  try {
    const result = await apiOk('POST', path, payload);
    say(describe(result), false);
  } catch (e) {
    say('Refused: ' + e.message, true);
  }
  if (after) {
    await after();
  }
}

function describe(result) {
  if (!result) return 'Done.';
  if (result.matched !== undefined) return 'Applied to ' + result.matched + ' message(s).';
  const what = result.queue || result.id || '';
  return (result.action || 'done') + ' ' + what + (result.state ? ': now ' + result.state : '')
      + (result.setBy ? ' (by ' + result.setBy + ')' : '');
}

// ---- queues ---------------------------------------------------------------------------------------------------

async function showQueues() {
  showView('queues');
  await refreshQueues(false);
  stopRefresh();
  refreshTimer = setInterval(() => refreshQueues(true), REFRESH_MS);
}

async function refreshQueues(background) {
  let body;
  try {
    body = await apiOk('GET', '/api/v1/queues', undefined, background);
  } catch (e) {
    if (e.status) say('Cannot list queues: ' + e.message, true);
    return;
  }
  const queues = body.queues || [];
  replaceRows(document.getElementById('queues-table'), queues.map(queueRow));
  document.getElementById('queues-empty').hidden = queues.length > 0;
  document.getElementById('queues-updated').textContent = 'Updated ' + time(new Date().toISOString()) + '.';
}

function queueRow(q) {
  const key = q.nextHop;
  const admin = q.admin && q.admin.setBy ? ' (' + q.admin.state + ' by ' + q.admin.setBy + ')' : '';
  const actions = el('td', {'data-col': 'actions', 'class': 'acting'});
  if (mayAct()) {
    for (const action of ['suspend', 'resume', 'retry']) {
      const button = el('button', {'type': 'button', 'data-testid': 'queue-' + action}, label(action));
      button.addEventListener('click', () => act(label(action) + ' queue ' + q.identity + '?',
          '/api/v1/queues/' + enc(key) + '/' + action, {}, () => refreshQueues(false)));
      actions.append(button);
    }
  }
  return el('tr', {'data-testid': 'queue-row', 'data-next-hop': key},
      cell('identity', q.identity),
      cell('deliveryType', text(q.deliveryType)),
      cell('nextHopDomain', text(q.nextHopDomain)),
      cell('status', text(q.status) + admin),
      cell('messageCount', el('a', {'href': '#/messages?queue=' + enc(key), 'data-testid': 'queue-messages'},
          count(q.messageCount))),
      cell('oldest', age(q.oldestMessageAgeSeconds)),
      cell('lastError', text(q.lastError)),
      cell('nextRetryTime', time(q.nextRetryTime)),
      cell('incomingRate', rate(q.incomingRate)),
      cell('outgoingRate', rate(q.outgoingRate)),
      actions);
}

function label(action) {
  return {suspend: 'Suspend', resume: 'Resume', retry: 'Retry', remove: 'Remove', 'remove-ndr': 'Remove with NDR',
    resubmit: 'Resubmit', delete: 'Delete'}[action] || action;
}

function stopRefresh() {
  if (refreshTimer !== null) {
    clearInterval(refreshTimer);
    refreshTimer = null;
  }
}

// ---- a queue's messages ---------------------------------------------------------------------------------------

/** #/messages?queue=&sender=&recipient=&status=&after=: one page, filtered by the server. */
async function showMessages(params) {
  showView('messages');
  const filters = {};
  for (const name of ['queue', 'sender', 'recipient', 'status']) {
    const value = params.get(name);
    if (value) filters[name] = value;
  }
  document.getElementById('messages-queue').textContent = filters.queue ? 'in ' + filters.queue : '';
  document.getElementById('filter-sender').value = filters.sender || '';
  document.getElementById('filter-recipient').value = filters.recipient || '';
  document.getElementById('filter-status').value = filters.status || '';
  const query = new URLSearchParams(filters);
  query.set('limit', String(PAGE_SIZE));
  if (params.get('after')) query.set('after', params.get('after'));
  const first = new URLSearchParams(filters);
  document.getElementById('messages-first').setAttribute('href', '#/messages?' + first);
  const next = document.getElementById('messages-next');
  next.hidden = true;
  let body;
  try {
    body = await apiOk('GET', '/api/v1/messages?' + query);
  } catch (e) {
    if (e.status) say('Cannot list messages: ' + e.message, true);
    replaceRows(document.getElementById('messages-table'), []);
    return;
  }
  const messages = body.messages || [];
  replaceRows(document.getElementById('messages-table'), messages.map(messageRow));
  const total = body.total !== undefined ? body.total : messages.length;
  document.getElementById('messages-total').textContent = count(total) + ' matching'
      + (messages.length ? ', showing ' + count(messages.length) : '');
  if (body.next) {
    const more = new URLSearchParams(filters);
    more.set('after', body.next);
    next.setAttribute('href', '#/messages?' + more);
    next.hidden = false;
  }
}

function messageRow(m) {
  const recipients = (m.recipients || []).map(r => r.address).join(', ');
  return el('tr', {'data-testid': 'message-row', 'data-message-id': m.id},
      cell('dateReceived', time(m.dateReceived)),
      cell('sender', text(m.sender === '' ? '<>' : m.sender)),
      cell('recipients', text(recipients)),
      cell('subject', el('a', {'href': '#/message/' + enc(m.id), 'data-testid': 'message-link'},
          m.subject ? m.subject : '(no subject)')),
      cell('size', size(m.size)),
      cell('status', text(m.status)),
      cell('retryCount', text(m.retryCount)),
      cell('expirationTime', time(m.expirationTime)),
      cell('lastError', text(m.lastError)));
}

/** The same action on every message the current filters match (the API refuses it without any filter). */
async function bulkAction(action) {
  const current = new URLSearchParams(location.hash.split('?')[1] || '');
  const filters = new URLSearchParams();
  for (const name of ['queue', 'sender', 'recipient', 'status']) {
    if (current.get(name)) filters.set(name, current.get(name));
  }
  if ([...filters.keys()].length === 0) {
    say('Choose a queue or a filter first: an action on every message of the organization is not offered.', true);
    return;
  }
  const withNdr = action === 'remove-ndr';
  const verb = withNdr ? 'remove' : action;
  const described = [...filters.entries()].map(([k, v]) => k + '=' + v).join(', ');
  const question = label(action) + ': every message matching ' + described + '?'
      + (withNdr ? ' Each sender gets a non-delivery report.' : '');
  const body = verb === 'remove' ? {withNDR: withNdr} : {};
  await act(question, '/api/v1/messages/' + verb + '?' + filters, body, () => showMessages(current));
}

function applyFilter(event) {
  event.preventDefault();
  const current = new URLSearchParams(location.hash.split('?')[1] || '');
  const query = new URLSearchParams();
  if (current.get('queue')) query.set('queue', current.get('queue'));
  for (const name of ['sender', 'recipient', 'status']) {
    const value = document.getElementById('filter-' + name).value.trim();
    if (value) query.set(name, value);
  }
  location.hash = '#/messages?' + query;
}

// ---- one message ----------------------------------------------------------------------------------------------

async function showMessage(id) {
  showView('message');
  document.getElementById('message-id').textContent = id;
  let m;
  try {
    m = await apiOk('GET', '/api/v1/messages/' + enc(id));
  } catch (e) {
    if (e.status) say(e.status === 404 ? 'No message ' + id + ' (delivered or removed?).' : e.message, true);
    return;
  }
  document.getElementById('message-queue-link').setAttribute('href', '#/messages?queue=' + enc(m.queue || ''));
  document.getElementById('message-queue-link').textContent = m.queue || 'queue';
  document.getElementById('message-export').setAttribute('href', '/api/v1/messages/' + enc(id) + '/raw');
  document.getElementById('message-report').setAttribute('href', '#/report/' + enc(m.networkMessageId || ''));
  const envelope = Object.assign({
    'Status': m.status, 'Network message id': m.networkMessageId, 'Sender': m.sender === '' ? '<>' : m.sender,
    'Subject': m.subject, 'Size': size(m.size), 'Received': time(m.dateReceived), 'Retries': m.retryCount,
    'Expires': time(m.expirationTime), 'Last error': m.lastError}, flatten(m.envelope || {}));
  const dl = document.getElementById('message-envelope');
  dl.replaceChildren();
  for (const [name, value] of Object.entries(envelope)) {
    dl.append(el('dt', {}, name), el('dd', {'data-field': name}, text(value)));
  }
  replaceRows(document.getElementById('message-recipients'), (m.recipients || []).map(r =>
      el('tr', {'data-testid': 'recipient-row'}, cell('address', r.address), cell('status', text(r.status)),
          cell('lastReply', text(r.lastReply)))));
  replaceRows(document.getElementById('message-headers'), (m.headers || []).map(h =>
      el('tr', {}, cell('name', h.name), cell('value', text(h.value)))));
  replaceRows(document.getElementById('message-tracking'), (m.trackingEvents || []).map(t =>
      el('tr', {'data-testid': 'tracking-row'}, cell('dateTime', time(t.dateTime)), cell('eventId', text(t.eventId)),
          cell('source', text(t.source)), cell('recipients', text([].concat(t.recipients || []).join(', '))),
          cell('recipientStatus', text([].concat(t.recipientStatus || []).join(', '))),
          cell('sourceContext', text(t.sourceContext)), cell('serverHostname', text(t.serverHostname)))));
}

function flatten(envelope) {
  const out = {};
  for (const [k, v] of Object.entries(envelope)) {
    out['Envelope ' + k] = v !== null && typeof v === 'object' ? JSON.stringify(v) : v;
  }
  return out;
}

async function messageAction(action) {
  const id = decodeURIComponent(location.hash.substring('#/message/'.length));
  const withNdr = action === 'remove-ndr';
  const verb = withNdr ? 'remove' : action;
  const question = withNdr ? 'Remove message ' + id + ' and send its sender a non-delivery report?'
      : action === 'remove' ? 'Remove message ' + id + ' without telling its sender?'
      : label(action) + ' message ' + id + '?';
  const body = verb === 'remove' ? {withNDR: withNdr} : {};
  await act(question, '/api/v1/messages/' + enc(id) + '/' + verb, body, () => showMessage(id));
}

// ---- poison ---------------------------------------------------------------------------------------------------

async function showPoison() {
  showView('poison');
  let body;
  try {
    body = await apiOk('GET', '/api/v1/poison');
  } catch (e) {
    if (e.status) say('Cannot list poison messages: ' + e.message, true);
    return;
  }
  const poison = body.poison || [];
  replaceRows(document.getElementById('poison-table'), poison.map(p => {
    const actions = el('td', {'data-col': 'actions', 'class': 'acting'});
    if (mayAct() && p.status === 'Parked') {
      for (const action of ['resubmit', 'delete']) {
        const button = el('button', {'type': 'button', 'data-testid': 'poison-' + action}, label(action));
        button.addEventListener('click', () => act(label(action) + ' poison record ' + p.id + ' (' + p.topic + ')?',
            '/api/v1/poison/' + enc(p.id) + '/' + action, {}, showPoison));
        actions.append(button);
      }
    }
    return el('tr', {'data-testid': 'poison-row', 'data-poison-id': p.id},
        cell('id', p.id), cell('dateTime', time(p.dateTime)), cell('stage', text(p.stage)),
        cell('topic', text(p.topic)), cell('reason', text(p.reason)), cell('key', text(p.key)),
        cell('size', size(p.size)), cell('status', text(p.status)), actions);
  }));
  document.getElementById('poison-empty').hidden = poison.length > 0;
}

// ---- message tracking ---------------------------------------------------------------------------------------

const TRACKING_FILTERS = ['sender', 'recipients', 'messageId', 'eventId', 'start', 'end'];
const TRACKING_PAGE = 100;

/** What the federation could not cover: clusters unreachable, indexes still catching up. */
function coverage(body) {
  const parts = [];
  if (body.unreachable && body.unreachable.length) {
    parts.push('Unreachable (their newest events may be missing): ' + body.unreachable.join(', ') + '.');
  }
  if (body.indexing) {
    parts.push('Still indexing: ' + count(body.indexing.lag) + ' events behind.');
  }
  return parts.join(' ');
}

async function showTracking(params) {
  showView('tracking');
  const filters = {};
  for (const name of TRACKING_FILTERS) {
    const value = params.get(name);
    document.getElementById('tracking-' + name).value = value || '';
    if (value) filters[name] = value;
  }
  const table = document.getElementById('tracking-table');
  const next = document.getElementById('tracking-next');
  next.hidden = true;
  document.getElementById('tracking-first').setAttribute('href', '#/tracking?' + new URLSearchParams(filters));
  if (Object.keys(filters).length === 0) {
    replaceRows(table, []);
    document.getElementById('tracking-total').textContent = 'Give a filter and search.';
    document.getElementById('tracking-coverage').textContent = '';
    return;
  }
  const query = new URLSearchParams(filters);
  query.set('resultSize', String(TRACKING_PAGE));
  if (params.get('cursor')) query.set('cursor', params.get('cursor'));
  let body;
  try {
    body = await apiOk('GET', '/api/v1/tracking?' + query);
  } catch (e) {
    if (e.status) say('Cannot search: ' + e.message, true);
    replaceRows(table, []);
    return;
  }
  const events = body.events || [];
  replaceRows(table, events.map(trackingRow));
  document.getElementById('tracking-total').textContent = count(body.total) + ' events match'
      + (events.length ? ', showing ' + count(events.length) : '');
  document.getElementById('tracking-coverage').textContent = coverage(body);
  if (body.next) {
    const more = new URLSearchParams(filters);
    more.set('cursor', body.next);
    next.setAttribute('href', '#/tracking?' + more);
    next.hidden = false;
  }
}

function trackingRow(e) {
  const id = e['network-message-id'];
  return el('tr', {'data-testid': 'tracking-result', 'data-event-id': e['event-id']},
      cell('date-time', time(e['date-time'])),
      cell('event-id', text(e['event-id'])),
      cell('source', text(e['source'])),
      cell('sender-address', text(e['sender-address'] === '' ? '<>' : e['sender-address'])),
      cell('recipient-address', text((e['recipient-address'] || []).join(', '))),
      cell('message-subject', text(e['message-subject'])),
      cell('server-hostname', text(e['server-hostname'])),
      cell('recipient-status', text((e['recipient-status'] || []).filter(s => s).join('; '))),
      cell('report', id ? el('a', {'href': '#/report/' + enc(id), 'data-testid': 'report-link'}, 'Delivery report')
          : '–'));
}

function searchTracking(event) {
  event.preventDefault();
  const query = new URLSearchParams();
  for (const name of TRACKING_FILTERS) {
    const value = document.getElementById('tracking-' + name).value.trim();
    if (value) query.set(name, value);
  }
  location.hash = '#/tracking?' + query;
}

async function showReport(id) {
  showView('report');
  document.getElementById('report-id').textContent = id;
  const box = document.getElementById('report-recipients');
  let r;
  try {
    r = await apiOk('GET', '/api/v1/tracking/report?id=' + enc(id));
  } catch (e) {
    if (e.status) say(e.status === 404 ? 'No tracking events of message ' + id + '.' : e.message, true);
    box.replaceChildren();
    document.getElementById('report-message').replaceChildren();
    return;
  }
  const facts = [['Message-ID', r.messageId], ['Network message id', (r.networkMessageIds || []).join(', ')],
    ['From', r.sender === '' ? '<>' : r.sender], ['Subject', r.subject], ['Submitted', time(r.submitTime)],
    ['Servers', (r.servers || []).join(', ')]];
  document.getElementById('report-message').replaceChildren(...facts.flatMap(([k, v]) =>
    [el('dt', {}, k), el('dd', {'data-testid': 'report-' + k.toLowerCase().replace(/[^a-z]+/g, '-')}, text(v))]));
  document.getElementById('report-coverage').textContent = coverage(r);
  const sections = [];
  if ((r.messageEvents || []).length) {
    sections.push(el('h2', {}, 'The message'), timeline(r.messageEvents, 'report-message-events'));
  }
  for (const rcpt of r.recipients || []) {
    sections.push(el('h2', {'data-testid': 'report-recipient', 'data-address': rcpt.address},
        rcpt.address + ' — ', el('span', {'data-testid': 'report-status', 'class': 'outcome'}, rcpt.status),
        rcpt.expandedFrom ? ' (through ' + rcpt.expandedFrom + ')' : null));
    sections.push(timeline(rcpt.events || [], 'report-timeline'));
  }
  box.replaceChildren(...sections);
}

function timeline(events, testid) {
  const table = el('table', {'data-testid': testid},
      el('thead', {}, el('tr', {}, el('th', {}, 'Time'), el('th', {}, 'Server'), el('th', {}, 'Event'),
          el('th', {}, 'Source'), el('th', {}, 'Status / reply'))),
      el('tbody', {}, ...events.map(e => el('tr', {'data-testid': 'report-event', 'data-event-id': e.eventId},
          cell('time', time(e.time)), cell('server', text(e.server)), cell('eventId', text(e.eventId)),
          cell('source', text(e.source)), cell('recipientStatus', text(e.recipientStatus))))));
  return table;
}

// ---- routing and start ----------------------------------------------------------------------------------------

async function route() {
  stopRefresh();
  say('', false);
  const hash = location.hash || '#/queues';
  const [path, query] = hash.substring(1).split('?');
  try {
    if (path.startsWith('/message/')) {
      await showMessage(decodeURIComponent(path.substring('/message/'.length)));
    } else if (path === '/messages') {
      await showMessages(new URLSearchParams(query || ''));
    } else if (path === '/poison') {
      await showPoison();
    } else if (path === '/tracking') {
      await showTracking(new URLSearchParams(query || ''));
    } else if (path.startsWith('/report/')) {
      await showReport(decodeURIComponent(path.substring('/report/'.length)));
    } else {
      await showQueues();
    }
  } catch (e) {
    if (e.message !== 'not logged in') say(e.message, true);
  }
}

async function logOut() {
  stopRefresh();
  try {
    await fetch('/logout', {method: 'POST', credentials: 'same-origin',
      headers: {'X-CSRF-Token': session ? session.csrfToken : ''}});
  } finally {
    location.replace('/login');
  }
}

async function start() {
  const r = await fetch('/api/v1/session', {credentials: 'same-origin', cache: 'no-store',
    headers: {'Accept': 'application/json'}});
  if (r.status !== 200) {
    location.replace('/login');
    return;
  }
  session = await r.json();
  document.getElementById('who-name').textContent = session.name;
  document.getElementById('who-role').textContent = session.role;
  document.body.classList.toggle('read-only', !mayAct());
  document.getElementById('logout').addEventListener('click', logOut);
  document.getElementById('messages-filter').addEventListener('submit', applyFilter);
  document.getElementById('tracking-filter').addEventListener('submit', searchTracking);
  for (const button of document.querySelectorAll('[data-bulk-action]')) {
    button.addEventListener('click', () => bulkAction(button.getAttribute('data-bulk-action')));
  }
  for (const button of document.querySelectorAll('[data-message-action]')) {
    button.addEventListener('click', () => messageAction(button.getAttribute('data-message-action')));
  }
  window.addEventListener('hashchange', route);
  await route();
}

document.addEventListener('DOMContentLoaded', start);
