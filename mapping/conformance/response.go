package conformance

import statusdv1 "github.com/statusd/statusd/gen/statusd/v1"

// Response is the report as the Validate RPC answers it, so that the
// server and the command line give the same answer from one conversion.
func (r *Report) Response() *statusdv1.ValidateResponse {
	res := &statusdv1.ValidateResponse{Conforms: r.Conforms(), Code: r.Code, FindingsOmitted: uint32(r.Omitted)}
	if len(r.Findings) > 0 {
		res.Findings = make([]*statusdv1.Finding, len(r.Findings))
	}
	for i, f := range r.Findings {
		res.Findings[i] = &statusdv1.Finding{
			Rule: f.Rule, Severity: f.Severity, Message: f.Message,
			ExpectedStatus: int32(f.ExpectedStatus), Citations: f.Citations, Count: uint32(f.Count),
		}
	}
	for _, p := range r.Profiles() {
		res.Profiles = append(res.Profiles, p.GetUri())
	}
	return res
}
