// A client generated from statusd's OpenAPI document alone (openapi-typescript
// types + openapi-fetch) calling a real statusd: Lookup by POST and by
// Connect GET, Validate, and a Connect error. If the document misdescribed
// the wire (the GET message parameter, the oneof, omitted defaults), these
// calls would fail or type-check wrongly.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import createClient from "openapi-fetch";
import type { components, paths } from "./build/schema.js";

type LookupRequest = components["schemas"]["statusd.v1.LookupRequest"];

const repo = resolve(import.meta.dirname, "../../../../../..");
let child: ChildProcess;
let client: ReturnType<typeof createClient<paths>>;

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.on("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? ok(addr.port) : fail(new Error("no port"))));
    });
  });
}

before(async () => {
  const bin = join(mkdtempSync(join(tmpdir(), "statusd-openapi-")), "statusd");
  execFileSync("go", ["build", "-o", bin, "./cmd/statusd"], { cwd: repo, stdio: "inherit" });
  const port = await freePort();
  child = spawn(bin, ["-addr", `127.0.0.1:${port}`, "-access-log=false"], { stdio: "ignore" });
  const baseUrl = `http://127.0.0.1:${port}`;
  client = createClient<paths>({ baseUrl });
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(`${baseUrl}/openapi.yaml`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error("statusd did not start");
    await new Promise((r) => setTimeout(r, 50));
  }
});
after(() => new Promise<void>((ok) => (child.once("exit", () => ok()), child.kill("SIGTERM"))));

test("Lookup by POST", async () => {
  const { data, error, response } = await client.POST("/statusd.v1.StatusService/Lookup", {
    body: { httpStatus: 412, dialect: "DIALECT_CONNECT" },
  });
  assert.equal(error, undefined);
  assert.equal(response.status, 200);
  assert.equal(data?.code, "CODE_UNKNOWN");
  assert.equal(data?.connectCode, "unknown");
  assert.equal(data?.status?.reason, "Precondition Failed");
});

test("Lookup by Connect GET, message as a JSON string", async () => {
  const message: LookupRequest = { code: "CODE_NOT_FOUND" };
  const { data, error, response } = await client.GET("/statusd.v1.StatusService/Lookup", {
    params: { query: { message: JSON.stringify(message), encoding: "json", connect: "v1" } },
  });
  assert.equal(error, undefined, JSON.stringify(error));
  assert.equal(response.status, 200);
  assert.equal(data?.httpStatus, 404);
  assert.equal(data?.dialect, "DIALECT_LEVEL3");
});

test("the oneof is exactly one: {} does not type-check and the server agrees", async () => {
  // @ts-expect-error: the key oneof is required (httpStatus or code)
  const empty: LookupRequest = {};
  const { error, response } = await client.POST("/statusd.v1.StatusService/Lookup", { body: empty });
  assert.equal(response.status, 400);
  assert.equal(error?.code, "invalid_argument");
});

test("Validate, with omitted defaults", async () => {
  const good = await client.POST("/statusd.v1.StatusService/Validate", {
    body: {
      exchange: {
        method: "POST",
        status: 201,
        responseHeaders: [
          { name: "profile", value: "<https://level3.rest/profiles/form>" },
          { name: "location", value: "/orders/42" },
        ],
        responseBodySize: "0",
      },
    },
  });
  assert.equal(good.error, undefined);
  assert.equal(good.data?.conforms, true);
  assert.equal(good.data?.findings, undefined, "an empty list is left out of JSON (default [])");

  const bad = await client.POST("/statusd.v1.StatusService/Validate", {
    body: { exchange: { method: "POST", status: 201, responseBodySize: 7 }, profiles: ["form"] },
  });
  assert.equal(bad.data?.conforms, undefined, "false is left out of JSON (default false)");
  const rules = (bad.data?.findings ?? []).map((f) => f.rule).sort();
  assert.ok(rules.includes("l3.form.post.location"), rules.join(","));
});

test("a 4XX is the Connect error body", async () => {
  const { error, response } = await client.POST("/statusd.v1.StatusService/Validate", {
    body: { exchange: { method: "GET", status: 700 } },
  });
  assert.equal(response.status, 400);
  assert.equal(error?.code, "invalid_argument");
  assert.match(error?.message ?? "", /exchange\.status/);
  assert.equal(error?.details?.[0]?.type, "buf.validate.Violations");
});
