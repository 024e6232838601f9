// Package server is statusd's Connect handler: it turns requests into calls
// to mapping and mapping's answers into responses, over Connect, gRPC and
// gRPC-Web. It holds no semantics of its own.
package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/validate"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/gen/statusd/v1/statusdv1connect"
	"github.com/statusd/statusd/mapping"
	"github.com/statusd/statusd/mapping/conformance"
	"github.com/statusd/statusd/mapping/header"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// DefaultStreamLimit is the number of exchanges one ValidateStream takes
// unless WithStreamLimit says otherwise.
const DefaultStreamLimit = 10000

// Service implements statusd.v1.StatusService over a catalog that can be
// swapped while it serves: each call reads the catalog once, so it sees one
// consistent catalog, and reads take no lock.
type Service struct {
	catalog      atomic.Pointer[mapping.Catalog]
	streamLimit  int
	streamMaxAge time.Duration
	ending       chan struct{} // closed by EndStreams
	endStreams   func()
}

var _ statusdv1connect.StatusServiceHandler = (*Service)(nil)

// Option configures a Service.
type Option func(*Service)

// WithStreamLimit sets how many exchanges one ValidateStream takes before it
// ends with resource_exhausted, so that one client cannot hold a stream
// open for ever; n <= 0 means DefaultStreamLimit.
func WithStreamLimit(n int) Option {
	return func(s *Service) {
		if n > 0 {
			s.streamLimit = n
		}
	}
}

// New returns a Service that answers from catalog.
func New(catalog *mapping.Catalog, opts ...Option) *Service {
	s := &Service{streamLimit: DefaultStreamLimit, ending: make(chan struct{})}
	s.endStreams = sync.OnceFunc(func() { close(s.ending) })
	s.catalog.Store(catalog)
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// StreamLimit is the number of exchanges one ValidateStream takes.
func (s *Service) StreamLimit() int { return s.streamLimit }

// Catalog returns the catalog new calls are answered from.
func (s *Service) Catalog() *mapping.Catalog { return s.catalog.Load() }

// SetCatalog swaps the catalog: calls already running finish with the one
// they started with.
func (s *Service) SetCatalog(c *mapping.Catalog) { s.catalog.Store(c) }

type catalogKey struct{}

// withCatalog pins the catalog a request is answered from, so that the
// cache validator the HTTP layer sends matches the answer.
func withCatalog(ctx context.Context, c *mapping.Catalog) context.Context {
	return context.WithValue(ctx, catalogKey{}, c)
}

// catalogFor returns the catalog pinned in ctx, or the current one.
func (s *Service) catalogFor(ctx context.Context) *mapping.Catalog {
	if c, ok := ctx.Value(catalogKey{}).(*mapping.Catalog); ok {
		return c
	}
	return s.catalog.Load()
}

// NewHandler returns the path and HTTP handler of svc, with strict codecs
// (an unknown field or enum name is invalid_argument naming it, see
// codec.go) and the protovalidate rules of the protos enforced before any
// method runs, so that every client language gets the same
// invalid_argument answers. Interceptors in opts run outside the
// validation, so they see rejected requests too.
func NewHandler(svc *Service, opts ...connect.HandlerOption) (string, http.Handler) {
	opts = append(strictCodecs(), opts...)
	opts = append(opts, connect.WithInterceptors(validate.NewInterceptor()))
	return statusdv1connect.NewStatusServiceHandler(svc, opts...)
}

// Lookup implements statusd.v1.StatusService.Lookup.
func (s *Service) Lookup(ctx context.Context, req *statusdv1.LookupRequest) (*statusdv1.LookupResponse, error) {
	cat := s.catalogFor(ctx)
	dialect := req.GetDialect()
	profiles, err := resolveProfiles(cat, "profiles", req.GetProfiles())
	if err != nil {
		return nil, err
	}
	if err := checkAbsent(req); err != nil {
		return nil, err
	}
	mctx := mapping.Context{
		Method: req.GetMethod(), Profiles: profiles, Headers: req.GetRequestHeaders(),
		Absent: req.GetAbsentRequestHeaders(), HeadersComplete: req.GetRequestHeadersComplete(), Catalog: cat,
	}

	var tr mapping.Translation
	switch key := req.GetKey().(type) {
	case *statusdv1.LookupRequest_HttpStatus:
		tr, err = mapping.HTTPToCode(dialect, int(key.HttpStatus), mctx)
	case *statusdv1.LookupRequest_Code:
		tr, err = mapping.CodeToHTTP(dialect, key.Code, mctx)
	default:
		// protovalidate rejects a request without a key before it gets here.
		err = connect.NewError(connect.CodeInvalidArgument, errors.New("key: set http_status or code"))
	}
	if errors.Is(err, mapping.ErrUnsupportedDialect) {
		// protovalidate's defined_only rule stops undefined dialects first.
		return nil, connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("dialect: %w", err))
	}
	if err != nil {
		return nil, err
	}
	res := &statusdv1.LookupResponse{
		HttpStatus:  int32(tr.HTTPStatus),
		Code:        tr.Code,
		ConnectCode: mapping.ConnectName(tr.Code),
		Rationale:   tr.Rationale,
		Citations:   tr.Citations,
		Dialect:     tr.Dialect,
	}
	if entry, ok := cat.Status(tr.HTTPStatus); ok {
		res.Status = entry
	}
	for _, p := range profiles {
		res.Profiles = append(res.Profiles, p.GetUri())
	}
	return res, nil
}

