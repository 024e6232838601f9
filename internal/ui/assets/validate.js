// Validate: paste one exchange or drop a HAR 1.2 file; each exchange goes
// to this statusd's Validate, and the report groups the findings by
// resource as `statusd validate` prints them.
import {ApiError, validate} from './api.js';
import {citations, h, notice, statusLink} from './dom.js';
import {readHAR, readPasted, resource} from './har.js';

const example = `POST /orders/form HTTP/1.1
content-type: application/x-www-form-urlencoded

HTTP/1.1 201 Created
profile: <https://level3.rest/profiles/form>

created`;

// inFlight bounds the Validate calls one report has open at once.
const inFlight = 6;

export async function render() {
  const out = h('div', {id: 'report', 'aria-live': 'polite'});
  const pasted = h('textarea', {id: 'exchange', name: 'exchange', rows: 10, spellcheck: 'false'}, example);
  const file = h('input', {type: 'file', id: 'har', accept: '.har,application/json', class: 'visually-hidden', tabindex: -1,
    onchange: () => file.files[0] && checkFile(file.files[0], out)});
  const zone = h('label', {class: 'drop', for: 'har', id: 'drop', tabindex: 0,
    onkeydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); file.click(); } }},
  h('strong', {}, 'Drop a HAR file here'), h('span', {}, 'or press to choose one (HAR 1.2, as browsers export it)'));
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const f = e.dataTransfer?.files?.[0];
    if (f) checkFile(f, out);
  });

  return h('section', {class: 'view-validate'},
    h('h1', {}, 'Validate'),
    h('p', {class: 'lead'}, 'Check exchanges against RFC 9110 and the Level 3 profiles they declare. ',
      'Nothing leaves this page except the exchanges, to this statusd; bodies are not sent, only their sizes.'),
    h('div', {class: 'inputs'},
      h('form', {class: 'paste', onsubmit: (e) => {
        e.preventDefault();
        let req;
        try {
          req = readPasted(pasted.value);
        } catch (err) {
          out.replaceChildren(notice('error', err.message));
          return;
        }
        check([req], [], out);
      }},
      h('label', {for: 'exchange'}, 'One exchange: the request, then the response (HTTP/1.1 text or JSON)'),
      pasted, h('p', {}, h('button', {type: 'submit'}, 'Check'))),
      h('div', {class: 'har'}, zone, file)),
    out);
}

async function checkFile(f, out) {
  out.replaceChildren(notice('info', `Reading ${f.name}…`));
  let har;
  try {
    har = readHAR(await f.text());
  } catch (err) {
    out.replaceChildren(notice('error', err.message));
    return;
  }
  await check(har.exchanges.map((exchange) => ({exchange})), har.notes, out, f.name);
}

// check validates every request, at most inFlight at a time, and renders
// the report.
async function check(requests, notes, out, source) {
  out.replaceChildren(notice('info', `Checking ${requests.length} exchanges…`));
  const results = new Array(requests.length);
  let next = 0;
  async function worker() {
    while (next < requests.length) {
      const i = next++;
      try {
        results[i] = {req: requests[i], res: await validate(requests[i])};
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        results[i] = {req: requests[i], err};
      }
    }
  }
  try {
    await Promise.all(Array.from({length: Math.min(inFlight, requests.length)}, worker));
  } catch (err) {
    out.replaceChildren(notice('error', `statusd could not be reached: ${err.message}`));
    return;
  }
  out.replaceChildren(report(results, notes, source));
}

function report(results, notes, source) {
  const groups = new Map();
  for (const r of results) {
    const key = resource(r.req.exchange.target);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const checked = results.filter((r) => r.res);
  const count = (sev) => checked.flatMap((r) => r.res.findings ?? []).filter((f) => f.severity === sev).length;
  const conforming = checked.filter((r) => r.res.conforms).length;
  // The same words as statusd validate's summary (internal/report.Summary).
  const plural = (n, one) => `${n} ${one}${n === 1 ? '' : 's'}`;
  const summary = `${plural(checked.length, 'exchange')}, ${conforming} ${conforming === 1 ? 'conforms' : 'conform'}; ` +
    `${plural(count('SEVERITY_ERROR'), 'error')}, ${plural(count('SEVERITY_WARNING'), 'warning')}, ` +
    `${plural(count('SEVERITY_INFO') + count(undefined) + count('SEVERITY_UNSPECIFIED'), 'info')}`;
  const failed = results.filter((r) => r.err);
  return h('section', {class: 'report'},
    h('h2', {}, source ? `Report on ${source}` : 'Report'),
    h('p', {class: conforming === checked.length ? 'summary ok' : 'summary bad', id: 'summary'}, summary),
    [...groups].map(([name, rs]) => h('section', {class: 'resource', 'data-resource': name},
      h('h3', {}, name),
      h('ol', {class: 'exchanges'}, rs.map(exchange)))),
    failed.length || notes.length ? h('ul', {class: 'notes'},
      notes.map((n) => h('li', {}, `note: ${n}`)),
      failed.map((r) => h('li', {}, `not checked: ${r.req.exchange.method} ${r.req.exchange.target}: ${r.err.message}`))) : null);
}

function exchange(r) {
  const ex = r.req.exchange;
  if (r.err) {
    return h('li', {class: 'exchange failed'}, h('p', {}, `${ex.method} ${ex.status}: not checked`), notice('error', r.err.message));
  }
  const profiles = (r.res.profiles ?? []).map(short);
  return h('li', {class: r.res.conforms ? 'exchange conforms' : 'exchange nonconforming'},
    h('p', {class: 'verdict-line'}, h('span', {class: 'methods'}, ex.method), ' ', statusLink(ex.status), ': ',
      h('strong', {}, r.res.conforms ? 'conforms' : 'does not conform'),
      profiles.length ? ` (${profiles.join(', ')})` : ''),
    (r.res.findings ?? []).length ? h('ul', {class: 'findings'}, r.res.findings.map(finding)) : null);
}

function finding(f) {
  const sev = (f.severity ?? 'SEVERITY_INFO').replace('SEVERITY_', '').toLowerCase();
  return h('li', {class: `finding ${sev}`, 'data-rule': f.rule},
    h('span', {class: `sev ${sev}`}, sev), ' ', h('code', {class: 'rule'}, f.rule), ' ',
    h('span', {class: 'msg'}, f.message),
    f.expectedStatus ? h('span', {class: 'expected'}, ' Expected: ', statusLink(f.expectedStatus), '.') : null,
    ' ', citations(f.citations));
}

function short(uri) {
  return uri.replace('https://level3.rest/', '').replace(/^profiles\/mixins\//, '').replace(/^profiles\//, '').replace(/^patterns\//, '');
}
