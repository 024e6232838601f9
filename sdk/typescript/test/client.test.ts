import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Code, ConnectCode, ConnectError, Dialect, createStatusdClient, type StatusdClient } from "../src/index.js";
import { startStatusd, type Statusd } from "./statusd.js";

let statusd: Statusd;
let client: StatusdClient;
let proxy: Server;
// What went over the wire: the client talks to statusd through a loopback
// proxy that notes each request's method and procedure.
const methods: string[] = [];

before(async () => {
  statusd = await startStatusd();
  const target = new URL(statusd.baseUrl);
  proxy = createServer((req, res) => {
    methods.push(`${req.method} ${new URL(req.url ?? "", "http://x").pathname.split("/").pop()}`);
    const up = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    req.pipe(up);
  });
  await new Promise<void>((ok) => proxy.listen(0, "127.0.0.1", ok));
  client = createStatusdClient(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
});
after(async () => {
  proxy.close();
  await statusd.stop();
});

test("lookups go by Connect GET, Validate by POST", async () => {
  methods.length = 0;
  const l3 = await client.lookup({ key: { case: "httpStatus", value: 412 } });
  assert.equal(l3.code, Code.ABORTED);
  const connect = await client.lookup({ key: { case: "httpStatus", value: 412 }, dialect: Dialect.CONNECT });
  assert.equal(connect.connectCode, "unknown");
  await client.listProfiles({});
  const v = await client.validate({ exchange: { method: "GET", status: 404 } });
  assert.equal(v.conforms, true);
  assert.deepEqual(methods, ["GET Lookup", "GET Lookup", "GET ListProfiles", "POST Validate"]);
});

test("Validate of an exchange with large headers works (it would not fit in a URL)", async () => {
  const responseHeaders = Array.from({ length: 150 }, (_, i) => ({ name: `x-h${i}`, value: "v".repeat(500) }));
  const v = await client.validate({ exchange: { method: "GET", status: 200, responseHeaders } });
  assert.ok(v.findings.length > 0);
});

test("bad input is invalid_argument naming the field", async () => {
  await assert.rejects(
    () => client.validate({ exchange: { method: "GET", status: 700 } }),
    (err: unknown) => {
      const e = ConnectError.from(err);
      return e.code === ConnectCode.InvalidArgument && e.rawMessage.includes("exchange.status");
    },
  );
});
