// Package har reads the exchanges of a HAR 1.2 file (the HTTP Archive
// format browsers and proxies export) as statusd exchanges.
package har

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
)

// MaxBytes bounds the size of a HAR file Read accepts.
const MaxBytes = 256 << 20

// Entry is one request and response of the archive.
type Entry struct {
	// Index is the entry's position in log.entries, from 0.
	Index int
	// URL is the request URL.
	URL string
	// Exchange is the entry as statusd checks it.
	Exchange *statusdv1.Exchange
}

// Skipped is an entry Read could not turn into an exchange, and why.
type Skipped struct {
	Index  int
	URL    string
	Reason string
}

type file struct {
	Log *struct {
		Version string  `json:"version"`
		Entries []entry `json:"entries"`
	} `json:"log"`
}

type entry struct {
	Request struct {
		Method   string      `json:"method"`
		URL      string      `json:"url"`
		Headers  []nameValue `json:"headers"`
		BodySize *int64      `json:"bodySize"`
	} `json:"request"`
	Response struct {
		Status   int         `json:"status"`
		Headers  []nameValue `json:"headers"`
		BodySize *int64      `json:"bodySize"`
		Content  struct {
			Size *int64 `json:"size"`
		} `json:"content"`
	} `json:"response"`
}

type nameValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Read parses a HAR file. Entries without a usable response (status 0, as
// browsers record blocked or failed requests) are returned as skipped, not
// as errors. HTTP/2 pseudo-headers (":authority") are dropped.
func Read(r io.Reader) ([]Entry, []Skipped, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("har: read: %w", err)
	}
	if len(data) > MaxBytes {
		return nil, nil, fmt.Errorf("har: larger than %d bytes", MaxBytes)
	}
	var f file
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, nil, fmt.Errorf("har: not a HAR file: %w", err)
	}
	if f.Log == nil {
		return nil, nil, errors.New(`har: not a HAR file: no "log" object`)
	}
	var entries []Entry
	var skipped []Skipped
	for i, e := range f.Log.Entries {
		if e.Response.Status < 100 || e.Response.Status > 599 {
			skipped = append(skipped, Skipped{Index: i, URL: e.Request.URL,
				Reason: fmt.Sprintf("response status %d is not an HTTP status (no response was recorded)", e.Response.Status)})
			continue
		}
		if e.Request.Method == "" {
			skipped = append(skipped, Skipped{Index: i, URL: e.Request.URL, Reason: "no request method"})
			continue
		}
		ex := &statusdv1.Exchange{
			Method:          e.Request.Method,
			Target:          e.Request.URL,
			Status:          int32(e.Response.Status),
			RequestHeaders:  headers(e.Request.Headers),
			ResponseHeaders: headers(e.Response.Headers),
		}
		if s := e.Request.BodySize; s != nil && *s >= 0 {
			ex.RequestBodySize = s
		}
		ex.ResponseBodySize = responseBodySize(e)
		entries = append(entries, Entry{Index: i, URL: e.Request.URL, Exchange: ex})
	}
	return entries, skipped, nil
}

// responseBodySize prefers bodySize (bytes received, as content-length
// counts them). Browsers write bodySize 0 for a response served from their
// cache, whose content they still report in content.size, so that pair
// means unknown. content.size is the decoded size: it is used only when
// bodySize is unknown, the status can have content and the content was not
// encoded (content-length counts the encoded bytes).
func responseBodySize(e entry) *int64 {
	body, content := e.Response.BodySize, e.Response.Content.Size
	switch {
	case body != nil && *body > 0:
		return body
	case body != nil && *body == 0 && (content == nil || *content <= 0):
		return body
	case body != nil && *body == 0:
		return nil // from the browser's cache
	}
	st := e.Response.Status
	if content != nil && *content >= 0 && st >= 200 && st != 204 && st != 304 && !encoded(e.Response.Headers) {
		return content
	}
	return nil
}

// encoded reports whether a content-encoding other than identity applies.
func encoded(hs []nameValue) bool {
	for _, h := range hs {
		if strings.EqualFold(h.Name, "content-encoding") && !strings.EqualFold(strings.TrimSpace(h.Value), "identity") && strings.TrimSpace(h.Value) != "" {
			return true
		}
	}
	return false
}

func headers(in []nameValue) []*statusdv1.Header {
	out := make([]*statusdv1.Header, 0, len(in))
	for _, h := range in {
		if strings.HasPrefix(h.Name, ":") {
			continue
		}
		out = append(out, &statusdv1.Header{Name: h.Name, Value: h.Value})
	}
	return out
}
