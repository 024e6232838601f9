package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// runCompletion is `statusd completion bash|zsh`: a completion script for
// the verbs, their flags, the -dialect values and file arguments, derived
// from the verb table and each verb's flag set so it cannot fall behind.
func runCompletion(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("completion", "bash|zsh", `Prints a shell completion script. Load it with
  source <(statusd completion bash)    # in ~/.bashrc
  source <(statusd completion zsh)     # in ~/.zshrc, after compinit`, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("completion: give one shell, bash or zsh")
	}
	script := bashCompletion()
	switch fs.Arg(0) {
	case "bash":
	case "zsh":
		// zsh runs bash completion functions through bashcompinit.
		script = "autoload -U +X bashcompinit && bashcompinit\n" + script
	default:
		return fmt.Errorf("completion: unknown shell %q; use bash or zsh", fs.Arg(0))
	}
	_, err := io.WriteString(stdout, script)
	return err
}

// flagLine matches a flag in the flag package's usage listing: two spaces,
// the flag, and its value placeholder if it takes one.
var flagLine = regexp.MustCompile(`(?m)^  -([A-Za-z0-9][A-Za-z0-9-]*)(?: (.+))?$`)

// verbFlag is a flag as its verb's usage lists it.
type verbFlag struct {
	name, placeholder string
}

// flagsOf runs a verb's -h and reads the flags from its usage, so that the
// flag sets stay the one list of flags.
func flagsOf(v verb) []verbFlag {
	args := []string{"-h"}
	if v.name == "catalog" {
		args = []string{"export", "-h"}
	}
	var usage bytes.Buffer
	_ = v.run(context.Background(), args, stdio{out: io.Discard, err: &usage})
	var out []verbFlag
	for _, m := range flagLine.FindAllStringSubmatch(usage.String(), -1) {
		out = append(out, verbFlag{name: "-" + m[1], placeholder: m[2]})
	}
	return out
}

// bashCompletion writes the bash completion function for statusd.
func bashCompletion() string {
	var names, fileFlags []string
	perVerb := map[string][]string{}
	for _, v := range verbs {
		names = append(names, v.name)
		for _, f := range flagsOf(v) {
			perVerb[v.name] = append(perVerb[v.name], f.name)
			if f.placeholder == "file" && !slices.Contains(fileFlags, f.name) {
				fileFlags = append(fileFlags, f.name)
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `# statusd completion (statusd completion bash|zsh)
_statusd() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} verb=${COMP_WORDS[1]}
  if [[ $COMP_CWORD -eq 1 && $cur != -* ]]; then
    COMPREPLY=($(compgen -W '%s -h -version' -- "$cur"))
    return
  fi
  case $prev in
    %s) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    -dialect) COMPREPLY=($(compgen -W '%s' -- "$cur")); return ;;
  esac
  local flags=
  case $verb in
    catalog) [[ $COMP_CWORD -eq 2 ]] && { COMPREPLY=($(compgen -W 'export' -- "$cur")); return; } ;;
    completion) COMPREPLY=($(compgen -W 'bash zsh' -- "$cur")); return ;;
    help) COMPREPLY=($(compgen -W '%s' -- "$cur")); return ;;
    -*) verb=serve; [[ $COMP_CWORD -eq 1 ]] && flags='-h -version' ;;
  esac
  case $verb in
`, strings.Join(names, " "), strings.Join(fileFlags, "|"), strings.Join(dialectNames(), " "), strings.Join(names, " "))
	for _, v := range verbs {
		if len(perVerb[v.name]) > 0 {
			fmt.Fprintf(&b, "    %s) flags+=' %s' ;;\n", v.name, strings.Join(perVerb[v.name], " "))
		}
	}
	b.WriteString(`  esac
  COMPREPLY=($(compgen -W "$flags" -- "$cur"))
}
complete -o default -F _statusd statusd
`)
	return b.String()
}