// checkAbsent rejects a header said to be both present and absent.
func checkAbsent(req *statusdv1.LookupRequest) error {
	for i, name := range req.GetAbsentRequestHeaders() {
		if header.Has(req.GetRequestHeaders(), name) {
			return connect.NewError(connect.CodeInvalidArgument, fmt.Errorf(
				"absent_request_headers[%d]: %q is also in request_headers; a header is either present or absent", i, name))
		}
	}
	return nil
}

// ListStatuses implements statusd.v1.StatusService.ListStatuses.
func (s *Service) ListStatuses(ctx context.Context, req *statusdv1.ListStatusesRequest) (*statusdv1.ListStatusesResponse, error) {
	cat := s.catalogFor(ctx)
	if err := definedEnum("status_class", req.GetStatusClass()); err != nil {
		return nil, err
	}
	var profile *statusdv1.Profile
	if req.GetProfile() != "" {
		ps, err := resolveProfiles(cat, "profile", []string{req.GetProfile()})
		if err != nil {
			return nil, err
		}
		profile = ps[0]
	}
	res := &statusdv1.ListStatusesResponse{}
	for _, st := range cat.Statuses() {
		if req.GetStatusClass() != statusdv1.StatusClass_STATUS_CLASS_UNSPECIFIED && st.GetStatusClass() != req.GetStatusClass() {
			continue
		}
		if req.GetLevel3Only() && !st.GetLevel3() {
			continue
		}
		if profile != nil && !mapping.UsesStatus(profile, st) {
			continue
		}
		res.Statuses = append(res.Statuses, st)
		if req.GetIncludeMappings() {
			res.Mappings = append(res.Mappings, statusMapping(int(st.GetCode())))
		}
	}
	return res, nil
}

// definedEnum rejects an enum value the schema does not define, so that a
// filter never silently matches nothing or everything (protovalidate's
// defined_only says the same before the handler runs; this keeps Service
// strict for callers that use it without the interceptor).
func definedEnum(field string, v protoreflect.Enum) error {
	ed := v.Descriptor()
	if ed.Values().ByNumber(v.Number()) != nil {
		return nil
	}
	names := make([]string, 0, ed.Values().Len())
	for i := range ed.Values().Len() {
		names = append(names, string(ed.Values().Get(i).Name()))
	}
	return connect.NewError(connect.CodeInvalidArgument, fmt.Errorf(
		"%s: unknown value %d; use one of %s", field, v.Number(), strings.Join(names, ", ")))
}

