package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"buf.build/go/protovalidate"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/internal/har"
	"github.com/statusd/statusd/internal/report"
	"github.com/statusd/statusd/mapping"
	"github.com/statusd/statusd/mapping/conformance"
	"google.golang.org/protobuf/encoding/protojson"
)

// errNotConforming makes `statusd validate` exit 1: the input was read, and
// some exchange has a finding at the -fail-on severity or above.
var errNotConforming = errors.New("an exchange does not conform")

// headerFlag collects repeated "Name: value" flags.
type headerFlag []*statusdv1.Header

func (h *headerFlag) String() string { return fmt.Sprint(len(*h), " headers") }

func (h *headerFlag) Set(v string) error {
	name, value, ok := strings.Cut(v, ":")
	if !ok {
		return fmt.Errorf("want \"Name: value\", got %q", v)
	}
	*h = append(*h, &statusdv1.Header{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value)})
	return nil
}

// listFlag collects repeated string flags.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// runValidate is `statusd validate`: it checks one exchange given as flags
// or as JSON on stdin, or every entry of a HAR file, with the conformance
// library (no server, the catalog of -catalog laid over the embedded one),
// and prints a report.
func runValidate(args []string, stdin io.Reader, stdout, stderr io.Writer, stdoutIsTerminal bool) error {
	fs := flag.NewFlagSet("statusd validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: statusd validate [flags]

Checks HTTP exchanges against RFC 9110 and their Level 3 profiles. The
exchange comes from -har, from -method and -status (with -H, -R, -target
and -response-body-size), or as JSON on stdin (a statusd.v1.ValidateRequest,
or a bare statusd.v1.Exchange); give exactly one. Exits 0 when no exchange
has a finding at the -fail-on severity or above, 1 when one has, 2 on bad
input.

`)
		fs.PrintDefaults()
	}
	harFile := fs.String("har", "", "check every entry of this HAR 1.2 `file` (profiles from each response)")
	method := fs.String("method", "", "request `method`, such as POST")
	status := fs.Int("status", 0, "response `status`, 100-599")
	target := fs.String("target", "", "request `URL` or path, for the report")
	bodySize := fs.Int64("response-body-size", -1, "response body size in `bytes`; -1 for unknown")
	var reqHeaders, respHeaders headerFlag
	fs.Var(&reqHeaders, "H", "request header `\"Name: value\"` (repeatable)")
	fs.Var(&respHeaders, "R", "response header `\"Name: value\"` (repeatable)")
	var profiles listFlag
	fs.Var(&profiles, "profile", "Level 3 profile `id or URI` (repeatable); default: the response's profile headers")
	catalogFile := fs.String("catalog", "", "catalog `file` (text or JSON statusd.v1.Catalog) laid over the embedded one, as for serve")
	failOnFlag := fs.String("fail-on", "error", "exit 1 when a finding is at least this `severity`: error, warning or info")
	format := fs.String("format", "text", "report `format`: text, json, or junit (JUnit XML for CI systems)")
	asJSON := fs.Bool("json", false, "print JSON for machines (same as -format json)")
	colour := fs.String("color", "auto", "colour the report: auto (on a terminal), always or never")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	useColour, err := colourFlag(*colour, stdoutIsTerminal)
	if err != nil {
		return err
	}
	failOn, ok := map[string]statusdv1.Severity{"error": statusdv1.Severity_SEVERITY_ERROR,
		"warning": statusdv1.Severity_SEVERITY_WARNING, "info": statusdv1.Severity_SEVERITY_INFO}[*failOnFlag]
	if !ok {
		return fmt.Errorf("-fail-on must be error, warning or info, got %q", *failOnFlag)
	}
	if *asJSON {
		if *format != "text" && *format != "json" {
			return fmt.Errorf("-json and -format %s contradict each other", *format)
		}
		*format = "json"
	}
	if *format != "text" && *format != "json" && *format != "junit" {
		return fmt.Errorf("-format must be text, json or junit, got %q", *format)
	}
	// Flags that describe one exchange, so that a second source of
	// exchanges given with them is an error instead of being ignored.
	var exchangeFlags []string
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "method", "status", "target", "response-body-size", "H", "R":
			exchangeFlags = append(exchangeFlags, "-"+f.Name)
		}
	})
	cat, err := loadCatalog(*catalogFile)
	if err != nil {
		return err
	}

	var items []report.Item
	var notes []string
	switch {
	case *harFile != "" && len(exchangeFlags) > 0:
		return fmt.Errorf("-har checks the exchanges of a file; %s describe one exchange of their own: give one or the other", strings.Join(exchangeFlags, ", "))
	case *harFile != "":
		items, notes, err = readHAR(*harFile, profiles, stderr)
		if err != nil {
			return err
		}
	case *status != 0 || *method != "":
		ex := &statusdv1.Exchange{Method: *method, Status: int32(*status), Target: *target,
			RequestHeaders: reqHeaders, ResponseHeaders: respHeaders}
		if *bodySize >= 0 {
			ex.ResponseBodySize = bodySize
		}
		items = []report.Item{{Entry: -1, Exchange: ex}}
	case len(exchangeFlags) > 0:
		return fmt.Errorf("%s describe an exchange given by -method and -status; with JSON on stdin, put them in the JSON", strings.Join(exchangeFlags, ", "))
	default:
		req, err := readRequest(stdin)
		if err != nil {
			return err
		}
		if len(profiles) > 0 && len(req.GetProfiles()) > 0 {
			return errors.New("the JSON on stdin names its profiles and so does -profile: give them in one place")
		}
		if len(profiles) == 0 {
			profiles = req.GetProfiles()
		}
		items = []report.Item{{Entry: -1, Exchange: req.GetExchange()}}
	}

	for i := range items {
		if items[i].Result, err = checkOne(cat, items[i], profiles); err != nil {
			return err
		}
	}
	switch *format {
	case "json":
		err = report.JSON(stdout, items, notes)
	case "junit":
		err = report.JUnit(stdout, items, failOn)
	default:
		err = report.Text(stdout, items, notes, useColour)
	}
	if err != nil {
		return err
	}
	for _, it := range items {
		if report.Fails(it, failOn) {
			return errNotConforming
		}
	}
	return nil
}

