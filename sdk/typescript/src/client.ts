// createStatusdClient: one object with every StatusService method, each on
// the transport that suits it. The read methods (Lookup, ListStatuses,
// ListProfiles) go by Connect GET, so HTTP caches and statusd's ETags can
// answer repeats; Validate goes by POST, because an exchange with large
// headers would not fit in a URL (servers answer 431) and every exchange is
// different, so GET would buy no caching; ValidateStream needs HTTP/2.
import { createClient, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { StatusService } from "./gen/statusd/v1/status_service_pb.js";

export type StatusServiceClient = Client<typeof StatusService>;

export interface StatusdClientOptions {
  /** "1.1" (the default) or "2" (h2c for http:, ALPN for https:) for the unary calls. */
  httpVersion?: "1.1" | "2";
  /** Use Connect GET for the read methods (default true). */
  getForReads?: boolean;
  /** Timeout of each unary call in milliseconds (default 5000; 0 for none). */
  timeoutMs?: number;
  /** Interceptors for every call, such as one adding an authorization header. */
  interceptors?: Interceptor[];
}

/** A StatusService client; see the file comment for which transport each method uses. */
export interface StatusdClient extends StatusServiceClient {
  /** The base URL the client was made for. */
  readonly baseUrl: string;
}

export function createStatusdClient(baseUrl: string, options: StatusdClientOptions = {}): StatusdClient {
  const httpVersion = options.httpVersion ?? "1.1";
  const interceptors = options.interceptors ?? [];
  const defaultTimeoutMs = options.timeoutMs ?? 5000;
  const transport = (useHttpGet: boolean, version: "1.1" | "2"): Transport =>
    createConnectTransport({ baseUrl, httpVersion: version, useHttpGet, interceptors, defaultTimeoutMs: defaultTimeoutMs || undefined });
  const reads = createClient(StatusService, transport(options.getForReads ?? true, httpVersion));
  const writes = createClient(StatusService, transport(false, httpVersion));
  // Streams need HTTP/2 whatever the unary calls use, and no default
  // timeout: a stream lives until its caller ends it.
  let streams: StatusServiceClient | undefined;
  const streamClient = () =>
    (streams ??= createClient(
      StatusService,
      createConnectTransport({ baseUrl, httpVersion: "2", interceptors }),
    ));
  return {
    baseUrl,
    lookup: reads.lookup,
    listStatuses: reads.listStatuses,
    listProfiles: reads.listProfiles,
    validate: writes.validate,
    validateStream: (request, callOptions) => streamClient().validateStream(request, callOptions),
  };
}
