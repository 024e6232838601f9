// One status: its catalog entry, and what it means in every dialect in
// both directions (the status to a code, and that code back to a status),
// each with the dialect's rationale, and where the dialects disagree.
import {listStatuses, lookup} from './api.js';
import {citations, codeChip, h, notice, statusLink} from './dom.js';
import vocab from './vocab.js';

export async function render(route) {
  const code = Number(route.path[0]);
  const all = await listStatuses();
  const st = all.statuses.find((x) => x.code === code);
  if (!st) return notice('error', `${route.path[0]} is not a status in this catalog.`);

  const rows = await Promise.all(vocab.dialects.map(async (d) => {
    const there = await lookup({httpStatus: code, dialect: d.id});
    const back = await lookup({code: there.code ?? 'CODE_OK', dialect: d.id});
    return {d, there, back};
  }));

  const groups = new Map();
  for (const r of rows) {
    const c = connect(r.there);
    groups.set(c, [...(groups.get(c) ?? []), r.d.label]);
  }
  const agree = groups.size === 1;
  // The answer most dialects give; the others stand out.
  const majority = [...groups].reduce((a, b) => (b[1].length > a[1].length ? b : a))[0];
  const focus = route.path[1];

  return h('article', {class: 'view-status', 'data-status': code},
    h('p', {class: 'crumbs'}, h('a', {href: '#/catalog'}, 'Catalog'), ' / ', String(code)),
    h('h1', {}, h('span', {class: `num c${String(code)[0]}xx`}, code), ' ', st.reason),
    h('p', {class: 'meaning'}, st.meaning),
    h('dl', {class: 'facts'},
      h('dt', {}, 'Defined in'), h('dd', {id: 'defined-in'}, citations(st.citations) ?? 'no citation'),
      h('dt', {}, 'Class'), h('dd', {}, vocab.classes.find((c) => c.id === st.statusClass)?.label ?? st.statusClass),
      h('dt', {}, 'Level 3 profiles'), h('dd', {},
        st.allProfiles ? 'all profiles' : (st.profiles ?? []).length ? st.profiles.map((p) =>
          h('a', {class: 'tag profile', href: `#/profiles?focus=p-${p}`}, p)) : 'none'),
      st.formerReasons?.length ? [h('dt', {}, 'Former reasons'), h('dd', {}, st.formerReasons.join('; '))] : null),
    errata(st.errata),
    h('h2', {}, 'In every dialect'),
    h('p', {id: 'verdict', class: agree ? 'verdict agree' : 'verdict disagree', 'data-agree': String(agree)},
      agree ? `Every dialect maps ${code} to ` : `The dialects disagree about ${code}: `,
      [...groups].map(([c, names], i) => [i ? '; ' : '', codeChip(c), agree ? '' : ` in ${names.join(', ')}`]), '.'),
    h('div', {class: 'scroll'}, h('table', {class: 'dialects'},
      h('caption', {}, `${code} → code without context, and that code back to a status. `,
        h('a', {href: `#/lookup?status=${code}`}, 'Ask with a method, profiles or headers')),
      h('thead', {}, h('tr', {},
        h('th', {scope: 'col'}, 'Dialect'), h('th', {scope: 'col'}, `${code} →`), h('th', {scope: 'col'}, 'why'),
        h('th', {scope: 'col'}, '→ back'), h('th', {scope: 'col'}, 'why'))),
      h('tbody', {}, rows.map((r) => row(r, code, connect(r.there) !== majority, focus))))));
}

function connect(answer) {
  return answer.connectCode || 'ok';
}

function row({d, there, back}, code, odd, focus) {
  const roundTrip = back.httpStatus === code;
  return h('tr', {id: `d-${d.id}`, 'data-dialect': d.id, class: focus === d.id ? 'target' : null},
    h('th', {scope: 'row'}, d.label),
    h('td', {class: odd ? 'answer minority' : 'answer', 'data-code': connect(there)}, codeChip(connect(there))),
    h('td', {class: 'why'}, there.rationale, ' ', citations(there.citations)),
    h('td', {class: roundTrip ? 'back same' : 'back other'},
      statusLink(back.httpStatus), roundTrip ? '' : h('span', {class: 'hint'}, ` not ${code}`)),
    h('td', {class: 'why'}, back.rationale, ' ', citations(back.citations)));
}

function errata(list) {
  if (!list?.length) return null;
  return h('section', {class: 'errata'},
    h('h2', {}, 'Where the catalog corrects the Level 3 table'),
    h('ul', {}, list.map((e) => h('li', {},
      h('strong', {}, e.field), `: the table says “${e.sourceValue}”, the catalog “${e.correctedValue}”. `, e.reason))));
}
