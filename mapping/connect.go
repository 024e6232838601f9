package mapping

import statusdv1 "github.com/statusd/statusd/gen/statusd/v1"

// connectCodeToHTTP is the Connect protocol's code → HTTP status table: the
// "Error Codes" table of the specification (connectrpc.com docs/protocol.md,
// revised 2024-03-11) and connect-go's connectCodeToHTTP (protocol_connect.go).
// OK is not an error; a unary success is 200.
var connectCodeToHTTP = [numCodes]int{
	statusdv1.Code_CODE_OK:                  200,
	statusdv1.Code_CODE_CANCELED:            499,
	statusdv1.Code_CODE_UNKNOWN:             500,
	statusdv1.Code_CODE_INVALID_ARGUMENT:    400,
	statusdv1.Code_CODE_DEADLINE_EXCEEDED:   504,
	statusdv1.Code_CODE_NOT_FOUND:           404,
	statusdv1.Code_CODE_ALREADY_EXISTS:      409,
	statusdv1.Code_CODE_PERMISSION_DENIED:   403,
	statusdv1.Code_CODE_RESOURCE_EXHAUSTED:  429,
	statusdv1.Code_CODE_FAILED_PRECONDITION: 400,
	statusdv1.Code_CODE_ABORTED:             409,
	statusdv1.Code_CODE_OUT_OF_RANGE:        400,
	statusdv1.Code_CODE_UNIMPLEMENTED:       501,
	statusdv1.Code_CODE_INTERNAL:            500,
	statusdv1.Code_CODE_UNAVAILABLE:         503,
	statusdv1.Code_CODE_DATA_LOSS:           500,
	statusdv1.Code_CODE_UNAUTHENTICATED:     401,
}

// connectHTTPToCode is the Connect protocol's HTTP → code table, for
// responses without a Connect error body: the "HTTP to Error Code" table of
// the specification and connect-go's httpToCode (protocol.go). Every status
// it does not list is unknown. It is gRPC's intermediary table, not the
// inverse of connectCodeToHTTP.
var connectHTTPToCode = map[int]statusdv1.Code{
	400: statusdv1.Code_CODE_INTERNAL,
	401: statusdv1.Code_CODE_UNAUTHENTICATED,
	403: statusdv1.Code_CODE_PERMISSION_DENIED,
	404: statusdv1.Code_CODE_UNIMPLEMENTED,
	429: statusdv1.Code_CODE_UNAVAILABLE,
	502: statusdv1.Code_CODE_UNAVAILABLE,
	503: statusdv1.Code_CODE_UNAVAILABLE,
	504: statusdv1.Code_CODE_UNAVAILABLE,
}

var connectCitations = []*statusdv1.Citation{{
	Document: "Connect protocol: error codes",
	Url:      "https://connectrpc.com/docs/protocol/#error-codes",
}}

var connectHTTPCitations = []*statusdv1.Citation{{
	Document: "Connect protocol: HTTP to error code",
	Url:      "https://connectrpc.com/docs/protocol/#http-to-error-code",
}}

// connectDialect is the current Connect protocol.
var connectDialect = newTableDialect(tableDialectSpec{
	dialect:       statusdv1.Dialect_DIALECT_CONNECT,
	name:          "Connect protocol",
	codeToHTTP:    connectCodeToHTTP,
	invalidCode:   500,
	codeCitations: connectCitations,
	httpToCode:    connectHTTPToCode,
	httpDefault:   unknown,
	httpCitations: connectHTTPCitations,
	// A Connect client treats 200 as success and infers a code only for
	// other statuses that carry no Connect error body.
	okStatus: 200,
})
