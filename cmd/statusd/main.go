// Command statusd serves the status catalog and its translations over
// Connect, gRPC and gRPC-Web on one port (HTTP/1.1 and cleartext HTTP/2, or
// TLS), answers and checks from the command line, and exports its catalog.
//
//	statusd                                  # serve on 127.0.0.1:8080
//	statusd serve -addr :9090 -catalog acme.txtpb
//	statusd lookup 429
//	statusd validate -har session.har
//	statusd catalog export > catalog.txtpb
//	statusd help
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
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

// Exit codes, the same for every verb.
const (
	exitOK       = 0 // done; or the help that was asked for
	exitFindings = 1 // validate: an exchange breaks a MUST
	exitUsage    = 2 // bad flags or arguments, unreadable input, or a failure
)

// stdio is what a verb reads and writes.
type stdio struct {
	in       io.Reader
	out, err io.Writer
	terminal bool // out is a terminal
}

// verb is one word of the command line. The table below is the one list of
// verbs: help, dispatch and shell completion all read it.
type verb struct {
	name    string
	args    string // what follows the verb in its usage line
	summary string // one line for `statusd help`
	run     func(ctx context.Context, args []string, std stdio) error
}

var verbs []verb

func init() {
	// Assigned in init because help and completion read the table.
	verbs = []verb{
		{"serve", "[flags]", "serve the catalog over Connect, gRPC and gRPC-Web (the default verb)",
			func(ctx context.Context, args []string, std stdio) error { return run(ctx, args, std.err, nil) }},
		{"lookup", "STATUS|CODE [flags]", "say what an HTTP status or a code means in a dialect, offline",
			func(_ context.Context, args []string, std stdio) error { return runLookup(args, std.out, std.err) }},
		{"validate", "[flags]", "check HTTP exchanges against RFC 9110 and their Level 3 profiles",
			func(_ context.Context, args []string, std stdio) error {
				return runValidate(args, std.in, std.out, std.err, std.terminal)
			}},
		{"catalog", "export [flags]", "write the catalog statusd serves, to start an organisation's own",
			func(_ context.Context, args []string, std stdio) error { return runCatalog(args, std.out, std.err) }},
		{"version", "[flags]", "print the module version and VCS revision of this binary",
			func(_ context.Context, args []string, std stdio) error { return runVersion(args, std.out, std.err) }},
		{"completion", "bash|zsh", "print a shell completion script",
			func(_ context.Context, args []string, std stdio) error { return runCompletion(args, std.out, std.err) }},
		{"help", "[VERB]", "list the verbs, or show one verb's flags",
			func(_ context.Context, args []string, std stdio) error { return runHelp(args, std.out, std.err) }},
	}
}

// findVerb returns the verb called name.
func findVerb(name string) (verb, bool) {
	for _, v := range verbs {
		if v.name == name {
			return v, true
		}
	}
	return verb{}, false
}

// dispatch runs a verb and returns its exit code (exitOK, exitFindings or
// exitUsage). With no verb, or flags first, statusd serves, so that
// `statusd -addr :9090` keeps working.
func dispatch(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, terminal bool) int {
	// The flag package prints its own parse errors (with the usage) before
	// returning them; rec lets dispatch print an error only if the verb has
	// not already. It keeps the first bytes only, so a long-running serve
	// does not grow it: parse errors come before anything else.
	rec := &headWriter{w: stderr, max: 16 << 10}
	std := stdio{in: stdin, out: stdout, err: rec, terminal: terminal}
	var err error
	switch {
	case len(args) == 0:
		err = run(ctx, nil, std.err, nil)
	case isHelpFlag(args[0]):
		err = runHelp(args[1:], stdout, std.err)
	case args[0] == "-version" || args[0] == "--version":
		err = runVersion(args[1:], stdout, std.err)
	case len(args[0]) > 0 && args[0][0] == '-':
		err = run(ctx, args, std.err, nil) // serve's flags without the verb
	default:
		v, ok := findVerb(args[0])
		if !ok {
			err = fmt.Errorf("unknown verb %q; `statusd help` lists them", args[0])
			break
		}
		err = v.run(ctx, args[1:], std)
	}
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errNotConforming):
		return exitFindings
	}
	rec.mu.Lock()
	printed := bytes.Contains(rec.head, []byte(err.Error()))
	rec.mu.Unlock()
	if !printed {
		fmt.Fprintln(stderr, "statusd:", err)
	}
	return exitUsage
}

// isHelpFlag reports whether arg asks for help the way flag packages do.
func isHelpFlag(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "--h":
		return true
	}
	return false
}

// headWriter writes through to w and keeps the first max bytes written.
type headWriter struct {
	mu   sync.Mutex // serve's goroutines log concurrently
	w    io.Writer
	max  int
	head []byte
}

func (h *headWriter) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if room := h.max - len(h.head); room > 0 {
		h.head = append(h.head, p[:min(room, len(p))]...)
	}
	return h.w.Write(p)
}

// newFlagSet returns a flag set for a verb whose -h prints the usage in the
// one style every verb shares: "usage: statusd VERB ARGS", what the verb
// does, then its flags.
func newFlagSet(v, args, about string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("statusd "+v, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: statusd %s %s\n\n%s\n\n", v, strings.TrimSpace(args), about)
		fs.PrintDefaults()
	}
	return fs
}

// runCatalog is `statusd catalog VERB`; export is its only verb.
func runCatalog(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || isHelpFlag(args[0]) {
		fmt.Fprint(stderr, "usage: statusd catalog export [flags]\n\nexport  write the catalog statusd would serve (`statusd catalog export -h` for its flags)\n")
		if len(args) == 0 {
			return errors.New("catalog: missing verb export")
		}
		return flag.ErrHelp
	}
	if args[0] != "export" {
		return fmt.Errorf("catalog: unknown verb %q; the verb is export", args[0])
	}
	return runExport(args[1:], stdout, stderr)
}

// runExport is `statusd catalog export`: it writes the catalog statusd
// would serve (the embedded one, with -catalog laid over it), so that an
// organisation can start its own from it.
func runExport(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("catalog export", "[flags]",
		"Writes the catalog statusd would serve: the embedded one, with -catalog laid over it.", stderr)
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
