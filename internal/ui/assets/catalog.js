// The catalog: every status with its reason, class, meaning, citations and
// the Level 3 profiles that use it; searchable and filterable, the filter
// kept in the URL.
import {listProfiles, listStatuses} from './api.js';
import {citations, h, notice, statusLink} from './dom.js';
import vocab from './vocab.js';

export async function render(route) {
  const p = route.params;
  const state = {q: p.get('q') ?? '', cls: p.get('class') ?? '', profile: p.get('profile') ?? ''};
  const [all, profiles] = await Promise.all([listStatuses(), listProfiles()]);
  const total = all.statuses.length;

  const list = h('ol', {class: 'catalog', id: 'catalog'});
  const count = h('p', {class: 'count', id: 'count', role: 'status'});
  const search = h('input', {type: 'search', id: 'q', name: 'q', value: state.q,
    placeholder: '412, precondition, etag…', autocomplete: 'off'});
  const cls = h('select', {id: 'class', name: 'class'},
    h('option', {value: ''}, 'every class'),
    vocab.classes.map((c, i) => h('option', {value: c.id, selected: c.id === state.cls}, `${i + 1}xx ${c.label}`)));
  const prof = h('select', {id: 'profile', name: 'profile'},
    h('option', {value: ''}, 'any profile'),
    profiles.profiles.map((x) => h('option', {value: x.id, selected: x.id === state.profile}, x.name)));

  // update filters by class and profile through the API (the profile rule
  // lives in statusd), and by text here; the URL follows without a reload.
  let seq = 0;
  async function update() {
    const mine = ++seq;
    state.q = search.value.trim();
    state.cls = cls.value;
    state.profile = prof.value;
    const req = {};
    if (state.cls) req.statusClass = state.cls;
    if (state.profile) req.profile = state.profile;
    const res = state.cls || state.profile ? await listStatuses(req) : all;
    if (mine !== seq) return;
    const words = state.q.toLowerCase().split(/\s+/).filter(Boolean);
    const shown = (res.statuses ?? []).filter((st) => words.every((w) => haystack(st).includes(w)));
    list.replaceChildren(...shown.map(card));
    count.textContent = shown.length === total ? `${total} statuses` : `${shown.length} of ${total} statuses`;
    const q = new URLSearchParams();
    if (state.q) q.set('q', state.q);
    if (state.cls) q.set('class', state.cls);
    if (state.profile) q.set('profile', state.profile);
    history.replaceState(null, '', `#/catalog${q.size ? '?' + q : ''}`);
  }
  const later = () => update().catch((err) => list.replaceChildren(notice('error', err.message)));
  search.addEventListener('input', later);
  cls.addEventListener('change', later);
  prof.addEventListener('change', later);
  await update();

  return h('section', {class: 'view-catalog'},
    h('h1', {}, 'Catalog'),
    h('p', {class: 'lead'}, 'Every registered HTTP status as statusd knows it, with the Level 3 profiles that use it. ',
      'Open a status to see what each RPC stack makes of it.'),
    h('form', {class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault()},
      h('label', {}, h('span', {}, 'Search'), search),
      h('label', {}, h('span', {}, 'Class'), cls),
      h('label', {}, h('span', {}, 'Profile'), prof)),
    count, list);
}

function haystack(st) {
  return [st.code, st.reason, ...(st.formerReasons ?? []), st.meaning, ...(st.profiles ?? []),
    ...(st.citations ?? []).map((c) => `${c.document} ${c.section ?? ''}`)].join(' ').toLowerCase();
}

function card(st) {
  const cls = vocab.classes.find((c) => c.id === st.statusClass);
  return h('li', {class: `card status c${String(st.code)[0]}xx`, id: `s${st.code}`, 'data-status': st.code},
    h('h2', {}, statusLink(st.code, h('span', {class: 'num'}, st.code)), ' ',
      h('a', {href: `#/status/${st.code}`, class: 'reason'}, st.reason)),
    h('p', {class: 'tags'},
      h('span', {class: 'tag'}, cls?.label ?? st.statusClass),
      st.level3 ? h('span', {class: 'tag l3', title: 'in the Level 3 status table'}, 'Level 3') : null,
      st.allProfiles ? h('span', {class: 'tag'}, 'all profiles') : null,
      (st.profiles ?? []).map((p) => h('a', {class: 'tag profile', href: `#/profiles?focus=p-${p}`}, p))),
    h('p', {class: 'meaning'}, st.meaning),
    st.formerReasons?.length ? h('p', {class: 'former'}, 'Formerly: ', st.formerReasons.join('; ')) : null,
    citations(st.citations));
}
