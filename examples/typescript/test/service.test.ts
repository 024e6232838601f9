import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { statusClient } from "../src/client.js";
import { validating, type Verdict } from "@statusd/client/middleware";
import { ordersApp } from "../src/service.js";
import { startStatusd, type Statusd } from "../../../sdk/typescript/test/statusd.js";

let statusd: Statusd;
let app: Server;
let base: string;
const verdicts: Verdict[] = [];
const waiting: Array<() => void> = [];

before(async () => {
  statusd = await startStatusd();
  // Every response is checked here (sampleRate 1); a real service would
  // keep the default 10 % sample in observe mode.
  const check = validating(statusClient(statusd.baseUrl), {
    sampleRate: 1,
    onVerdict: (v) => {
      verdicts.push(v);
      waiting.shift()?.();
    },
  });
  app = createServer(check(ordersApp));
  await new Promise<void>((ok) => app.listen(0, "127.0.0.1", ok));
  base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((ok) => app.close(ok));
  await statusd.stop();
});

async function call(method: string, path: string, body?: string): Promise<Verdict> {
  const verdict = new Promise<void>((ok) => waiting.push(ok));
  const res = await fetch(base + path, { method, body, headers: body ? { "content-type": "application/json" } : {} });
  await res.arrayBuffer();
  await verdict;
  const v = verdicts.at(-1)!;
  assert.equal(v.error, undefined, String(v.error));
  return v;
}

test("the Home resource conforms", async () => {
  for (const method of ["HEAD", "GET"]) {
    const v = await call(method, "/");
    assert.equal(v.status, 200);
    assert.equal(v.result?.conforms, true, JSON.stringify(v.result?.findings));
    assert.deepEqual(v.result?.profiles, ["https://level3.rest/profiles/home"]);
  }
});

test("the Form conforms", async () => {
  const v = await call("POST", "/orders/form", '{"item":"tea"}');
  assert.equal(v.status, 201);
  assert.equal(v.result?.conforms, true, JSON.stringify(v.result?.findings));
});

test("the broken Form is caught, with what to send instead", async () => {
  const v = await call("POST", "/orders/broken-form", '{"item":"tea"}');
  assert.equal(v.result?.conforms, false);
  const rules = v.result?.findings.map((f) => f.rule).sort();
  assert.deepEqual(rules, ["l3.body.empty", "l3.form.post.location"]);
  assert.match(v.result!.findings.find((f) => f.rule === "l3.body.empty")!.message, /send no body/);
});

test("a 404 without profile is checked against RFC 9110 only", async () => {
  const v = await call("GET", "/nope");
  assert.equal(v.status, 404);
  assert.equal(v.result?.conforms, true);
  assert.deepEqual(v.result?.findings.map((f) => f.rule), ["l3.profile.none"]);
});
