// The rollout view of one job: counts per execution state (now and over
// time), per-device progress from statusDetails "receive": "n/m", failures
// with the devices' reasons, abort/timeout state, and cancel.
import * as api from './api.js';
import { SERIES, countsChart } from './chart.js';
import {
  announce, badge, count, errorBox, h, link, markFirstRender, progressBar, receiveProgress, replace, table, time, when,
} from './dom.js';
import { pager } from './pager.js';
import { firmwareName } from './view-jobs.js';

const FAILURES = ['FAILED', 'REJECTED', 'TIMED_OUT'];
const FINISHED = ['SUCCEEDED', 'FAILED', 'REJECTED', 'TIMED_OUT', 'CANCELED', 'REMOVED'];
const PAGE = 50;
const MAX_SAMPLES = 720;

// What one device is doing, from its status and statusDetails.
export function deviceProgress(e) {
  const d = e.statusDetails || {};
  const p = receiveProgress(d);
  switch (e.status) {
    case 'QUEUED': return { value: 0, text: 'waiting for the device to pick the job up' };
    case 'SUCCEEDED': return { value: 1, text: d.reason || 'installed' };
    case 'IN_PROGRESS':
      if (d.self_test === 'ready') return { value: 1, text: 'image verified; rebooting into it' };
      if (d.self_test === 'active') return { value: 1, text: 'new image running its self-test' };
      if (p) return { value: p.done / p.total, text: `downloading: ${count(p.done)} of ${count(p.total)} blocks` };
      return { value: 0, text: 'started' };
    case 'CANCELED':
      if (!d.reason && !e.startedAt) return { value: null, text: 'canceled before the device started' };
      return { value: null, text: d.reason || 'canceled while in progress' };
    default: return { value: null, text: d.reason || e.status.toLowerCase().replace('_', ' ') };
  }
}

function loadSamples(jobId) {
  try { return JSON.parse(sessionStorage.getItem(`otter.samples.${jobId}`)) || []; } catch { return []; }
}

function saveSamples(jobId, samples) {
  try { sessionStorage.setItem(`otter.samples.${jobId}`, JSON.stringify(samples)); } catch { /* full: keep in memory */ }
}

function sameCounts(a, b) { return SERIES.every(([k]) => (a[k] || 0) === (b[k] || 0)); }

function jobNotice(job) {
  if (job.status === 'CANCELED' && job.reasonCode === 'ABORTED') {
    return h('p', { class: 'notice bad', role: 'alert', id: 'job-notice' },
      'Aborted: failures reached the abort threshold. Queued devices were canceled; devices already updating were left to finish.',
      job.comment ? ` (${job.comment})` : '');
  }
  if (job.status === 'CANCELED') {
    return h('p', { class: 'notice', id: 'job-notice' },
      `Canceled${job.forceCanceled ? ' with force (devices in progress were stopped too)' : ''}`,
      job.reasonCode && job.reasonCode !== 'CANCELED' ? `: ${job.reasonCode}` : '',
      job.comment ? ` — ${job.comment}` : '', '.');
  }
  if (job.status === 'COMPLETED') {
    return h('p', { class: 'notice good', id: 'job-notice' }, `Completed ${time(job.completedAt)}.`);
  }
  return null;
}

function settings(job) {
  const parts = [];
  const r = job.jobExecutionsRolloutConfig || {};
  if (r.maximumPerMinute) parts.push(`at most ${r.maximumPerMinute} devices started per minute`);
  if (r.exponentialRate) parts.push(`exponential rollout from ${r.exponentialRate.baseRatePerMinute}/min`);
  for (const c of (job.abortConfig && job.abortConfig.criteriaList) || []) {
    parts.push(`abort when ${c.failureType} ≥ ${c.thresholdPercentage}% after ${c.minNumberOfExecutedThings} finished`);
  }
  const t = job.timeoutConfig || {};
  if (t.inProgressTimeoutInMinutes) parts.push(`devices time out after ${t.inProgressTimeoutInMinutes} min in progress`);
  if (t.inProgressTimeoutInSeconds) parts.push(`devices time out after ${t.inProgressTimeoutInSeconds} s in progress`);
  return parts;
}

