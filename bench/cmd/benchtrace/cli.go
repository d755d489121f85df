package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// A command is one of benchtrace's subcommands.
type command struct {
	name     string
	summary  string // one line, for the list of commands
	synopsis string // the usage line, after "usage: "
	// flags returns the command's flags and the function that does the
	// work once they are parsed (and checked: it may still return a
	// usage error for values that need more than the flag parser).
	flags func() (*flag.FlagSet, func(ctx context.Context, stdout, stderr io.Writer) error)
	// args: the command takes arguments after its flags (exec's command
	// line, compare's sources), which its function reads from the flag
	// set.
	args bool
}

// commands are benchtrace's subcommands, in the order of the manual.
var commands = []command{runCmd, analyzeCmd, execCmd, compareCmd, trendCmd, reportCmd}

func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// run runs benchtrace with args (os.Args[1:]) and returns what main needs
// for the exit status: nil for success, a *usageError for a mistake in the
// command line, an error with an ExitCode method for a signal, any other
// error for a failure.
func run(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	if len(args) == 0 {
		return &usageError{err: errors.New("no command")}
	}
	switch name := args[0]; {
	case isHelp(name):
		writeUsage(stdout)
		return nil
	case name == "help":
		return help(stdout, args[1:])
	case strings.HasPrefix(name, "-"):
		return &usageError{err: fmt.Errorf("flag provided but not defined: %s (flags go after the command)", name)}
	}
	c, ok := lookup(args[0])
	if !ok {
		return &usageError{err: fmt.Errorf("unknown command %q", args[0])}
	}
	do, err := c.parse(stdout, args[1:])
	if err != nil || do == nil {
		return err // a usage error, or nil after -h
	}
	err = do(ctx, stdout, stderr)
	var u *usageError
	switch {
	case errors.As(err, &u):
		u.cmd = c.name
		return err
	case err != nil:
		return fmt.Errorf("%s: %w", c.name, err)
	}
	return nil
}

// parse parses the command's args and returns the function that does the
// work. It returns nil and no error when the args asked for help, which it
// has written to stdout.
func (c command) parse(stdout io.Writer, args []string) (func(context.Context, io.Writer, io.Writer) error, error) {
	fs, do := c.flags()
	fs.SetOutput(io.Discard) // errors are returned, help goes to stdout
	fs.Usage = func() {}
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		c.writeUsage(stdout, fs)
		return nil, nil
	case err != nil:
		return nil, &usageError{cmd: c.name, err: err}
	case fs.NArg() > 0 && !c.args:
		return nil, &usageError{cmd: c.name, err: fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	return do, nil
}

func (c command) writeUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: %s\n\n%s.\n\nFlags (one dash or two):\n", c.synopsis, capitalize(c.summary))
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
func help(stdout io.Writer, args []string) error {
	switch len(args) {
	case 0:
		writeUsage(stdout)
		return nil
	case 1:
		c, ok := lookup(args[0])
		if !ok {
			return &usageError{cmd: "help", err: fmt.Errorf("unknown command %q", args[0])}
		}
		fs, _ := c.flags()
		c.writeUsage(stdout, fs)
		return nil
	}
	return &usageError{cmd: "help", err: fmt.Errorf("unexpected argument %q", args[1])}
}

func writeUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: benchtrace <command> [flags]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\n\"benchtrace <command> -h\" (or \"benchtrace help <command>\") describes a command's flags.")
}

// usageError is a mistake in the command line: exit status 2.
type usageError struct {
	cmd string // the subcommand, or "" for benchtrace itself
	err error
}

func (e *usageError) Error() string {
	if e.cmd == "" {
		return e.err.Error()
	}
	return e.cmd + ": " + e.err.Error()
}

func (e *usageError) Unwrap() error { return e.err }

// ExitCode is 2, the status of a usage error, as for the flag package's
// own flag.ExitOnError.
func (e *usageError) ExitCode() int { return 2 }

// usagef returns a usage error of the command being run.
func usagef(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// exitStatus reports err on stderr and returns the process's exit status:
// 0 for nil, the error's ExitCode when it has one (2 for a usage error,
// 128+signal after a signal), else 1.
func exitStatus(stderr io.Writer, err error) int {
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "benchtrace: %v\n", err)
	var u *usageError
	if errors.As(err, &u) {
		if u.cmd == "" || u.cmd == "help" {
			fmt.Fprintln(stderr, `Run "benchtrace -h" for usage.`)
		} else {
			fmt.Fprintf(stderr, "Run \"benchtrace %s -h\" for usage.\n", u.cmd)
		}
	}
	var coded interface{ ExitCode() int }
	if errors.As(err, &coded) {
		return coded.ExitCode()
	}
	return 1
}
