package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"buf.build/go/protovalidate"
	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/internal/har"
	"github.com/statusd/statusd/internal/report"
	"github.com/statusd/statusd/mapping"
	"github.com/statusd/statusd/server"
	"google.golang.org/protobuf/encoding/protojson"
)

// errNotConforming makes `statusd validate` exit 1: the input was read, and
// some exchange breaks a MUST.
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
// or as JSON on stdin, or every entry of a HAR file, with the library (no
// server), and prints a report.
func runValidate(args []string, stdin io.Reader, stdout, stderr io.Writer, stdoutIsTerminal bool) error {
	fs := flag.NewFlagSet("statusd validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: statusd validate [flags]

Checks HTTP exchanges against RFC 9110 and their Level 3 profiles. The
exchange comes from -har, from -method and -status, or as JSON on stdin (a
statusd.v1.ValidateRequest, or a bare statusd.v1.Exchange). Exits 0 when
every exchange conforms, 1 when one breaks a MUST, 2 on bad input.

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
	asJSON := fs.Bool("json", false, "print JSON for machines")
	colour := fs.String("color", "auto", "colour the report: auto (on a terminal), always or never")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	useColour := stdoutIsTerminal
	switch *colour {
	case "auto":
	case "always":
		useColour = true
	case "never":
		useColour = false
	default:
		return fmt.Errorf("-color must be auto, always or never, got %q", *colour)
	}

	var requests []*statusdv1.ValidateRequest
	var notes []string
	switch {
	case *harFile != "":
		f, err := os.Open(*harFile)
		if err != nil {
			return err
		}
		entries, skipped, err := har.Read(f)
		f.Close()
		if err != nil {
			return err
		}
		for _, e := range entries {
			requests = append(requests, &statusdv1.ValidateRequest{Exchange: e.Exchange, Profiles: profiles})
		}
		for _, s := range skipped {
			notes = append(notes, fmt.Sprintf("entry %d (%s) skipped: %s", s.Index, s.URL, s.Reason))
		}
	case *status != 0 || *method != "":
		ex := &statusdv1.Exchange{Method: *method, Status: int32(*status), Target: *target,
			RequestHeaders: reqHeaders, ResponseHeaders: respHeaders}
		if *bodySize >= 0 {
			ex.ResponseBodySize = bodySize
		}
		requests = append(requests, &statusdv1.ValidateRequest{Exchange: ex, Profiles: profiles})
	default:
		req, err := readRequest(stdin)
		if err != nil {
			return err
		}
		if len(profiles) > 0 {
			req.Profiles = profiles
		}
		requests = append(requests, req)
	}

	svc := server.New(mapping.DefaultCatalog())
	var items []report.Item
	for i, req := range requests {
		if err := protovalidate.Validate(req); err != nil {
			return fmt.Errorf("exchange %d (%s %s): %w", i, req.GetExchange().GetMethod(), req.GetExchange().GetTarget(), err)
		}
		res, err := svc.Validate(context.Background(), req)
		if err != nil {
			var cerr *connect.Error
			if errors.As(err, &cerr) {
				return errors.New(cerr.Message())
			}
			return err
		}
		items = append(items, report.Item{Exchange: req.GetExchange(), Result: res})
	}
	var err error
	if *asJSON {
		err = report.JSON(stdout, items, notes)
	} else {
		err = report.Text(stdout, items, notes, useColour)
	}
	if err != nil {
		return err
	}
	if report.Count(items).Errors > 0 {
		return errNotConforming
	}
	return nil
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
