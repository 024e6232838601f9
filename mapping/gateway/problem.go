package gateway

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/types/known/structpb"
)

// problemMembers are the members RFC 9457 §3.1 defines, in the order
// gateway writes them; "code" (the Connect code) is gateway's extension.
var problemMembers = []string{"type", "title", "status", "detail", "instance", "code"}

// unregisteredTitles names statuses that are not in the HTTP status code
// registry but are common enough to deserve a title: 499 is how nginx, and
// the Connect and gRPC tables, report a request the client canceled.
var unregisteredTitles = map[int]string{499: "Client Closed Request"}

// classTitles name the class of a status nobody registered (RFC 9110 §15:
// a client treats an unrecognized status as the x00 of its class).
var classTitles = [6]string{"", "Informational", "Success", "Redirection", "Client Error", "Server Error"}

// title returns a short, human-readable summary of status: the catalog's
// reason, unless the catalog marks the code unused ("(Unused)" for 418,
// whose former reason is kept instead), else the common unregistered name,
// else the name of its class. Every status 100-599 gets one.
func (t *Translator) title(status int) string {
	if entry, ok := t.catalog.Status(status); ok {
		if r := entry.GetReason(); r != "" && !strings.HasPrefix(r, "(") {
			return r
		}
		if former := entry.GetFormerReasons(); len(former) > 0 && former[0] != "" {
			return former[0]
		}
	}
	if s, ok := unregisteredTitles[status]; ok {
		return s
	}
	if s := http.StatusText(status); s != "" {
		return s
	}
	if status >= 100 && status <= 599 {
		return classTitles[status/100]
	}
	return "Error"
}

// problemJSON builds the RFC 9457 document of an error answered with
// status. The backend's problem, when the error carries one, keeps its
// type, instance and extension members; "status" is always the status sent
// (§3.1.2: they must agree); "title" is the status's when the type is
// about:blank (§4.2.1) or missing; "detail" is the message the client may
// see; "code" is the Connect code unless the backend used that member.
func (t *Translator) problemJSON(status int, v errorView, message string) []byte {
	members := map[string]any{}
	if p := v.detail.GetProblem(); p != nil {
		members = p.AsMap()
	}
	typ, _ := members["type"].(string)
	if typ == "" {
		typ = "about:blank"
	}
	members["type"] = typ
	if s, ok := members["title"].(string); typ == "about:blank" || !ok || s == "" {
		members["title"] = t.title(status)
	}
	members["status"] = status
	delete(members, "detail")
	if message != "" {
		members["detail"] = message
	}
	if _, ok := members["instance"].(string); !ok {
		delete(members, "instance")
	}
	if _, ok := members["code"]; !ok && v.code != 0 {
		members["code"] = v.code.String()
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	write := func(k string, val any) {
		b, err := json.Marshal(val)
		if err != nil {
			return
		}
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(b)
	}
	for _, k := range problemMembers {
		if val, ok := members[k]; ok {
			write(k, val)
		}
	}
	keys := make([]string, 0, len(members))
	for k := range members {
		if !slices.Contains(problemMembers, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		write(k, members[k])
	}
	buf.WriteByte('}')
	return buf.Bytes()
}

// writeProblem answers an error with status as application/problem+json,
// with the headers it carries.
func (t *Translator) writeProblem(w http.ResponseWriter, status int, err error, v errorView) {
	body := t.problemJSON(status, v, t.clientMessage(err, v, status))
	h := w.Header()
	t.setCarried(h, status, v)
	h.Set("Content-Type", "application/problem+json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Del("Content-Encoding")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// problemStruct converts a parsed problem object for the detail.
func problemStruct(members map[string]any) *structpb.Struct {
	if len(members) == 0 {
		return nil
	}
	s, err := structpb.NewStruct(members)
	if err != nil {
		return nil
	}
	return s
}

// wantsProblem reports whether the Accept fields prefer
// application/problem+json to application/json (RFC 9110 §12.5.1): each
// type gets the quality of the most specific range that matches it, and
// problem+json wins only with a higher, non-zero quality; a tie keeps the
// Connect JSON body. Elements with an invalid qvalue are ignored.
func wantsProblem(accept []string) bool {
	problemQ, problemSpec := 0, -1
	jsonQ, jsonSpec := 0, -1
	for _, field := range accept {
		for elem := range strings.SplitSeq(field, ",") {
			mr, params, _ := strings.Cut(elem, ";")
			mr = strings.ToLower(strings.TrimSpace(mr))
			q, ok := qvalue(params)
			if !ok {
				continue
			}
			if spec := rangeMatch(mr, "application/problem+json"); spec > problemSpec {
				problemQ, problemSpec = q, spec
			}
			if spec := rangeMatch(mr, "application/json"); spec > jsonSpec {
				jsonQ, jsonSpec = q, spec
			}
		}
	}
	return problemQ > 0 && problemQ > jsonQ
}

// rangeMatch returns how specifically media range mr matches mediaType: 2
// exactly, 1 for type/*, 0 for */*, -1 not at all.
func rangeMatch(mr, mediaType string) int {
	switch {
	case mr == mediaType:
		return 2
	case mr == "*/*":
		return 0
	case strings.HasSuffix(mr, "/*") && strings.HasPrefix(mediaType, mr[:len(mr)-1]):
		return 1
	}
	return -1
}

// qvalue reads the q parameter of an Accept element's parameters, in
// thousandths; 1000 when absent; ok is false for an invalid qvalue
// (RFC 9110 §12.4.2: "0" or "1" with up to three decimals).
func qvalue(params string) (int, bool) {
	for p := range strings.SplitSeq(params, ";") {
		name, val, _ := strings.Cut(p, "=")
		if !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		val = strings.TrimSpace(val)
		whole, frac, _ := strings.Cut(val, ".")
		if (whole != "0" && whole != "1") || len(frac) > 3 {
			return 0, false
		}
		for _, c := range frac {
			if c < '0' || c > '9' {
				return 0, false
			}
		}
		n, _ := strconv.Atoi((frac + "000")[:3])
		if whole == "1" {
			if n != 0 {
				return 0, false
			}
			return 1000, true
		}
		return n, true
	}
	return 1000, true
}
