// Package cli holds what benchtrace's two programs share: the table of
// commands and the command-line conventions (help on stdout, usage errors
// with exit status 2, a signal's 128+N).
//
// benchtrace is two programs so that reading logs starts fast: benchtrace
// itself (analyze, compare, trend, report) links no more than the log
// format and the statistics, and benchtrace-runner (run, exec) links the
// SDK, with OpenTelemetry's and gRPC's packages, whose initialization alone
// costs more than a small analysis. benchtrace runs benchtrace-runner for
// run and exec (see [Command.Elsewhere]), so that users see one command.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Name is the command's name in its messages and usage, for both
// programs: benchtrace-runner speaks as benchtrace, which runs it.
const Name = "benchtrace"

// A Command is one of benchtrace's subcommands.
type Command struct {
	Name     string
	Summary  string // one line, for the list of commands
	Synopsis string // the usage line, after "usage: "
	// Flags returns the command's flags and the function that does the
	// work once they are parsed (and checked: it may still return a
	// usage error for values that need more than the flag parser).
	Flags func() (*flag.FlagSet, func(ctx context.Context, stdout, stderr io.Writer) error)
	// Args: the command takes arguments after its flags (exec's command
	// line, compare's sources), which its function reads from the flag
	// set.
	Args bool
	// Elsewhere, when set, runs the command in another program, with
	// the whole command line after the program's name (the command's
	// name first, or "help" and the name), and returns what that
	// program's exit status says (nil for 0). Flags is then unused: the
	// other program parses them, and prints the command's help.
	Elsewhere func(ctx context.Context, stdout, stderr io.Writer, args []string) error
}

// Lookup returns the command of cmds named name.
func Lookup(cmds []Command, name string) (Command, bool) {
	for _, c := range cmds {
		if c.Name == name {
			return c, true
		}
	}
	return Command{}, false
}

// Run runs the command line args (os.Args[1:]) with cmds and returns what
// main needs for the exit status: nil for success, a *UsageError for a
// mistake in the command line, an error with an ExitCode method for a
// signal or another program's status, any other error for a failure.
func Run(ctx context.Context, stdout, stderr io.Writer, args []string, cmds []Command) error {
	if len(args) == 0 {
		return &UsageError{err: errors.New("no command")}
	}
	switch name := args[0]; {
	case isHelp(name):
		writeUsage(stdout, cmds)
		return nil
	case name == "help":
		return help(ctx, stdout, stderr, args[1:], cmds)
	case strings.HasPrefix(name, "-"):
		return &UsageError{err: fmt.Errorf("flag provided but not defined: %s (flags go after the command)", name)}
	}
	c, ok := Lookup(cmds, args[0])
	if !ok {
		return &UsageError{err: fmt.Errorf("unknown command %q", args[0])}
	}
	if c.Elsewhere != nil {
		return c.Elsewhere(ctx, stdout, stderr, args)
	}
	do, err := c.Parse(stdout, args[1:])
	if err != nil || do == nil {
		return err // a usage error, or nil after -h
	}
	err = do(ctx, stdout, stderr)
	var u *UsageError
	switch {
	case errors.As(err, &u):
		u.Cmd = c.Name
		return err
	case err != nil:
		return fmt.Errorf("%s: %w", c.Name, err)
	}
	return nil
}

// Parse parses the command's args and returns the function that does the
// work. It returns nil and no error when the args asked for help, which it
// has written to stdout.
func (c Command) Parse(stdout io.Writer, args []string) (func(context.Context, io.Writer, io.Writer) error, error) {
	fs, do := c.Flags()
	fs.SetOutput(io.Discard) // errors are returned, help goes to stdout
	fs.Usage = func() {}
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		c.writeUsage(stdout, fs)
		return nil, nil
	case err != nil:
		return nil, &UsageError{Cmd: c.Name, err: err}
	case fs.NArg() > 0 && !c.Args:
		return nil, &UsageError{Cmd: c.Name, err: fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	return do, nil
}

func (c Command) writeUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: %s\n\n%s.\n\nFlags (one dash or two):\n", c.Synopsis, capitalize(c.Summary))
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help":
		return true
	}
	return false
}

// help is `benchtrace help [command]`.
func help(ctx context.Context, stdout, stderr io.Writer, args []string, cmds []Command) error {
	switch len(args) {
	case 0:
		writeUsage(stdout, cmds)
		return nil
	case 1:
		c, ok := Lookup(cmds, args[0])
		if !ok {
			return &UsageError{Cmd: "help", err: fmt.Errorf("unknown command %q", args[0])}
		}
		if c.Elsewhere != nil {
			return c.Elsewhere(ctx, stdout, stderr, []string{"help", c.Name})
		}
		fs, _ := c.Flags()
		c.writeUsage(stdout, fs)
		return nil
	}
	return &UsageError{Cmd: "help", err: fmt.Errorf("unexpected argument %q", args[1])}
}

func writeUsage(w io.Writer, cmds []Command) {
	fmt.Fprintln(w, "usage: "+Name+" <command> [flags]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-9s %s\n", c.Name, c.Summary)
	}
	fmt.Fprintln(w, "\n\""+Name+" <command> -h\" (or \""+Name+" help <command>\") describes a command's flags.")
}

// UsageError is a mistake in the command line: exit status 2.
type UsageError struct {
	Cmd string // the subcommand, or "" for benchtrace itself
	err error
}

func (e *UsageError) Error() string {
	if e.Cmd == "" {
		return e.err.Error()
	}
	return e.Cmd + ": " + e.err.Error()
}

func (e *UsageError) Unwrap() error { return e.err }

// ExitCode is 2, the status of a usage error, as for the flag package's
// own flag.ExitOnError.
func (e *UsageError) ExitCode() int { return 2 }

// Usagef returns a usage error of the command being run.
func Usagef(format string, args ...any) error {
	return &UsageError{err: fmt.Errorf(format, args...)}
}

// ExitStatus reports err on stderr and returns the process's exit status:
// 0 for nil, the error's ExitCode when it has one (2 for a usage error,
// 128+signal after a signal), else 1. An error whose Reported method
// returns true has been reported already (by the program that ran
// elsewhere): only its status counts.
func ExitStatus(stderr io.Writer, err error) int {
	if err == nil {
		return 0
	}
	var reported interface{ Reported() bool }
	if !errors.As(err, &reported) || !reported.Reported() {
		fmt.Fprintf(stderr, "%s: %v\n", Name, err)
	}
	var u *UsageError
	if errors.As(err, &u) {
		if u.Cmd == "" || u.Cmd == "help" {
			fmt.Fprintf(stderr, "Run \"%s -h\" for usage.\n", Name)
		} else {
			fmt.Fprintf(stderr, "Run \"%s %s -h\" for usage.\n", Name, u.Cmd)
		}
	}
	var coded interface{ ExitCode() int }
	if errors.As(err, &coded) {
		return coded.ExitCode()
	}
	return 1
}
