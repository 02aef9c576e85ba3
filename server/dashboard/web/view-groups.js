// Thing groups with their member counts; a group opens the fleet filtered to it.
import * as api from './api.js';
import { count, h, link, markFirstRender, replace, table, time } from './dom.js';

export async function groupsView(main, { signal, every }) {
  document.title = 'Groups · Otter';
  const heading = h('h1', {}, 'Groups');
  const results = h('div', {});
  replace(main, heading, results);
  every(10000, async () => {
    const { data, changed } = await api.poll('/api/v1/groups?limit=1000');
    if (signal.aborted || (!changed && results.childElementCount)) return;
    heading.textContent = `Groups (${count(data.total)})`;
    if (data.total === 0) {
      replace(results, h('p', { class: 'empty' }, 'No groups yet. Create one with `otter group create NAME`.'));
    } else {
      replace(results, table('Groups', ['Group', 'Description', 'Members', 'Created'], data.groups.map((g) =>
        h('tr', {},
          h('th', { scope: 'row' }, link(`/things?group=${encodeURIComponent(g.thingGroupName)}`, g.thingGroupName)),
          h('td', {}, g.description || ''),
          h('td', { class: 'num' }, count(g.memberCount ?? (g.members || []).length)),
          h('td', {}, time(g.createdAt)))), { id: 'groups-table' }));
    }
    markFirstRender();
  }, signal);
}
