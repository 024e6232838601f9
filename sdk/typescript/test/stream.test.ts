import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createStatusdClient, createValidateStreamTap } from "../src/index.js";
import { startStatusd, type Statusd } from "./statusd.js";

let statusd: Statusd;

// A short -read-timeout, so that a stream kept open past it would be cut.
before(async () => (statusd = await startStatusd("-read-timeout=1s")));
after(() => statusd.stop());

const form = { method: "POST", status: 201, responseBodySize: 7n };

test("the tap reopens before the server's read timeout and after maxPerStream", async () => {
  const tap = createValidateStreamTap(createStatusdClient(statusd.baseUrl), { reopenAfterMs: 400, maxPerStream: 3 });
  const first = await Promise.all(Array.from({ length: 7 }, () => tap.send({ exchange: form, profiles: ["form"] })));
  for (const r of first) assert.equal(r.conforms, false);
  assert.equal(tap.opened, 3, "7 exchanges at 3 per stream");
  // Idle past the server's 1s read timeout: the tap's stream ended at 400ms.
  await new Promise((r) => setTimeout(r, 1500));
  const later = await tap.send({ exchange: { method: "GET", status: 404 } });
  assert.equal(later.conforms, true);
  assert.equal(tap.opened, 4);
  await tap.close();
});

test("maxPending bounds what waits", async () => {
  const tap = createValidateStreamTap(createStatusdClient(statusd.baseUrl), { maxPending: 2 });
  const sends = [1, 2, 3].map(() => tap.send({ exchange: form }));
  await assert.rejects(sends[2], /2 exchanges already waiting/);
  await Promise.all(sends.slice(0, 2));
  await tap.close();
});
