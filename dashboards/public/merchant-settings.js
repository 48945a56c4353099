// @ts-check
/**
 * The alert settings of one shop (its first subscription): threshold, lead times, quiet hours,
 * webhook with its signing secret (made here, shown once, never readable again) and a test
 * delivery. Every problem is said in words next to the button that caused it.
 */
import { callApi } from './api.js';
import { explainError } from './dispatch-model.js';
import { newSecret, thresholdWords } from './merchant-model.js';

/** @typedef {import('./merchant-model.js').Subscription} Subscription */
/** @typedef {import('@atrium/shared').SubscriptionInput} SubscriptionInput */
/** @typedef {import('./api.js').ApiError} ApiError */

/** Lead times offered (hours before the peak); the API takes up to six. */
const LEAD_CHOICES = [72, 48, 24, 12, 6, 2, 1];
const DEFAULT_LEADS = [24, 2];
const MAX_LEADS = 6;

/** @template {HTMLElement} [T=HTMLElement] @param {string} id @returns {T} */
function byId(id) {
  const e = document.getElementById(id);
  if (!e) throw new Error(`merchant.html has no #${id}`);
  return /** @type {T} */ (e);
}

/**
 * A refusal in words: the cloud's own reason for a bad value (it names the field), else the
 * pages' common wording.
 * @param {unknown} err @param {string} doing
 */
export function explain(err, doing) {
  const e = /** @type {ApiError} */ (err);
  if (e?.kind === 'http' && e.code === 'ATRIUM_INVALID_REQUEST' && e.said) return `Could not ${doing}: ${e.said.replace(/^invalid (body|request|querystring): /, '')}.`;
  return explainError(e, doing);
}

