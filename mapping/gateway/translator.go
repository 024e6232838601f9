// Package gateway turns HTTP responses into Connect errors and Connect
// errors into HTTP responses, for gateways and proxies that sit between REST
// and RPC. It applies a dialect and a set of Level 3 profiles from package
// mapping, and carries the exact HTTP status across RPC hops in a
// statusd.v1.HttpStatusDetail, so HTTP → RPC → HTTP gives back the status it
// started with.
//
// Unlike package mapping, gateway imports connect-go.
package gateway

import (
	"errors"
	"fmt"
	"strings"

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
}

// Option configures a Translator.
type Option func(*config) error

type config struct {
	dialect  statusdv1.Dialect
	catalog  *mapping.Catalog
	profiles []string
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
// "form", OK on POST is 201 and failed_precondition is 403.
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

// New returns a Translator, or an error naming an unknown profile or an
// undefined dialect.
func New(opts ...Option) (*Translator, error) {
	c := config{dialect: statusdv1.Dialect_DIALECT_LEVEL3, catalog: mapping.DefaultCatalog()}
	for _, opt := range opts {
		if err := opt(&c); err != nil {
			return nil, err
		}
	}
	t := &Translator{dialect: c.dialect, catalog: c.catalog}
	for _, id := range c.profiles {
		p, _, ok := c.catalog.Profile(id)
		if !ok {
			return nil, fmt.Errorf("gateway: unknown profile %q", id)
		}
		t.profiles = append(t.profiles, p)
	}
	return t, nil
}

// context builds the mapping context of one exchange.
func (t *Translator) context(method string, headers []*statusdv1.Header) mapping.Context {
	return mapping.Context{Method: strings.ToUpper(method), Profiles: t.profiles, Headers: headers}
}

// CodeOf returns the code an HTTP status means in the Translator's dialect
// and profiles, for a request with method and request headers (both may be
// empty).
func (t *Translator) CodeOf(status int, method string, headers []*statusdv1.Header) connect.Code {
	tr, _ := mapping.HTTPToCode(t.dialect, status, t.context(method, headers)) // dialect checked by New
	return connect.Code(tr.Code)
}

// StatusOf returns the HTTP status an error stands for: the status in its
// HttpStatusDetail if it carries one (that always wins, for an exact round
// trip), otherwise the status its code maps to in the Translator's dialect
// and profiles for method and request headers. A nil error is 200; an error
// that is not a *connect.Error is treated as unknown.
func (t *Translator) StatusOf(err error, method string, headers []*statusdv1.Header) int {
	if err == nil {
		return 200
	}
	if status, ok := StatusDetail(err); ok {
		return status
	}
	tr, _ := mapping.CodeToHTTP(t.dialect, statusdv1.Code(connect.CodeOf(err)), t.context(method, headers))
	return tr.HTTPStatus
}

// NewError returns a Connect error for an HTTP status: the code the status
// means in the Translator's dialect, the message, and an HttpStatusDetail
// with the status. A status that means OK (a 2xx, or a Level 3 redirect)
// still yields an error with code unknown, since an error was asked for.
func (t *Translator) NewError(status int, method string, message string) *connect.Error {
	code := t.CodeOf(status, method, nil)
	if code == 0 {
		code = connect.CodeUnknown
	}
	if message == "" {
		message = fmt.Sprintf("HTTP %d", status)
	}
	return WithStatusDetail(connect.NewError(code, errors.New(message)), status)
}

// WithStatusDetail attaches an HttpStatusDetail with status (and headers,
// such as retry-after, for the REST client at the end) to err, unless it
// already carries one, and returns err.
func WithStatusDetail(err *connect.Error, status int, headers ...*statusdv1.Header) *connect.Error {
	if _, ok := StatusDetail(err); ok {
		return err
	}
	detail, detailErr := connect.NewErrorDetail(&statusdv1.HttpStatusDetail{HttpStatus: int32(status), Headers: headers})
	if detailErr == nil { // cannot fail for a generated message
		err.AddDetail(detail)
	}
	return err
}

// Detail returns the first HttpStatusDetail of err with a status in
// 100-599, if err is a *connect.Error that carries one.
func Detail(err error) (*statusdv1.HttpStatusDetail, bool) {
	var cerr *connect.Error
	if !errors.As(err, &cerr) {
		return nil, false
	}
	for _, d := range cerr.Details() {
		if d.Type() != "statusd.v1.HttpStatusDetail" {
			continue
		}
		msg, valueErr := d.Value()
		detail, ok := msg.(*statusdv1.HttpStatusDetail)
		if valueErr != nil || !ok {
			continue
		}
		if s := detail.GetHttpStatus(); s >= mapping.MinStatus && s <= mapping.MaxStatus {
			return detail, true
		}
	}
	return nil, false
}

// StatusDetail returns the status of err's HttpStatusDetail, if it has one.
func StatusDetail(err error) (int, bool) {
	d, ok := Detail(err)
	return int(d.GetHttpStatus()), ok
}
