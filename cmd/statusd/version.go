package main

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// runVersion is `statusd version` (and `statusd -version`): the module
// version and VCS revision the Go toolchain stamped into the binary.
func runVersion(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", "", "Prints the module version, VCS revision and Go version of this binary.", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return fmt.Errorf("version: this binary carries no build information")
	}
	_, err := io.WriteString(stdout, versionText(bi))
	return err
}

// versionText formats build info: a release installed with `go install
// ...@v1.2.3` has a module version; a binary built from a checkout has
// "(devel)" and, unless built with -buildvcs=false, the commit.
func versionText(bi *debug.BuildInfo) string {
	setting := map[string]string{}
	for _, s := range bi.Settings {
		setting[s.Key] = s.Value
	}
	var b strings.Builder
	version := bi.Main.Version
	if version == "" {
		version = "(unknown)"
	}
	fmt.Fprintf(&b, "statusd %s\n", version)
	if rev := setting["vcs.revision"]; rev != "" {
		if setting["vcs.modified"] == "true" {
			rev += " (modified)"
		}
		fmt.Fprintf(&b, "revision: %s\n", rev)
		if t := setting["vcs.time"]; t != "" {
			fmt.Fprintf(&b, "commit time: %s\n", t)
		}
	} else {
		b.WriteString("revision: unknown (built without VCS information)\n")
	}
	fmt.Fprintf(&b, "go: %s\n", bi.GoVersion)
	return b.String()
}
