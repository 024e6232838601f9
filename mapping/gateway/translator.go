// Package gateway turns HTTP responses into RPC errors and RPC errors into
// HTTP responses, for gateways and proxies that sit between REST and RPC
// (connect-go, grpc-go and grpc-gateway). It applies a dialect and a set of
// Level 3 profiles from package mapping, and carries the exact HTTP status,
// the headers a client needs to act on it and the RFC 9457 problem across
// RPC hops in a statusd.v1.HttpStatusDetail, so HTTP → RPC → HTTP gives back
// the status it started with.
//
// Three rules hold on every path: an error is never answered with anything
// but a 4xx or 5xx status (a detail claiming 200, 101 or 304 is ignored), a
// success is never turned into an error, and an error's own value is never
// modified (errors are copied before a detail is added, so shared error
// values stay safe for concurrent use).
//
// Unlike package mapping, gateway imports connect-go, grpc-go and
// grpc-gateway's runtime.
package gateway

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping"
)

// Translator applies one dialect and one set of profiles. It is immutable
// and safe for concurrent use.
type Translator struct {
	dialect  statusdv1.Dialect
	catalog  *mapping.Catalog
	profiles []*statusdv1.Profile
	// carried are the canonical names of the response headers an error
	// carries across RPC hops: the required ones, then the optional ones.
	carried []string
	redact  func(err error, status int) string
}

// Option configures a Translator.
type Option func(*config) error

type config struct {
	dialect  statusdv1.Dialect
	catalog  *mapping.Catalog
	profiles []string
	optional []string
	redact   func(err error, status int) string
}

// WithDialect sets the dialect; the default is DIALECT_LEVEL3.
func WithDialect(d statusdv1.Dialect) Option {
	return func(c *config) error {
		if !mapping.DialectSupported(d) {
			return fmt.Errorf("gateway: dialect %d is not defined", int32(d))
		}
		c.dialect = d
		return nil
	}
}

// WithProfiles sets the Level 3 profiles of the resources behind the
// gateway, as short ids or URIs. They refine the Level 3 dialect: with
// "form", OK on POST is 201 and failed_precondition is 403. For profiles
// per route or per request, see Translator.ForProfiles and NewContext.
func WithProfiles(ids ...string) Option {
	return func(c *config) error {
		c.profiles = append(c.profiles, ids...)
		return nil
	}
}

// WithCatalog resolves profiles in catalog instead of the default catalog.
func WithCatalog(catalog *mapping.Catalog) Option {
	return func(c *config) error {
		if catalog == nil {
			return errors.New("gateway: nil catalog")
		}
		c.catalog = catalog
		return nil
	}
}

// WithCarriedHeaders replaces the optional headers an error carries from
// the HTTP response it came from to the HTTP response it ends as
// (DefaultCarriedHeaders by default). RequiredHeaders are carried whatever
// the list says. A name that is not an HTTP token, or that names a framing
// or hop-by-hop field (content-length, transfer-encoding, connection...), is
// refused.
func WithCarriedHeaders(names ...string) Option {
	return func(c *config) error {
		for _, name := range names {
			if err := checkCarried(name); err != nil {
				return err
			}
		}
		c.optional = append([]string{}, names...)
		return nil
	}
}

// WithRedaction sets the hook that chooses the message a client sees for an
// error answered with a 5xx status: its result replaces the message (""
// sends none). It is called by Interceptor, the grpc-go interceptors,
// WriteError, Middleware's problem documents and the grpc-gateway error
// handler. Without a hook, errors that carry no code (plain Go errors, whose
// strings were never written for a client) are sent without their message,
// and coded errors keep theirs.
func WithRedaction(hook func(err error, status int) string) Option {
	return func(c *config) error {
		c.redact = hook
		return nil
	}
}

// New returns a Translator, or an error naming an unknown profile, an
// undefined dialect or a header that cannot be carried.
func New(opts ...Option) (*Translator, error) {
	c := config{dialect: statusdv1.Dialect_DIALECT_LEVEL3, catalog: mapping.DefaultCatalog(), optional: DefaultCarriedHeaders}
	for _, opt := range opts {
		if err := opt(&c); err != nil {
			return nil, err
		}
	}
	t := &Translator{dialect: c.dialect, catalog: c.catalog, carried: carriedList(c.optional), redact: c.redact}
	profiles, err := t.resolve(c.profiles)
	if err != nil {
		return nil, err
	}
	t.profiles = profiles
	return t, nil
}

func (t *Translator) resolve(ids []string) ([]*statusdv1.Profile, error) {
	var out []*statusdv1.Profile
	for _, id := range ids {
		p, _, ok := t.catalog.Profile(id)
		if !ok {
			return nil, fmt.Errorf("gateway: unknown profile %q", id)
		}
		out = append(out, p)
	}
	return out, nil
}

