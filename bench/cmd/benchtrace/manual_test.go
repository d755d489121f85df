package main

import (
	"flag"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/bench/internal/cli"
	"github.com/benchtrace/benchtrace/bench/internal/cli/clitest"
)

// manual returns the package doc, the command's manual.
func manual(t *testing.T) string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	require.NoError(t, err)
	require.NotNil(t, f.Doc)
	return f.Doc.Text()
}

// flagNames returns the names of c's flags: its own, or for a command of
// benchtrace-runner those that the built runner's help lists (none in
// -short mode, which builds nothing).
func flagNames(t *testing.T, c cli.Command) []string {
	t.Helper()
	var names []string
	if c.Elsewhere == nil {
		fs, _ := c.Flags()
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		return names
	}
	if testing.Short() {
		return nil
	}
	out, err := exec.Command(clitest.Runner(t), "help", c.Name).Output()
	require.NoError(t, err)
	for _, m := range regexp.MustCompile(`(?m)^  -(\S+)`).FindAllStringSubmatch(string(out), -1) {
		names = append(names, m[1])
	}
	require.NotEmpty(t, names, "the flags of %s, from:\n%s", c.Name, out)
	return names
}

// TestManualFlags checks that the manual names every flag of every
// command, and no flag that does not exist.
func TestManualFlags(t *testing.T) {
	doc := manual(t)
	defined := map[string]bool{"help": true}
	for _, c := range commands {
		assert.Contains(t, doc, c.Synopsis, "the manual shows the synopsis of %s", c.Name)
		assert.Regexp(t, `(?m)^\s+`+c.Name+`\s+`+regexp.QuoteMeta(c.Summary)+`$`, doc, "the manual lists %s", c.Name)
		for _, f := range flagNames(t, c) {
			defined[f] = true
			name := "--" + f
			if len(f) == 1 {
				name = "-" + f
			}
			assert.Contains(t, doc, name, "the manual describes %s %s", c.Name, name)
		}
	}
	if testing.Short() {
		return // the runner's flags are not known
	}
	for _, m := range regexp.MustCompile(`--([a-z][a-z-]*)`).FindAllStringSubmatch(doc, -1) {
		assert.True(t, defined[m[1]], "the manual names --%s, which no command has", m[1])
	}
}

// TestManualExamples checks that every example command line of the
// manual parses: benchtrace's own here, benchtrace-runner's in its tests.
func TestManualExamples(t *testing.T) {
	n := 0
	for _, fields := range clitest.Examples(t, "doc.go") {
		c, ok := cli.Lookup(commands, fields[0])
		require.True(t, ok, "unknown command %q", fields[0])
		if c.Elsewhere != nil {
			continue
		}
		n++
		t.Run(strings.Join(fields, " "), func(t *testing.T) {
			do, err := c.Parse(io.Discard, fields[1:])
			require.NoError(t, err)
			require.NotNil(t, do)
		})
	}
	assert.Greater(t, n, 2)
}
