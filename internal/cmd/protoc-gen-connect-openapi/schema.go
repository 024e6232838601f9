package main

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// schemas collects the JSON Schemas of messages, by full name, as
// protojson writes and reads them.
type schemas struct {
	root *yaml.Node
	seen map[protoreflect.FullName]bool
	// inResponse holds the messages a response may carry. Their schemas stay
	// open (no additionalProperties: false), so a client generated today
	// keeps working when the server adds a field tomorrow. Messages only
	// ever sent to the server are closed: statusd rejects unknown fields.
	inResponse map[protoreflect.FullName]bool
}

func newSchemas() *schemas {
	return &schemas{root: object(), seen: map[protoreflect.FullName]bool{}, inResponse: map[protoreflect.FullName]bool{}}
}

// markResponse records m and every message it contains as response messages.
func (s *schemas) markResponse(m *protogen.Message) {
	if s.inResponse[m.Desc.FullName()] {
		return
	}
	s.inResponse[m.Desc.FullName()] = true
	for _, f := range m.Fields {
		if f.Message != nil {
			s.markResponse(f.Message)
		}
	}
}

func refTo(m *protogen.Message) *yaml.Node {
	return object("$ref", "#/components/schemas/"+string(m.Desc.FullName()))
}

// add writes the schema of m (and of the messages it uses) once.
func (s *schemas) add(m *protogen.Message) error {
	name := m.Desc.FullName()
	if s.seen[name] {
		return nil
	}
	s.seen[name] = true
	if m.Desc.IsMapEntry() {
		return fmt.Errorf("%s: map fields cannot be expressed yet", name)
	}
	n := object("type", "object")
	put(s.root, string(name), n)
	desc := comment(m.Comments)
	msgRules, err := messageRules(m)
	if err != nil {
		return err
	}
	if msgRules != "" {
		desc = joinText(desc, msgRules)
	}
	if desc != "" {
		put(n, "description", desc)
	}
	props := child(n, "properties")
	var required []string
	for _, f := range m.Fields {
		prop, req, err := s.field(f)
		if err != nil {
			return fmt.Errorf("%s: %w", f.Desc.FullName(), err)
		}
		put(props, f.Desc.JSONName(), prop)
		if req {
			required = append(required, f.Desc.JSONName())
		}
	}
	if len(required) > 0 {
		put(n, "required", required)
	}
	var oneofs []*yaml.Node
	for _, o := range m.Oneofs {
		if o.Desc.IsSynthetic() {
			continue
		}
		c, err := oneofConstraint(o, props)
		if err != nil {
			return err
		}
		oneofs = append(oneofs, c)
	}
	switch len(oneofs) {
	case 0:
	case 1:
		put(n, "oneOf", get(oneofs[0], "oneOf"))
	default:
		put(n, "allOf", oneofs)
	}
	if !s.inResponse[name] {
		// unevaluatedProperties, unlike additionalProperties, also sees
		// the properties named in the oneOf branches.
		put(n, "unevaluatedProperties", false)
	}
	return nil
}

// oneofConstraint says, as JSON Schema, how many fields of o may be set:
// exactly one when buf.validate requires the oneof, else at most one. Each
// branch repeats its field's schema (without the prose) so that generators
// type the branches: openapi-typescript makes {} a type error for a
// required oneof.
func oneofConstraint(o *protogen.Oneof, props *yaml.Node) (*yaml.Node, error) {
	required, err := oneofRequired(o)
	if err != nil {
		return nil, err
	}
	var each, names []*yaml.Node
	for _, f := range o.Fields {
		name := f.Desc.JSONName()
		each = append(each, object(
			"type", "object",
			"required", []string{name},
			"properties", object(name, withoutProse(get(props, name))),
		))
		names = append(names, object("required", []string{name}))
	}
	if !required {
		// Setting none is the extra branch.
		each = append(each, object("not", object("anyOf", names)))
	}
	return object("oneOf", each), nil
}

// withoutProse returns a copy of the mapping n without description and default.
func withoutProse(n *yaml.Node) *yaml.Node {
	out := object()
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch n.Content[i].Value {
		case "description", "default":
			continue
		}
		out.Content = append(out.Content, n.Content[i], n.Content[i+1])
	}
	return out
}

// field returns the schema of f and whether buf.validate requires it.
func (s *schemas) field(f *protogen.Field) (*yaml.Node, bool, error) {
	item, err := s.kind(f)
	if err != nil {
		return nil, false, err
	}
	n := item
	if f.Desc.IsList() {
		n = object("type", "array", "items", item)
	}
	rules, err := applyFieldRules(f, n, item)
	if err != nil {
		return nil, false, err
	}
	desc := comment(f.Comments)
	if o := f.Oneof; o != nil && !o.Desc.IsSynthetic() {
		desc = joinText(desc, fmt.Sprintf("Part of the oneof `%s`: set only one of its fields.", o.Desc.Name()))
	}
	required := rules.required
	if def, ok := zeroDefault(f); ok && !required {
		if zeroAllowed(n, def) {
			put(n, "default", def)
			desc = joinText(desc, "Omitted from JSON when it has the default value.")
		} else {
			// The zero value, which JSON cannot tell from a missing field,
			// breaks the rules: the field must be sent.
			required = true
		}
	}
	desc = joinText(desc, rules.notes)
	// A description beside $ref is allowed in OpenAPI 3.1 (JSON Schema 2020-12).
	if desc != "" {
		put(n, "description", desc)
	}
	return n, required, nil
}

