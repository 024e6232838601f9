package main

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"go.yaml.in/yaml/v3"
	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// The protovalidate rules of the protos (buf.validate options), read from
// the descriptors buf hands the plugin, become JSON Schema limits, so a
// generated client or a schema validator rejects what statusd would reject.
// A rule with no JSON Schema form is an error, not a silent omission: the
// table below must learn it first.

// fieldRules is what the rules of one field add besides schema keywords.
type fieldRules struct {
	required bool
	notes    string
}

// numberKeywords maps the range rules of every numeric rule message
// (Int32Rules, UInt64Rules, DoubleRules...) to JSON Schema.
var numberKeywords = map[protoreflect.Name]string{
	"const": "const",
	"gt":    "exclusiveMinimum",
	"gte":   "minimum",
	"lt":    "exclusiveMaximum",
	"lte":   "maximum",
	"in":    "enum",
}

// stringKeywords maps StringRules to JSON Schema; "len" sets two.
var stringKeywords = map[protoreflect.Name]string{
	"const":   "const",
	"min_len": "minLength",
	"max_len": "maxLength",
	"pattern": "pattern",
	"in":      "enum",
}

// stringFormats maps StringRules' well-known formats to OpenAPI formats.
var stringFormats = map[protoreflect.Name]string{
	"email":    "email",
	"hostname": "hostname",
	"ipv4":     "ipv4",
	"ipv6":     "ipv6",
	"uri":      "uri",
	"uri_ref":  "uri-reference",
	"uuid":     "uuid",
}

// celMatches recognises the one CEL form that is a JSON Schema pattern.
var celMatches = regexp.MustCompile(`^this\.matches\(("(?:[^"\\]|\\.)*")\)$`)

// applyFieldRules puts f's rules on its schema n (item is the schema of one
// element when f is repeated, else n itself).
func applyFieldRules(f *protogen.Field, n, item *yaml.Node) (fieldRules, error) {
	rules, _ := proto.GetExtension(f.Desc.Options(), validate.E_Field).(*validate.FieldRules)
	return applyRules(f, rules, n, item, f.Desc.IsList())
}

func applyRules(f *protogen.Field, rules *validate.FieldRules, n, item *yaml.Node, list bool) (fieldRules, error) {
	var out fieldRules
	if rules == nil {
		return out, nil
	}
	out.required = rules.GetRequired()
	var notes []string
	for _, c := range rules.GetCel() {
		if m := celMatches.FindStringSubmatch(c.GetExpression()); m != nil && !list {
			re, err := strconv.Unquote(m[1])
			if err != nil {
				return out, fmt.Errorf("cel %s: %w", c.GetId(), err)
			}
			put(n, "pattern", re)
		}
		notes = append(notes, fmt.Sprintf("Must satisfy `%s`: %s.", c.GetId(), strings.TrimSuffix(c.GetMessage(), ".")))
	}
	for _, expr := range rules.GetCelExpression() {
		notes = append(notes, fmt.Sprintf("Must satisfy the CEL expression `%s`.", expr))
	}
	out.notes = strings.Join(notes, " ")
	typed := rules.ProtoReflect()
	which := typed.WhichOneof(typed.Descriptor().Oneofs().ByName("type"))
	if which == nil {
		return out, nil
	}
	sub := typed.Get(which).Message()
	var err error
	switch which.Name() {
	case "repeated":
		err = repeatedRules(f, sub, n, item)
	case "string":
		err = eachRule(sub, func(name protoreflect.Name, v protoreflect.Value) error { return stringRule(n, name, v) })
	case "enum":
		err = eachRule(sub, func(name protoreflect.Name, v protoreflect.Value) error { return enumRule(f, n, name, v) })
	case "bool":
		err = eachRule(sub, func(name protoreflect.Name, v protoreflect.Value) error {
			return simpleRule(n, name, v, numberKeywords)
		})
	case "int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32", "fixed64", "sfixed32", "sfixed64", "float", "double":
		err = eachRule(sub, func(name protoreflect.Name, v protoreflect.Value) error {
			return simpleRule(n, name, v, numberKeywords)
		})
	default:
		err = fmt.Errorf("buf.validate %s rules cannot be expressed yet", which.Name())
	}
	return out, err
}

// eachRule calls fn for every rule set in a typed rule message, in field
// number order: Message.Range's order is deliberately unstable, and the
// generated document must be the same on every run.
func eachRule(rules protoreflect.Message, fn func(protoreflect.Name, protoreflect.Value) error) error {
	type rule struct {
		fd protoreflect.FieldDescriptor
		v  protoreflect.Value
	}
	var set []rule
	rules.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		set = append(set, rule{fd, v})
		return true
	})
	slices.SortFunc(set, func(a, b rule) int { return cmp.Compare(a.fd.Number(), b.fd.Number()) })
	for _, r := range set {
		if err := fn(r.fd.Name(), r.v); err != nil {
			return err
		}
	}
	return nil
}

