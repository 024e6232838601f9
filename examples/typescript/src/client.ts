// A small client of statusd: what an HTTP status means to an RPC client,
// and whether an HTTP exchange conforms to its Level 3 profiles.
import { createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { StatusService, type ExchangeSchema, type LookupResponse, type ValidateResponse } from "./gen/statusd/v1/status_service_pb.js";
import { Dialect } from "./gen/statusd/v1/code_pb.js";

export type StatusClient = Client<typeof StatusService>;

/** A client over the Connect protocol; lookups and validations use GET, so caches can keep them. */
export function statusClient(baseUrl: string): StatusClient {
  return createClient(StatusService, createConnectTransport({ baseUrl, httpVersion: "1.1", useHttpGet: true }));
}

/** What an HTTP status means to an RPC client, in a dialect (Level 3 unless said otherwise). */
export function lookupStatus(client: StatusClient, httpStatus: number, dialect = Dialect.LEVEL3): Promise<LookupResponse> {
  return client.lookup({ key: { case: "httpStatus", value: httpStatus }, dialect });
}

/** Checks one exchange against the Level 3 profiles it declares (or the given ones) and RFC 9110. */
export function validateExchange(
  client: StatusClient,
  exchange: MessageInitShape<typeof ExchangeSchema>,
  profiles: string[] = [],
): Promise<ValidateResponse> {
  return client.validate({ exchange, profiles });
}