/** @param {{ onChanged: () => void }} hooks */
export function createSettings(hooks) {
  const ui = {
    form: /** @type {HTMLFormElement} */ (byId('settings-form')),
    state: byId('settings-state'),
    kindVisitors: /** @type {HTMLInputElement} */ (byId('th-visitors')),
    kindPercent: /** @type {HTMLInputElement} */ (byId('th-percent')),
    value: /** @type {HTMLInputElement} */ (byId('th-value')),
    valueLabel: byId('th-value-label'),
    leads: byId('lead-times'),
    quietOn: /** @type {HTMLInputElement} */ (byId('quiet-on')),
    quietFrom: /** @type {HTMLInputElement} */ (byId('quiet-from')),
    quietTo: /** @type {HTMLInputElement} */ (byId('quiet-to')),
    url: /** @type {HTMLInputElement} */ (byId('webhook-url')),
    newSecretRow: byId('new-secret-row'),
    newSecret: /** @type {HTMLInputElement} */ (byId('new-secret')),
    enabled: /** @type {HTMLInputElement} */ (byId('alerts-on')),
    save: /** @type {HTMLButtonElement} */ (byId('save-settings')),
    test: /** @type {HTMLButtonElement} */ (byId('send-test')),
    remove: /** @type {HTMLButtonElement} */ (byId('remove-settings')),
    said: byId('settings-said'),
    secretBox: byId('secret-box'),
    secretValue: byId('secret-value'),
    secretCopy: /** @type {HTMLButtonElement} */ (byId('secret-copy')),
    secretDone: /** @type {HTMLButtonElement} */ (byId('secret-done')),
  };

  /** @type {HTMLInputElement[]} */
  const leadBoxes = LEAD_CHOICES.map((h) => {
    const wrap = document.createElement('span');
    wrap.className = 'check';
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.id = `lead-${h}`;
    box.value = String(h);
    const label = document.createElement('label');
    label.htmlFor = box.id;
    label.textContent = h === 1 ? '1 hour' : `${h} hours`;
    wrap.append(box, label);
    ui.leads.append(wrap);
    return box;
  });

  /** @type {string} */
  let shopId = '';
  /** @type {Subscription | null} */
  let current = null;

  const showKind = () => {
    const percent = ui.kindPercent.checked;
    ui.valueLabel.textContent = percent ? 'Percent above the usual' : 'Visitors per hour';
    ui.value.max = percent ? '10000' : '1000000';
  };
  ui.kindVisitors.addEventListener('change', showKind);
  ui.kindPercent.addEventListener('change', showKind);
  const showQuiet = () => {
    ui.quietFrom.disabled = ui.quietTo.disabled = !ui.quietOn.checked;
  };
  ui.quietOn.addEventListener('change', showQuiet);

  /** @param {Subscription | null} s */
  function fill(s) {
    current = s;
    const t = s?.threshold ?? { kind: 'visitors', perHour: 300 };
    ui.kindVisitors.checked = t.kind === 'visitors';
    ui.kindPercent.checked = t.kind === 'aboveUsual';
    ui.value.value = String(t.kind === 'visitors' ? t.perHour : t.percent);
    const leads = new Set(s?.leadTimesH ?? DEFAULT_LEADS);
    for (const b of leadBoxes) b.checked = leads.has(Number(b.value));
    ui.quietOn.checked = !!s?.quietHours;
    if (s?.quietHours) {
      ui.quietFrom.value = s.quietHours.from;
      ui.quietTo.value = s.quietHours.to;
    }
    ui.url.value = s?.webhook?.url ?? '';
    ui.newSecretRow.hidden = !s?.webhook?.hasSecret;
    ui.newSecret.checked = false;
    ui.enabled.checked = s?.enabled ?? true;
    ui.test.disabled = !s?.webhook;
    ui.remove.hidden = !s;
    ui.state.textContent = s ? `${s.enabled ? 'On' : 'Off'}: ${thresholdWords(s.threshold)}, ${s.leadTimesH.join(' h, ')} h ahead${s.webhook ? ', with webhook' : ''}` : 'Not set up yet';
    showKind();
    showQuiet();
  }

  /** @returns {{ input: SubscriptionInput, secret: string | null } | string} the body to send, or what is wrong */
  function read() {
    const value = Number(ui.value.value);
    if (ui.value.value.trim() === '' || !Number.isFinite(value) || value <= 0) return `${ui.valueLabel.textContent}: enter a number above 0.`;
    const leadTimesH = leadBoxes.filter((b) => b.checked).map((b) => Number(b.value));
    if (leadTimesH.length === 0) return 'How long before the peak: tick at least one.';
    if (leadTimesH.length > MAX_LEADS) return `How long before the peak: tick at most ${MAX_LEADS}.`;
    const quiet = ui.quietOn.checked ? { from: ui.quietFrom.value, to: ui.quietTo.value } : null;
    if (quiet && (!/^\d\d:\d\d$/.test(quiet.from) || !/^\d\d:\d\d$/.test(quiet.to))) return 'Quiet hours: give both times.';
    if (quiet && quiet.from === quiet.to) return 'Quiet hours: “from” and “to” must differ.';
    const url = ui.url.value.trim();
    if (url && !(URL.canParse(url) && /^https?:$/.test(new URL(url).protocol))) return 'Webhook URL: give a full http:// or https:// address, or leave it empty.';
    const secret = url && (!current?.webhook?.hasSecret || ui.newSecret.checked) ? newSecret() : null;
    /** @type {SubscriptionInput} */
    const input = {
      threshold: ui.kindPercent.checked ? { kind: 'aboveUsual', percent: value } : { kind: 'visitors', perHour: value },
      leadTimesH,
      quietHours: quiet,
      webhook: url ? { url, ...(secret && { secret }) } : null,
      enabled: ui.enabled.checked,
    };
    return { input, secret };
  }

  /** @param {string} text */
  const say = (text) => {
    ui.said.textContent = text;
  };

  /** @param {string} secret */
  function showSecret(secret) {
    ui.secretValue.textContent = secret;
    ui.secretBox.hidden = false;
    ui.secretBox.focus();
  }
  ui.secretCopy.addEventListener('click', () => {
    navigator.clipboard?.writeText(ui.secretValue.textContent ?? '').then(
      () => (ui.secretCopy.textContent = 'Copied'),
      () => (ui.secretCopy.textContent = 'Select the text and copy it'),
    );
  });
  ui.secretDone.addEventListener('click', () => {
    ui.secretValue.textContent = '';
    ui.secretBox.hidden = true;
    ui.secretCopy.textContent = 'Copy secret';
    ui.url.focus();
  });

  ui.form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void save();
  });

  async function save() {
    const body = read();
    if (typeof body === 'string') return say(body);
    ui.save.disabled = true;
    say('Saving…');
    try {
      const base = `/api/v1/shops/${encodeURIComponent(shopId)}/subscriptions`;
      const saved = /** @type {Subscription} */ (current ? await callApi('PUT', `${base}/${current.id}`, body.input) : await callApi('POST', base, body.input));
      fill(saved);
      say(`Saved. Alerts ${saved.enabled ? 'on' : 'off'} at ${thresholdWords(saved.threshold)}.`);
      if (body.secret) showSecret(body.secret);
      hooks.onChanged();
    } catch (err) {
      say(explain(err, 'save your alert settings'));
    } finally {
      ui.save.disabled = false;
    }
  }

  ui.test.addEventListener('click', () => void sendTest());
  async function sendTest() {
    if (!current) return;
    ui.test.disabled = true;
    say('Sending a test…');
    try {
      await callApi('POST', `/api/v1/shops/${encodeURIComponent(shopId)}/subscriptions/${current.id}/test`, {});
      say('Test sent to your webhook. Its result appears under “Webhook deliveries”.');
      hooks.onChanged();
    } catch (err) {
      say(explain(err, 'send a test'));
    } finally {
      ui.test.disabled = !current?.webhook;
    }
  }

  ui.remove.addEventListener('click', () => void remove());
  async function remove() {
    if (!current || !confirm('Remove these alert settings? Their alerts go with them.')) return;
    try {
      await callApi('DELETE', `/api/v1/shops/${encodeURIComponent(shopId)}/subscriptions/${current.id}`);
      fill(null);
      say('Removed. No alerts for this shop until you save new settings.');
      hooks.onChanged();
    } catch (err) {
      say(explain(err, 'remove the alert settings'));
    }
  }

  return {
    /** @param {string} shop @param {readonly Subscription[]} subscriptions */
    show(shop, subscriptions) {
      const next = subscriptions[0] ?? null;
      // a refresh must not wipe what the merchant is typing: the form is refilled only when the settings changed
      if (shop === shopId && next?.id === current?.id && next?.updatedAt === current?.updatedAt) return;
      if (shop !== shopId) say('');
      shopId = shop;
      fill(next);
      if (subscriptions.length > 1) say(`This shop has ${subscriptions.length} alert settings; the first is shown here.`);
    },
    /** the settings as saved (the threshold marks the peaks) */
    current: () => current,
  };
}
