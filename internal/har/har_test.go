package har

import (
	"errors"
	"strings"
	"testing"
	"testing/iotest"
)

func TestRead(t *testing.T) {
	in := `{"log":{"version":"1.2","entries":[
	 {"request":{"method":"GET","url":"/a","headers":[{"name":":path","value":"/a"},{"name":"Accept","value":"*/*"}],"bodySize":-1},
	  "response":{"status":200,"headers":[{"name":"etag","value":"\"1\""}],"content":{"size":10},"bodySize":-1}},
	 {"request":{"method":"GET","url":"/b","headers":[],"bodySize":0},
	  "response":{"status":304,"headers":[],"content":{"size":512},"bodySize":-1}},
	 {"request":{"method":"POST","url":"/c","headers":[],"bodySize":5},
	  "response":{"status":201,"headers":[],"content":{"size":99},"bodySize":3}},
	 {"request":{"method":"","url":"/d","headers":[]},"response":{"status":200,"headers":[],"content":{}}},
	 {"request":{"method":"GET","url":"/e","headers":[]},"response":{"status":0,"headers":[],"content":{}}}
	]}}`
	entries, skipped, err := Read(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 || len(skipped) != 2 || skipped[0].Index != 3 || skipped[1].Index != 4 {
		t.Fatalf("entries %d, skipped %+v", len(entries), skipped)
	}
	a := entries[0].Exchange
	if len(a.GetRequestHeaders()) != 1 || a.GetRequestHeaders()[0].GetName() != "Accept" || a.GetResponseBodySize() != 10 || a.RequestBodySize != nil {
		t.Errorf("entry 0: %v", a)
	}
	if b := entries[1].Exchange; b.ResponseBodySize != nil {
		t.Errorf("304 took the cached content size: %v", b.GetResponseBodySize())
	}
	if c := entries[2].Exchange; c.GetResponseBodySize() != 3 || c.GetRequestBodySize() != 5 || entries[2].Index != 2 || c.GetTarget() != "/c" {
		t.Errorf("entry 2: %v", c)
	}
}

// TestResponseBodySize: what Read takes as the response's size, which the
// content-length rule compares with content-length.
func TestResponseBodySize(t *testing.T) {
	for name, c := range map[string]struct {
		resp string
		want int64 // -1: unknown
	}{
		"received bytes":              {`"status":200,"bodySize":120,"content":{"size":500}`, 120},
		"empty":                       {`"status":200,"bodySize":0,"content":{"size":0}`, 0},
		"from the browser's cache":    {`"status":200,"bodySize":0,"content":{"size":500}`, -1},
		"unknown, decoded size":       {`"status":200,"bodySize":-1,"content":{"size":500}`, 500},
		"unknown, gzip-encoded":       {`"status":200,"bodySize":-1,"headers":[{"name":"Content-Encoding","value":"gzip"}],"content":{"size":500}`, -1},
		"unknown, identity":           {`"status":200,"bodySize":-1,"headers":[{"name":"content-encoding","value":"identity"}],"content":{"size":500}`, 500},
		"unknown, 304 cached content": {`"status":304,"bodySize":-1,"content":{"size":500}`, -1},
		"nothing":                     {`"status":200`, -1},
	} {
		in := `{"log":{"entries":[{"request":{"method":"GET","url":"/"},"response":{` + c.resp + `}}]}}`
		entries, _, err := Read(strings.NewReader(in))
		if err != nil || len(entries) != 1 {
			t.Fatalf("%s: %v", name, err)
		}
		got := int64(-1)
		if s := entries[0].Exchange.ResponseBodySize; s != nil {
			got = *s
		}
		if got != c.want {
			t.Errorf("%s: size %d, want %d", name, got, c.want)
		}
	}
}

func TestReadErrors(t *testing.T) {
	for in, want := range map[string]string{
		"":              "not a HAR file",
		"[]":            "not a HAR file",
		`{"log": null}`: `no "log" object`,
		`{"log": {"entries": [{"response": {"status": "x"}}]}}`: "not a HAR file",
	} {
		if _, _, err := Read(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Read(%q) = %v, want %q", in, err, want)
		}
	}
	if _, _, err := Read(iotest.ErrReader(errors.New("boom"))); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("read error: %v", err)
	}
	if _, _, err := Read(strings.NewReader(strings.Repeat(" ", MaxBytes+1))); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversized: %v", err)
	}
}
