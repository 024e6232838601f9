package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"buf.build/go/protovalidate"
	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping"
	"github.com/statusd/statusd/server"
	"google.golang.org/protobuf/encoding/protojson"
)

// runLookup is `statusd lookup STATUS|CODE`: the Lookup RPC answered in
// process from the embedded (or -catalog) catalog, so that a person can ask
// without running a server. It calls the same server.Service.Lookup as the
// RPC, after the same protovalidate rules, so the answers cannot drift.
func runLookup(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("lookup", "STATUS|CODE [flags]", `Says what an HTTP status (such as 429) means as a code, or which HTTP status a
code (such as unavailable, UNAVAILABLE or CODE_UNAVAILABLE) is, in a dialect,
for a method and the resource's Level 3 profiles. Offline: answers from the
embedded catalog, with -catalog laid over it, as the Lookup RPC would.`, stderr)
	dialect := fs.String("dialect", "level3", "`dialect`: "+strings.Join(dialectNames(), ", "))
	method := fs.String("method", "", "request `method`, such as POST (Level 3 dialect)")
	var profiles listFlag
	fs.Var(&profiles, "profile", "the resource's Level 3 profile `id or URI` (repeatable)")
	var headers headerFlag
	fs.Var(&headers, "H", "request header `\"Name: value\"` that matters, such as if-match (repeatable)")
	file := fs.String("catalog", "", "catalog `file` to lay over the embedded one")
	asJSON := fs.Bool("json", false, "print the LookupResponse as JSON, for scripts")
	keys, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(keys) != 1 {
		fs.Usage()
		if len(keys) == 0 {
			return errors.New("lookup: give one HTTP status or code")
		}
		return fmt.Errorf("lookup: unexpected argument %q; give one HTTP status or code", keys[1])
	}
	req := &statusdv1.LookupRequest{Method: *method, Profiles: profiles, RequestHeaders: headers}
	if req.Dialect, err = parseDialect(*dialect); err != nil {
		return err
	}
	if err := setLookupKey(req, keys[0]); err != nil {
		return err
	}
	if err := protovalidate.Validate(req); err != nil {
		return err
	}
	c, err := loadCatalog(*file)
	if err != nil {
		return err
	}
	res, err := server.New(c).Lookup(context.Background(), req)
	if err != nil {
		var cerr *connect.Error
		if errors.As(err, &cerr) {
			return errors.New(cerr.Message())
		}
		return err
	}
	if *asJSON {
		out, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(res)
		if err != nil {
			return err
		}
		_, err = stdout.Write(append(out, '\n'))
		return err
	}
	_, err = io.WriteString(stdout, lookupText(req, res))
	return err
}

// parseInterspersed parses flags that may come after positional arguments,
// as in `statusd lookup unavailable -dialect grpc`, which the flag package
// alone stops at. It returns the positional arguments; after "--" every
// argument is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// dialectNames are the -dialect values: the proto enum names, lower case,
// without DIALECT_ (level3, connect, grpc, ...).
func dialectNames() []string {
	var names []string
	for _, d := range mapping.Dialects() {
		names = append(names, dialectName(d))
	}
	return names
}

func dialectName(d statusdv1.Dialect) string {
	return strings.ToLower(strings.TrimPrefix(d.String(), "DIALECT_"))
}

// parseDialect accepts a dialect name as dialectNames gives it, with - for
// _, or the enum name.
func parseDialect(s string) (statusdv1.Dialect, error) {
	name := strings.ToUpper(strings.ReplaceAll(s, "-", "_"))
	if !strings.HasPrefix(name, "DIALECT_") {
		name = "DIALECT_" + name
	}
	d := statusdv1.Dialect(statusdv1.Dialect_value[name])
	if _, defined := statusdv1.Dialect_value[name]; !defined || !mapping.DialectSupported(d) || d == statusdv1.Dialect_DIALECT_UNSPECIFIED {
		return 0, fmt.Errorf("-dialect: unknown dialect %q; use one of %s", s, strings.Join(dialectNames(), ", "))
	}
	return d, nil
}

// setLookupKey sets the request's key: a number is an HTTP status, a word a
// code by its Connect name (unavailable), gRPC name (UNAVAILABLE) or enum
// name (CODE_UNAVAILABLE).
func setLookupKey(req *statusdv1.LookupRequest, key string) error {
	if n, err := strconv.Atoi(key); err == nil {
		req.Key = &statusdv1.LookupRequest_HttpStatus{HttpStatus: int32(n)}
		return nil
	}
	name := strings.ToLower(strings.TrimPrefix(strings.ToUpper(key), "CODE_"))
	code, ok := mapping.CodeForConnectName(name)
	if name == "ok" {
		code, ok = statusdv1.Code_CODE_OK, true
	}
	if !ok {
		names := []string{"ok"}
		for c := statusdv1.Code(1); mapping.ValidCode(c); c++ {
			names = append(names, mapping.ConnectName(c))
		}
		return fmt.Errorf("lookup: %q is neither an HTTP status nor a code; codes are %s", key, strings.Join(names, ", "))
	}
	req.Key = &statusdv1.LookupRequest_Code{Code: code}
	return nil
}

// lookupText is the answer for a person: the translation on one line, then
// why, and the sources.
func lookupText(req *statusdv1.LookupRequest, res *statusdv1.LookupResponse) string {
	code := res.GetConnectCode()
	if code == "" {
		code = "ok"
	}
	status := fmt.Sprintf("HTTP %d", res.GetHttpStatus())
	if reason := res.GetStatus().GetReason(); reason != "" {
		status += " " + reason
	}
	var b strings.Builder
	if _, byCode := req.GetKey().(*statusdv1.LookupRequest_Code); byCode {
		fmt.Fprintf(&b, "%s -> %s\n", code, status)
	} else {
		fmt.Fprintf(&b, "%s -> %s\n", status, code)
	}
	fmt.Fprintf(&b, "  dialect:   %s\n", dialectName(res.GetDialect()))
	if req.GetMethod() != "" {
		fmt.Fprintf(&b, "  method:    %s\n", req.GetMethod())
	}
	if len(res.GetProfiles()) > 0 {
		fmt.Fprintf(&b, "  profiles:  %s\n", strings.Join(res.GetProfiles(), " "))
	}
	fmt.Fprintf(&b, "  rationale: %s\n", res.GetRationale())
	if m := res.GetStatus().GetMeaning(); m != "" {
		fmt.Fprintf(&b, "  meaning:   %s\n", m)
	}
	for i, c := range res.GetCitations() {
		label := "  cites:     "
		if i > 0 {
			label = "             "
		}
		doc := c.GetDocument()
		if c.GetSection() != "" {
			doc += " §" + c.GetSection()
		}
		fmt.Fprintf(&b, "%s%s  %s\n", label, doc, c.GetUrl())
	}
	return b.String()
}
