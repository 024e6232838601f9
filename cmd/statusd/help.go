package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
)

// runHelp is `statusd help [VERB]` (and `statusd -h`): the verbs with one
// line each, or one verb's usage and flags.
func runHelp(args []string, stdout, stderr io.Writer) error {
	switch {
	case len(args) == 0 || isHelpFlag(args[0]):
		return writeHelp(stdout)
	case len(args) == 1:
		v, ok := findVerb(args[0])
		if !ok {
			return fmt.Errorf("help: unknown verb %q; `statusd help` lists them", args[0])
		}
		if v.name == "help" {
			return writeHelp(stdout)
		}
		// A verb's -h writes its usage and returns flag.ErrHelp, which
		// dispatch reads as success. Asked for, it goes to stdout.
		return v.run(context.Background(), []string{"-h"}, stdio{out: stdout, err: stdout})
	default:
		return fmt.Errorf("help: unexpected argument %q; give one verb", args[1])
	}
}

// writeHelp lists the verbs from the verb table, and the exit codes.
func writeHelp(w io.Writer) error {
	fmt.Fprint(w, `usage: statusd VERB [flags] [args]

statusd is the one authority for HTTP status semantics across HTTP/REST,
Connect and gRPC. With no verb, or flags first, it serves.

verbs:
`)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, v := range verbs {
		fmt.Fprintf(tw, "  %s\t%s\n", v.name, v.summary)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, `
'statusd help VERB' or 'statusd VERB -h' shows a verb's flags.

exit codes:
  %d  done
  %d  findings: an exchange breaks a MUST (validate)
  %d  usage: bad flags or arguments, unreadable input, or a failure
`, exitOK, exitFindings, exitUsage)
	return err
}
