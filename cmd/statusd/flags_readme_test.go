package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestREADMEFlagTable keeps the README's flag table ("Running it") in step
// with the flags serve defines: every flag has a row, every row a flag, and
// each row names the environment variable withEnv reads for it.
func TestREADMEFlagTable(t *testing.T) {
	var usage bytes.Buffer
	if _, err := parseFlags([]string{"-h"}, &usage); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("parseFlags(-h) = %v, want flag.ErrHelp", err)
	}
	fromCode := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^  -([a-z0-9-]+)\b[^\n]*\n[^\n]*\(env (STATUSD_[A-Z0-9_]+)\)`).FindAllStringSubmatch(usage.String(), -1) {
		fromCode[m[1]] = m[2]
	}
	if len(fromCode) < 10 {
		t.Fatalf("read only %d flags from the usage text:\n%s", len(fromCode), usage.String())
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(readme)
	start := strings.Index(section, "\n## Running it")
	if start < 0 {
		t.Fatal(`README has no "## Running it" section`)
	}
	section = section[start+1:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	fromREADME := map[string]string{}
	for _, m := range regexp.MustCompile("(?m)^\\| `-([a-z0-9-]+)` \\| `(STATUSD_[A-Z0-9_]+)` \\|").FindAllStringSubmatch(section, -1) {
		fromREADME[m[1]] = m[2]
	}
	var problems []string
	for name, env := range fromCode {
		switch got, ok := fromREADME[name]; {
		case !ok:
			problems = append(problems, "-"+name+" has no row in the README's flag table")
		case got != env:
			problems = append(problems, "-"+name+": README says "+got+", the code reads "+env)
		}
	}
	for name := range fromREADME {
		if _, ok := fromCode[name]; !ok {
			problems = append(problems, "README lists -"+name+", which serve does not define")
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
}
