// Command statusd serves the status catalog and its translations over
// Connect, gRPC and gRPC-Web on one port (HTTP/1.1 and cleartext HTTP/2, or
// TLS), checks HTTP exchanges from the command line, and exports its
// catalog.
//
//	go run ./cmd/statusd                         # serve on 127.0.0.1:8080
//	go run ./cmd/statusd serve -addr :9090 -catalog acme.txtpb
//	go run ./cmd/statusd validate -har session.har
//	go run ./cmd/statusd catalog export > catalog.txtpb
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/prototext"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := dispatch(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, isTerminal(os.Stdout))
	stop()
	os.Exit(code)
}

// dispatch runs a verb (serve, the default; validate; catalog export) and
// returns the exit code: 0 success, 1 an exchange does not conform, 2 bad
// input or a failure.
func dispatch(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, terminal bool) int {
	var err error
	switch {
	case len(args) > 0 && args[0] == "validate":
		err = runValidate(args[1:], stdin, stdout, stderr, terminal)
	case len(args) > 1 && args[0] == "catalog" && args[1] == "export":
		err = runExport(args[2:], stdout, stderr)
	case len(args) > 0 && args[0] == "catalog":
		err = errors.New("usage: statusd catalog export [-catalog FILE] [-format text|json]")
	case len(args) > 0 && args[0] == "serve":
		err = run(ctx, args[1:], stderr, nil)
	default:
		err = run(ctx, args, stderr, nil)
	}
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errNotConforming):
		return 1
	default:
		fmt.Fprintln(stderr, "statusd:", err)
		return 2
	}
}

// runExport is `statusd catalog export`: it writes the catalog statusd
// would serve (the embedded one, with -catalog laid over it), so that an
// organisation can start its own from it.
func runExport(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("statusd catalog export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("catalog", "", "catalog `file` to lay over the embedded one")
	format := fs.String("format", "text", "output `format`: text (protobuf text format) or json")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	c, err := loadCatalog(*file)
	if err != nil {
		return err
	}
	var out []byte
	switch *format {
	case "text":
		out, err = prototext.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(c.Proto())
		out = append([]byte("# proto-file: statusd/v1/catalog.proto\n# proto-message: statusd.v1.Catalog\n"), out...)
	case "json":
		out, err = protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(c.Proto())
		out = append(out, '\n')
	default:
		return fmt.Errorf("-format must be text or json, got %q", *format)
	}
	if err != nil {
		return err
	}
	_, err = stdout.Write(out)
	return err
}

// isTerminal reports whether f is a character device, such as a terminal.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
