// The kopf-ts devtools page's logic (loaded by index.html, served by src/devtools/server.ts): keeps the list
// of live actors from the /stream/list Server-Sent Events, grouped by resource and namespace, filtered by the
// search box; for the chosen actor, follows /stream/actor: its statechart (SVG from /machines/<id>.svg) with
// the current state highlighted, its children (daemons, timers, running reactions), handlers and timeline.
// No framework and no build step; all data is inserted as text (only our own SVGs are parsed).

const token = new URLSearchParams(location.search).get('token') ?? '';
const withToken = (path) => `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
const $ = (id) => document.getElementById(id);

/** @type {Map<string, {summary: any, li: HTMLLIElement}>} */
const actors = new Map();
/** resource → namespace → <ul> */
const groups = new Map();
let selected = null;
let actorStream = null;
let timelineCount = 0;
const svgCache = new Map();

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

function groupList(resource, namespace) {
  const r = resource ?? '(other actors)';
  const ns = namespace ?? '(cluster-wide)';
  let byNs = groups.get(r);
  if (!byNs) {
    const details = el('details', { open: '', 'data-resource': r }, el('summary', { text: r }));
    byNs = { details, namespaces: new Map() };
    groups.set(r, byNs);
    const nav = $('actors');
    nav.querySelector('.empty')?.remove();
    const after = [...nav.children].find((c) => c.getAttribute('data-resource') > r);
    nav.insertBefore(details, after ?? null);
  }
  let entry = byNs.namespaces.get(ns);
  if (!entry) {
    const ul = el('ul');
    const details = el('details', { open: '', 'data-namespace': ns }, el('summary', { text: ns }), ul);
    entry = { details, ul };
    byNs.namespaces.set(ns, entry);
    const after = [...byNs.details.querySelectorAll(':scope > details')].find((c) => c.getAttribute('data-namespace') > ns);
    byNs.details.insertBefore(details, after ?? null);
  }
  return entry.ul;
}

function matches(summary) {
  const q = $('search').value.trim().toLowerCase();
  if (!q) return true;
  return [summary.name, summary.namespace, summary.resource, summary.state, summary.key].some((v) => (v ?? '').toLowerCase().includes(q));
}

function upsert(summary) {
  let entry = actors.get(summary.key);
  if (!entry) {
    const li = el('li', { class: 'actor', tabindex: '0', role: 'button' }, el('span', { class: 'name' }), el('span', { class: 'badge' }));
    li.addEventListener('click', () => select(li.dataset.key));
    li.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        select(li.dataset.key);
      }
    });
    entry = { summary, li };
    actors.set(summary.key, entry);
  }
  const { li } = entry;
  const moved = entry.summary.resource !== summary.resource || entry.summary.namespace !== summary.namespace || !li.parentElement;
  entry.summary = summary;
  li.dataset.key = summary.key;
  li.dataset.name = summary.name ?? '';
  li.dataset.namespace = summary.namespace ?? '';
  li.dataset.state = summary.state;
  li.title = summary.key;
  li.querySelector('.name').textContent = summary.name ?? summary.key;
  li.dataset.passivated = summary.passivated ? 'true' : 'false';
  const badge = li.querySelector('.badge');
  badge.textContent = summary.passivated ? `${summary.state} (passivated)` : summary.state;
  badge.className = `badge ${summary.state}`;
  li.classList.toggle('selected', summary.key === selected);
  li.hidden = !matches(summary);
  if (moved) {
    const ul = groupList(summary.resource, summary.namespace);
    const after = [...ul.children].find((c) => (c.dataset.name ?? '') > (summary.name ?? ''));
    ul.insertBefore(li, after ?? null);
  }
}

function remove(key) {
  const entry = actors.get(key);
  if (!entry) return;
  entry.li.remove();
  actors.delete(key);
}

function updateCounts() {
  const shown = [...actors.values()].filter((a) => !a.li.hidden).length;
  $('counts').textContent = `${actors.size} live actors${shown !== actors.size ? `, ${shown} shown` : ''}`;
  for (const [, byNs] of groups) {
    for (const [, entry] of byNs.namespaces) entry.details.hidden = ![...entry.ul.children].some((li) => !li.hidden);
    byNs.details.hidden = ![...byNs.namespaces.values()].some((e) => !e.details.hidden);
  }
}

async function svgFor(machine) {
  if (!svgCache.has(machine)) {
    svgCache.set(
      machine,
      fetch(withToken(`machines/${encodeURIComponent(machine)}.svg`)).then((r) => (r.ok ? r.text() : null)),
    );
  }
  const text = await svgCache.get(machine);
  if (!text) return null;
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
  return document.importNode(doc.documentElement, true);
}

function highlight(container, active) {
  const svg = container.querySelector('svg');
  if (!svg) return;
  for (const g of svg.querySelectorAll('[data-state]')) g.classList.toggle('active', active.includes(g.getAttribute('data-state')));
}

async function showChart(container, machine, active) {
  // The newest state wins, also when it arrives while the diagram is still loading.
  container.dataset.active = JSON.stringify(active);
  if (container.dataset.machine !== machine) {
    container.dataset.machine = machine ?? '';
    container.replaceChildren();
    if (machine) {
      const svg = await svgFor(machine);
      if (svg && container.dataset.machine === machine) container.replaceChildren(svg);
    }
  }
  highlight(container, JSON.parse(container.dataset.active));
}

function renderHandlers(handlers) {
  const tbody = $('handlers').querySelector('tbody');
  tbody.replaceChildren(
    ...handlers.map((h) => {
      const last = h.error ? h.error : h.ms != null ? `${h.ms} ms` : '';
      const delay = h.state === 'retrying' && h.delay != null ? ` (in ${h.delay} s)` : '';
      const tr = el('tr', { 'data-handler': h.id }, el('td', { text: h.id }), el('td', { text: h.cause }), el('td', { class: `state-${h.state}`, text: h.state + delay }), el('td', { text: String(h.retries) }), el('td', { text: last }));
      return tr;
    }),
  );
}

/** Children by id, kept across updates (so their diagrams are not rebuilt on every push). */
function renderChildren(children, ul = $('children')) {
  const existing = new Map([...ul.children].filter((li) => li.dataset.child !== undefined).map((li) => [li.dataset.child, li]));
  ul.querySelector(':scope > li.empty')?.remove();
  for (const child of children) {
    let li = existing.get(child.id);
    existing.delete(child.id);
    if (!li) {
      li = el('li', { 'data-child': child.id }, el('span', { class: 'child-id', text: `${child.id} ` }), el('span', { class: 'badge' }));
      ul.append(li);
    }
    const badge = li.querySelector(':scope > .badge');
    badge.textContent = child.machine ? `${child.machine}: ${child.state}` : `${child.src ?? 'actor'} (${child.state})`;
    badge.className = `badge ${child.state}`;
    li.dataset.state = child.state;
    if (child.machine) {
      let box = li.querySelector(':scope > .child-chart');
      if (!box) li.append((box = el('div', { class: 'child-chart statechart-box' })));
      void showChart(box, child.machine, child.active);
    }
    let sub = li.querySelector(':scope > ul');
    if (child.children.length && !sub) li.append((sub = el('ul')));
    if (sub) renderChildren(child.children, sub);
  }
  for (const li of existing.values()) li.remove();
  if (!children.length && ul.id === 'children' && !ul.querySelector(':scope > li.empty')) ul.append(el('li', { class: 'empty', text: 'none' }));
}

function renderTimeline(lines) {
  const ol = $('timeline');
  for (const line of lines) {
    const time = new Date(line.t).toISOString().slice(11, 23);
    const old = ol.querySelector(`:scope > li[data-id="${line.id}"]`);
    if (old) {
      old.remove();
      timelineCount--;
    }
    const text = line.count > 1 ? `${line.text} (${line.count} transitions in a row, newest shown)` : line.text;
    ol.prepend(el('li', { class: line.kind.replace('.', '-'), 'data-kind': line.kind, 'data-id': String(line.id) }, el('time', { text: time }), el('span', { text })));
    timelineCount++;
  }
  while (timelineCount > 500) {
    ol.lastElementChild?.remove();
    timelineCount--;
  }
}

function renderDetail(detail) {
  $('detail').dataset.key = detail.key;
  $('detail').dataset.state = detail.state;
  $('detail-name').textContent = detail.name ? `${detail.namespace ? detail.namespace + '/' : ''}${detail.name}` : detail.key;
  const badge = $('detail-state');
  badge.textContent = detail.passivated ? `${detail.state} (passivated)` : detail.state;
  badge.className = `badge ${detail.state}`;
  $('detail-meta').textContent = `${detail.key} · machine ${detail.machine ?? '—'} · ${detail.events} watch events · in this state since ${new Date(detail.since).toISOString().slice(11, 19)}`;
  void showChart($('statechart'), detail.machine, detail.active);
  renderHandlers(detail.handlers);
  renderChildren(detail.children);
  renderTimeline(detail.timeline);
}

function select(key) {
  selected = key;
  for (const { li } of actors.values()) li.classList.toggle('selected', li.dataset.key === key);
  actorStream?.close();
  timelineCount = 0;
  $('timeline').replaceChildren();
  $('children').replaceChildren();
  $('detail-ended').hidden = true;
  $('detail').hidden = false;
  $('placeholder').hidden = true;
  if (location.hash !== `#${encodeURIComponent(key)}`) history.replaceState(null, '', `${location.pathname}${location.search}#${encodeURIComponent(key)}`);
  actorStream = new EventSource(withToken(`stream/actor?key=${encodeURIComponent(key)}`));
  actorStream.addEventListener('actor', (e) => renderDetail(JSON.parse(e.data)));
  actorStream.addEventListener('ended', () => {
    $('detail-ended').hidden = false;
    actorStream?.close();
  });
}

function connect() {
  const stream = new EventSource(withToken('stream/list'));
  stream.addEventListener('open', () => {
    $('connection').textContent = 'live';
    $('connection').className = 'connection live';
  });
  stream.addEventListener('error', () => {
    $('connection').textContent = 'reconnecting…';
    $('connection').className = 'connection';
  });
  stream.addEventListener('list', (e) => {
    const data = JSON.parse(e.data);
    if (data.reset) for (const key of [...actors.keys()]) if (!data.changed.some((s) => s.key === key)) remove(key);
    for (const summary of data.changed) upsert(summary);
    for (const key of data.removed) remove(key);
    updateCounts();
  });
}

// A diagram fits its box; a click shows it at its natural size (the box scrolls), another click fits it again.
document.addEventListener('click', (e) => {
  const box = e.target instanceof Element ? e.target.closest('.statechart-box') : null;
  if (box) box.classList.toggle('natural');
});

$('search').addEventListener('input', () => {
  for (const { summary, li } of actors.values()) li.hidden = !matches(summary);
  updateCounts();
});

connect();
if (location.hash.length > 1) select(decodeURIComponent(location.hash.slice(1)));
