// A middleware for node:http and Express that asks statusd whether each
// response conforms to its Level 3 profiles and RFC 9110.
//
// observe (the default): the response goes out untouched; after it has
// been sent, a sample of exchanges (sampleRate) is validated, with at most
// maxInFlight checks at a time (beyond, the exchange is skipped and
// counted), and each verdict goes to onVerdict (or, by default, the findings
// of non-conforming responses to the logger). Validating every response on
// loopback added 0.3-0.4 ms p50 and 2-3 ms p99 per response (measured for
// issue 18 on the earlier example middleware); 10 % sampling
// makes it disappear, which is why 0.1 is the default.
//
// enforce: the whole response is held until Validate answers, so the
// verdict is known before the client sees anything; with
// rejectNonConforming, a non-conforming response is replaced by a 500
// problem+json naming the findings. If statusd fails or is slower than
// timeoutMs, the original response is released (fail open) and the error
// reported. Holding means buffering: do not enforce on streaming responses.
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { ValidateResponse } from "./gen/statusd/v1/status_service_pb.js";
import { Severity } from "./gen/statusd/v1/code_pb.js";
import type { StatusdClient } from "./client.js";
import type { ValidateStreamTap } from "./stream.js";
import { countChunk, exchangeOf, noteWriteHead, type ExchangeInit, type Recorder } from "./exchange.js";

export interface Verdict {
  method: string;
  target: string;
  status: number;
  /** The verdict, when statusd answered. */
  result?: ValidateResponse;
  /** Why there is no verdict. */
  error?: unknown;
}

export interface ValidatingOptions {
  mode?: "observe" | "enforce";
  /** The share of exchanges validated, 0 to 1 (default 0.1 in observe, 1 in enforce). */
  sampleRate?: number;
  /** Validations in flight at most (default 64); beyond, exchanges are skipped (observe) or released unchecked (enforce). */
  maxInFlight?: number;
  /** Profiles to check against; empty means those the response's profile headers name. */
  profiles?: string[];
  /** Receives every verdict. Without it, non-conforming verdicts and errors go to logger. */
  onVerdict?: (v: Verdict) => void;
  logger?: { warn(message: string): void };
  /** enforce: replace a non-conforming response by a 500 problem+json. */
  rejectNonConforming?: boolean;
  /** enforce: how long to hold a response at most (default 2000 ms). */
  timeoutMs?: number;
  /** observe: send exchanges over a ValidateStream tap instead of one Validate call each. */
  tap?: ValidateStreamTap;
  /** The random source of sampling (tests). */
  random?: () => number;
}

export interface ValidatingStats {
  validated: number;
  skippedBySampling: number;
  skippedBusy: number;
  failed: number;
  inFlight: number;
}

export type ExpressMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

export interface Validating {
  /** Wraps a node:http request listener. */
  (next: RequestListener): RequestListener;
  /** The same as Express middleware: app.use(v.express). */
  express: ExpressMiddleware;
  stats(): ValidatingStats;
}

export function validating(client: StatusdClient, options: ValidatingOptions = {}): Validating {
  const mode = options.mode ?? "observe";
  const sampleRate = options.sampleRate ?? (mode === "observe" ? 0.1 : 1);
  const maxInFlight = options.maxInFlight ?? 64;
  const random = options.random ?? Math.random;
  const logger = options.logger ?? console;
  const stats: ValidatingStats = { validated: 0, skippedBySampling: 0, skippedBusy: 0, failed: 0, inFlight: 0 };
  const report =
    options.onVerdict ??
    ((v: Verdict) => {
      if (v.error !== undefined) logger.warn(`statusd: ${v.method} ${v.target} ${v.status}: validation failed: ${String(v.error)}`);
      else if (v.result && !v.result.conforms) logger.warn(`statusd: ${v.method} ${v.target} ${v.status}: ${describe(v.result)}`);
    });

  // check validates one exchange and reports the verdict; it never throws.
  // Its in-flight slot was taken by admit and is given back by the
  // response's release (see slot).
  const check = async (exchange: ExchangeInit, signal?: AbortSignal): Promise<Verdict> => {
    const verdict: Verdict = { method: exchange.method ?? "", target: exchange.target ?? "", status: exchange.status ?? 0 };
    try {
      const request = { exchange, profiles: options.profiles ?? [] };
      verdict.result = options.tap && mode === "observe" ? await options.tap.send(request) : await client.validate(request, { signal });
      stats.validated++;
    } catch (error) {
      verdict.error = error;
      stats.failed++;
    }
    try {
      report(verdict);
    } catch {
      // a throwing callback must not take the app down
    }
    return verdict;
  };

  // admit decides whether this exchange is validated at all, and if so
  // takes an in-flight slot for it, from the request until its verdict: a
  // burst of requests cannot start more than maxInFlight checks.
  const admit = (): boolean => {
    if (sampleRate < 1 && random() >= sampleRate) {
      stats.skippedBySampling++;
      return false;
    }
    if (stats.inFlight >= maxInFlight) {
      stats.skippedBusy++;
      return false;
    }
    stats.inFlight++;
    return true;
  };

  const express: ExpressMiddleware = (req, res, next) => {
    if (!admit()) return next();
    // The slot is given back once: after the verdict, or when the
    // connection closes before the response was complete (no check then).
    let held = true;
    const release = () => {
      if (held) (held = false), stats.inFlight--;
    };
    let started = false;
    const start: Check = (exchange, signal) => ((started = true), check(exchange, signal).finally(release));
    res.once("close", () => {
      if (!started) release();
    });
    if (mode === "observe") observe(req, res, start);
    else enforce(req, res, start, options);
    next();
  };
  const wrap = ((listener: RequestListener): RequestListener => (req, res) => express(req, res, () => listener(req, res))) as Validating;
  wrap.express = express;
  wrap.stats = () => ({ ...stats });
  return wrap;
}

