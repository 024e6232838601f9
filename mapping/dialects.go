package mapping

import statusdv1 "github.com/statusd/statusd/gen/statusd/v1"

// The table dialects other than Connect. Each table is a literal in the
// order of its source, so it can be read side by side with it; the sources
// are named in the doc comments. Codes are written by their gRPC names.

const (
	ok                 = statusdv1.Code_CODE_OK
	canceled           = statusdv1.Code_CODE_CANCELED
	unknown            = statusdv1.Code_CODE_UNKNOWN
	invalidArgument    = statusdv1.Code_CODE_INVALID_ARGUMENT
	deadlineExceeded   = statusdv1.Code_CODE_DEADLINE_EXCEEDED
	notFound           = statusdv1.Code_CODE_NOT_FOUND
	alreadyExists      = statusdv1.Code_CODE_ALREADY_EXISTS
	permissionDenied   = statusdv1.Code_CODE_PERMISSION_DENIED
	resourceExhausted  = statusdv1.Code_CODE_RESOURCE_EXHAUSTED
	failedPrecondition = statusdv1.Code_CODE_FAILED_PRECONDITION
	aborted            = statusdv1.Code_CODE_ABORTED
	outOfRange         = statusdv1.Code_CODE_OUT_OF_RANGE
	unimplemented      = statusdv1.Code_CODE_UNIMPLEMENTED
	internal           = statusdv1.Code_CODE_INTERNAL
	unavailable        = statusdv1.Code_CODE_UNAVAILABLE
	dataLoss           = statusdv1.Code_CODE_DATA_LOSS
	unauthenticated    = statusdv1.Code_CODE_UNAUTHENTICATED
)

// googleRPCCodeToHTTP is the "HTTP Mapping" of each value in
// googleapis google/rpc/code.proto. grpc-gateway's runtime.HTTPStatusFromCode
// (runtime/errors.go) and Envoy's Grpc::Utility::grpcToHttpStatus
// (source/common/grpc/status.cc) return exactly these, so the three dialects
// share it.
var googleRPCCodeToHTTP = [numCodes]int{
	ok:                 200,
	canceled:           499,
	unknown:            500,
	invalidArgument:    400,
	deadlineExceeded:   504,
	notFound:           404,
	alreadyExists:      409,
	permissionDenied:   403,
	resourceExhausted:  429,
	failedPrecondition: 400,
	aborted:            409,
	outOfRange:         400,
	unimplemented:      501,
	internal:           500,
	unavailable:        503,
	dataLoss:           500,
	unauthenticated:    401,
}

// grpcDocHTTPToCode is grpc/grpc doc/http-grpc-status-mapping.md: the code a
// gRPC client infers from a response without grpc-status. Every other status,
// 200 included ("there should be a grpc-status in case of truly OK
// response"), is UNKNOWN. The doc's 431 row comes from grpc-java; grpc-go and
// Envoy do not have it.
var grpcDocHTTPToCode = map[int]statusdv1.Code{
	400: internal,
	401: unauthenticated,
	403: permissionDenied,
	404: unimplemented,
	429: unavailable,
	431: internal,
	502: unavailable,
	503: unavailable,
	504: unavailable,
}

// grpcGoHTTPToCode is grpc-go's HTTPStatusConvTab
// (internal/transport/http_util.go), which grpc-gateway's backend connections
// apply to a non-gRPC response: the gRPC doc's table without 431.
var grpcGoHTTPToCode = map[int]statusdv1.Code{
	400: internal,
	401: unauthenticated,
	403: permissionDenied,
	404: unimplemented,
	429: unavailable,
	502: unavailable,
	503: unavailable,
	504: unavailable,
}

// envoyHTTPToCode is Envoy's Grpc::Utility::httpToGrpcStatus
// (source/common/grpc/status.cc); every other status is Unknown.
var envoyHTTPToCode = map[int]statusdv1.Code{
	400: internal,
	401: unauthenticated,
	403: permissionDenied,
	404: unimplemented,
	429: unavailable,
	502: unavailable,
	503: unavailable,
	504: unavailable,
}

// connectLegacyCodeToHTTP is the Connect specification's table before the
// revision of 2024-03-11 (connect-go 1.15 and earlier), which Envoy's
// connect_grpc_bridge filter still uses (statusCodeToConnectUnaryStatus).
var connectLegacyCodeToHTTP = [numCodes]int{
	ok:                 200,
	canceled:           408,
	unknown:            500,
	invalidArgument:    400,
	deadlineExceeded:   408,
	notFound:           404,
	alreadyExists:      409,
	permissionDenied:   403,
	resourceExhausted:  429,
	failedPrecondition: 412,
	aborted:            409,
	outOfRange:         400,
	unimplemented:      404,
	internal:           500,
	unavailable:        503,
	dataLoss:           500,
	unauthenticated:    401,
}

// connectLegacyHTTPToCode is connect-go's connectHTTPToCode before 1.16
// (protocol_connect.go, removed by commit e3f35a6).
var connectLegacyHTTPToCode = map[int]statusdv1.Code{
	400: invalidArgument,
	401: unauthenticated,
	403: permissionDenied,
	404: unimplemented,
	408: deadlineExceeded,
	409: aborted,
	412: failedPrecondition,
	413: resourceExhausted,
	415: internal,
	429: unavailable,
	431: resourceExhausted,
	502: unavailable,
	503: unavailable,
	504: unavailable,
}

