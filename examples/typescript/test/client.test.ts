import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Code, ConnectCode, ConnectError, Dialect } from "@statusd/client";
import { lookupStatus, statusClient, validateExchange, type StatusdClient } from "../src/client.js";
import { startStatusd, type Statusd } from "../../../sdk/typescript/test/statusd.js";

let statusd: Statusd;
let client: StatusdClient;

before(async () => {
  statusd = await startStatusd();
  client = statusClient(statusd.baseUrl);
});
after(() => statusd.stop());

test("412 means aborted in Level 3 and unknown in Connect", async () => {
  const l3 = await lookupStatus(client, 412);
  assert.equal(l3.code, Code.ABORTED);
  assert.equal(l3.connectCode, "aborted");
  assert.equal(l3.status?.reason, "Precondition Failed");
  assert.deepEqual(l3.status?.profiles, ["entity"]);
  assert.deepEqual(
    l3.status?.citations.map((c: { document: string; section: string }) => `${c.document} ${c.section}`),
    ["RFC 9110 15.5.13", "RFC 7232 4.2"],
  );
  const connect = await lookupStatus(client, 412, Dialect.CONNECT);
  assert.equal(connect.connectCode, "unknown");
  assert.match(connect.rationale, /Connect protocol/);
});

test("a Form answers a successful POST with 201", async () => {
  const res = await client.lookup({ key: { case: "code", value: Code.OK }, method: "POST", profiles: ["form"] });
  assert.equal(res.httpStatus, 201);
});

test("Validate finds what a Form response does wrong", async () => {
  const ok = await validateExchange(client, {
    method: "POST",
    status: 201,
    responseHeaders: [
      { name: "profile", value: "<https://level3.rest/profiles/form>" },
      { name: "location", value: "/orders/42" },
    ],
    responseBodySize: 0n,
  });
  assert.equal(ok.conforms, true);
  assert.equal(ok.findings.length, 0);

  const bad = await validateExchange(client, { method: "POST", status: 201, responseBodySize: 7n }, ["form"]);
  assert.equal(bad.conforms, false);
  assert.deepEqual(bad.findings.map((f) => f.rule).sort(), ["l3.body.empty", "l3.form.post.location", "l3.profile.missing"]);
});

test("bad input is invalid_argument naming the field", async () => {
  await assert.rejects(
    () => validateExchange(client, { method: "GET", status: 700 }),
    (err: unknown) => {
      const e = ConnectError.from(err);
      return e.code === ConnectCode.InvalidArgument && e.rawMessage.includes("exchange.status");
    },
  );
  await assert.rejects(
    () => client.lookup({ key: { case: "httpStatus", value: 404 }, profiles: ["foo"] }),
    (err: unknown) => ConnectError.from(err).rawMessage.includes('profiles[0]: unknown profile "foo"'),
  );
});
