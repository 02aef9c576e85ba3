// The fleet: things with board, firmware version, last seen and their latest
// job, one page (100) at a time so 10,000 things render as fast as 100.
import * as api from './api.js';
import {
  badge, count, errorBox, h, link, markFirstRender, progressBar, receiveProgress, replace, table, when,
} from './dom.js';
import { pager } from './pager.js';

const PAGE = 100;

function latestJobCell(execution) {
  if (!execution) return h('span', { class: 'muted' }, 'none');
  const p = receiveProgress(execution.statusDetails);
  return h('span', { class: 'stack' },
    link(`/jobs/${encodeURIComponent(execution.jobId)}`, execution.jobId), ' ', badge(execution.status),
    execution.status === 'IN_PROGRESS' && p ? progressBar(p.done, p.total, `${execution.jobId} download`) : null);
}

function row(thing) {
  return h('tr', {},
    h('th', { scope: 'row' }, thing.thingName),
    h('td', {}, thing.board || h('span', { class: 'muted' }, 'unknown')),
    h('td', {}, thing.firmwareVersion ? h('span', { title: `from ${thing.firmwareSource}` }, thing.firmwareVersion)
      : h('span', { class: 'muted' }, 'unknown')),
    h('td', {}, when(thing.lastSeen)),
    h('td', {}, latestJobCell(thing.latestExecution)),
    h('td', {}, thing.groups.length ? thing.groups.join(', ') : h('span', { class: 'muted' }, '—')));
}

export async function thingsView(main, { query, signal, every }) {
  document.title = 'Things · Otter';
  const state = { prefix: query.get('prefix') || '', group: query.get('group') || '',
    offset: Number(query.get('offset')) || 0 };
  const search = h('input', { id: 'thing-prefix', type: 'search', value: state.prefix, autocomplete: 'off',
    placeholder: 'e.g. lab-' });
  const groupSelect = h('select', { id: 'thing-group' }, h('option', { value: '' }, 'All things'));
  const results = h('div', { id: 'things-results' });
  const heading = h('h1', {}, 'Things');
  replace(main, heading,
    h('form', { class: 'filters', role: 'search', onsubmit: (e) => { e.preventDefault(); apply(); } },
      h('div', { class: 'field' }, h('label', { for: 'thing-prefix' }, 'Name starts with'), search),
      h('div', { class: 'field' }, h('label', { for: 'thing-group' }, 'Group'), groupSelect),
      h('button', { type: 'submit' }, 'Filter')),
    results);

  api.getAll('/api/v1/groups', 'groups').then((groups) => {
    for (const g of groups) groupSelect.append(h('option', { value: g.thingGroupName }, g.thingGroupName));
    groupSelect.value = state.group;
  }).catch(() => {});

  function apply(offset = 0) {
    state.prefix = search.value.trim();
    state.group = groupSelect.value;
    state.offset = offset;
    history.replaceState(null, '', `/things${api.query({ prefix: state.prefix, group: state.group,
      offset: state.offset || '' })}`);
    load(true);
  }

  async function load(force = false) {
    const path = `/api/v1/dashboard/things${api.query({ offset: state.offset, limit: PAGE, prefix: state.prefix,
      group: state.group })}`;
    let answer;
    try {
      answer = await api.poll(path);
    } catch (e) {
      if (!signal.aborted) replace(results, errorBox(e.message));
      return;
    }
    if (signal.aborted || (!answer.changed && !force && results.childElementCount)) return;
    const page = answer.data;
    heading.textContent = `Things (${count(page.total)})`;
    if (page.total === 0) {
      replace(results, h('p', { class: 'empty' }, state.prefix || state.group
        ? 'No thing matches this filter.' : 'No things yet. Register one with `otter thing create NAME --board BOARD`.'));
    } else {
      replace(results,
        table('Things', ['Thing', 'Board', 'Firmware', 'Last seen', 'Latest job', 'Groups'], page.things.map(row),
          { id: 'things-table' }),
        pager('Things', page, apply));
    }
    markFirstRender();
  }

  every(5000, () => load(), signal);
}