// twirpCodeToHTTP is Twirp's ServerHTTPStatusFromErrorCode (errors.go).
// Twirp's own codes malformed (400) and bad_route (404) have no gRPC
// equivalent and are not listed.
var twirpCodeToHTTP = [numCodes]int{
	ok:                 200,
	canceled:           408,
	unknown:            500,
	invalidArgument:    400,
	deadlineExceeded:   408,
	notFound:           404,
	alreadyExists:      409,
	permissionDenied:   403,
	unauthenticated:    401,
	resourceExhausted:  429,
	failedPrecondition: 412,
	aborted:            409,
	outOfRange:         400,
	unimplemented:      501,
	internal:           500,
	unavailable:        503,
	dataLoss:           500,
}

// twirpHTTPToCode is twirpErrorFromIntermediary, generated into every Twirp
// client, for responses that are not Twirp errors. It maps 404 to Twirp's
// bad_route, which has no gRPC code; statusd answers unimplemented, the gRPC
// code for "no such method", which is what bad_route means. Every 3xx is
// internal; every other status is unknown.
var twirpHTTPToCode = map[int]statusdv1.Code{
	400: internal,
	401: unauthenticated,
	403: permissionDenied,
	404: unimplemented, // bad_route
	429: resourceExhausted,
	502: unavailable,
	503: unavailable,
	504: unavailable,
}

var (
	grpcDocCitations = []*statusdv1.Citation{{
		Document: "gRPC: HTTP to gRPC status code mapping",
		Url:      "https://github.com/grpc/grpc/blob/master/doc/http-grpc-status-mapping.md",
	}}
	googleRPCCitations = []*statusdv1.Citation{{
		Document: "google.rpc.Code",
		Url:      "https://github.com/googleapis/googleapis/blob/master/google/rpc/code.proto",
	}}
	grpcGatewayCitations = []*statusdv1.Citation{{
		Document: "grpc-gateway runtime.HTTPStatusFromCode",
		Url:      "https://github.com/grpc-ecosystem/grpc-gateway/blob/main/runtime/errors.go",
	}}
	grpcGoCitations = []*statusdv1.Citation{{
		Document: "grpc-go HTTPStatusConvTab",
		Url:      "https://github.com/grpc/grpc-go/blob/master/internal/transport/http_util.go",
	}}
	envoyCitations = []*statusdv1.Citation{{
		Document: "Envoy source/common/grpc/status.cc",
		Url:      "https://github.com/envoyproxy/envoy/blob/main/source/common/grpc/status.cc",
	}}
	connectLegacyCitations = []*statusdv1.Citation{{
		Document: "Connect protocol before 2024-03 (connect-go 1.15)",
		Url:      "https://github.com/connectrpc/connectrpc.com/pull/130",
	}}
	twirpCitations = []*statusdv1.Citation{{
		Document: "Twirp errors",
		Url:      "https://github.com/twitchtv/twirp/blob/main/docs/errors.md",
	}}
)

var (
	connectLegacyDialect = newTableDialect(tableDialectSpec{
		dialect:       statusdv1.Dialect_DIALECT_CONNECT_LEGACY,
		name:          "Connect protocol before 2024-03",
		codeToHTTP:    connectLegacyCodeToHTTP,
		invalidCode:   500,
		codeCitations: connectLegacyCitations,
		httpToCode:    connectLegacyHTTPToCode,
		httpDefault:   unknown,
		httpCitations: connectLegacyCitations,
		okStatus:      200,
	})

	grpcDialect = newTableDialect(tableDialectSpec{
		dialect:       statusdv1.Dialect_DIALECT_GRPC,
		name:          "gRPC",
		codeToHTTP:    googleRPCCodeToHTTP,
		invalidCode:   500,
		codeCitations: googleRPCCitations,
		httpToCode:    grpcDocHTTPToCode,
		httpDefault:   unknown,
		httpCitations: grpcDocCitations,
	})

	// grpc-gateway defines code → HTTP only. For HTTP → code it answers with
	// grpc-go's table, because its backend calls go through grpc-go, which
	// applies that table to any non-gRPC response.
	grpcGatewayDialect = newTableDialect(tableDialectSpec{
		dialect:       statusdv1.Dialect_DIALECT_GRPC_GATEWAY,
		name:          "grpc-gateway",
		codeToHTTP:    googleRPCCodeToHTTP,
		invalidCode:   500,
		codeCitations: grpcGatewayCitations,
		httpName:      "grpc-gateway (grpc-go's table, which its backend connections apply)",
		httpToCode:    grpcGoHTTPToCode,
		httpDefault:   unknown,
		httpCitations: grpcGoCitations,
	})

	envoyDialect = newTableDialect(tableDialectSpec{
		dialect:       statusdv1.Dialect_DIALECT_ENVOY,
		name:          "Envoy",
		codeToHTTP:    googleRPCCodeToHTTP,
		invalidCode:   500,
		codeCitations: envoyCitations,
		httpToCode:    envoyHTTPToCode,
		httpDefault:   unknown,
		httpCitations: envoyCitations,
	})

	// Twirp returns 0 ("Invalid!") for an undefined code; 0 is no HTTP
	// status, so statusd answers 500 as every other table does.
	twirpDialect = newTableDialect(tableDialectSpec{
		dialect:        statusdv1.Dialect_DIALECT_TWIRP,
		name:           "Twirp",
		codeToHTTP:     twirpCodeToHTTP,
		invalidCode:    500,
		codeCitations:  twirpCitations,
		httpToCode:     twirpHTTPToCode,
		httpDefault:    unknown,
		redirectCode:   internal,
		hasRedirectMap: true,
		httpCitations:  twirpCitations,
		okStatus:       200,
	})
)
