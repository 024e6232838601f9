// The Connect JSON client of statusd's own StatusService: GET for the
// methods without side effects (so browser and proxy caches can answer),
// POST for Validate. No second API: every fact on the page comes from here.

const base = '/statusd.v1.StatusService/';

// ApiError is a Connect error answer: its code and message.
export class ApiError extends Error {
  constructor(code, message) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}

const cache = new Map();

// getURL is the Connect GET URL of a call, the address that holds the
// question.
export function getURL(method, message) {
  const q = new URLSearchParams({connect: 'v1', encoding: 'json', message: JSON.stringify(message)});
  return `${base}${method}?${q}`;
}

// get calls a method with Connect GET; answers are kept for the page's
// lifetime (the catalog is the same until statusd is reloaded).
export function get(method, message) {
  const url = getURL(method, message);
  if (!cache.has(url)) {
    const p = fetch(url).then(decode);
    p.catch(() => cache.delete(url));
    cache.set(url, p);
  }
  return cache.get(url);
}

// post calls a method with a Connect unary POST.
export function post(method, message, signal) {
  return fetch(base + method, {
    method: 'POST',
    headers: {'content-type': 'application/json', 'connect-protocol-version': '1'},
    body: JSON.stringify(message),
    signal,
  }).then(decode);
}

async function decode(resp) {
  let body = null;
  try {
    body = await resp.json();
  } catch {
    // not JSON: reported below
  }
  if (!resp.ok) {
    throw new ApiError(body?.code ?? `HTTP ${resp.status}`, body?.message ?? resp.statusText);
  }
  return body ?? {};
}

export const lookup = (req) => get('Lookup', req);
export const listStatuses = (req = {}) => get('ListStatuses', req);
export const listProfiles = (req = {}) => get('ListProfiles', req);
export const validate = (req, signal) => post('Validate', req, signal);