// zeroDefault is the value a reader must assume when protojson leaves an
// implicit-presence field out: proto3 never writes zero values, empty
// strings, the zero enum value or empty lists.
func zeroDefault(f *protogen.Field) (any, bool) {
	d := f.Desc
	if d.IsList() {
		return &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}, true
	}
	if d.HasPresence() {
		return nil, false
	}
	switch d.Kind() {
	case protoreflect.BoolKind:
		return false, true
	case protoreflect.StringKind, protoreflect.BytesKind:
		return "", true
	case protoreflect.EnumKind:
		return string(d.Enum().Values().ByNumber(0).Name()), true
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind,
		protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return "0", true
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return 0.0, true
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return nil, false
	}
	return 0, true
}

// zeroAllowed reports whether the limits on n admit the zero value, so that
// a default is worth documenting (a name with minLength 1 has no default:
// it must be sent).
func zeroAllowed(n *yaml.Node, def any) bool {
	num := func(key string) (float64, bool) {
		v := get(n, key)
		if v == nil {
			return 0, false
		}
		f, err := strconv.ParseFloat(v.Value, 64)
		return f, err == nil
	}
	if v, ok := num("minLength"); ok && v > 0 {
		return false
	}
	if v, ok := num("minItems"); ok && v > 0 {
		return false
	}
	if v, ok := num("minimum"); ok && v > 0 {
		return false
	}
	if v, ok := num("maximum"); ok && v < 0 {
		return false
	}
	if v, ok := num("exclusiveMinimum"); ok && v >= 0 {
		return false
	}
	if v, ok := num("exclusiveMaximum"); ok && v <= 0 {
		return false
	}
	if get(n, "const") != nil {
		return false
	}
	if enum := get(n, "enum"); enum != nil {
		zero := value(def)
		for _, e := range enum.Content {
			if e.Value == zero.Value {
				return true
			}
		}
		return false
	}
	return true
}

// kind returns the schema of one value of f, as protojson writes it.
func (s *schemas) kind(f *protogen.Field) (*yaml.Node, error) {
	switch f.Desc.Kind() {
	case protoreflect.MessageKind:
		if f.Desc.IsMap() {
			return nil, fmt.Errorf("map fields cannot be expressed yet")
		}
		if pkg := f.Message.Desc.ParentFile().Package(); pkg == "google.protobuf" {
			// Well-known types have JSON forms of their own (Timestamp as an
			// RFC 3339 string, Any with @type, Struct as any JSON...).
			return nil, fmt.Errorf("well-known type %s has a JSON mapping of its own, which cannot be expressed yet", f.Message.Desc.FullName())
		}
		if err := s.add(f.Message); err != nil {
			return nil, err
		}
		return refTo(f.Message), nil
	case protoreflect.GroupKind:
		return nil, fmt.Errorf("groups cannot be expressed")
	case protoreflect.EnumKind:
		var names []string
		for _, v := range f.Enum.Values {
			names = append(names, string(v.Desc.Name()))
		}
		return object("type", "string", "enum", names), nil
	case protoreflect.BoolKind:
		return object("type", "boolean"), nil
	case protoreflect.StringKind:
		return object("type", "string"), nil
	case protoreflect.BytesKind:
		return object("type", "string", "contentEncoding", "base64"), nil
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		// protojson writes non-finite numbers as strings.
		return object("anyOf", []*yaml.Node{
			object("type", "number"),
			object("type", "string", "enum", []string{"NaN", "Infinity", "-Infinity"}),
		}), nil
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		// protojson writes 64-bit integers as decimal strings and reads both.
		return object("type", []string{"string", "integer"}, "format", "int64", "pattern", `^-?[0-9]+$`), nil
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return object("type", []string{"string", "integer"}, "format", "uint64", "pattern", `^[0-9]+$`, "minimum", 0), nil
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return object("type", "integer", "format", "int32"), nil
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return object("type", "integer", "minimum", 0, "maximum", uint32(1<<32-1)), nil
	}
	return nil, fmt.Errorf("field kind %v cannot be expressed", f.Desc.Kind())
}

// comment returns a declaration's leading comment, cleaned up.
func comment(c protogen.CommentSet) string {
	lines := strings.Split(strings.TrimSpace(string(c.Leading)), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

func joinText(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n\n" + b
}
