// Jobs, newest first, with their state; a job opens its rollout view.
import * as api from './api.js';
import { badge, count, h, link, markFirstRender, replace, table, time } from './dom.js';
import { pager } from './pager.js';

export function firmwareName(job) {
  const files = job.document && job.document.afr_ota && job.document.afr_ota.files;
  return files && files.length ? files[0].filepath : '';
}

function targetsText(targets) {
  return (targets || []).map((t) => (typeof t === 'string' ? t : t.thing ? `thing/${t.thing}` : `group/${t.group}`))
    .join(', ');
}

export async function jobsView(main, { query, signal, every }) {
  document.title = 'Jobs · Otter';
  const heading = h('h1', {}, 'Jobs');
  const status = h('select', { id: 'job-status' },
    ['', 'IN_PROGRESS', 'COMPLETED', 'CANCELED'].map((s) => h('option', { value: s }, s ? s.replace('_', ' ') : 'Any')));
  status.value = query.get('status') || '';
  const results = h('div', {});
  let offset = 0;
  replace(main,
    h('div', { class: 'title-row' }, heading, link('/jobs/new', 'Create job', { class: 'button', id: 'create-job' })),
    h('div', { class: 'filters' }, h('div', { class: 'field' }, h('label', { for: 'job-status' }, 'Status'), status)),
    results);
  status.addEventListener('change', () => {
    offset = 0;
    history.replaceState(null, '', `/jobs${api.query({ status: status.value })}`);
    load(true);
  });
  async function load(force) {
    const { data, changed } = await api.poll(`/api/v1/jobs${api.query({ offset, limit: 50, status: status.value })}`);
    if (signal.aborted || (!changed && !force && results.childElementCount)) return;
    heading.textContent = `Jobs (${count(data.total)})`;
    if (data.total === 0) {
      replace(results, h('p', { class: 'empty' }, 'No jobs yet. ', link('/jobs/new', 'Create the first one'), '.'));
    } else {
      replace(results, table('Jobs', ['Job', 'Status', 'Firmware', 'Targets', 'Created', 'Finished'],
        data.jobs.map((j) => h('tr', {},
          h('th', { scope: 'row' }, link(`/jobs/${encodeURIComponent(j.jobId)}`, j.jobId)),
          h('td', {}, badge(j.status), j.reasonCode ? h('span', { class: 'muted' }, ` ${j.reasonCode}`) : null),
          h('td', {}, firmwareName(j)),
          h('td', { class: 'clip' }, targetsText(j.targets)),
          h('td', { class: 'nowrap' }, time(j.createdAt)),
          h('td', { class: 'nowrap' }, time(j.completedAt)))), { id: 'jobs-table' }),
      pager('Jobs', data, (o) => { offset = o; load(true); }));
    }
    markFirstRender();
  }
  every(3000, () => load(false), signal);
}
