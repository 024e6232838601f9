package main

import (
	"strings"
	"testing"

	"buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/pluginpb"
)

// testFile is a proto3 file test.proto with a service whose one method
// takes message In, built from the given fields and nested types.
func testFile(fields []*descriptorpb.FieldDescriptorProto, nested ...*descriptorpb.DescriptorProto) *descriptorpb.FileDescriptorProto {
	return &descriptorpb.FileDescriptorProto{
		Name:       proto.String("test/v1/test.proto"),
		Package:    proto.String("test.v1"),
		Syntax:     proto.String("proto3"),
		Dependency: []string{"google/protobuf/timestamp.proto", "buf/validate/validate.proto"},
		Options:    &descriptorpb.FileOptions{GoPackage: proto.String("example.com/test/v1;testv1")},
		MessageType: []*descriptorpb.DescriptorProto{
			{Name: proto.String("In"), Field: fields, NestedType: nested},
			{Name: proto.String("Out")},
		},
		Service: []*descriptorpb.ServiceDescriptorProto{{
			Name: proto.String("TestService"),
			Method: []*descriptorpb.MethodDescriptorProto{{
				Name: proto.String("Call"), InputType: proto.String(".test.v1.In"), OutputType: proto.String(".test.v1.Out"),
			}},
		}},
	}
}

func field(name string, typ descriptorpb.FieldDescriptorProto_Type, typeName string, label descriptorpb.FieldDescriptorProto_Label) *descriptorpb.FieldDescriptorProto {
	f := &descriptorpb.FieldDescriptorProto{Name: proto.String(name), Number: proto.Int32(1), Type: typ.Enum(), Label: label.Enum(), JsonName: proto.String(name)}
	if typeName != "" {
		f.TypeName = proto.String(typeName)
	}
	return f
}

func run(t *testing.T, fd *descriptorpb.FileDescriptorProto) error {
	t.Helper()
	req := &pluginpb.CodeGeneratorRequest{
		FileToGenerate: []string{fd.GetName()},
		ProtoFile: []*descriptorpb.FileDescriptorProto{
			protodesc.ToFileDescriptorProto(timestamppb.File_google_protobuf_timestamp_proto),
			protodesc.ToFileDescriptorProto(durationpb.File_google_protobuf_duration_proto),
			protodesc.ToFileDescriptorProto(fieldmaskpb.File_google_protobuf_field_mask_proto),
			protodesc.ToFileDescriptorProto(descriptorpb.File_google_protobuf_descriptor_proto),
			protodesc.ToFileDescriptorProto(validate.File_buf_validate_validate_proto),
			fd,
		},
	}
	p, err := protogen.Options{}.New(req)
	if err != nil {
		t.Fatalf("bad test input: %v", err)
	}
	return generate(p, p.FilesByPath[fd.GetName()], []string{"http://127.0.0.1:8080"})
}

// TestFailsOnWhatItCannotExpress: a map, a well-known type with its own
// JSON form, and a protovalidate rule without a JSON Schema form are errors
// naming the field, not silently wrong schemas.
func TestFailsOnWhatItCannotExpress(t *testing.T) {
	const opt = descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL
	const rep = descriptorpb.FieldDescriptorProto_LABEL_REPEATED
	entry := &descriptorpb.DescriptorProto{
		Name: proto.String("LabelsEntry"),
		Field: []*descriptorpb.FieldDescriptorProto{
			field("key", descriptorpb.FieldDescriptorProto_TYPE_STRING, "", opt),
			field("value", descriptorpb.FieldDescriptorProto_TYPE_STRING, "", opt),
		},
		Options: &descriptorpb.MessageOptions{MapEntry: proto.Bool(true)},
	}
	entry.Field[1].Number = proto.Int32(2)
	prefixed := field("name", descriptorpb.FieldDescriptorProto_TYPE_STRING, "", opt)
	prefixed.Options = &descriptorpb.FieldOptions{}
	proto.SetExtension(prefixed.Options, validate.E_Field, validate.FieldRules_builder{
		String: validate.StringRules_builder{Prefix: proto.String("x-")}.Build(),
	}.Build())
	for name, c := range map[string]struct {
		fd   *descriptorpb.FileDescriptorProto
		want string
	}{
		"map":       {testFile([]*descriptorpb.FieldDescriptorProto{field("labels", descriptorpb.FieldDescriptorProto_TYPE_MESSAGE, ".test.v1.In.LabelsEntry", rep)}, entry), "test.v1.In.labels: map fields"},
		"timestamp": {testFile([]*descriptorpb.FieldDescriptorProto{field("at", descriptorpb.FieldDescriptorProto_TYPE_MESSAGE, ".google.protobuf.Timestamp", opt)}), "test.v1.In.at: well-known type"},
		"prefix":    {testFile([]*descriptorpb.FieldDescriptorProto{prefixed}), `test.v1.In.name: buf.validate rule "prefix"`},
	} {
		t.Run(name, func(t *testing.T) {
			err := run(t, c.fd)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err %v, want it to contain %q", err, c.want)
			}
		})
	}
	// And the same file with a plain string generates.
	if err := run(t, testFile([]*descriptorpb.FieldDescriptorProto{field("name", descriptorpb.FieldDescriptorProto_TYPE_STRING, "", opt)})); err != nil {
		t.Errorf("a plain string field: %v", err)
	}
}