// ForProfiles returns a Translator like t but for resources of the given
// profiles instead of t's: build one per route at start-up (it is cheap and
// shares everything else with t).
func (t *Translator) ForProfiles(ids ...string) (*Translator, error) {
	profiles, err := t.resolve(ids)
	if err != nil {
		return nil, err
	}
	out := *t
	out.profiles = profiles
	return &out, nil
}

type translatorKey struct{}

// NewContext returns a context carrying t. Interceptor, Middleware,
// WriteError, the grpc-go interceptors and the grpc-gateway error handler
// use the Translator of the request's context, when there is one, instead
// of their own: a router that knows the resource of a request sets it once
// (with a Translator from ForProfiles) and every layer agrees.
func NewContext(ctx context.Context, t *Translator) context.Context {
	return context.WithValue(ctx, translatorKey{}, t)
}

// FromContext returns the Translator NewContext put in ctx, if any.
func FromContext(ctx context.Context) (*Translator, bool) {
	if ctx == nil {
		return nil, false
	}
	t, ok := ctx.Value(translatorKey{}).(*Translator)
	return t, ok && t != nil
}

// in returns the Translator for a request context.
func (t *Translator) in(ctx context.Context) *Translator {
	if ct, ok := FromContext(ctx); ok {
		return ct
	}
	return t
}

// context builds the mapping context of one exchange.
func (t *Translator) context(method string, headers []*statusdv1.Header) mapping.Context {
	return mapping.Context{Method: method, Profiles: t.profiles, Headers: headers, Catalog: t.catalog}
}

// CodeForStatus returns the code an HTTP status means in the Translator's dialect
// and profiles, for a request with method and request headers (both may be
// empty; Headers converts an http.Header). It is CODE_OK (0) for a status
// the dialect counts as success.
func (t *Translator) CodeForStatus(status int, method string, headers []*statusdv1.Header) connect.Code {
	tr, _ := mapping.HTTPToCode(t.dialect, status, t.context(method, headers)) // dialect checked by New
	return connect.Code(tr.Code)
}

// StatusOf returns the HTTP status an error stands for, always a 4xx or 5xx
// for a non-nil error: the status of its HttpStatusDetail if it carries one
// in 400-599 (that always wins, for an exact round trip), otherwise the
// status its code maps to in the Translator's dialect and profiles for
// method and request headers (500 if that is no error status). Connect
// errors, grpc-go status errors (anything with a GRPCStatus method) and
// errors wrapping either are read; any other error is unknown. A nil error,
// or a nil *connect.Error in a non-nil error interface, is 200.
//
// It allocates nothing for an error without a detail, and one small buffer
// for a Connect error with one.
func (t *Translator) StatusOf(err error, method string, headers []*statusdv1.Header) int {
	code, status, isErr := classify(err)
	if !isErr {
		return http.StatusOK
	}
	if status != 0 {
		return status
	}
	return t.codeStatus(code, method, headers)
}

// StatusOfRequest is StatusOf for the method and headers of r (which may be
// nil), with the Translator of r's context.
func (t *Translator) StatusOfRequest(err error, r *http.Request) int {
	if r == nil {
		return t.StatusOf(err, "", nil)
	}
	return t.in(r.Context()).statusLazy(err, r.Method, r.Header)
}

// statusLazy is StatusOf converting the request headers only when the
// error carries no detail and they are needed.
func (t *Translator) statusLazy(err error, method string, h http.Header) int {
	code, status, isErr := classify(err)
	switch {
	case !isErr:
		return http.StatusOK
	case status != 0:
		return status
	}
	return t.codeStatus(code, method, Headers(h))
}

// codeStatus is the error status of a code: the dialect's answer, or 500
// when that is not a 4xx or 5xx (CODE_OK inside an error, a Level 3 success).
func (t *Translator) codeStatus(code connect.Code, method string, headers []*statusdv1.Header) int {
	tr, _ := mapping.CodeToHTTP(t.dialect, statusdv1.Code(code), t.context(method, headers))
	if !errorStatus(tr.HTTPStatus) {
		return http.StatusInternalServerError
	}
	return tr.HTTPStatus
}

// errorStatus reports whether status is one an error may be answered with.
func errorStatus(status int) bool { return status >= 400 && status <= 599 }

// NewError returns a Connect error for an HTTP error status: the code the
// status means in the Translator's dialect, the message (the status line
// when empty), and an HttpStatusDetail with the status. A status that is
// not a 4xx or 5xx still yields an error, since an error was asked for, but
// with code unknown and no detail: it will be answered with 500.
func (t *Translator) NewError(status int, method string, message string) *connect.Error {
	if message == "" {
		message = fmt.Sprintf("HTTP %d", status)
	}
	if !errorStatus(status) {
		return connect.NewError(connect.CodeUnknown, errors.New(message))
	}
	code := t.CodeForStatus(status, method, nil)
	if code == 0 {
		code = connect.CodeUnknown
	}
	cerr := connect.NewError(code, errors.New(message))
	cerr.AddDetail(statusDetail(&statusdv1.HttpStatusDetail{HttpStatus: int32(status)}))
	return cerr
}
