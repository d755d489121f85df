package main

import (
	"flag"
	"go/parser"
	"go/token"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// manual returns the package doc, the command's manual.
func manual(t *testing.T) string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	require.NoError(t, err)
	require.NotNil(t, f.Doc)
	return f.Doc.Text()
}

// TestManualFlags checks that the manual names every flag of every
// command, and no flag that does not exist.
func TestManualFlags(t *testing.T) {
	doc := manual(t)
	defined := map[string]bool{"help": true}
	for _, c := range commands {
		assert.Contains(t, doc, c.synopsis, "the manual shows the synopsis of %s", c.name)
		assert.Regexp(t, `(?m)^\s+`+c.name+`\s+`+regexp.QuoteMeta(c.summary)+`$`, doc, "the manual lists %s", c.name)
		fs, _ := c.flags()
		fs.VisitAll(func(f *flag.Flag) {
			defined[f.Name] = true
			name := "--" + f.Name
			if len(f.Name) == 1 {
				name = "-" + f.Name
			}
			assert.Contains(t, doc, name, "the manual describes %s %s", c.name, name)
		})
	}
	for _, m := range regexp.MustCompile(`--([a-z][a-z-]*)`).FindAllStringSubmatch(doc, -1) {
		assert.True(t, defined[m[1]], "the manual names --%s, which no command has", m[1])
	}
}

// TestManualExamples checks that every example command line of the
// manual parses.
func TestManualExamples(t *testing.T) {
	doc := manual(t)
	_, examples, ok := strings.Cut(doc, "\n# Examples\n")
	require.True(t, ok, "the manual has examples")
	n := 0
	for _, line := range strings.Split(examples, "\n") {
		line = strings.TrimSpace(line)
		args, ok := strings.CutPrefix(line, "benchtrace ")
		if !ok {
			continue
		}
		n++
		t.Run(args, func(t *testing.T) {
			fields := strings.Fields(strings.TrimSuffix(args, "&"))
			c, ok := lookup(fields[0])
			require.True(t, ok, "unknown command %q", fields[0])
			do, err := c.parse(io.Discard, fields[1:])
			require.NoError(t, err)
			require.NotNil(t, do)
		})
	}
	assert.Greater(t, n, 2)
}