function describe(r: ValidateResponse): string {
  return r.findings
    .filter((f) => f.severity === Severity.ERROR)
    .map((f) => `${f.rule}: ${f.message}`)
    .join("; ");
}

type Check = (exchange: ExchangeInit, signal?: AbortSignal) => Promise<Verdict>;

/** Records the response as it goes out, and validates it once sent. */
function observe(req: IncomingMessage, res: ServerResponse, check: Check) {
  const rec: Recorder = { bodySize: 0n, written: {} };
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.writeHead = ((...args: unknown[]) => (noteWriteHead(rec, args), writeHead(...args))) as ServerResponse["writeHead"];
  res.write = ((chunk: unknown, ...rest: unknown[]) => (countChunk(rec, chunk, rest[0]), write(chunk, ...rest))) as ServerResponse["write"];
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (typeof chunk !== "function") countChunk(rec, chunk, rest[0]);
    return end(chunk, ...rest);
  }) as ServerResponse["end"];
  res.once("finish", () => void check(exchangeOf(req, res, rec)));
}

/** Holds the response until its verdict, then releases or replaces it. */
function enforce(req: IncomingMessage, res: ServerResponse, check: Check, options: ValidatingOptions) {
  const rec: Recorder = { bodySize: 0n, written: {} };
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  let head: unknown[] | undefined;
  const chunks: unknown[][] = [];
  res.writeHead = ((...args: unknown[]) => {
    noteWriteHead(rec, args);
    head = args;
    return res;
  }) as ServerResponse["writeHead"];
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    countChunk(rec, chunk, rest[0]);
    chunks.push([chunk, ...rest.filter((a) => typeof a !== "function")]);
    rest.find((a) => typeof a === "function")?.call(undefined);
    return true;
  }) as ServerResponse["write"];
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (chunk !== undefined && typeof chunk !== "function") {
      countChunk(rec, chunk, rest[0]);
      chunks.push([chunk, ...rest.filter((a) => typeof a !== "function")]);
    }
    const exchange = exchangeOf(req, res, rec);
    const signal = AbortSignal.timeout(options.timeoutMs ?? 2000);
    void check(exchange, signal).then((v) => {
      // Put the real methods back first: end() without a writeHead writes
      // the head through res.writeHead, which must no longer hold it.
      res.writeHead = writeHead as ServerResponse["writeHead"];
      res.write = write as ServerResponse["write"];
      res.end = end as ServerResponse["end"];
      if (options.rejectNonConforming && v.result && !v.result.conforms) {
        const body = JSON.stringify({
          type: "https://statusd.dev/problems/non-conforming-response",
          title: "The response did not conform",
          status: 500,
          findings: v.result.findings.map((f) => ({ rule: f.rule, message: f.message })),
        });
        for (const name of res.getHeaderNames()) res.removeHeader(name);
        writeHead(500, { "content-type": "application/problem+json", "content-length": Buffer.byteLength(body) });
        end(body);
        return;
      }
      if (head) writeHead(...head);
      for (const c of chunks) write(...c);
      end();
    });
    return res;
  }) as ServerResponse["end"];
}
