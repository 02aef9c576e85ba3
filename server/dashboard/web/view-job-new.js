// Create an OTA job: upload an image with its signature (or pick a stored
// one), choose targets and rollout limits. Nothing typed is lost on an error:
// the form stays as it was and says what otterd refused.
import * as api from './api.js';
import { bytes, errorBox, h, replace } from './dom.js';

const NAME = /^[A-Za-z0-9:_-]{1,128}$/;

function field(id, label, control, hint) {
  return h('div', { class: 'field' }, h('label', { for: id }, label), control,
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null);
}

// A .sig file is DER (sent as a file part); base64 text goes as a text field.
async function signaturePart(file) {
  const data = new Uint8Array(await file.arrayBuffer());
  const text = new TextDecoder().decode(data).trim();
  if (text.length > 0 && /^[A-Za-z0-9+/=\s]+$/.test(text)) return { text: text.replace(/\s+/g, '') };
  return { file };
}

export function parseNames(text) {
  return text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
}

export async function newJobView(main, { query, navigate, signal }) {
  document.title = 'Create job · Otter';
  const [stored, profiles, groups] = await Promise.all([
    api.get('/api/v1/firmware?limit=200'),
    api.getAll('/api/v1/signing-profiles', 'signingProfiles').catch(() => []),
    api.getAll('/api/v1/groups', 'groups'),
  ]);
  if (signal.aborted) return;

  const source = h('select', { id: 'firmware-source' },
    h('option', { value: 'upload' }, 'Upload a new image'),
    stored.firmware.filter((f) => f.signed).map((f) => h('option', { value: f.firmwareId },
      `${f.name}${f.descriptor ? ` — v${f.descriptor.version} ${f.descriptor.board}` : ''} (${bytes(f.size)})`)));
  if (query.get('firmware')) source.value = query.get('firmware');
  const image = h('input', { id: 'firmware-file', type: 'file', accept: '.bin,.hex,application/octet-stream' });
  const signature = h('input', { id: 'signature-file', type: 'file', accept: '.sig,.der,.b64,.txt',
    'aria-describedby': 'signature-file-hint' });
  const certificate = h('input', { id: 'certificate-file', type: 'file', accept: '.pem,.crt',
    'aria-describedby': 'certificate-file-hint' });
  const profile = h('select', { id: 'signing-profile', 'aria-describedby': 'signing-profile-hint' },
    h('option', { value: '' }, 'No: the signature file is the signature'),
    profiles.map((p) => h('option', { value: p.name }, `Sign with profile ${p.name}`)));
  const uploadFields = h('div', { id: 'upload-fields' },
    field('firmware-file', 'Firmware image', image),
    field('signature-file', 'Signature file', signature,
      'DER (e.g. fw.bin.sig from `otter sign`) or base64. otterd verifies it before storing the image.'),
    field('certificate-file', 'Signer certificate (optional)', certificate,
      'PEM. Without it otterd checks the signature against its signing profiles.'),
    field('signing-profile', 'Sign on upload', profile, 'Instead of a signature file, let otterd sign with a profile.'));
  const syncSource = () => { uploadFields.hidden = source.value !== 'upload'; };
  source.addEventListener('change', syncSource);
  syncSource();

  const things = h('textarea', { id: 'target-things', rows: '3', 'aria-describedby': 'target-things-hint',
    spellcheck: 'false' });
  const groupBoxes = groups.map((g) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', name: 'group', value: g.thingGroupName }),
    ` ${g.thingGroupName} `, h('span', { class: 'muted' }, `(${g.memberCount ?? ''})`)));
  const selection = h('select', { id: 'target-selection' },
    h('option', { value: 'SNAPSHOT' }, 'Snapshot: the targets as they are now'),
    h('option', { value: 'CONTINUOUS' }, 'Continuous: also things that join the groups later'));
  const rate = h('input', { id: 'rollout-rate', type: 'number', min: '1', max: '1000', inputmode: 'numeric' });
  const abortPercent = h('input', { id: 'abort-percent', type: 'number', min: '1', max: '100', step: 'any' });
  const abortMin = h('input', { id: 'abort-min', type: 'number', min: '1', inputmode: 'numeric' });
  const timeout = h('input', { id: 'timeout-minutes', type: 'number', min: '1', max: '10080', inputmode: 'numeric' });
  const jobId = h('input', { id: 'job-id', type: 'text', pattern: '[A-Za-z0-9_-]{1,64}', autocomplete: 'off' });
  const description = h('input', { id: 'job-description', type: 'text' });
  const status = h('div', { id: 'create-status' });
  const submit = h('button', { type: 'submit', id: 'create-submit' }, 'Create job');

  const form = h('form', { class: 'card', 'aria-labelledby': 'new-job-title', novalidate: true },
    h('h1', { id: 'new-job-title' }, 'Create an OTA job'),
    h('fieldset', {}, h('legend', {}, 'Firmware'), field('firmware-source', 'Image', source), uploadFields),
    h('fieldset', {}, h('legend', {}, 'Targets'),
      field('target-things', 'Things', things, 'Thing names separated by spaces, commas or new lines.'),
      groups.length ? h('fieldset', { class: 'groups' }, h('legend', {}, 'Groups'), groupBoxes)
        : h('p', { class: 'muted' }, 'No groups exist yet.'),
      field('target-selection', 'Target selection', selection)),
    h('fieldset', {}, h('legend', {}, 'Rollout'),
      field('rollout-rate', 'At most this many devices started per minute (optional)', rate),
      h('div', { class: 'row' },
        field('abort-percent', 'Abort when failures reach % (optional)', abortPercent),
        field('abort-min', '… after this many devices finished', abortMin)),
      field('timeout-minutes', 'Time out a device after minutes in progress (optional)', timeout),
      field('job-id', 'Job id (optional)', jobId, 'Letters, digits, _ and -; generated when empty.'),
      field('job-description', 'Description (optional)', description)),
    submit, status);

  function problem(message, control) {
    replace(status, errorBox(message));
    if (control) control.focus();
    return false;
  }

  async function create() {
    const thingNames = parseNames(things.value);
    const bad = thingNames.find((n) => !NAME.test(n));
    if (bad) return problem(`"${bad}" is not a thing name (1-128 of A-Z a-z 0-9 : _ -).`, things);
    const groupNames = [...form.querySelectorAll('input[name=group]:checked')].map((c) => c.value);
    if (!thingNames.length && !groupNames.length) return problem('Pick at least one thing or group.', things);
    if (jobId.value && !/^[A-Za-z0-9_-]{1,64}$/.test(jobId.value)) return problem('The job id may hold 1-64 of A-Z a-z 0-9 _ -.', jobId);
    if ((abortPercent.value === '') !== (abortMin.value === '')) {
      return problem('Give both the failure percentage and the number of finished devices, or neither.', abortPercent);
    }
    let firmwareId = source.value;
    if (firmwareId === 'upload') {
      if (!image.files.length) return problem('Choose the firmware image to upload.', image);
      if (!signature.files.length && !profile.value) {
        return problem('Give the signature file, or pick a signing profile to sign with.', signature);
      }
      const data = new FormData();
      data.append('file', image.files[0], image.files[0].name);
      if (signature.files.length) {
        const part = await signaturePart(signature.files[0]);
        if (part.file) data.append('signature', part.file, part.file.name);
        else data.append('signature', part.text);
      }
      if (certificate.files.length) data.append('certificate', await certificate.files[0].text());
      if (profile.value) data.append('signingProfile', profile.value);
      replace(status, h('p', { class: 'muted' }, `Uploading ${image.files[0].name}…`));
      const uploaded = await api.post('/api/v1/firmware', data);
      firmwareId = uploaded.firmwareId;
    }
    const body = { firmwareId, things: thingNames, groups: groupNames, targetSelection: selection.value };
    if (jobId.value) body.jobId = jobId.value;
    if (description.value) body.description = description.value;
    if (rate.value) body.jobExecutionsRolloutConfig = { maximumPerMinute: Number(rate.value) };
    if (abortPercent.value) {
      body.abortConfig = { criteriaList: [{ failureType: 'ALL', action: 'CANCEL',
        thresholdPercentage: Number(abortPercent.value), minNumberOfExecutedThings: Number(abortMin.value) }] };
    }
    if (timeout.value) body.timeoutConfig = { inProgressTimeoutInMinutes: Number(timeout.value) };
    replace(status, h('p', { class: 'muted' }, 'Creating the job…'));
    const job = await api.post('/api/v1/jobs', body);
    navigate(`/jobs/${encodeURIComponent(job.jobId)}`);
    return true;
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      await create();
    } catch (e) {
      problem(`otterd refused: ${e.message}`);
    } finally {
      submit.disabled = false;
    }
  });
  replace(main, form);
}