// statusMapping lists what status means in every dialect, without context.
func statusMapping(status int) *statusdv1.StatusMapping {
	m := &statusdv1.StatusMapping{HttpStatus: int32(status), Agree: true}
	for _, d := range mapping.Dialects() {
		code := mapping.CodeForStatus(d, status)
		m.Codes = append(m.Codes, &statusdv1.DialectCode{Dialect: d, Code: code, ConnectCode: mapping.ConnectName(code)})
		if code != m.Codes[0].GetCode() {
			m.Agree = false
		}
	}
	return m
}

// ListProfiles implements statusd.v1.StatusService.ListProfiles.
func (s *Service) ListProfiles(ctx context.Context, req *statusdv1.ListProfilesRequest) (*statusdv1.ListProfilesResponse, error) {
	if err := definedEnum("kind", req.GetKind()); err != nil {
		return nil, err
	}
	res := &statusdv1.ListProfilesResponse{}
	for _, p := range s.catalogFor(ctx).Profiles() {
		switch {
		case req.GetKind() != statusdv1.ProfileKind_PROFILE_KIND_UNSPECIFIED:
			if p.GetKind() != req.GetKind() {
				continue
			}
		case p.GetKind() == statusdv1.ProfileKind_PROFILE_KIND_PATTERN_ROLE && !req.GetIncludePatternRoles():
			continue
		}
		res.Profiles = append(res.Profiles, p)
	}
	return res, nil
}

// Validate implements statusd.v1.StatusService.Validate.
func (s *Service) Validate(ctx context.Context, req *statusdv1.ValidateRequest) (*statusdv1.ValidateResponse, error) {
	return check(s.catalogFor(ctx), req, "profiles")
}

// ValidateStream implements statusd.v1.StatusService.ValidateStream with
// the loop every transport shares (ServeValidateStream).
func (s *Service) ValidateStream(ctx context.Context, stream *connect.BidiStream[statusdv1.ValidateStreamRequest, statusdv1.ValidateStreamResponse]) error {
	return s.ServeValidateStream(ctx, stream)
}

// check validates one exchange; field names the profiles field in errors.
func check(cat *mapping.Catalog, req *statusdv1.ValidateRequest, field string) (*statusdv1.ValidateResponse, error) {
	rep, err := conformance.Check(cat, req.GetExchange(), req.GetProfiles())
	var unknown *conformance.UnknownProfileError
	if errors.As(err, &unknown) {
		return nil, connect.NewError(connect.CodeInvalidArgument, fmt.Errorf(
			"%s[%d]: unknown profile %q; use a short id (%s) or a level3.rest profile URI",
			field, unknown.Index, unknown.ID, strings.Join(shortIDs(cat), ", ")))
	}
	if err != nil {
		return nil, err
	}
	return rep.Response(), nil
}

// resolveProfiles resolves profile identifiers, or fails with
// invalid_argument naming the field and the accepted identifiers.
func resolveProfiles(cat *mapping.Catalog, field string, ids []string) ([]*statusdv1.Profile, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	out := make([]*statusdv1.Profile, 0, len(ids))
	for i, id := range ids {
		p, _, ok := cat.Profile(id)
		if !ok {
			name := field
			if field == "profiles" {
				name = fmt.Sprintf("%s[%d]", field, i)
			}
			return nil, connect.NewError(connect.CodeInvalidArgument, fmt.Errorf(
				"%s: unknown profile %q; use a short id (%s) or a level3.rest profile URI",
				name, id, strings.Join(shortIDs(cat), ", ")))
		}
		out = append(out, p)
	}
	return out, nil
}

// shortIDs lists the ids of the profiles and mixins, for error messages.
func shortIDs(cat *mapping.Catalog) []string {
	var ids []string
	for _, p := range cat.Profiles() {
		if p.GetKind() != statusdv1.ProfileKind_PROFILE_KIND_PATTERN_ROLE {
			ids = append(ids, p.GetId())
		}
	}
	return ids
}
