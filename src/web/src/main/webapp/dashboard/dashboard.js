/*
 * RedTask dashboard. Polls the admin REST API every 2 s and draws what it gets; nothing but this
 * file, the page and its style sheet. The charts' history is kept here, in memory, for the last
 * few minutes: it starts empty whenever the page is loaded.
 *
 * API used (all JSON, same origin, admin role; errors are {"error": "..."}):
 *   GET  api/queues                          POST api/queues/{name}/pause | resume
 *   GET  api/queues/{name}/dead?offset&limit POST api/queues/{name}/dead/retry | purge
 *   POST api/tasks/{id}/retry
 *   GET  api/servers                         PUT  api/servers/{nodeId}/concurrency {"concurrency": n}
 *   GET  api/batches?queue={name}&limit=n    ({"running": [batch...], "done": [batch...]})
 */
(() => {
  'use strict';

  const POLL_MS = 2000;
  const HISTORY_MS = 5 * 60 * 1000;
  const MIN_SPAN_MS = 60 * 1000;
  const DEAD_PAGE = 50;
  const BATCHES_PER_QUEUE = 20;
  const CHART_W = 300;
  const CHART_H = 40;
  const SVG_NS = 'http://www.w3.org/2000/svg';

  // The API lives beside the dashboard in the same war: <context root>/api. Built from
  // location.origin, never from location.href, so a URL with user:password@ in it still works.
  const API = location.origin + location.pathname.replace(/dashboard(\/.*)?$/, '') + 'api';

  const $ = (id) => document.getElementById(id);
  const numberFormat = new Intl.NumberFormat('en-US');
  const fmt = (n) => (n === null || n === undefined ? '–' : numberFormat.format(n));

  const queues = new Map(); // name -> { el, fields, history: [{t, ready, done, fail}], last }
  const servers = new Map(); // nodeId -> { row, cells }
  const dead = { queue: null, offset: 0, shownDeadCount: null, loading: false, reload: false };
  let pollTimer = null;
  let lastOk = 0;

  // ------------------------------------------------------------------ API and messages

  class ApiError extends Error {
    constructor(message, status) {
      super(message);
      this.status = status;
    }
  }

  async function api(method, path, body) {
    const init = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(API + path, init);
    } catch (e) {
      throw new ApiError(`${method} /api${path}: the server cannot be reached (${e.message})`, 0);
    }
    const text = await response.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch (e) {
        data = undefined;
      }
    }
    if (!response.ok) {
      let reason = response.statusText || '';
      if (data && typeof data.error === 'string') {
        reason = data.error;
      } else if (response.status === 401 || response.status === 403) {
        reason = 'not allowed: sign in as a user with the admin role';
      }
      throw new ApiError(`${method} /api${path} failed (HTTP ${response.status})${reason ? ': ' + reason : ''}`, response.status);
    }
    if (data === undefined) {
      throw new ApiError(`${method} /api${path}: the answer is not JSON`, response.status);
    }
    return data;
  }

  let bannerSource = null;
  let bannerTimer = null;

  /** Shows a message on top. kind: 'error' | 'info'; source 'poll' messages go away when a poll works again. */
  function banner(message, kind = 'error', source = 'action') {
    const box = $('banner');
    $('banner-text').textContent = message;
    box.dataset.kind = kind;
    box.hidden = false;
    bannerSource = source;
    clearTimeout(bannerTimer);
    if (kind === 'info') {
      bannerTimer = setTimeout(hideBanner, 5000);
    }
  }

  function hideBanner() {
    $('banner').hidden = true;
    bannerSource = null;
  }

  /** Runs an operator action with its button disabled; errors go to the banner. */
  async function act(button, work) {
    if (button) button.disabled = true;
    try {
      await work();
    } catch (e) {
      banner(e.message, 'error', 'action');
    } finally {
      if (button) button.disabled = false;
    }
  }

  // ------------------------------------------------------------------ formatting

  function ago(iso) {
    if (!iso) return '–';
    const t = Date.parse(iso);
    if (Number.isNaN(t)) return iso;
    const s = Math.round((Date.now() - t) / 1000);
    if (s < 2) return 'just now';
    if (s < 90) return `${s} s ago`;
    const m = Math.round(s / 60);
    if (m < 90) return `${m} min ago`;
    const h = Math.round(m / 60);
    if (h < 48) return `${h} h ago`;
    return new Date(t).toLocaleString();
  }

  function duration(ms) {
    if (ms === null || ms === undefined) return '';
    if (ms < 1000) return `${Math.round(ms)} ms`;
    if (ms < 90_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
    if (ms < 5_400_000) return `${Math.round(ms / 60_000)} min`;
    return `${(ms / 3_600_000).toFixed(1)} h`;
  }

  function el(tag, attrs = {}, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'class') node.className = v;
      else if (k.startsWith('data-')) node.setAttribute(k, v);
      else node[k] = v;
    }
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** Copies the column titles onto the cells (data-label): narrow screens show rows as cards. */
  function labelCells(row, table) {
    const titles = [...table.tHead.rows[0].cells].map((c) => c.textContent);
    [...row.cells].forEach((cell, i) => { if (titles[i]) cell.dataset.label = titles[i]; });
  }

  // ------------------------------------------------------------------ charts

  function svg(tag, attrs) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    return node;
  }

  /**
   * Draws series of {values: [[t, v]...], cls, area} on one time axis that ends now and spans the
   * history seen so far: at least a minute, at most HISTORY_MS.
   */
  function drawChart(chart, series, label, since) {
    const now = Date.now();
    const span = Math.min(HISTORY_MS, Math.max(MIN_SPAN_MS, now - since));
    const start = now - span;
    let max = 1;
    for (const s of series) for (const [, v] of s.values) max = Math.max(max, v);
    const x = (t) => (((t - start) / span) * CHART_W).toFixed(1);
    const y = (v) => (CHART_H - 2 - (v / max) * (CHART_H - 5)).toFixed(1);
    chart.replaceChildren(svg('title', {}));
    chart.firstChild.textContent = label;
    for (const s of series) {
      let values = s.values;
      if (values.length === 0) continue;
      if (values.length === 1) values = [[values[0][0] - POLL_MS, values[0][1]], values[0]];
      const points = values.map(([t, v]) => `${x(t)},${y(v)}`).join(' ');
      if (s.area) {
        const base = `${x(values[values.length - 1][0])},${CHART_H} ${x(values[0][0])},${CHART_H}`;
        chart.appendChild(svg('polygon', { points: `${points} ${base}`, class: `${s.cls}-area` }));
      }
      chart.appendChild(svg('polyline', { points, class: s.cls }));
    }
    return max;
  }

  function drawQueueCharts(q) {
    const h = q.history;
    const since = h.length ? h[0].t : Date.now();
    const readyMax = drawChart(q.fields.readyChart, [{ values: h.map((p) => [p.t, p.ready]), cls: 'ready', area: true }],
      `ready tasks of ${q.name}`, since);
    q.fields.readyMax.textContent = h.length ? `max ${fmt(Math.max(...h.map((p) => p.ready)))}` : '';
    q.fields.readyMax.title = `chart scale: 0 to ${fmt(readyMax)}`;
    drawChart(q.fields.rateChart, [
      { values: h.map((p) => [p.t, p.done]), cls: 'done' },
      { values: h.map((p) => [p.t, p.fail]), cls: 'fail' },
    ], `completed and failed per minute in ${q.name}`, since);
  }

  // ------------------------------------------------------------------ queues

  function createQueue(name) {
    const node = $('queue-template').content.firstElementChild.cloneNode(true);
    node.dataset.queue = name;
    node.querySelector('.name').textContent = name;
    const field = (f) => node.querySelector(`[data-field="${f}"]`);
    const q = {
      name,
      el: node,
      history: [],
      last: null,
      fields: {
        state: field('state'),
        unserved: field('unserved'),
        ready: field('ready'),
        scheduled: field('scheduled'),
        running: field('running'),
        dead: field('dead'),
        done: field('completedLastMinute'),
        fail: field('failedLastMinute'),
        readyMax: field('ready-max'),
        totals: field('totals'),
        wait: field('wait'),
        limit: field('limit'),
        readyChart: node.querySelector('[data-chart="ready"]'),
        rateChart: node.querySelector('[data-chart="rate"]'),
      },
      pause: node.querySelector('[data-action="pause"]'),
      resume: node.querySelector('[data-action="resume"]'),
    };
    q.pause.addEventListener('click', () => act(q.pause, async () => {
      showQueue(q, await api('POST', `/queues/${encodeURIComponent(name)}/pause`), false);
    }));
    q.resume.addEventListener('click', () => act(q.resume, async () => {
      showQueue(q, await api('POST', `/queues/${encodeURIComponent(name)}/resume`), false);
    }));
    node.querySelector('[data-action="dead"]').addEventListener('click', () => {
      selectDeadQueue(name);
      $('dead').scrollIntoView({ behavior: 'smooth', block: 'start' });
    });
    queues.set(name, q);
    return q;
  }

  function setNumber(node, value) {
    node.textContent = fmt(value);
    node.dataset.value = value === null || value === undefined ? '' : String(value);
  }

  /** Shows one reading of a queue; record adds it to the charts' history. */
  function showQueue(q, s, record) {
    q.last = s;
    const f = q.fields;
    setNumber(f.ready, s.ready);
    setNumber(f.scheduled, s.scheduled);
    setNumber(f.running, s.running);
    setNumber(f.dead, s.dead);
    setNumber(f.done, s.completedLastMinute);
    setNumber(f.fail, s.failedLastMinute);
    f.dead.parentElement.classList.toggle('has', s.dead > 0);
    const paused = Boolean(s.paused);
    q.el.dataset.paused = String(paused);
    f.state.textContent = paused ? 'paused' : 'active';
    f.state.dataset.value = paused ? 'paused' : 'active';
    q.pause.hidden = paused;
    q.resume.hidden = !paused;
    f.totals.textContent = `${fmt(s.completed)} completed · ${fmt(s.failed)} failed attempts · ${fmt(s.died)} died`;
    f.wait.textContent = s.nextWaitingMs === null || s.nextWaitingMs === undefined ? ''
      : `next task waiting ${duration(s.nextWaitingMs)}`;
    // The queue's cluster-wide limits, as far as it has any.
    const limits = [];
    if (s.concurrencyLimit !== null && s.concurrencyLimit !== undefined) {
      limits.push(`at most ${fmt(s.concurrencyLimit)} at once`);
    }
    if (s.rate) limits.push(`at most ${fmt(s.rate.limit)} starts per ${s.rate.per}`);
    if (s.groupConcurrency !== null && s.groupConcurrency !== undefined) {
      limits.push(`at most ${fmt(s.groupConcurrency)} per group`);
    }
    f.limit.textContent = limits.join(' · ');
    if (record) {
      const now = Date.now();
      q.history.push({ t: now, ready: s.ready, done: s.completedLastMinute, fail: s.failedLastMinute });
      while (q.history.length && q.history[0].t < now - HISTORY_MS) q.history.shift();
      drawQueueCharts(q);
    }
    if (dead.queue === q.name && dead.shownDeadCount !== s.dead) {
      loadDead();
    }
  }

  function showQueues(list) {
    list.sort((a, b) => a.name.localeCompare(b.name));
    const container = $('queues');
    const seen = new Set();
    list.forEach((s, i) => {
      seen.add(s.name);
      const q = queues.get(s.name) || createQueue(s.name);
      if (container.children[i] !== q.el) container.insertBefore(q.el, container.children[i] || null);
      showQueue(q, s, true);
    });
    for (const [name, q] of queues) {
      if (!seen.has(name)) {
        q.el.remove();
        queues.delete(name);
      }
    }
    $('queues-empty').hidden = list.length > 0;
    showDeadQueueChoices(list.map((s) => s.name));
  }

  // ------------------------------------------------------------------ dead tasks

  function showDeadQueueChoices(names) {
    const select = $('dead-queue');
    const current = [...select.options].map((o) => o.value).join('\n');
    if (current !== names.join('\n')) {
      select.replaceChildren(...names.map((n) => el('option', { value: n }, n)));
    }
    if (!dead.queue || !names.includes(dead.queue)) {
      // Start with the first queue that has dead tasks, else the first one.
      const withDead = names.find((n) => queues.get(n)?.last?.dead > 0);
      selectDeadQueue(withDead || names[0] || null);
    } else {
      select.value = dead.queue;
    }
    const none = !dead.queue;
    $('dead-retry-all').disabled = none;
    $('dead-purge').disabled = none;
  }

  function selectDeadQueue(name) {
    if (dead.queue !== name) {
      dead.queue = name;
      dead.offset = 0;
    }
    $('dead-queue').value = name || '';
    $('dead').dataset.queue = name || '';
    for (const [n, q] of queues) q.el.classList.toggle('selected', n === name);
    loadDead();
  }

  async function loadDead() {
    const name = dead.queue;
    if (!name) {
      showDead([], null);
      return;
    }
    if (dead.loading) {
      dead.reload = true; // another queue or page was chosen meanwhile: read again when this one is done
      return;
    }
    dead.loading = true;
    dead.reload = false;
    const offset = dead.offset;
    try {
      const tasks = await api('GET', `/queues/${encodeURIComponent(name)}/dead?offset=${offset}&limit=${DEAD_PAGE}`);
      if (dead.queue === name && dead.offset === offset) showDead(tasks, name);
      else dead.reload = true;
    } catch (e) {
      banner(e.message, 'error', 'poll');
    } finally {
      dead.loading = false;
    }
    if (dead.reload) loadDead();
  }

  function showDead(tasks, name) {
    const total = name && queues.get(name)?.last ? queues.get(name).last.dead : tasks.length;
    dead.shownDeadCount = name && queues.get(name)?.last ? queues.get(name).last.dead : null;
    const rows = tasks.map((t) => {
      const row = el('tr', { 'data-task': t.id });
      // Ids are "<queue>:<26 characters>": the queue is the selected one, show the rest.
      // The whole id: it is what GET /api/tasks/{id} takes, so a copied id works.
      const id = el('td', { class: 'id mono', title: t.id }, t.id);
      const error = t.error ? String(t.error) : '';
      const retry = el('button', { type: 'button', 'data-action': 'retry' }, 'Retry');
      retry.addEventListener('click', () => act(retry, async () => {
        await api('POST', `/tasks/${encodeURIComponent(t.id)}/retry`);
        banner(`Task ${t.id} is back in queue ${t.queue}.`, 'info');
        refreshSoon();
      }));
      row.append(
        id,
        el('td', {}, t.type),
        el('td', { class: 'num' }, `${t.attempts}${t.maxAttempts ? ' / ' + t.maxAttempts : ''}`),
        el('td', { class: 'error', title: error }, error.length > 240 ? `${error.slice(0, 240)}…` : error),
        el('td', { class: 'when', title: t.finishedAt || '' }, ago(t.finishedAt)),
        el('td', { class: 'actions' }, ''),
      );
      row.lastChild.appendChild(retry);
      labelCells(row, $('dead-table'));
      return row;
    });
    $('dead-rows').replaceChildren(...rows);
    $('dead-table').hidden = tasks.length === 0;
    $('dead-empty').hidden = tasks.length > 0;
    $('dead-empty').textContent = name ? `No dead tasks in ${name}.` : 'No queues yet.';
    const pager = $('dead-prev').parentElement;
    pager.hidden = dead.offset === 0 && tasks.length < DEAD_PAGE;
    $('dead-prev').disabled = dead.offset === 0;
    $('dead-next').disabled = tasks.length < DEAD_PAGE;
    $('dead-range').textContent = tasks.length
      ? `${fmt(dead.offset + 1)}–${fmt(dead.offset + tasks.length)} of ${fmt(total)}` : '';
  }

  function wireDeadControls() {
    $('dead-queue').addEventListener('change', (e) => selectDeadQueue(e.target.value));
    $('dead-prev').addEventListener('click', () => {
      dead.offset = Math.max(0, dead.offset - DEAD_PAGE);
      loadDead();
    });
    $('dead-next').addEventListener('click', () => {
      dead.offset += DEAD_PAGE;
      loadDead();
    });
    $('dead-retry-all').addEventListener('click', (e) => act(e.currentTarget, async () => {
      const name = dead.queue;
      const r = await api('POST', `/queues/${encodeURIComponent(name)}/dead/retry`);
      banner(`${fmt(r.retried)} dead task(s) of ${name} are back in the queue.`, 'info');
      dead.offset = 0;
      refreshSoon();
    }));
    $('dead-purge').addEventListener('click', (e) => act(e.currentTarget, async () => {
      const name = dead.queue;
      const count = queues.get(name)?.last?.dead;
      if (!window.confirm(`Delete ${count === undefined ? 'all' : 'all ' + fmt(count)} dead tasks of queue ${name}? This cannot be undone.`)) return;
      const r = await api('POST', `/queues/${encodeURIComponent(name)}/dead/purge`);
      banner(`${fmt(r.purged)} dead task(s) of ${name} deleted.`, 'info');
      dead.offset = 0;
      refreshSoon();
    }));
  }

  // ------------------------------------------------------------------ servers

  function createServer(nodeId) {
    const row = el('tr', { 'data-server': nodeId });
    const cells = {};
    for (const f of ['nodeId', 'queues', 'busy', 'concurrency', 'paused', 'counts', 'startedAt', 'lastSeen']) {
      cells[f] = el('td', { 'data-field': f });
      row.appendChild(cells[f]);
    }
    labelCells(row, $('servers-table'));
    cells.nodeId.className = 'mono';
    cells.nodeId.textContent = nodeId;
    cells.busy.className = 'num';
    cells.counts.className = 'num';
    cells.startedAt.className = 'when';
    cells.lastSeen.className = 'when';

    const form = el('form', { class: 'conc' });
    const input = el('input', { type: 'number', min: '0', step: '1', required: true, 'data-field': 'concurrency-input' });
    input.setAttribute('aria-label', `concurrency of ${nodeId}`);
    const set = el('button', { type: 'submit', 'data-action': 'set-concurrency' }, 'Set');
    const max = el('span', { class: 'max' });
    form.append(input, set, max);
    cells.concurrency.appendChild(form);
    input.addEventListener('input', () => { input.dataset.dirty = 'true'; });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const value = Number(input.value);
      act(set, async () => {
        const answer = await api('PUT', `/servers/${encodeURIComponent(nodeId)}/concurrency`, { concurrency: value });
        delete input.dataset.dirty;
        input.blur();
        // 200 from this server: applied at once; 202 for another: at its next heartbeat.
        const later = answer && answer.applied === false;
        banner(`Concurrency of ${nodeId} set to ${fmt(value)}` + (later ? '; it applies at its next heartbeat.' : '.'), 'info');
        refreshSoon();
      });
    });
    const s = { row, cells, input, max };
    servers.set(nodeId, s);
    return s;
  }

  function showServers(list) {
    list.sort((a, b) => a.nodeId.localeCompare(b.nodeId));
    const body = $('servers');
    const seen = new Set();
    list.forEach((n, i) => {
      seen.add(n.nodeId);
      const s = servers.get(n.nodeId) || createServer(n.nodeId);
      if (body.children[i] !== s.row) body.insertBefore(s.row, body.children[i] || null);
      const c = s.cells;
      c.queues.textContent = (n.queues || []).join(', ') || '–';
      c.busy.textContent = `${fmt(n.busy)} / ${fmt(n.concurrency)}`;
      c.busy.dataset.value = String(n.busy);
      // Never overwrite what the operator is typing.
      if (!s.input.dataset.dirty && document.activeElement !== s.input) s.input.value = String(n.concurrency);
      s.input.max = String(n.maxConcurrency);
      s.input.dataset.value = String(n.concurrency);
      s.max.textContent = `max ${fmt(n.maxConcurrency)}`;
      c.paused.textContent = n.paused ? 'paused' : 'running';
      c.paused.className = n.paused ? 'state-paused' : '';
      c.paused.dataset.value = String(Boolean(n.paused));
      c.counts.textContent = `${fmt(n.completed)} / ${fmt(n.failed)}`;
      c.startedAt.textContent = ago(n.startedAt);
      c.startedAt.title = n.startedAt || '';
      c.lastSeen.textContent = ago(n.lastSeen);
      c.lastSeen.title = n.lastSeen || '';
    });
    for (const [id, s] of servers) {
      if (!seen.has(id)) {
        s.row.remove();
        servers.delete(id);
      }
    }
    $('servers-table').hidden = list.length === 0;
    $('servers-empty').hidden = list.length > 0;
  }

  // ------------------------------------------------------------------ batches

  /** Reads the batches of every queue shown (running first, then the latest done ones) and draws them. */
  async function loadBatches(names) {
    const lists = await Promise.all(names.map((n) =>
      api('GET', `/batches?queue=${encodeURIComponent(n)}&limit=${BATCHES_PER_QUEUE}`)));
    showBatches(lists.flatMap((l) => [...l.running, ...l.done]));
  }

  function showBatches(batches) {
    const rows = batches.map((b) => {
      const row = el('tr', { 'data-batch': b.id, class: b.state === 'done' ? 'done' : 'running' });
      const ended = b.succeeded + b.dead + b.cancelled;
      const percent = b.total ? Math.round((100 * ended) / b.total) : 100;
      const bar = el('span', { class: 'bar', title: `${ended} of ${b.total} ended` });
      const fill = el('i', {});
      fill.style.width = `${percent}%`; // through the CSSOM: the page's CSP allows no inline style attributes
      bar.append(fill);
      const progress = el('td', {});
      progress.append(bar, el('span', { class: 'num' }, ` ${percent}%`));
      row.append(
        el('td', { class: 'id mono', title: b.id }, b.id),
        el('td', { 'data-field': 'state' }, b.state),
        progress,
        el('td', { class: 'num', 'data-field': 'succeeded' }, fmt(b.succeeded)),
        el('td', { class: 'num', 'data-field': 'dead' }, fmt(b.dead)),
        el('td', { class: 'num', 'data-field': 'cancelled' }, fmt(b.cancelled)),
        el('td', { class: 'num', 'data-field': 'pending' }, fmt(b.pending)),
        el('td', { class: 'id mono', title: b.onComplete || '' }, b.onComplete || '–'),
        el('td', { title: b.createdAt }, ago(b.createdAt)));
      labelCells(row, $('batches-table'));
      return row;
    });
    $('batch-rows').replaceChildren(...rows);
    $('batches-empty').hidden = rows.length > 0;
  }

  // ------------------------------------------------------------------ polling

  let polling = false;
  let pollAgain = false;

  async function poll() {
    clearTimeout(pollTimer);
    pollTimer = null;
    if (polling) {
      pollAgain = true;
      return;
    }
    polling = true;
    try {
      await readAll();
    } finally {
      polling = false;
      clearTimeout(pollTimer);
      pollTimer = setTimeout(poll, pollAgain ? 0 : POLL_MS);
      pollAgain = false;
    }
  }

  /** Flags queues that no live server takes tasks from: their tasks would wait forever. */
  function markUnserved(serverList) {
    const served = new Set(serverList.flatMap((n) => n.queues || []));
    for (const q of queues.values()) {
      const unserved = !served.has(q.name);
      q.fields.unserved.hidden = !unserved;
      q.el.dataset.unserved = String(unserved);
    }
  }

  async function readAll() {
    const [q, s] = await Promise.allSettled([api('GET', '/queues'), api('GET', '/servers')]);
    const errors = [];
    if (q.status === 'fulfilled') {
      showQueues(q.value);
      try {
        await loadBatches(q.value.map((x) => x.name));
      } catch (e) {
        errors.push(e.message);
      }
      document.body.dataset.loaded = 'true';
    } else {
      errors.push(q.reason.message);
    }
    if (s.status === 'fulfilled') {
      showServers(s.value);
      markUnserved(s.value);
    } else {
      errors.push(s.reason.message);
    }

    if (errors.length < 2) lastOk = Date.now();
    const when = lastOk ? new Date(lastOk).toLocaleTimeString() : '';
    $('live').className = errors.length ? 'live stale' : 'live ok';
    if (errors.length === 0) {
      $('updated').textContent = `updated ${when} · every ${POLL_MS / 1000} s`;
      if (bannerSource === 'poll') hideBanner();
    } else {
      $('updated').textContent = lastOk ? `updated ${when} · with errors` : 'no data yet';
      banner(errors.join(' · '), 'error', 'poll');
    }
  }

  /** After an action: read everything again now instead of at the next tick. */
  function refreshSoon() {
    dead.shownDeadCount = null;
    poll();
  }

  $('banner-close').addEventListener('click', hideBanner);
  wireDeadControls();
  poll();
})();
