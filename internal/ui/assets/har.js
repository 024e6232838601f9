// Reading exchanges in the browser, the way statusd's internal/har and
// `statusd validate` read them (TestHARMatchesGo compares the two on the
// same file), so a HAR never leaves the browser except to this statusd.

// maxEntries bounds how many exchanges one file sends for checking.
export const maxEntries = 2000;

// readHAR turns a HAR 1.2 document into exchanges and notes on skipped
// entries.
export function readHAR(text) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`har: not a HAR file: ${err.message}`);
  }
  if (!doc || typeof doc.log !== 'object' || doc.log === null) throw new Error('har: not a HAR file: no "log" object');
  const exchanges = [];
  const notes = [];
  (doc.log.entries ?? []).forEach((e, i) => {
    const req = e?.request ?? {}, resp = e?.response ?? {};
    const status = Number(resp.status ?? 0);
    if (!(status >= 100 && status <= 599)) {
      notes.push(`entry ${i} (${req.url ?? ''}) skipped: response status ${status} is not an HTTP status (no response was recorded)`);
      return;
    }
    if (!req.method) {
      notes.push(`entry ${i} (${req.url ?? ''}) skipped: no request method`);
      return;
    }
    if (exchanges.length >= maxEntries) {
      notes.push(`entry ${i} (${req.url ?? ''}) skipped: only the first ${maxEntries} exchanges of a file are checked`);
      return;
    }
    const ex = {method: req.method, target: req.url ?? '', status,
      requestHeaders: headers(req.headers), responseHeaders: headers(resp.headers)};
    if (Number.isInteger(req.bodySize) && req.bodySize >= 0) ex.requestBodySize = String(req.bodySize);
    const size = responseBodySize(resp, status);
    if (size !== null) ex.responseBodySize = String(size);
    exchanges.push(ex);
  });
  return {exchanges, notes};
}

// responseBodySize prefers bodySize (bytes received); content.size is the
// decoded size, which browsers also fill in for a 304 served from cache.
function responseBodySize(resp, status) {
  if (Number.isInteger(resp.bodySize) && resp.bodySize >= 0) return resp.bodySize;
  const size = resp.content?.size;
  if (Number.isInteger(size) && size >= 0 && status >= 200 && status !== 204 && status !== 304) return size;
  return null;
}

// headers drops HTTP/2 pseudo-headers (":authority").
function headers(list) {
  return (list ?? []).filter((x) => !String(x.name).startsWith(':'))
    .map((x) => ({name: String(x.name), value: String(x.value ?? '')}));
}

// readPasted reads one exchange typed or pasted as HTTP/1.1 text (request
// line, headers, optional body, then the status line and headers), or as
// JSON: an Exchange or a ValidateRequest.
export function readPasted(text) {
  const t = text.trim();
  if (t.startsWith('{')) {
    const v = JSON.parse(t);
    return v.exchange ? v : {exchange: v};
  }
  const lines = t.split(/\r?\n/);
  const statusAt = lines.findIndex((l) => /^HTTP\/\d(\.\d)?\s+\d{3}\b/.test(l));
  if (statusAt < 0) throw new Error('No status line (such as "HTTP/1.1 201 Created") found.');
  const req = message(lines.slice(0, statusAt));
  const resp = message(lines.slice(statusAt));
  const [method, target = ''] = (req.start ?? '').split(/\s+/);
  if (!method) throw new Error('No request line (such as "POST /orders/form HTTP/1.1") found.');
  const ex = {method, target, status: Number(resp.start.split(/\s+/)[1]),
    requestHeaders: req.headers, responseHeaders: resp.headers};
  if (req.body !== null) ex.requestBodySize = String(new TextEncoder().encode(req.body).length);
  if (resp.body !== null) ex.responseBodySize = String(new TextEncoder().encode(resp.body).length);
  return {exchange: ex};
}

// message splits a start line, header lines and an optional body.
function message(lines) {
  const start = lines.shift();
  const headers = [];
  while (lines.length && lines[0].trim() !== '') {
    const line = lines.shift();
    const i = line.indexOf(':');
    if (i <= 0) throw new Error(`"${line}" is not a header line (name: value).`);
    headers.push({name: line.slice(0, i).trim(), value: line.slice(i + 1).trim()});
  }
  lines.shift();
  const body = lines.length && lines.join('\n').trim() !== '' ? lines.join('\n').replace(/\n+$/, '') : null;
  return {start, headers, body};
}

// resource names the resource of an exchange as `statusd validate` does:
// its target without query or fragment.
export function resource(target) {
  if (!target) return '(no target)';
  return target.split('#', 1)[0].split('?', 1)[0];
}
