package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// statusd refuses what it does not understand. connect-go's JSON codec
// discards unknown fields and unknown enum names, for forward
// compatibility between programs built from different schema versions. An
// API people type by hand needs the opposite: `"profile": ["form"]` (for
// profiles) silently dropped gives a confident answer to a question nobody
// asked. So the codecs below fail with invalid_argument naming the field,
// for JSON (unknown field, unknown enum name) and for binary protobuf
// (fields the schema does not have).

// strictCodecs returns the handler options that replace connect-go's codecs.
func strictCodecs() []connect.HandlerOption {
	return []connect.HandlerOption{
		connect.WithCodec(strictJSON{name: "json"}),
		connect.WithCodec(strictJSON{name: "json; charset=utf-8"}),
		connect.WithCodec(strictProto{}),
	}
}

// strictJSON is protojson with unknown fields and enum names rejected.
type strictJSON struct{ name string }

func (c strictJSON) Name() string   { return c.name }
func (c strictJSON) IsBinary() bool { return false }

func (c strictJSON) Marshal(message any) ([]byte, error) {
	m, err := protoMessage(message)
	if err != nil {
		return nil, err
	}
	return protojson.MarshalOptions{}.Marshal(m)
}

// MarshalStable gives the same bytes for equal messages, for Connect GET
// caching; protojson varies its white space, so the output is compacted.
func (c strictJSON) MarshalStable(message any) ([]byte, error) {
	data, err := c.Marshal(message)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Compact(&out, data); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func (c strictJSON) Unmarshal(data []byte, message any) error {
	m, err := protoMessage(message)
	if err != nil {
		return err
	}
	if len(data) == 0 {
		return errors.New("empty body: send a JSON object, such as {}")
	}
	if err := (protojson.UnmarshalOptions{}).Unmarshal(data, m); err != nil {
		return explainJSONError(err, m.ProtoReflect().Descriptor())
	}
	return nil
}

// strictProto is binary protobuf with fields the schema lacks rejected.
type strictProto struct{}

func (strictProto) Name() string { return "proto" }

func (strictProto) Marshal(message any) ([]byte, error) {
	m, err := protoMessage(message)
	if err != nil {
		return nil, err
	}
	return proto.Marshal(m)
}

func (strictProto) MarshalStable(message any) ([]byte, error) {
	m, err := protoMessage(message)
	if err != nil {
		return nil, err
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(m)
}

func (strictProto) IsBinary() bool { return true }

func (strictProto) Unmarshal(data []byte, message any) error {
	m, err := protoMessage(message)
	if err != nil {
		return err
	}
	if err := proto.Unmarshal(data, m); err != nil {
		return err
	}
	if path, num, ok := unknownField(m.ProtoReflect(), ""); ok {
		return fmt.Errorf("%sfield number %d: unknown field of %s; this server does not understand it",
			path, num, m.ProtoReflect().Descriptor().FullName())
	}
	return nil
}

func protoMessage(message any) (proto.Message, error) {
	m, ok := message.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("%T is not a protobuf message", message)
	}
	return m, nil
}

// unknownField finds a field the schema does not have, anywhere in m, and
// returns the path of the message holding it ("request_headers[2]: ").
func unknownField(m protoreflect.Message, path string) (string, protoreflect.FieldNumber, bool) {
	if raw := m.GetUnknown(); len(raw) > 0 {
		num, _, _ := protowire.ConsumeTag(raw)
		return path, num, true
	}
	var (
		foundPath string
		foundNum  protoreflect.FieldNumber
		found     bool
	)
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Message() == nil || fd.IsMap() {
			return true
		}
		name := string(fd.Name())
		if fd.IsList() {
			for i := range v.List().Len() {
				if foundPath, foundNum, found = unknownField(v.List().Get(i).Message(), fmt.Sprintf("%s%s[%d]: ", path, name, i)); found {
					return false
				}
			}
			return true
		}
		foundPath, foundNum, found = unknownField(v.Message(), path+name+": ")
		return !found
	})
	return foundPath, foundNum, found
}

// protojson reports errors such as `proto: (line 1:30): unknown field
// "profile"` and `proto: (line 1:12): invalid value for enum field dialect:
// "DIALECT_GRCP"`; the patterns pick the field out of them.
var (
	unknownFieldRE = regexp.MustCompile(`unknown field "([^"]*)"`)
	badEnumRE      = regexp.MustCompile(`invalid value for enum field ([A-Za-z0-9_]+): (.*)$`)
)

// explainJSONError rewrites a protojson error so that it starts with the
// field at fault and says what would be accepted.
func explainJSONError(err error, md protoreflect.MessageDescriptor) error {
	msg := err.Error()
	if m := unknownFieldRE.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%s: unknown field%s; the fields of %s are %s",
			m[1], suggest(m[1], md), md.FullName(), strings.Join(jsonNames(md), ", "))
	}
	if m := badEnumRE.FindStringSubmatch(msg); m != nil {
		if fd := findField(md, m[1], 0); fd != nil && fd.Enum() != nil {
			return fmt.Errorf("%s: unknown value %s; use one of %s", fd.JSONName(), m[2], strings.Join(enumNames(fd.Enum()), ", "))
		}
		return fmt.Errorf("%s: unknown value %s", m[1], m[2])
	}
	// Syntax errors and wrong JSON types: protojson names the position and,
	// where it knows it, the field.
	_, rest, ok := strings.Cut(msg, "): ")
	if !ok {
		rest = msg
	}
	return fmt.Errorf("invalid JSON for %s: %s", md.FullName(), rest)
}

// suggest offers the field a typo most likely meant ("profile" →
// "profiles"), or nothing.
func suggest(name string, md protoreflect.MessageDescriptor) string {
	lower := strings.ToLower(strings.ReplaceAll(name, "_", ""))
	for _, candidate := range jsonNames(md) {
		c := strings.ToLower(candidate)
		if c == lower || c == lower+"s" || c+"s" == lower || strings.HasPrefix(c, lower) && len(lower) >= 4 {
			return fmt.Sprintf(" (did you mean %q?)", candidate)
		}
	}
	return ""
}

// jsonNames lists the JSON names of md's fields, in field order.
func jsonNames(md protoreflect.MessageDescriptor) []string {
	names := make([]string, 0, md.Fields().Len())
	for i := range md.Fields().Len() {
		names = append(names, md.Fields().Get(i).JSONName())
	}
	return names
}

// enumNames lists the names of an enum's values.
func enumNames(ed protoreflect.EnumDescriptor) []string {
	names := make([]string, 0, ed.Values().Len())
	for i := range ed.Values().Len() {
		names = append(names, string(ed.Values().Get(i).Name()))
	}
	return names
}

// findField finds a field by its proto or JSON name in md or the messages
// it holds (protojson names the field, not its path), at most a few levels
// deep.
func findField(md protoreflect.MessageDescriptor, name string, depth int) protoreflect.FieldDescriptor {
	if depth > 4 {
		return nil
	}
	fields := md.Fields()
	if fd := fields.ByName(protoreflect.Name(name)); fd != nil {
		return fd
	}
	if fd := fields.ByJSONName(name); fd != nil {
		return fd
	}
	seen := []protoreflect.FullName{md.FullName()}
	for i := range fields.Len() {
		if sub := fields.Get(i).Message(); sub != nil && !slices.Contains(seen, sub.FullName()) {
			if fd := findField(sub, name, depth+1); fd != nil {
				return fd
			}
		}
	}
	return nil
}
