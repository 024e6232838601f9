package main

import (
	"connectrpc.com/connect"
	"go.yaml.in/yaml/v3"
	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/types/descriptorpb"
)

// streaming reports whether m streams in either direction. Streaming
// methods are left out of the document: a Connect stream is a sequence of
// enveloped messages, which OpenAPI cannot describe, and a client generated
// from it would POST plain JSON and get an error (over HTTP/1.1, a 505).
func streaming(m *protogen.Method) bool {
	return m.Desc.IsStreamingClient() || m.Desc.IsStreamingServer()
}

// operations returns the path item of the unary method m: POST, and GET as
// well when the method declares no side effects.
func operations(m *protogen.Method, s *schemas) (*yaml.Node, error) {
	if err := s.add(m.Input); err != nil {
		return nil, err
	}
	if err := s.add(m.Output); err != nil {
		return nil, err
	}
	tag := string(m.Parent.Desc.FullName())
	desc := comment(m.Comments)
	ops := object()
	put(ops, "post", object(
		"operationId", string(m.Parent.Desc.Name())+"_"+string(m.Desc.Name()),
		"summary", string(m.Desc.Name()),
		"description", desc,
		"tags", []string{tag},
		"parameters", []*yaml.Node{protocolVersionHeader()},
		"requestBody", object(
			"required", true,
			"content", object("application/json", object("schema", refTo(m.Input))),
		),
		"responses", responses(m),
	))
	opts, _ := m.Desc.Options().(*descriptorpb.MethodOptions)
	if opts.GetIdempotencyLevel() != descriptorpb.MethodOptions_NO_SIDE_EFFECTS {
		return ops, nil
	}
	// Connect GET puts the whole request message, JSON-encoded, in one
	// query parameter. It is declared as a string holding JSON (with
	// contentSchema for the shape), not as an object: generators serialise
	// object parameters as message[field]=value, which is not Connect GET.
	message := object(
		"type", "string",
		"contentMediaType", "application/json",
		"contentSchema", refTo(m.Input),
	)
	put(ops, "get", object(
		"operationId", string(m.Parent.Desc.Name())+"_"+string(m.Desc.Name())+"_get",
		"summary", string(m.Desc.Name())+" (Connect GET, cacheable)",
		"description", joinText(desc, "The same call as the POST, for caches: the request message goes JSON-encoded, as a string, "+
			"in the `message` query parameter (for example `message={\"httpStatus\":404}` URL-encoded), with `encoding=json`."),
		"tags", []string{tag},
		"parameters", []*yaml.Node{
			query("message", true, "The request message, JSON-encoded (then URL-encoded like any query value).", message),
			query("encoding", true, "The codec of `message`.", object("type", "string", "enum", []string{"json"})),
			query("connect", false, "The Connect protocol version.", object("type", "string", "enum", []string{"v1"})),
			query("base64", false, "`1` if `message` is URL-safe base64 of the JSON.", object("type", "string", "enum", []string{"1"})),
		},
		"responses", responses(m),
	))
	return ops, nil
}

func query(name string, required bool, description string, schema *yaml.Node) *yaml.Node {
	return object("name", name, "in", "query", "required", required, "description", description, "schema", schema)
}

func protocolVersionHeader() *yaml.Node {
	return object("name", "Connect-Protocol-Version", "in", "header", "required", false,
		"description", "The Connect protocol version; statusd does not require it.",
		"schema", object("type", "string", "enum", []string{"1"}))
}

func responses(m *protogen.Method) *yaml.Node {
	return object(
		"200", object(
			"description", "Success: the response message. Fields with their default value are left out.",
			"content", object("application/json", object("schema", refTo(m.Output))),
		),
		"4XX", object("$ref", "#/components/responses/connect.error"),
		"5XX", object("$ref", "#/components/responses/connect.error"),
	)
}

// errorResponse is the Connect protocol's unary error: a JSON body whose
// code decides the HTTP status (invalid_argument is 400, not_found 404...).
func errorResponse() *yaml.Node {
	return object(
		"description", "A Connect error. The HTTP status follows from `code` by the Connect protocol's table "+
			"(invalid_argument 400, not_found 404, resource_exhausted 429, unimplemented 501, unavailable 503...).",
		"content", object("application/json", object("schema", object("$ref", "#/components/schemas/connect.error"))),
	)
}

// errorSchema is the Connect error body. The code names come from
// connect-go, the implementation of the protocol statusd serves.
func errorSchema() *yaml.Node {
	var codes []string
	for c := connect.CodeCanceled; c <= connect.CodeUnauthenticated; c++ {
		codes = append(codes, c.String())
	}
	return object(
		"type", "object",
		"description", "The Connect protocol's error body.",
		"required", []string{"code"},
		"properties", object(
			"code", object("type", "string", "enum", codes),
			"message", object("type", "string", "description", "For people; names the field for invalid_argument."),
			"details", object(
				"type", "array",
				"description", "Error details, such as buf.validate.Violations for invalid input.",
				"items", object(
					"type", "object",
					"properties", object(
						"type", object("type", "string", "description", "The detail's message type, such as `buf.validate.Violations`."),
						"value", object("type", "string", "contentEncoding", "base64",
							"description", "The detail message in binary protobuf, base64-encoded (unpadded)."),
						"debug", object("type", "object", "description", "The detail in JSON, for people; may be absent."),
					),
				),
			),
		),
	)
}
