package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.yaml.in/yaml/v3"

	"github.com/benchtrace/benchtrace/sdk/semconv"
)

// spec is what `benchtrace exec` runs: a benchmark whose phases are
// commands. A spec file gives it whole; `exec -- CMD ARGS…` is a spec of one
// phase.
type spec struct {
	// Benchmark names the benchmark (required).
	Benchmark string `yaml:"benchmark"`
	// MainPhase names the phase reported as timing.<name>_only; without
	// it, the longest phase.
	MainPhase string `yaml:"main_phase"`
	// Repeat is how many runs to make (default 1).
	Repeat int `yaml:"repeat"`
	// Model becomes the log's model object: name, architecture, dataset
	// (strings), batch_size, seed (integers), and any other key with a
	// string, number or boolean value.
	Model map[string]any `yaml:"model"`
	// Env is added to the environment of every phase.
	Env map[string]string `yaml:"env"`
	// Phases run in order; the first that fails ends the run.
	Phases []specPhase `yaml:"phases"`

	// path is the spec file, recorded as metadata.config_file; "" for a
	// command given on the command line.
	path string
}

// specPhase is one phase of a spec: a command.
type specPhase struct {
	Name    string            `yaml:"name"`
	Command commandLine       `yaml:"command"`
	Env     map[string]string `yaml:"env"`
}

// commandLine is a command's argv. In a spec file it is either a list (the
// argv, run as it is) or a string (a shell command line, run with sh -c).
type commandLine []string

func (c *commandLine) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		var s string
		if err := n.Decode(&s); err != nil {
			return err
		}
		*c = commandLine{"/bin/sh", "-c", s}
		return nil
	case yaml.SequenceNode:
		var argv []string
		if err := n.Decode(&argv); err != nil {
			return err
		}
		*c = argv
		return nil
	}
	return fmt.Errorf("line %d: command: want a string (a shell command line) or a list (the argv)", n.Line)
}

// String quotes the argv as a shell would need it.
func (c commandLine) String() string {
	q := make([]string, len(c))
	for i, a := range c {
		q[i] = shellQuote(a)
	}
	return strings.Join(q, " ")
}

// shellQuote quotes s for sh when it holds anything but plain characters.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,+@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// errSpec marks a spec that cannot be run; readSpec wraps it with where.
var errSpec = errors.New("invalid spec")

// readSpec reads and checks the spec file at path.
func readSpec(path string) (*spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading spec: %w", err)
	}
	s, err := parseSpec(data)
	if err != nil {
		return nil, fmt.Errorf("spec %s: %w", path, err)
	}
	s.path = path
	return s, nil
}

// parseSpec decodes a spec file. Unknown keys are errors, so that a typo
// (mian_phase) is not silently ignored.
func parseSpec(data []byte) (*spec, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var s spec
	if err := dec.Decode(&s); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: the file is empty", errSpec)
		}
		return nil, fmt.Errorf("%w: %v", errSpec, err)
	}
	if s.Repeat == 0 {
		s.Repeat = 1
	}
	return &s, s.check()
}

// check returns the first reason s cannot be run, wrapping errSpec.
func (s *spec) check() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", errSpec, fmt.Sprintf(format, args...))
	}
	if strings.TrimSpace(s.Benchmark) == "" {
		return bad("benchmark: missing")
	}
	if s.Repeat < 1 {
		return bad("repeat: must be at least 1, got %d", s.Repeat)
	}
	if len(s.Phases) == 0 {
		return bad("phases: none")
	}
	var names []string
	for i, p := range s.Phases {
		switch {
		case strings.TrimSpace(p.Name) == "":
			return bad("phases[%d]: name: missing", i)
		case slices.Contains(names, p.Name):
			return bad("phases[%d]: name %q used twice", i, p.Name)
		case len(p.Command) == 0 || p.Command[0] == "":
			return bad("phase %q: command: missing", p.Name)
		}
		names = append(names, p.Name)
	}
	if s.MainPhase != "" && !slices.Contains(names, s.MainPhase) {
		return bad("main_phase: %q is not one of the phases (%s)", s.MainPhase, strings.Join(names, ", "))
	}
	if _, err := s.modelAttributes(); err != nil {
		return bad("%v", err)
	}
	return nil
}

// modelAttributes returns the model as root span attributes
// (benchtrace.model.<key>), with the types docs/conventions.md gives the
// well-known keys.
func (s *spec) modelAttributes() ([]attribute.KeyValue, error) {
	keys := make([]string, 0, len(s.Model))
	for k := range s.Model {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []attribute.KeyValue
	for _, k := range keys {
		v := s.Model[k]
		key := semconv.ModelPrefix + k
		switch k {
		case "name", "architecture", "dataset":
			str, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("model.%s: want a string, got %v", k, v)
			}
			out = append(out, attribute.String(key, str))
			continue
		case "batch_size", "seed":
			n, ok := v.(int)
			if !ok {
				return nil, fmt.Errorf("model.%s: want an integer, got %v", k, v)
			}
			out = append(out, attribute.Int(key, n))
			continue
		}
		switch v := v.(type) {
		case string:
			out = append(out, attribute.String(key, v))
		case int:
			out = append(out, attribute.Int(key, v))
		case float64:
			out = append(out, attribute.Float64(key, v))
		case bool:
			out = append(out, attribute.Bool(key, v))
		default:
			return nil, fmt.Errorf("model.%s: want a string, number or boolean, got %v", k, v)
		}
	}
	return out, nil
}

// environ returns KEY=VALUE lines of the spec's and the phase's
// environment, the phase's last so that it wins, each sorted by key.
func (s *spec) environ(p specPhase) []string {
	var out []string
	for _, env := range []map[string]string{s.Env, p.Env} {
		keys := make([]string, 0, len(env))
		for k := range env {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			out = append(out, k+"="+env[k])
		}
	}
	return out
}