func repeatedRules(f *protogen.Field, rules protoreflect.Message, n, item *yaml.Node) error {
	return eachRule(rules, func(name protoreflect.Name, v protoreflect.Value) error {
		switch name {
		case "min_items":
			put(n, "minItems", v.Uint())
		case "max_items":
			put(n, "maxItems", v.Uint())
		case "unique":
			put(n, "uniqueItems", v.Bool())
		case "items":
			itemRules, _ := v.Message().Interface().(*validate.FieldRules)
			r, err := applyRules(f, itemRules, item, item, false)
			if err != nil {
				return fmt.Errorf("items: %w", err)
			}
			if r.notes != "" {
				put(item, "description", r.notes)
			}
		default:
			return fmt.Errorf("buf.validate repeated.%s cannot be expressed yet", name)
		}
		return nil
	})
}

func stringRule(n *yaml.Node, name protoreflect.Name, v protoreflect.Value) error {
	if name == "len" {
		put(n, "minLength", v.Uint())
		put(n, "maxLength", v.Uint())
		return nil
	}
	if format, ok := stringFormats[name]; ok {
		if v.Bool() {
			put(n, "format", format)
		}
		return nil
	}
	if name == "not_in" {
		put(n, "not", object("enum", listValues(v)))
		return nil
	}
	return simpleRule(n, name, v, stringKeywords)
}

// simpleRule sets the keyword of a rule whose value carries over as it is.
func simpleRule(n *yaml.Node, name protoreflect.Name, v protoreflect.Value, keywords map[protoreflect.Name]string) error {
	if name == "not_in" {
		put(n, "not", object("enum", listValues(v)))
		return nil
	}
	kw, ok := keywords[name]
	if !ok {
		return fmt.Errorf("buf.validate rule %q cannot be expressed yet", name)
	}
	if l, ok := v.Interface().(protoreflect.List); ok {
		put(n, kw, listValues(protoreflect.ValueOfList(l)))
		return nil
	}
	put(n, kw, v.Interface())
	return nil
}

func listValues(v protoreflect.Value) *yaml.Node {
	l := v.List()
	out := &yaml.Node{Kind: yaml.SequenceNode}
	for i := range l.Len() {
		out.Content = append(out.Content, value(l.Get(i).Interface()))
	}
	return out
}

// enumRule narrows the enum's names; defined_only adds nothing, since the
// schema lists only defined names anyway.
func enumRule(f *protogen.Field, n *yaml.Node, name protoreflect.Name, v protoreflect.Value) error {
	values := f.Desc.Enum().Values()
	nameOf := func(num int32) string { return string(values.ByNumber(protoreflect.EnumNumber(num)).Name()) }
	switch name {
	case "defined_only":
	case "const":
		put(n, "const", nameOf(int32(v.Int())))
	case "in", "not_in":
		listed := map[string]bool{}
		for i := range v.List().Len() {
			listed[nameOf(int32(v.List().Get(i).Int()))] = true
		}
		var keep []string
		for i := range values.Len() {
			vn := string(values.Get(i).Name())
			if listed[vn] == (name == "in") {
				keep = append(keep, vn)
			}
		}
		put(n, "enum", keep)
	default:
		return fmt.Errorf("buf.validate enum.%s cannot be expressed yet", name)
	}
	return nil
}

// oneofRequired reports whether buf.validate requires one field of o.
func oneofRequired(o *protogen.Oneof) (bool, error) {
	rules, _ := proto.GetExtension(o.Desc.Options(), validate.E_Oneof).(*validate.OneofRules)
	return rules.GetRequired(), nil
}

// messageRules returns the notes of m's message-level rules.
func messageRules(m *protogen.Message) (string, error) {
	rules, _ := proto.GetExtension(m.Desc.Options(), validate.E_Message).(*validate.MessageRules)
	if rules == nil {
		return "", nil
	}
	if len(rules.GetOneof()) > 0 {
		return "", fmt.Errorf("%s: buf.validate message oneof rules cannot be expressed yet", m.Desc.FullName())
	}
	var notes []string
	for _, c := range rules.GetCel() {
		notes = append(notes, fmt.Sprintf("Must satisfy `%s`: %s.", c.GetId(), strings.TrimSuffix(c.GetMessage(), ".")))
	}
	return strings.Join(notes, " "), nil
}
