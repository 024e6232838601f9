package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/gen/statusd/v1/statusdv1openapi"
	"go.yaml.in/yaml/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
)

// doc is the committed, generated document, parsed loosely.
type doc struct {
	OpenAPI string                               `yaml:"openapi"`
	Info    map[string]any                       `yaml:"info"`
	Servers []map[string]any                     `yaml:"servers"`
	Paths   map[string]map[string]map[string]any `yaml:"paths"`
	Comps   struct {
		Schemas   map[string]map[string]any `yaml:"schemas"`
		Responses map[string]any            `yaml:"responses"`
	} `yaml:"components"`
}

func loadDoc(t *testing.T) doc {
	t.Helper()
	var d doc
	if err := yaml.Unmarshal(statusdv1openapi.YAML, &d); err != nil {
		t.Fatalf("the document does not parse: %v", err)
	}
	return d
}

func props(t *testing.T, d doc, message string) map[string]any {
	t.Helper()
	s, ok := d.Comps.Schemas[message]
	if !ok {
		t.Fatalf("no schema %s", message)
	}
	p, _ := s["properties"].(map[string]any)
	return p
}

// TestGeneratedDocumentMatchesProtos checks the document against the
// compiled protos: every unary RPC's Connect path (streaming ones left
// out), GET for the methods without side effects, every field of every
// message under its JSON name, enums by name, and open response schemas.
func TestGeneratedDocumentMatchesProtos(t *testing.T) {
	d := loadDoc(t)
	if d.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q", d.OpenAPI)
	}
	svc := statusdv1.File_statusd_v1_status_service_proto.Services().ByName("StatusService")
	requests := map[protoreflect.FullName]protoreflect.MessageDescriptor{}
	responses := map[protoreflect.FullName]protoreflect.MessageDescriptor{}
	unary := 0
	for i := range svc.Methods().Len() {
		m := svc.Methods().Get(i)
		ops, ok := d.Paths["/statusd.v1.StatusService/"+string(m.Name())]
		if m.IsStreamingClient() || m.IsStreamingServer() {
			if ok {
				t.Errorf("streaming %s is described: generated clients would POST JSON to it", m.Name())
			}
			if !strings.Contains(d.Info["description"].(string), string(m.FullName())) {
				t.Errorf("info.description does not say %s is left out", m.Name())
			}
			continue
		}
		unary++
		if !ok {
			t.Errorf("no path for %s", m.Name())
			continue
		}
		if _, ok := ops["post"]; !ok {
			t.Errorf("%s: no POST", m.Name())
		}
		idem := m.Options().(*descriptorpb.MethodOptions).GetIdempotencyLevel()
		if _, hasGet := ops["get"]; hasGet != (idem == descriptorpb.MethodOptions_NO_SIDE_EFFECTS) {
			t.Errorf("%s: GET %v, idempotency %v", m.Name(), hasGet, idem)
		}
		collect(m.Input(), requests)
		collect(m.Output(), responses)
	}
	if len(d.Paths) != unary {
		t.Errorf("%d paths for %d unary methods", len(d.Paths), unary)
	}
	for _, set := range []map[protoreflect.FullName]protoreflect.MessageDescriptor{requests, responses} {
		for name, md := range set {
			schema := d.Comps.Schemas[string(name)]
			p := props(t, d, string(name))
			if schema["type"] != "object" || len(p) != md.Fields().Len() {
				t.Errorf("%s: type %v, %d properties for %d fields", name, schema["type"], len(p), md.Fields().Len())
			}
			_, closed := schema["unevaluatedProperties"]
			_, oldClosed := schema["additionalProperties"]
			if _, inResponse := responses[name]; closed == inResponse || oldClosed {
				t.Errorf("%s: closed %v, but in a response %v (responses stay open)", name, closed, inResponse)
			}
			for i := range md.Fields().Len() {
				f := md.Fields().Get(i)
				prop, ok := p[f.JSONName()].(map[string]any)
				if !ok {
					t.Errorf("%s: no property %s", name, f.JSONName())
					continue
				}
				if f.Kind() == protoreflect.EnumKind && !f.IsList() && prop["const"] == nil {
					enum, _ := prop["enum"].([]any)
					if len(enum) != f.Enum().Values().Len() || enum[0] != string(f.Enum().Values().Get(0).Name()) {
						t.Errorf("%s.%s: enum %v", name, f.JSONName(), enum)
					}
				}
			}
		}
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

// TestValidateRulesAreLimits reads the buf.validate rules from the compiled
// descriptors and finds each one as a schema limit.
func TestValidateRulesAreLimits(t *testing.T) {
	d := loadDoc(t)
	checked := 0
	msgs := statusdv1.File_statusd_v1_status_service_proto.Messages()
	for i := range msgs.Len() {
		md := msgs.Get(i)
		if _, ok := d.Comps.Schemas[string(md.FullName())]; !ok {
			continue
		}
		p := props(t, d, string(md.FullName()))
		for j := range md.Fields().Len() {
			f := md.Fields().Get(j)
			rules, _ := proto.GetExtension(f.Options(), validate.E_Field).(*validate.FieldRules)
			prop := p[f.JSONName()].(map[string]any)
			want := map[string]uint64{}
			if r := rules.GetInt32(); r != nil {
				if r.HasGte() {
					want["minimum"] = uint64(r.GetGte())
				}
				if r.HasLte() {
					want["maximum"] = uint64(r.GetLte())
				}
			}
			if r := rules.GetString(); r != nil {
				if r.HasMaxLen() {
					want["maxLength"] = r.GetMaxLen()
				}
				if r.HasMinLen() {
					want["minLength"] = r.GetMinLen()
				}
			}
			if r := rules.GetRepeated(); r != nil && r.HasMaxItems() {
				want["maxItems"] = r.GetMaxItems()
			}
			for kw, v := range want {
				checked++
				if got, _ := prop[kw].(int); uint64(got) != v {
					t.Errorf("%s.%s: %s %v, want %d", md.Name(), f.JSONName(), kw, prop[kw], v)
				}
			}
		}
	}
	if checked < 10 {
		t.Errorf("only %d rules checked: the protos have more", checked)
	}
}

// TestRequiredOneofIsExactlyOne: LookupRequest's key oneof is required by
// buf.validate, so the schema says exactly one of its fields.
func TestRequiredOneofIsExactlyOne(t *testing.T) {
	d := loadDoc(t)
	md := (&statusdv1.LookupRequest{}).ProtoReflect().Descriptor()
	key := md.Oneofs().ByName("key")
	if !proto.GetExtension(key.Options(), validate.E_Oneof).(*validate.OneofRules).GetRequired() {
		t.Fatal("the key oneof is no longer required: update this test")
	}
	branches, _ := d.Comps.Schemas[string(md.FullName())]["oneOf"].([]any)
	if len(branches) != key.Fields().Len() {
		t.Fatalf("oneOf has %d branches for %d fields (no empty branch when required)", len(branches), key.Fields().Len())
	}
	for i, b := range branches {
		req := b.(map[string]any)["required"].([]any)
		if len(req) != 1 || req[0] != key.Fields().Get(i).JSONName() {
			t.Errorf("branch %d requires %v", i, req)
		}
	}
}

// TestDefaultsAndRequired: an implicit-presence field either documents the
// default a missing field stands for, or, when its zero value breaks its
// rules, is required.
func TestDefaultsAndRequired(t *testing.T) {
	d := loadDoc(t)
	for _, c := range []struct {
		message, field string
		def            any
	}{
		{"statusd.v1.ValidateResponse", "conforms", false},
		{"statusd.v1.ValidateResponse", "code", "CODE_OK"},
		{"statusd.v1.LookupResponse", "connectCode", ""},
		{"statusd.v1.Finding", "expectedStatus", 0},
	} {
		if got := props(t, d, c.message)[c.field].(map[string]any)["default"]; got != c.def {
			t.Errorf("%s.%s: default %v, want %v", c.message, c.field, got, c.def)
		}
	}
	if f := props(t, d, "statusd.v1.ValidateResponse")["findings"].(map[string]any); f["default"] == nil {
		t.Error("findings: no default []")
	}
	ex := d.Comps.Schemas["statusd.v1.Exchange"]
	if req, _ := ex["required"].([]any); !slices.Contains(req, any("method")) || !slices.Contains(req, any("status")) {
		t.Errorf("Exchange required %v: method (min_len 1) and status (100-599) have no valid zero", req)
	}
	if _, ok := props(t, d, "statusd.v1.Exchange")["status"].(map[string]any)["default"]; ok {
		t.Error("Exchange.status documents a default its rules reject")
	}
}

// TestGetMessageIsAJSONString: Connect GET's message parameter is a string
// of JSON; an object parameter would be sent as message[field]=value.
func TestGetMessageIsAJSONString(t *testing.T) {
	d := loadDoc(t)
	get := d.Paths["/statusd.v1.StatusService/Lookup"]["get"]
	for _, p := range get["parameters"].([]any) {
		p := p.(map[string]any)
		if p["name"] != "message" {
			continue
		}
		s := p["schema"].(map[string]any)
		if s["type"] != "string" || s["contentMediaType"] != "application/json" || p["content"] != nil {
			t.Errorf("message parameter %v", p)
		}
		return
	}
	t.Error("no message parameter")
}

// TestErrorsAndMetadata: 4XX and 5XX carry the Connect error body, whose
// codes are connect-go's; the document has a license and a server.
func TestErrorsAndMetadata(t *testing.T) {
	d := loadDoc(t)
	for path, ops := range d.Paths {
		for method, op := range ops {
			r := op["responses"].(map[string]any)
			for _, k := range []string{"200", "4XX", "5XX"} {
				if r[k] == nil {
					t.Errorf("%s %s: no %s response", method, path, k)
				}
			}
		}
	}
	var codes []any
	for c := connect.CodeCanceled; c <= connect.CodeUnauthenticated; c++ {
		codes = append(codes, c.String())
	}
	got := d.Comps.Schemas["connect.error"]["properties"].(map[string]any)["code"].(map[string]any)["enum"].([]any)
	if !slices.Equal(got, codes) {
		t.Errorf("error codes %v, want %v", got, codes)
	}
	if lic := d.Info["license"].(map[string]any); lic["identifier"] != "Apache-2.0" {
		t.Errorf("license %v", lic)
	}
	if len(d.Servers) == 0 {
		t.Error("no servers")
	}
}

// TestServerIsDefaultAddr: the server in buf.gen.yaml is statusd's default
// -addr, wherever cmd/statusd declares it.
func TestServerIsDefaultAddr(t *testing.T) {
	d := loadDoc(t)
	url, _ := d.Servers[0]["url"].(string)
	addr := strings.TrimPrefix(url, "http://")
	src, err := os.ReadDir("../../../cmd/statusd")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`"addr", "` + regexp.QuoteMeta(addr) + `"`)
	for _, e := range src {
		if b, err := os.ReadFile("../../../cmd/statusd/" + e.Name()); err == nil && strings.HasSuffix(e.Name(), ".go") && re.Match(b) {
			return
		}
	}
	t.Errorf("server %q is not statusd's default -addr: update opt server= in buf.gen.yaml", url)
}