func colourFlag(v string, terminal bool) (bool, error) {
	switch v {
	case "auto":
		return terminal, nil
	case "always":
		return true, nil
	case "never":
		return false, nil
	}
	return false, fmt.Errorf("-color must be auto, always or never, got %q", v)
}

// readHAR reads the exchanges of a HAR file; skipped entries become notes,
// and a file without exchanges is said on stderr (the report alone would
// read like a clean bill of health).
func readHAR(file string, profiles []string, stderr io.Writer) ([]report.Item, []string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	entries, skipped, err := har.Read(f)
	if err != nil {
		return nil, nil, err
	}
	var items []report.Item
	for _, e := range entries {
		items = append(items, report.Item{Entry: e.Index, Exchange: e.Exchange})
	}
	var notes []string
	for _, s := range skipped {
		notes = append(notes, fmt.Sprintf("entry %d (%s) skipped: %s", s.Index, s.URL, s.Reason))
	}
	if len(entries) == 0 {
		msg := fmt.Sprintf("%s has no exchange to check (%d entries, %d skipped)", file, len(entries)+len(skipped), len(skipped))
		fmt.Fprintln(stderr, "statusd: warning:", msg)
		notes = append(notes, "warning: "+msg)
	}
	return items, notes, nil
}

// checkOne validates one exchange as the Validate RPC does: the request's
// protovalidate rules first, then the conformance rules.
func checkOne(cat *mapping.Catalog, it report.Item, profiles []string) (*statusdv1.ValidateResponse, error) {
	req := &statusdv1.ValidateRequest{Exchange: it.Exchange, Profiles: profiles}
	where := fmt.Sprintf("exchange (%s %s)", it.Exchange.GetMethod(), it.Exchange.GetTarget())
	if it.Entry >= 0 {
		where = fmt.Sprintf("entry %d (%s %s)", it.Entry, it.Exchange.GetMethod(), it.Exchange.GetTarget())
	}
	if err := protovalidate.Validate(req); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	rep, err := conformance.Check(cat, it.Exchange, profiles)
	var unknown *conformance.UnknownProfileError
	if errors.As(err, &unknown) {
		return nil, fmt.Errorf("-profile %q: unknown profile; use a short id or a level3.rest profile URI", unknown.ID)
	}
	if err != nil {
		return nil, err
	}
	return rep.Response(), nil
}

// readRequest reads a ValidateRequest, or a bare Exchange, as JSON.
func readRequest(r io.Reader) (*statusdv1.ValidateRequest, error) {
	data, err := io.ReadAll(io.LimitReader(r, 16<<20))
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(string(data)) == "" {
		return nil, errors.New("no exchange: give -har FILE, -method and -status, or JSON on stdin")
	}
	req := &statusdv1.ValidateRequest{}
	reqErr := protojson.Unmarshal(data, req)
	if reqErr == nil && req.GetExchange() != nil {
		return req, nil
	}
	ex := &statusdv1.Exchange{}
	if err := protojson.Unmarshal(data, ex); err == nil {
		return &statusdv1.ValidateRequest{Exchange: ex}, nil
	}
	if reqErr == nil {
		reqErr = errors.New(`no "exchange"`)
	}
	return nil, fmt.Errorf("stdin is neither a statusd.v1.ValidateRequest nor an Exchange in JSON: %w", reqErr)
}
