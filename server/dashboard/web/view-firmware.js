// Stored firmware images: descriptor (version, board, minimum version) and
// whether otterd verified a signature for them.
import * as api from './api.js';
import { bytes, count, h, link, markFirstRender, replace, table, time } from './dom.js';
import { pager } from './pager.js';

function signatureCell(f) {
  if (!f.signed) return h('span', { class: 'badge s-failed' }, 'unsigned');
  const by = f.signingProfile ? `profile ${f.signingProfile}` : (f.signer || 'uploaded signature');
  return h('span', {}, h('span', { class: 'badge s-succeeded' }, 'signature verified'), ' ', h('span', { class: 'muted' }, by));
}

function descriptorCells(d) {
  if (!d) return [h('td', { colspan: '2' }, h('span', { class: 'muted' }, 'raw image (no descriptor)'))];
  return [h('td', {}, d.version, d.minVersion ? h('span', { class: 'muted' }, ` (min ${d.minVersion})`) : null),
    h('td', {}, d.board || `hardware 0x${Number(d.hardwareId).toString(16)}`)];
}

export async function firmwareView(main, { query, signal, every }) {
  document.title = 'Firmware · Otter';
  const heading = h('h1', {}, 'Firmware');
  const results = h('div', {});
  let offset = Number(query.get('offset')) || 0;
  replace(main, h('div', { class: 'title-row' }, heading, link('/jobs/new', 'Upload and roll out', { class: 'button' })),
    results);
  async function load(force) {
    const { data, changed } = await api.poll(`/api/v1/firmware${api.query({ offset, limit: 50 })}`);
    if (signal.aborted || (!changed && !force && results.childElementCount)) return;
    heading.textContent = `Firmware (${count(data.total)})`;
    if (data.total === 0) {
      replace(results, h('p', { class: 'empty' }, 'No firmware stored yet.'));
    } else {
      replace(results, table('Firmware images',
        ['Name', 'Version', 'Board', 'Size', 'Signature', 'SHA-256', 'Uploaded', ''],
        data.firmware.map((f) => h('tr', {},
          h('th', { scope: 'row' }, f.name),
          ...descriptorCells(f.descriptor),
          h('td', { class: 'num' }, bytes(f.size)),
          h('td', {}, signatureCell(f)),
          h('td', {}, h('code', { title: f.sha256 }, `${f.sha256.slice(0, 12)}…`)),
          h('td', { class: 'nowrap' }, time(f.createdAt)),
          h('td', { class: 'nowrap' }, f.signed ? link(`/jobs/new?firmware=${f.firmwareId}`, 'Roll out', { 'aria-label': `Roll out ${f.name}` }) : ''))),
        { id: 'firmware-table' }),
      pager('Firmware', data, (o) => { offset = o; load(true); }));
    }
    markFirstRender();
  }
  every(10000, () => load(false), signal);
}
