// Command protoc-gen-connect-openapi writes an OpenAPI 3.1 description of
// the Connect protocol's unary JSON surface of each service: POST for every
// unary method, GET as well for methods without side effects, the request
// and response schemas as protojson writes them (with the buf.validate
// rules as schema limits and the defaults of omitted fields), and the
// Connect error body for 4XX and 5XX. Streaming methods are left out (see
// streaming). Next to the YAML it writes a Go file that embeds it, so
// statusd can serve it. It runs as a buf plugin (see buf.gen.yaml).
//
// Parameters (buf.gen.yaml opt): server=URL, the default server URL
// (repeatable).
//
// statusd has its own because protoc-gen-connect-openapi cannot be fetched
// from the Go module proxy here, and gnostic's protoc-gen-openapi needs
// google.api.http annotations, which a Connect API does not have.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"
	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/types/pluginpb"
)

func main() {
	var flags flag.FlagSet
	var servers serverList
	flags.Var(&servers, "server", "a server URL for the document's servers list (repeatable)")
	protogen.Options{ParamFunc: flags.Set}.Run(func(p *protogen.Plugin) error {
		p.SupportedFeatures = uint64(pluginpb.CodeGeneratorResponse_FEATURE_PROTO3_OPTIONAL)
		for _, f := range p.Files {
			if !f.Generate || len(f.Services) == 0 {
				continue
			}
			if err := generate(p, f, servers); err != nil {
				return fmt.Errorf("%s: %w", f.Desc.Path(), err)
			}
		}
		return nil
	})
}

type serverList []string

func (s *serverList) String() string     { return strings.Join(*s, ",") }
func (s *serverList) Set(v string) error { *s = append(*s, v); return nil }

// document returns the OpenAPI document of the services of f.
func document(f *protogen.File, servers []string) (*yaml.Node, error) {
	pkg := string(f.Desc.Package())
	schemas := newSchemas()
	var streams []string
	for _, svc := range f.Services {
		for _, m := range svc.Methods {
			if streaming(m) {
				streams = append(streams, fmt.Sprintf("`%s`", m.Desc.FullName()))
				continue
			}
			schemas.markResponse(m.Output)
		}
	}
	paths := object()
	var tags []*yaml.Node
	for _, svc := range f.Services {
		tags = append(tags, object("name", string(svc.Desc.FullName()), "description", comment(svc.Comments)))
		for _, m := range svc.Methods {
			if streaming(m) {
				continue
			}
			ops, err := operations(m, schemas)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", m.Desc.FullName(), err)
			}
			route := "/" + string(svc.Desc.FullName()) + "/" + string(m.Desc.Name())
			put(paths, route, ops)
			// Path keys stay double-quoted, as the hand-written emitter
			// wrote them: cmd/statusd's TestOpenAPIServed looks for that form.
			paths.Content[len(paths.Content)-2].Style = yaml.DoubleQuotedStyle
		}
	}
	put(schemas.root, "connect.error", errorSchema())
	desc := "The Connect protocol's unary JSON surface of " + pkg + ", generated from " + f.Desc.Path() + ". " +
		"Every method takes a JSON body by POST; methods without side effects also take GET with the request, " +
		"JSON-encoded, in the `message` query parameter. Fields with their default value (false, 0, \"\", " +
		"the zero enum value, empty lists) are left out of JSON: read a missing field as its `default`. " +
		"64-bit integers are decimal strings; enums are their names."
	if len(streams) > 0 {
		desc += " Streaming methods (" + strings.Join(streams, ", ") + ") are not described: they use the Connect " +
			"streaming envelope and need HTTP/2 (gRPC, or Connect over h2c or TLS); over HTTP/1.1 they answer 505."
	}
	var serverNodes []*yaml.Node
	for _, s := range servers {
		serverNodes = append(serverNodes, object("url", s))
	}
	if len(serverNodes) == 0 {
		return nil, fmt.Errorf("no server: set opt server=URL in buf.gen.yaml")
	}
	return object(
		"openapi", "3.1.0",
		"info", object(
			"title", pkg,
			"version", lastSegment(pkg),
			"description", desc,
			"license", object("name", "Apache-2.0", "identifier", "Apache-2.0"),
		),
		"servers", serverNodes,
		// statusd has no authentication of its own (it runs behind the
		// operator's proxy if it needs any): an empty requirement list says so.
		"security", &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle},
		"tags", tags,
		"paths", paths,
		"components", object(
			"schemas", schemas.root,
			"responses", object("connect.error", errorResponse()),
		),
	), nil
}

func generate(p *protogen.Plugin, f *protogen.File, servers []string) error {
	doc, err := document(f, servers)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}

	dir := path.Dir(f.Desc.Path())
	yamlName := path.Base(strings.TrimSuffix(f.Desc.Path(), ".proto")) + ".openapi.yaml"
	goPkg := string(f.GoPackageName) + "openapi"
	g := p.NewGeneratedFile(path.Join(dir, goPkg, "openapi.go"), protogen.GoImportPath(string(f.GoImportPath)+"/"+goPkg))
	g.P("// Code generated by protoc-gen-connect-openapi. DO NOT EDIT.")
	g.P("// source: ", f.Desc.Path())
	g.P()
	g.P("// Package ", goPkg, " embeds the OpenAPI 3.1 description of the Connect JSON surface of ", f.Desc.Package(), ".")
	g.P("package ", goPkg)
	g.P()
	g.P(`import _ "embed"`)
	g.P()
	g.P("// YAML is the OpenAPI document, in YAML.")
	g.P("//")
	g.P("//go:embed ", yamlName)
	g.P("var YAML []byte")
	out := p.NewGeneratedFile(path.Join(dir, goPkg, yamlName), "")
	out.P("# Code generated by protoc-gen-connect-openapi. DO NOT EDIT.")
	out.P("# source: ", f.Desc.Path())
	_, err = out.Write(b.Bytes())
	return err
}

func lastSegment(pkg string) string {
	return pkg[strings.LastIndex(pkg, ".")+1:]
}
