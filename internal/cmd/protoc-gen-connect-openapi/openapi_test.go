package main

import (
	"strings"
	"testing"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/gen/statusd/v1/statusdv1openapi"
	"go.yaml.in/yaml/v3"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
)

// TestGeneratedDocumentMatchesProtos reads the committed, generated
// document and checks it against the compiled protos: every RPC's Connect
// path, GET for the methods without side effects, and every field of every
// message it names, under its JSON name.
func TestGeneratedDocumentMatchesProtos(t *testing.T) {
	var doc struct {
		OpenAPI string                               `yaml:"openapi"`
		Paths   map[string]map[string]map[string]any `yaml:"paths"`
		Comps   struct {
			Schemas map[string]struct {
				Type       string                    `yaml:"type"`
				Properties map[string]map[string]any `yaml:"properties"`
			} `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(statusdv1openapi.YAML, &doc); err != nil {
		t.Fatalf("the document does not parse: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	svc := statusdv1.File_statusd_v1_status_service_proto.Services().ByName("StatusService")
	if len(doc.Paths) != svc.Methods().Len() {
		t.Errorf("%d paths for %d methods", len(doc.Paths), svc.Methods().Len())
	}
	messages := map[protoreflect.FullName]protoreflect.MessageDescriptor{}
	for i := range svc.Methods().Len() {
		m := svc.Methods().Get(i)
		ops, ok := doc.Paths["/statusd.v1.StatusService/"+string(m.Name())]
		if !ok {
			t.Errorf("no path for %s", m.Name())
			continue
		}
		if _, ok := ops["post"]; !ok {
			t.Errorf("%s: no POST", m.Name())
		}
		idem := m.Options().(*descriptorpb.MethodOptions).GetIdempotencyLevel()
		_, hasGet := ops["get"]
		wantGet := idem == descriptorpb.MethodOptions_NO_SIDE_EFFECTS && !m.IsStreamingClient() && !m.IsStreamingServer()
		if hasGet != wantGet {
			t.Errorf("%s: GET %v, want %v", m.Name(), hasGet, wantGet)
		}
		collect(m.Input(), messages)
		collect(m.Output(), messages)
	}
	for name, md := range messages {
		schema, ok := doc.Comps.Schemas[string(name)]
		if !ok {
			t.Errorf("no schema for %s", name)
			continue
		}
		if schema.Type != "object" || len(schema.Properties) != md.Fields().Len() {
			t.Errorf("%s: type %q, %d properties for %d fields", name, schema.Type, len(schema.Properties), md.Fields().Len())
		}
		for i := range md.Fields().Len() {
			f := md.Fields().Get(i)
			prop, ok := schema.Properties[f.JSONName()]
			if !ok {
				t.Errorf("%s: no property %s", name, f.JSONName())
				continue
			}
			if f.Kind() == protoreflect.EnumKind && !f.IsList() {
				enum, _ := prop["enum"].([]any)
				if len(enum) != f.Enum().Values().Len() {
					t.Errorf("%s.%s: %d enum values, want %d", name, f.JSONName(), len(enum), f.Enum().Values().Len())
				}
			}
		}
	}
	if _, ok := doc.Comps.Schemas["connect.error"]; !ok {
		t.Error("no connect.error schema")
	}
}

func collect(md protoreflect.MessageDescriptor, into map[protoreflect.FullName]protoreflect.MessageDescriptor) {
	if _, ok := into[md.FullName()]; ok {
		return
	}
	into[md.FullName()] = md
	for i := range md.Fields().Len() {
		if m := md.Fields().Get(i).Message(); m != nil {
			collect(m, into)
		}
	}
}

func TestYAMLWriter(t *testing.T) {
	n := &node{}
	n.set("openapi", str("3.1.0"))
	n.set("200", str("a \"quoted\"\nline"))
	n.set("true", raw("true"))
	n.child("empty")
	n.set("none", list())
	items := &node{list: true}
	m := &node{}
	m.set("name", str("x"))
	m.child("nested").set("$ref", str("#/a"))
	items.add(m)
	items.add(str("plain"))
	n.set("items", items)
	var b strings.Builder
	n.write(&b, 0)
	var back map[string]any
	if err := yaml.Unmarshal([]byte(b.String()), &back); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if back["200"] != "a \"quoted\"\nline" || back["true"] != true || back["openapi"] != "3.1.0" {
		t.Errorf("scalars: %v\n%s", back, b.String())
	}
	if e, ok := back["empty"].(map[string]any); !ok || len(e) != 0 {
		t.Errorf("empty mapping: %v", back["empty"])
	}
	list := back["items"].([]any)
	first := list[0].(map[string]any)
	if first["name"] != "x" || first["nested"].(map[string]any)["$ref"] != "#/a" || list[1] != "plain" {
		t.Errorf("items: %v\n%s", list, b.String())
	}
}
