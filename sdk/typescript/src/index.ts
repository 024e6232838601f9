// @statusd/client: the generated messages and service of statusd.v1 and
// buf.validate, and a client. The middleware is in "@statusd/client/middleware".
export * from "./gen/statusd/v1/status_service_pb.js";
export * from "./gen/statusd/v1/catalog_pb.js";
export * from "./gen/statusd/v1/code_pb.js";
export * as bufValidate from "./gen/buf/validate/validate_pb.js";
export { createStatusdClient, type StatusdClient, type StatusdClientOptions, type StatusServiceClient } from "./client.js";
export { createValidateStreamTap, type ValidateStreamTap, type ValidateStreamTapOptions } from "./stream.js";
export { ConnectError, Code as ConnectCode } from "@connectrpc/connect";
export type { ExchangeInit } from "./exchange.js";
