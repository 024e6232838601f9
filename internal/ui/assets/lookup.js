// The Lookup form: the question lives in the URL (#/lookup?status=412&…),
// and is asked with Connect GET, so an answer can be shared and cached.
import {ApiError, getURL, listProfiles, lookup} from './api.js';
import {citations, codeChip, h, notice, statusLink} from './dom.js';
import vocab from './vocab.js';

export async function render(route) {
  const p = route.params;
  const profiles = (await listProfiles()).profiles;
  const req = request(p);
  const form = h('form', {class: 'lookup', id: 'lookup-form', onsubmit: (e) => {
    e.preventDefault();
    location.hash = `#/lookup?${query(new FormData(e.target))}`;
  }},
  h('fieldset', {class: 'direction'}, h('legend', {}, 'Translate'),
    h('label', {class: 'check'}, h('input', {type: 'radio', name: 'dir', value: 'status', checked: !p.has('code')}), ' an HTTP status'),
    h('input', {type: 'number', name: 'status', id: 'f-status', min: 100, max: 599, 'aria-label': 'HTTP status',
      value: p.get('status') ?? '', placeholder: '412'}),
    h('label', {class: 'check'}, h('input', {type: 'radio', name: 'dir', value: 'code', checked: p.has('code')}), ' an RPC code'),
    h('select', {name: 'code', id: 'f-code', 'aria-label': 'RPC code'},
      vocab.codes.map((c) => h('option', {value: c.id, selected: c.id === p.get('code')}, c.label)))),
  h('fieldset', {}, h('legend', {}, 'In context'),
    h('label', {}, h('span', {}, 'dialect'), h('select', {name: 'dialect', id: 'f-dialect'},
      vocab.dialects.map((d) => h('option', {value: d.id, selected: d.id === p.get('dialect')}, d.label)))),
    h('label', {}, h('span', {}, 'method'), h('input', {name: 'method', id: 'f-method', value: p.get('method') ?? '',
      placeholder: 'PATCH', list: 'methods', autocomplete: 'off'})),
    h('datalist', {id: 'methods'}, ['HEAD', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map((m) => h('option', {value: m}))),
    h('label', {class: 'wide'}, h('span', {}, 'request headers, one per line'),
      h('textarea', {name: 'headers', id: 'f-headers', rows: 3, placeholder: 'if-match: "v7"'}, p.getAll('h').join('\n')))),
  h('fieldset', {class: 'profile-picks'}, h('legend', {}, 'Profiles of the resource'),
    profiles.map((x) => h('label', {class: 'check'},
      h('input', {type: 'checkbox', name: 'profile', value: x.id, checked: p.getAll('profile').includes(x.id)}), ` ${x.name}`))),
  h('p', {}, h('button', {type: 'submit'}, 'Look up')));

  return h('section', {class: 'view-lookup'},
    h('h1', {}, 'Lookup'),
    h('p', {class: 'lead'}, 'Ask what a status means to an RPC client, or which status a code becomes, ',
      'in a dialect and optionally for a method, profiles and request headers. The address bar holds the question.'),
    form, req ? await answer(req) : null);
}

// request turns the URL's parameters into a LookupRequest, or null.
function request(p) {
  const req = {};
  if (p.has('code')) req.code = p.get('code');
  else if (p.get('status')) req.httpStatus = Number(p.get('status'));
  else return null;
  if (p.get('dialect')) req.dialect = p.get('dialect');
  if (p.get('method')) req.method = p.get('method');
  if (p.getAll('profile').length) req.profiles = p.getAll('profile');
  const headers = p.getAll('h').map((line) => {
    const i = line.indexOf(':');
    return i < 0 ? {name: line.trim(), value: ''} : {name: line.slice(0, i).trim(), value: line.slice(i + 1).trim()};
  });
  if (headers.length) req.requestHeaders = headers;
  return req;
}

function query(fd) {
  const q = new URLSearchParams();
  if (fd.get('dir') === 'code') q.set('code', fd.get('code'));
  else q.set('status', fd.get('status'));
  for (const k of ['dialect', 'method']) if (fd.get(k)) q.set(k, String(fd.get(k)).trim());
  for (const x of fd.getAll('profile')) q.append('profile', x);
  for (const line of String(fd.get('headers') ?? '').split('\n')) if (line.trim()) q.append('h', line.trim());
  return q;
}

async function answer(req) {
  let a;
  try {
    a = await lookup(req);
  } catch (err) {
    if (err instanceof ApiError) return h('section', {class: 'answer', id: 'answer'}, notice('error', err.message));
    throw err;
  }
  const dialect = vocab.dialects.find((d) => d.id === a.dialect)?.label ?? a.dialect;
  const st = a.status;
  return h('section', {class: 'answer', id: 'answer', 'aria-label': 'Answer', tabindex: -1, 'data-start': true},
    h('h2', {}, req.code ? [codeChip(a.connectCode || 'ok'), ' → ', statusLink(a.httpStatus)]
      : [statusLink(a.httpStatus), ' → ', codeChip(a.connectCode || 'ok')], h('span', {class: 'in'}, ` in ${dialect}`)),
    h('p', {class: 'rationale'}, a.rationale),
    citations(a.citations),
    a.profiles?.length ? h('p', {}, 'Profiles applied: ', a.profiles.join(', ')) : null,
    st ? h('p', {class: 'status-line'}, statusLink(a.httpStatus, `${a.httpStatus} ${st.reason}`), `: ${st.meaning}`) : null,
    h('p', {class: 'asked'}, 'Asked as ', h('a', {href: getURL('Lookup', req)}, h('code', {}, `GET ${decodeURIComponent(getURL('Lookup', req))}`))));
}
