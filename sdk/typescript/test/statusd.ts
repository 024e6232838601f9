// Starts a real statusd for the tests: built from this repository (or
// $STATUSD_BIN), on a free loopback port, stopped when the tests end. The
// tests of examples/typescript use it too.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

// The repository root: the nearest folder above with a go.mod (this file runs
// from test/ and from the compiled build-test/test/).
function repoRoot(): string {
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "go.mod"))) return dir;
    if (dirname(dir) === dir) throw new Error("no go.mod above " + import.meta.dirname + ": set STATUSD_BIN");
  }
}
let built: string | undefined;

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

function binary(): string {
  if (process.env.STATUSD_BIN) return process.env.STATUSD_BIN;
  if (!built) {
    built = join(mkdtempSync(join(tmpdir(), "statusd-ts-")), "statusd");
    execFileSync("go", ["build", "-o", built, "./cmd/statusd"], { cwd: repoRoot(), stdio: "inherit" });
  }
  return built;
}

/** Starts statusd with extra flags, such as -read-timeout=1s. */
export async function startStatusd(...flags: string[]): Promise<Statusd> {
  const port = await freePort();
  const child: ChildProcess = spawn(binary(), ["-addr", `127.0.0.1:${port}`, "-access-log=false", ...flags], { stdio: "ignore" });
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
