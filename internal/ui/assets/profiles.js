// The Level 3 profiles and mixins, each drawn as a small exchange diagram
// (method → status) from the catalog data, so an organisation's overlay
// shows up as it is loaded.
import {listProfiles, listStatuses} from './api.js';
import {citations, h, s, statusLink} from './dom.js';
import vocab from './vocab.js';

export async function render() {
  const [res, all] = await Promise.all([listProfiles(), listStatuses()]);
  const reasons = new Map(all.statuses.map((st) => [st.code, st.reason]));
  const kinds = vocab.profileKinds.filter((k) => res.profiles.some((p) => p.kind === k.id));
  return h('section', {class: 'view-profiles'},
    h('h1', {}, 'Profiles'),
    h('p', {class: 'lead'}, 'Each Level 3 profile and mixin: the methods it allows, the status each answers with ',
      '(dashed when it needs a condition or an optional method), and its errors.'),
    h('nav', {class: 'toc', 'aria-label': 'Profiles'}, h('ul', {}, res.profiles.map((p) =>
      h('li', {}, h('a', {href: `#/profiles?focus=p-${p.id}`}, p.name))))),
    kinds.map((k) => h('section', {},
      h('h2', {}, `${k.label[0].toUpperCase()}${k.label.slice(1)} profiles`),
      h('div', {class: 'profiles'}, res.profiles.filter((p) => p.kind === k.id).map((p) => card(p, reasons))))));
}

function card(p, reasons) {
  const optional = new Set(p.optionalMethods ?? []);
  return h('article', {class: 'card profile', id: `p-${p.id}`, 'data-profile': p.id},
    h('h3', {}, p.name, ' ', h('a', {class: 'uri', href: p.uri, rel: 'noreferrer'}, p.uri.replace(/^https?:\/\//, ''))),
    h('p', {}, p.summary),
    diagram(p, reasons),
    outcomes(p, optional),
    p.errors?.length ? h('details', {},
      h('summary', {}, `${p.errors.length} error statuses`),
      h('ul', {class: 'errors'}, p.errors.map((e) => h('li', {},
        statusLink(e.status), ' ', e.methods?.length ? h('span', {class: 'methods'}, e.methods.join(', '), ': ') : '',
        e.condition)))) : null,
    headers('Request headers', p.requestHeaders),
    headers('Response headers', p.responseHeaders),
    p.mixins?.length ? h('p', {class: 'mixins'}, 'Mixins: ', p.mixins.map((m, i) =>
      [i ? ', ' : '', h('a', {href: `#/profiles?focus=p-${m}`}, m)])) : null,
    citations(p.citations));
}

// diagram draws methods on the left, success statuses on the right and an
// arrow per outcome.
function diagram(p, reasons) {
  const outs = p.outcomes ?? [];
  const methods = [...new Set([...(p.methods ?? []), ...(p.optionalMethods ?? []), ...outs.map((o) => o.method)])];
  const statuses = [...new Set(outs.flatMap((o) => o.statuses ?? []))].sort((a, b) => a - b);
  if (!methods.length && !statuses.length) return null;
  const row = 30;
  const height = Math.max(methods.length, statuses.length, 1) * row + 8;
  const y = (i, n) => 4 + (height - 8 - n * row) / 2 + i * row + row / 2;
  const optional = new Set(p.optionalMethods ?? []);
  const my = new Map(methods.map((m, i) => [m, y(i, methods.length)]));
  const sy = new Map(statuses.map((st, i) => [st, y(i, statuses.length)]));
  const edges = outs.flatMap((o) => (o.statuses ?? []).map((st, i) => {
    const cond = o.condition || (o.whenRequestHas ?? []).join(' or ');
    const dashed = Boolean(cond) || i > 0 || optional.has(o.method);
    const y1 = my.get(o.method), y2 = sy.get(st);
    return s('path', {d: `M96 ${y1} C160 ${y1} 170 ${y2} 226 ${y2}`, class: dashed ? 'edge cond' : 'edge', 'marker-end': `url(#a-${p.id})`},
      s('title', {}, `${o.method} → ${st}${cond ? ` (${cond})` : ''}`));
  }));
  const label = outs.map((o) => `${o.method} answers ${(o.statuses ?? []).join(' or ')}`).join('; ');
  return s('svg', {class: 'diagram', viewBox: `0 0 420 ${height}`, width: 420, height, role: 'img', 'aria-label': `${p.name}: ${label || 'no outcomes'}`},
    s('defs', {}, s('marker', {id: `a-${p.id}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse'},
      s('path', {d: 'M0 0 L10 5 L0 10 z', class: 'arrowhead'}))),
    edges,
    methods.map((m) => s('g', {class: optional.has(m) ? 'method optional' : 'method'},
      s('rect', {x: 4, y: my.get(m) - 11, width: 92, height: 22, rx: 5}),
      s('text', {x: 50, y: my.get(m) + 4, 'text-anchor': 'middle'}, m))),
    statuses.map((st) => s('a', {href: `#/status/${st}`},
      s('g', {class: `status c${String(st)[0]}xx`},
        s('rect', {x: 228, y: sy.get(st) - 11, width: 188, height: 22, rx: 5}),
        s('text', {x: 238, y: sy.get(st) + 4}, `${st} ${reasons.get(st) ?? ''}`)))));
}

function outcomes(p, optional) {
  if (!p.outcomes?.length) return null;
  return h('ul', {class: 'outcomes'}, p.outcomes.map((o) => h('li', {},
    h('span', {class: 'methods'}, o.method), optional.has(o.method) ? ' (optional)' : '', ' → ',
    (o.statuses ?? []).map((st, i) => [i ? ' or ' : '', statusLink(st)]),
    o.condition ? ` ${o.condition}` : '',
    o.whenRequestHas?.length ? h('span', {class: 'when'}, ` when the request has ${o.whenRequestHas.join(' or ')}`) : '')));
}

function headers(title, list) {
  if (!list?.length) return null;
  const req = (r) => (r ?? '').replace('REQUIREMENT_', '').toLowerCase();
  return h('details', {},
    h('summary', {}, `${title} (${list.length})`),
    h('table', {class: 'headers'}, h('tbody', {}, list.map((r) => h('tr', {},
      h('th', {scope: 'row'}, h('code', {}, r.name)),
      h('td', {class: `req ${req(r.requirement)}`}, req(r.requirement)),
      h('td', {}, [r.methods?.join(', '), r.statuses?.join(', '), r.note].filter(Boolean).join(' · ')))))));
}
