// Small DOM helpers: the page builds its elements with these, never with
// innerHTML, so text from the API can never become markup.

// h makes an element: h('a', {href: '#/x', class: 'c'}, 'text', child...).
// Attributes with null, undefined or false values are left out; on* keys
// add event listeners.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';

// s makes an SVG element, like h.
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

// citation renders a Citation as a link: "RFC 9110 §15.5.13".
export function citation(c) {
  const label = c.section ? `${c.document} §${c.section}` : c.document;
  const a = h('a', {href: c.url, class: c.legacy ? 'cite legacy' : 'cite', rel: 'noreferrer'}, label);
  if (c.legacy) a.title = 'obsoleted specification, kept for reference';
  return a;
}

// citations renders a list of citations, or nothing.
export function citations(list) {
  if (!list || list.length === 0) return null;
  return h('span', {class: 'cites'}, list.map(citation));
}

// statusLink links to a status's page.
export function statusLink(code, text) {
  return h('a', {href: `#/status/${code}`, class: `st c${String(code)[0]}xx`}, text ?? String(code));
}

// codeChip shows a Connect code name, coloured by code.
export function codeChip(connect) {
  return h('code', {class: `code k-${connect}`}, connect);
}

// message shows a notice (kind: info, error).
export function notice(kind, ...text) {
  return h('p', {class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status'}, ...text);
}
