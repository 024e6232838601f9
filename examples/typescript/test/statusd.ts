// Starts a real statusd for the tests: built from this repository, on a free
// loopback port, stopped when the tests end.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const repo = resolve(import.meta.dirname, "../../..");

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

export interface Statusd {
  baseUrl: string;
  stop(): Promise<void>;
}

export async function startStatusd(): Promise<Statusd> {
  const bin = join(mkdtempSync(join(tmpdir(), "statusd-ts-")), "statusd");
  execFileSync("go", ["build", "-o", bin, "./cmd/statusd"], { cwd: repo, stdio: "inherit" });
  const port = await freePort();
  const child: ChildProcess = spawn(bin, ["-addr", `127.0.0.1:${port}`, "-access-log=false"], { stdio: "ignore" });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const res = await fetch(`${baseUrl}/grpc.health.v1.Health/Check`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      if (res.ok && (await res.text()).includes("SERVING_STATUS_SERVING")) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error("statusd did not start");
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    baseUrl,
    stop: () =>
      new Promise((ok) => {
        child.once("exit", () => ok());
        child.kill("SIGTERM");
      }),
  };
}
