// A fresh project's use of the packed @statusd/client: compiled with tsc
// against the tarball's .d.ts and run against a real statusd ($STATUSD_BIN).
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { createServer as netServer, type AddressInfo } from "node:net";
import { Code, createStatusdClient } from "@statusd/client";
import { validating, type Verdict } from "@statusd/client/middleware";

const port = await new Promise<number>((ok) => {
  const s = netServer().listen(0, "127.0.0.1", () => {
    const p = (s.address() as AddressInfo).port;
    s.close(() => ok(p));
  });
});
const child = spawn(process.env.STATUSD_BIN!, ["-addr", `127.0.0.1:${port}`, "-access-log=false"], { stdio: "inherit" });
const client = createStatusdClient(`http://127.0.0.1:${port}`);
try {
  for (let i = 0; ; i++) {
    try {
      await client.listProfiles({});
      break;
    } catch (e) {
      if (i > 200) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const lookup = await client.lookup({ key: { case: "httpStatus", value: 412 } });
  if (lookup.code !== Code.ABORTED) throw new Error(`412: ${lookup.code}`);
  const verdict = await new Promise<Verdict>((ok) => {
    const app = createServer(
      validating(client, { sampleRate: 1, onVerdict: ok })((_req, res) => {
        res.writeHead(201, { profile: "<https://level3.rest/profiles/form>" });
        res.end("x");
      }),
    );
    app.listen(0, "127.0.0.1", async () => {
      await (await fetch(`http://127.0.0.1:${(app.address() as AddressInfo).port}/`, { method: "POST" })).arrayBuffer();
      app.close();
    });
  });
  const rules = verdict.result?.findings.map((f) => f.rule).sort().join(",");
  if (rules !== "l3.body.empty,l3.form.post.location") throw new Error(`verdict: ${rules} ${String(verdict.error)}`);
  console.log("packed @statusd/client: lookup and middleware OK");
} finally {
  child.kill("SIGTERM");
}
