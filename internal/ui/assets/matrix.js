// The disagreement matrix as two heat maps: HTTP status × dialect → code
// (from ListStatuses with include_mappings) and code × dialect → HTTP
// status (from Lookup, one cached Connect GET per cell, since no RPC lists
// that direction). Rows where the dialects disagree stand out; every cell
// links to the rationale behind it.
import {listStatuses, lookup} from './api.js';
import {h, notice} from './dom.js';
import vocab from './vocab.js';

export async function render(route) {
  const only = route.params.get('only') === '1';
  const res = await listStatuses({includeMappings: true});
  const reasons = new Map(res.statuses.map((s) => [s.code, s.reason]));
  const statusRows = res.mappings.filter((m) => !only || !m.agree);
  const disagreeing = res.mappings.filter((m) => !m.agree).length;
  // The code map needs a Lookup per cell, so it follows when they are in.
  const codeSection = h('div', {class: 'scroll', id: 'code-map'},
    notice('info', `Asking statusd for ${vocab.codes.length * vocab.dialects.length} code → status lookups…`));
  const codeCount = h('strong', {}, `… of ${vocab.codes.length} codes`);
  codeRows().then((byCode) => {
    codeCount.textContent = `${byCode.filter((r) => !r.agree).length} of ${byCode.length} codes`;
    codeSection.replaceChildren(heat('code', byCode.filter((r) => !only || !r.agree)));
  }, (err) => codeSection.replaceChildren(notice('error', err.message)));

  const toggle = h('input', {type: 'checkbox', id: 'only', checked: only,
    onchange: (e) => { location.hash = e.target.checked ? '#/matrix?only=1' : '#/matrix'; }});

  return h('section', {class: 'view-matrix'},
    h('h1', {}, 'Where the stacks disagree'),
    h('p', {class: 'lead'}, `Without context, the ${vocab.dialects.length} dialects disagree about `,
      h('strong', {}, `${disagreeing} of ${res.mappings.length} statuses`), ' and ',
      codeCount,
      '. In a row where they disagree (≠), the answers that differ from the most common one are coloured, one colour per answer. Every cell opens its rationale.'),
    h('p', {class: 'filters'}, h('label', {class: 'check'}, toggle, ' only disagreements')),
    h('section', {}, h('h2', {}, 'Code → HTTP status'),
      codeSection),
    h('section', {}, h('h2', {}, 'HTTP status → code'),
        h('div', {class: 'scroll'}, heat('status', statusRows.map((m) => ({
          key: m.httpStatus, agree: Boolean(m.agree),
          head: h('a', {href: `#/status/${m.httpStatus}`, title: reasons.get(m.httpStatus)}, m.httpStatus),
          cells: m.codes.map((c) => {
            const name = c.connectCode || 'ok';
            return {text: name, kind: `k-${name}`, href: `#/status/${m.httpStatus}/${c.dialect}?focus=d-${c.dialect}`,
              title: `${m.httpStatus} in ${label(c.dialect)}: ${name}`};
          }),
        }))))));
}

function label(dialect) {
  return vocab.dialects.find((d) => d.id === dialect)?.label ?? dialect;
}

// codeRows asks every code in every dialect.
async function codeRows() {
  return Promise.all(vocab.codes.map(async (code) => {
    const answers = await Promise.all(vocab.dialects.map((d) => lookup({code: code.id, dialect: d.id})));
    const agree = answers.every((a) => a.httpStatus === answers[0].httpStatus);
    return {
      key: code.label, agree,
      head: h('a', {href: `#/lookup?code=${code.id}`}, code.label),
      cells: answers.map((a, i) => {
        const d = vocab.dialects[i];
        return {text: String(a.httpStatus), kind: `s-${a.httpStatus} c${String(a.httpStatus)[0]}xx`,
          href: `#/lookup?code=${code.id}&dialect=${d.id}`, title: `${code.label} in ${d.label}: ${a.httpStatus}`};
      }),
    };
  }));
}

function heat(kind, rows) {
  return h('table', {class: `heat heat-${kind}`, id: `heat-${kind}`},
    h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, kind === 'status' ? 'HTTP' : 'code'),
      vocab.dialects.map((d) => h('th', {scope: 'col'}, h('span', {}, d.label))))),
    h('tbody', {}, rows.map((r) => h('tr', {
      id: `${kind}-${r.key}`, 'data-key': r.key, 'data-agree': String(r.agree),
      class: r.agree ? 'agree' : 'disagree',
    },
    h('th', {scope: 'row'}, r.head, r.agree ? null : h('span', {class: 'flag', title: 'the dialects disagree'}, ' ≠')),
    cells(r.cells)))));
}

// cells marks the cells that differ from their row's most common answer.
function cells(list) {
  const counts = new Map();
  for (const c of list) counts.set(c.text, (counts.get(c.text) ?? 0) + 1);
  const majority = [...counts].reduce((a, b) => (b[1] > a[1] ? b : a))[0];
  return list.map((c) => h('td', {class: `${c.kind}${c.text === majority ? '' : ' odd'}`},
    h('a', {href: c.href, title: c.title}, c.text)));
}
