// A small client of statusd built on @statusd/client: what an HTTP status
// means to an RPC client, and whether an HTTP exchange conforms to its
// Level 3 profiles. createStatusdClient sends lookups by Connect GET (so
// caches can keep them) and Validate by POST (an exchange may not fit in a URL).
import { createStatusdClient, Dialect, type ExchangeInit, type LookupResponse, type StatusdClient, type ValidateResponse } from "@statusd/client";

export type { StatusdClient };

export function statusClient(baseUrl: string): StatusdClient {
  return createStatusdClient(baseUrl);
}

/** What an HTTP status means to an RPC client, in a dialect (Level 3 unless said otherwise). */
export function lookupStatus(client: StatusdClient, httpStatus: number, dialect = Dialect.LEVEL3): Promise<LookupResponse> {
  return client.lookup({ key: { case: "httpStatus", value: httpStatus }, dialect });
}

/** Checks one exchange against the Level 3 profiles it declares (or the given ones) and RFC 9110. */
export function validateExchange(
  client: StatusdClient,
  exchange: ExchangeInit,
  profiles: string[] = [],
): Promise<ValidateResponse> {
  return client.validate({ exchange, profiles });
}
