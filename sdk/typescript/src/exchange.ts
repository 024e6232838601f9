// Recording what a node:http response sends (status, header fields, body
// size) so that it can be described to Validate as an Exchange. Headers
// given to writeHead never reach res.getHeaders(), so they are kept here.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ExchangeSchema } from "./gen/statusd/v1/status_service_pb.js";

export type ExchangeInit = MessageInitShape<typeof ExchangeSchema>;
type HeaderInit = { name: string; value: string };
type HeaderValue = number | string | readonly string[] | undefined;

// statusd's Exchange accepts at most 200 header fields of each kind and 8 KiB
// per value (proto/statusd/v1/status_service.proto): longer lists and values
// are cut here rather than turned into invalid_argument.
const maxHeaders = 200;
const maxValueBytes = 8192;

function push(out: HeaderInit[], name: string, value: string) {
  if (out.length >= maxHeaders) return;
  out.push({ name, value: value.length > maxValueBytes ? value.slice(0, maxValueBytes) : value });
}

export function requestHeaders(req: IncomingMessage): HeaderInit[] {
  const out: HeaderInit[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) push(out, req.rawHeaders[i], req.rawHeaders[i + 1]);
  return out;
}

/** The parts of a response seen so far. */
export interface Recorder {
  bodySize: bigint;
  written: Record<string, HeaderValue>;
  status?: number;
}

/** Notes the headers an argument list of writeHead carries. */
export function noteWriteHead(rec: Recorder, args: unknown[]) {
  const [status, ...rest] = args;
  if (typeof status === "number") rec.status = status;
  const headers = rest.find((a) => typeof a === "object" && a !== null);
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) rec.written[String(headers[i]).toLowerCase()] = String(headers[i + 1]);
  } else if (headers) {
    for (const [k, v] of Object.entries(headers as Record<string, HeaderValue>)) rec.written[k.toLowerCase()] = v;
  }
}

/** Adds the size of a write or end chunk to the body size. */
export function countChunk(rec: Recorder, chunk: unknown, encoding?: unknown) {
  if (typeof chunk === "string") rec.bodySize += BigInt(Buffer.byteLength(chunk, typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8"));
  else if (chunk instanceof Uint8Array) rec.bodySize += BigInt(chunk.byteLength);
}

/** The Exchange of a response that has been (or is about to be) sent. */
export function exchangeOf(req: IncomingMessage, res: ServerResponse, rec: Recorder): ExchangeInit {
  const responseHeaders: HeaderInit[] = [];
  for (const [name, value] of Object.entries({ ...res.getHeaders(), ...rec.written })) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== undefined) push(responseHeaders, name, String(v));
    }
  }
  return {
    method: req.method ?? "GET",
    target: (req.url ?? "").slice(0, maxValueBytes),
    status: rec.status ?? res.statusCode,
    requestHeaders: requestHeaders(req),
    responseHeaders,
    responseBodySize: req.method === "HEAD" ? 0n : rec.bodySize,
  };
}
