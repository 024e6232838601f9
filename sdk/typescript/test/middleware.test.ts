import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { createStatusdClient, createValidateStreamTap, type StatusdClient } from "../src/index.js";
import { validating, type ValidatingOptions, type Verdict } from "../src/middleware.js";
import { startStatusd, type Statusd } from "./statusd.js";

let statusd: Statusd;
let client: StatusdClient;

before(async () => {
  statusd = await startStatusd();
  client = createStatusdClient(statusd.baseUrl);
});
after(() => statusd.stop());

// A Form with one good and one broken route.
const app: RequestListener = (req, res) => {
  req.resume();
  req.on("end", () => {
    if (req.url === "/form") {
      res.writeHead(201, { profile: "<https://level3.rest/profiles/form>", location: "/orders/42" });
      res.end();
    } else {
      // A 201 with a body and no location: two Level 3 errors.
      res.writeHead(201, { profile: "<https://level3.rest/profiles/form>", "content-type": "text/plain" });
      res.end("created");
    }
  });
};

async function serve(listener: RequestListener): Promise<{ base: string; server: Server }> {
  const server = createServer(listener);
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function collector() {
  const verdicts: Verdict[] = [];
  const waiting: Array<() => void> = [];
  return {
    verdicts,
    onVerdict: (v: Verdict) => (verdicts.push(v), waiting.shift()?.()),
    next: () => new Promise<void>((ok) => waiting.push(ok)),
  };
}

async function withApp(options: ValidatingOptions, fn: (base: string) => Promise<void>) {
  const { base, server } = await serve(validating(client, options)(app));
  try {
    await fn(base);
  } finally {
    await new Promise((ok) => server.close(ok));
  }
}

test("observe: the verdict comes after the response, findings to the callback", async () => {
  const c = collector();
  await withApp({ sampleRate: 1, onVerdict: c.onVerdict }, async (base) => {
    const got = c.next();
    const res = await fetch(base + "/broken", { method: "POST", body: "{}" });
    assert.equal(res.status, 201);
    assert.equal(await res.text(), "created");
    await got;
    const v = c.verdicts[0];
    assert.equal(v.error, undefined, String(v.error));
    assert.equal(v.result?.conforms, false);
    assert.deepEqual(v.result?.findings.map((f) => f.rule).sort(), ["l3.body.empty", "l3.form.post.location"]);
  });
});

test("observe: sampling and the in-flight cap bound the checks", async () => {
  let n = 0;
  const sampled = validating(client, { sampleRate: 0.25, random: () => (n++ % 4) / 4, onVerdict: () => {} });
  const { base, server } = await serve(sampled(app));
  for (let i = 0; i < 8; i++) await (await fetch(base + "/form", { method: "POST" })).arrayBuffer();
  assert.equal(sampled.stats().skippedBySampling, 6);
  server.close();

  let release!: () => void;
  const gate = new Promise<void>((ok) => (release = ok));
  const slow: StatusdClient = { ...client, validate: async (req, opts) => (await gate, client.validate(req, opts)) };
  const capped = validating(slow, { sampleRate: 1, maxInFlight: 2, onVerdict: () => {} });
  const s2 = await serve(capped(app));
  // A burst: all five arrive before any verdict.
  await Promise.all([1, 2, 3, 4, 5].map(async () => (await fetch(s2.base + "/form", { method: "POST" })).arrayBuffer()));
  assert.equal(capped.stats().inFlight, 2);
  assert.equal(capped.stats().skippedBusy, 3);
  release();
  for (let i = 0; i < 100 && capped.stats().inFlight > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(capped.stats().inFlight, 0);
  s2.server.close();
});

test("a request aborted before its response gives its slot back", async () => {
  const v = validating(client, { sampleRate: 1, maxInFlight: 1, onVerdict: () => {} });
  const { base, server } = await serve(v(() => {})); // never answers
  const ctl = new AbortController();
  const call = fetch(base + "/form", { method: "POST", signal: ctl.signal }).catch(() => undefined);
  for (let i = 0; i < 100 && v.stats().inFlight === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(v.stats().inFlight, 1);
  ctl.abort();
  await call;
  for (let i = 0; i < 100 && v.stats().inFlight > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(v.stats().inFlight, 0);
  server.closeAllConnections();
  server.close();
});

test("observe: without a callback, non-conforming findings go to the logger", async () => {
  const lines: string[] = [];
  let logged!: () => void;
  const done = new Promise<void>((ok) => (logged = ok));
  await withApp({ sampleRate: 1, logger: { warn: (m) => (lines.push(m), logged()) } }, async (base) => {
    await (await fetch(base + "/form", { method: "POST" })).arrayBuffer();
    await (await fetch(base + "/broken", { method: "POST" })).arrayBuffer();
    await done;
  });
  assert.equal(lines.length, 1);
  assert.match(lines[0], /POST \/broken 201: .*l3\.form\.post\.location/);
});

test("observe over a ValidateStream tap", async () => {
  const c = collector();
  const tap = createValidateStreamTap(client);
  await withApp({ sampleRate: 1, tap, onVerdict: c.onVerdict }, async (base) => {
    const got = c.next();
    await (await fetch(base + "/broken", { method: "POST" })).arrayBuffer();
    await got;
  });
  assert.equal(c.verdicts[0].result?.conforms, false);
  assert.equal(tap.opened, 1);
  await tap.close();
});

test("enforce: the verdict is known before the response leaves; non-conforming is replaced", async () => {
  const c = collector();
  let verdictAt = 0;
  await withApp(
    { mode: "enforce", rejectNonConforming: true, onVerdict: (v) => ((verdictAt = performance.now()), c.onVerdict(v)) },
    async (base) => {
      const good = await fetch(base + "/form", { method: "POST" });
      const goodAt = performance.now();
      assert.equal(good.status, 201);
      assert.equal(good.headers.get("location"), "/orders/42");
      assert.ok(verdictAt > 0 && verdictAt <= goodAt, "verdict before the response");
      const bad = await fetch(base + "/broken", { method: "POST" });
      assert.equal(bad.status, 500);
      assert.equal(bad.headers.get("content-type"), "application/problem+json");
      const problem = (await bad.json()) as { findings: { rule: string }[] };
      assert.deepEqual(problem.findings.map((f) => f.rule).sort(), ["l3.body.empty", "l3.form.post.location"]);
    },
  );
});

test("enforce: statusd down means fail open, with the error reported", async () => {
  const c = collector();
  const down = createStatusdClient("http://127.0.0.1:9", { timeoutMs: 500 });
  const { base, server } = await serve(validating(down, { mode: "enforce", rejectNonConforming: true, onVerdict: c.onVerdict })(app));
  const res = await fetch(base + "/broken", { method: "POST" });
  assert.equal(res.status, 201);
  assert.equal(await res.text(), "created");
  assert.ok(c.verdicts[0].error);
  server.close();
});

test("Express: app.use(v.express)", async () => {
  const c = collector();
  const v = validating(client, { sampleRate: 1, onVerdict: c.onVerdict });
  const e = express();
  e.use(v.express);
  e.post("/orders/form", (_req, res) => {
    res.status(201).set({ profile: "<https://level3.rest/profiles/form>" }).send("x");
  });
  const { base, server } = await serve(e);
  try {
    const got = c.next();
    await (await fetch(base + "/orders/form", { method: "POST" })).arrayBuffer();
    await got;
  } finally {
    server.close();
  }
  assert.deepEqual(c.verdicts[0].result?.findings.map((f) => f.rule).sort(), ["l3.body.empty", "l3.form.post.location"]);
});

test("Express with enforce: res.send is held, then replaced", async () => {
  const v = validating(client, { mode: "enforce", rejectNonConforming: true, onVerdict: () => {} });
  const e = express();
  e.use(v.express);
  e.post("/good", (_req, res) => {
    res.status(201).set({ profile: "<https://level3.rest/profiles/form>", location: "/orders/1" }).end();
  });
  e.post("/bad", (_req, res) => {
    res.status(201).set({ profile: "<https://level3.rest/profiles/form>" }).send("x");
  });
  const { base, server } = await serve(e);
  try {
    // No writeHead here: Express sets statusCode and headers, and end()
    // writes the head itself once the response is released.
    const good = await fetch(base + "/good", { method: "POST" });
    assert.equal(good.status, 201);
    assert.equal(good.headers.get("location"), "/orders/1");
    const bad = await fetch(base + "/bad", { method: "POST" });
    assert.equal(bad.status, 500);
  } finally {
    server.close();
  }
});
