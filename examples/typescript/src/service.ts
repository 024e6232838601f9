// A tiny Node HTTP service, and a middleware that asks statusd's Validate
// about every response it sends and hands the verdict to a callback: the
// "non-Go service uses the profile authority" story.
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { ValidateResponse } from "./gen/statusd/v1/status_service_pb.js";
import type { StatusClient } from "./client.js";

export interface Verdict {
  method: string;
  target: string;
  status: number;
  result?: ValidateResponse;
  error?: unknown;
}

type HeaderInit = { name: string; value: string };

function requestHeaders(req: IncomingMessage): HeaderInit[] {
  const out: HeaderInit[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    out.push({ name: req.rawHeaders[i], value: req.rawHeaders[i + 1] });
  }
  return out;
}

type HeaderValue = number | string | readonly string[] | undefined;

function addHeaders(out: HeaderInit[], headers: Record<string, HeaderValue>) {
  for (const [name, value] of Object.entries(headers)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== undefined) out.push({ name, value: String(v) });
    }
  }
}

/**
 * Wraps a request listener: once each response has been sent, the exchange
 * (method, headers, status, body size) goes to statusd, and the verdict to
 * onVerdict. The response is never delayed by the check.
 */
export function validating(statusd: StatusClient, onVerdict: (v: Verdict) => void): (next: RequestListener) => RequestListener {
  return (next) => (req, res) => {
    let bodySize = 0n;
    // Headers given to writeHead never reach res.getHeaders(): keep them.
    const written: Record<string, HeaderValue> = {};
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    res.writeHead = ((status: number, ...rest: unknown[]) => {
      const headers = rest.find((a) => typeof a === "object" && a !== null);
      if (Array.isArray(headers)) {
        for (let i = 0; i + 1 < headers.length; i += 2) written[String(headers[i]).toLowerCase()] = String(headers[i + 1]);
      } else if (headers) {
        for (const [k, v] of Object.entries(headers as Record<string, HeaderValue>)) written[k.toLowerCase()] = v;
      }
      return writeHead(status, ...rest);
    }) as ServerResponse["writeHead"];
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    const count = (chunk: unknown) => {
      if (typeof chunk === "string") bodySize += BigInt(Buffer.byteLength(chunk));
      else if (chunk instanceof Uint8Array) bodySize += BigInt(chunk.byteLength);
    };
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      count(chunk);
      return write(chunk, ...rest);
    }) as ServerResponse["write"];
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (typeof chunk !== "function") count(chunk);
      return end(chunk, ...rest);
    }) as ServerResponse["end"];
    res.on("finish", () => {
      const verdict: Verdict = { method: req.method ?? "GET", target: req.url ?? "", status: res.statusCode };
      const responseHeaders: HeaderInit[] = [];
      addHeaders(responseHeaders, { ...res.getHeaders(), ...written });
      statusd
        .validate({
          exchange: {
            method: verdict.method,
            target: verdict.target,
            status: verdict.status,
            requestHeaders: requestHeaders(req),
            responseHeaders,
            responseBodySize: req.method === "HEAD" ? 0n : bodySize,
          },
        })
        .then((result) => onVerdict({ ...verdict, result }), (error: unknown) => onVerdict({ ...verdict, error }));
    });
    next(req, res);
  };
}

/** An orders API with Level 3 resources, one of them deliberately wrong. */
export const ordersApp: RequestListener = (req, res) => {
  const route = `${req.method} ${req.url}`;
  req.resume(); // the bodies are not needed here
  switch (route) {
    case "HEAD /":
    case "GET /":
      res.writeHead(200, {
        profile: "<https://level3.rest/profiles/home>",
        allow: "HEAD, GET",
        link: '</orders/form>; rel="https://example.com/rels/order-form"',
      });
      res.end();
      return;
    case "POST /orders/form":
      req.on("end", () => {
        res.writeHead(201, { profile: "<https://level3.rest/profiles/form>", location: "/orders/42" });
        res.end();
      });
      return;
    case "POST /orders/broken-form":
      // A 201 with a body and no location: two Level 3 errors.
      req.on("end", () => {
        res.writeHead(201, { profile: "<https://level3.rest/profiles/form>", "content-type": "text/plain" });
        res.end("created");
      });
      return;
    default:
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
  }
};