export async function jobView(main, { params, signal, every }) {
  const [jobId] = params;
  const base = `/api/v1/jobs/${encodeURIComponent(jobId)}`;
  document.title = `Job ${jobId} · Otter`;
  const head = h('div', { class: 'title-row' }, h('h1', {}, `Job ${jobId}`));
  const notice = h('div', {});
  const facts = h('dl', { class: 'facts' });
  const summary = h('section', { 'aria-labelledby': 'progress-title' }, h('h2', { id: 'progress-title' }, 'Progress'));
  const counts = h('div', { id: 'execution-counts' });
  const chart = h('figure', { class: 'chart-box' });
  const failures = h('section', { id: 'failures', 'aria-labelledby': 'failures-title' });
  const devices = h('div', { id: 'devices' });
  const dialog = h('dialog', { id: 'cancel-dialog', 'aria-labelledby': 'cancel-title' });
  summary.append(counts, chart);
  replace(main, head, notice, facts, summary, failures,
    h('section', { 'aria-labelledby': 'devices-title' }, h('h2', { id: 'devices-title' }, 'Devices'), devices), dialog);

  const samples = loadSamples(jobId);
  let offset = 0;
  let lastStatus = null;
  let job = null;
  let gone = false;

  function renderHead() {
    replace(head, h('h1', {}, `Job ${jobId} `, badge(job.status)),
      job.status === 'IN_PROGRESS'
        ? h('button', { type: 'button', class: 'danger', id: 'cancel-job', onclick: openCancel }, 'Cancel job') : null);
    replace(notice, jobNotice(job));
    const firmware = firmwareName(job);
    replace(facts,
      firmware ? [h('dt', {}, 'Firmware'), h('dd', {}, firmware)] : null,
      h('dt', {}, 'Targets'), h('dd', {}, (job.targets || []).map((t) =>
        (typeof t === 'string' ? t : t.thing ? `thing ${t.thing}` : `group ${t.group}`)).join(', ')),
      h('dt', {}, 'Selection'), h('dd', {}, (job.targetSelection || 'SNAPSHOT').toLowerCase()),
      h('dt', {}, 'Created'), h('dd', {}, time(job.createdAt)),
      job.description ? [h('dt', {}, 'Description'), h('dd', {}, job.description)] : null,
      settings(job).length ? [h('dt', {}, 'Rollout'), h('dd', {}, settings(job).join('; '))] : null);
  }

  function renderCounts() {
    const c = job.executionCounts;
    const total = SERIES.reduce((n, [k]) => n + (c[k] || 0), 0) + (job.pendingRollout || 0);
    const finished = FINISHED.reduce((n, k) => n + (c[k] || 0), 0);
    replace(counts,
      h('div', { class: 'overall' },
        h('span', { id: 'overall-text' }, `${count(finished)} of ${count(total)} devices finished`),
        total ? progressBar(finished, total, 'Devices finished') : null),
      h('ul', { class: 'counts', 'aria-label': 'Executions per state' },
        SERIES.map(([key, label]) => h('li', { class: `count s-${key.toLowerCase()}`, dataset: { state: key } },
          h('span', { class: 'n' }, count(c[key] || 0)), h('span', { class: 'label' }, label))),
        job.pendingRollout ? h('li', { class: 'count', dataset: { state: 'PENDING' } },
          h('span', { class: 'n' }, count(job.pendingRollout)), h('span', { class: 'label' }, 'Not released yet'))
          : null));
  }

  function record() {
    const now = Date.now();
    const sample = { t: now, counts: { ...job.executionCounts } };
    const last = samples[samples.length - 1];
    // Keep changes; a steady state only moves the last point's time.
    if (last && sameCounts(last.counts, sample.counts) && samples.length > 1 &&
        sameCounts(samples[samples.length - 2].counts, sample.counts)) {
      last.t = now;
    } else {
      samples.push(sample);
    }
    while (samples.length > MAX_SAMPLES) samples.splice(1, 1);
    saveSamples(jobId, samples);
    replace(chart, countsChart(samples),
      h('figcaption', {}, 'Executions per state since this page started watching the job'),
      h('ul', { class: 'legend', 'aria-hidden': 'true' }, SERIES
        .filter(([key]) => samples.some((s) => (s.counts[key] || 0) > 0))
        .map(([key, label]) => h('li', { class: `s-${key.toLowerCase()}` }, label))));
  }

  async function loadFailures() {
    const rows = [];
    for (const status of FAILURES) {
      if (!job.executionCounts[status]) continue;
      const { data } = await api.poll(`${base}/executions?status=${status}&limit=100`);
      rows.push(...data.executions);
    }
    if (!rows.length) { replace(failures); return; }
    rows.sort((a, b) => b.lastUpdatedAt - a.lastUpdatedAt);
    const total = FAILURES.reduce((n, k) => n + (job.executionCounts[k] || 0), 0);
    replace(failures, h('h2', { id: 'failures-title' }, `Failures (${count(total)})`),
      total > rows.length ? h('p', { class: 'muted' }, `The latest ${count(rows.length)} are shown.`) : null,
      table('Failures', ['Device', 'State', 'Reason', 'When'], rows.map((e) => h('tr', {},
        h('th', { scope: 'row' }, e.thingName), h('td', {}, badge(e.status)),
        h('td', { class: 'reason' }, (e.statusDetails && e.statusDetails.reason) || 'no reason given'),
        h('td', {}, when(e.lastUpdatedAt)))), { id: 'failures-table' }));
  }

  async function loadDevices(force) {
    const { data, changed } = await api.poll(`${base}/executions?offset=${offset}&limit=${PAGE}`);
    if (signal.aborted || (!changed && !force)) return;
    if (data.total === 0) {
      replace(devices, h('p', { class: 'empty' }, job.pendingRollout
        ? 'No device has been released yet by the rollout.' : 'This job has no executions.'));
      return;
    }
    replace(devices, table('Devices of this job', ['Device', 'State', 'Progress', 'Detail', 'Updated'],
      data.executions.map((e) => {
        const p = deviceProgress(e);
        return h('tr', { dataset: { thing: e.thingName, status: e.status } },
          h('th', { scope: 'row' }, e.thingName),
          h('td', {}, badge(e.status), e.executionNumber > 1 ? h('span', { class: 'muted' }, ` try ${e.executionNumber}`) : null),
          h('td', {}, p.value === null ? '' : progressBar(Math.round(p.value * 1000), 1000, `${e.thingName} progress`)),
          h('td', { class: 'reason' }, p.text),
          h('td', {}, when(e.lastUpdatedAt)));
      }), { id: 'devices-table' }),
    pager('Devices', data, (o) => { offset = o; loadDevices(true); }));
  }

  async function tick() {
    if (gone) return;
    let answer;
    try {
      answer = await api.poll(base);
    } catch (e) {
      if (e.status !== 404) throw e;
      gone = true;
      replace(main, errorBox(`There is no job ${jobId}.`), h('p', {}, link('/jobs', 'All jobs')));
      return;
    }
    if (signal.aborted) return;
    job = answer.data;
    if (answer.changed) {
      renderHead();
      renderCounts();
      if (lastStatus && lastStatus !== job.status) announce(`Job ${jobId} is now ${job.status.toLowerCase()}`);
      lastStatus = job.status;
    }
    record();
    await Promise.all([loadDevices(false), loadFailures()]);
    markFirstRender();
  }

  async function openCancel() {
    const force = h('input', { type: 'checkbox', id: 'cancel-force' });
    const comment = h('input', { type: 'text', id: 'cancel-comment', maxlength: '2028' });
    const status = h('div', {});
    const confirm = h('button', { type: 'submit', class: 'danger', id: 'cancel-confirm' }, 'Cancel the job');
    const form = h('form', { method: 'dialog' },
      h('h2', { id: 'cancel-title' }, `Cancel job ${jobId}?`),
      h('p', {}, 'Queued devices will not start it. Devices already downloading or installing finish unless you force.'),
      h('label', { class: 'check' }, force, ' Force: also cancel devices in progress'),
      h('div', { class: 'field' }, h('label', { for: 'cancel-comment' }, 'Comment (optional)'), comment),
      h('div', { class: 'buttons' }, confirm,
        h('button', { type: 'button', class: 'secondary', onclick: () => dialog.close() }, 'Keep it running')),
      status);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      confirm.disabled = true;
      try {
        await api.post(`${base}/cancel`, { force: force.checked, comment: comment.value || undefined });
        dialog.close();
        announce(`Job ${jobId} canceled`);
        await tick();
      } catch (e) {
        replace(status, errorBox(`otterd refused: ${e.message}`));
        confirm.disabled = false;
      }
    });
    replace(dialog, form);
    dialog.showModal();
    comment.focus();
  }

  every(1000, tick, signal);
}
