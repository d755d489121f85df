package collector

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// The module path prefixes whose versions the manifest pins.
const (
	corePrefix    = "go.opentelemetry.io/collector/"
	contribPrefix = "github.com/open-telemetry/opentelemetry-collector-contrib/"
	rootModule    = "github.com/benchtrace/benchtrace"
	otelPrefix    = "go.opentelemetry.io/otel"
)

// manifest is the part of an ocb manifest these tests read (ocb's own
// type is internal to go.opentelemetry.io/collector/cmd/builder).
type manifest struct {
	Dist struct {
		Name       string `yaml:"name"`
		Module     string `yaml:"module"`
		OutputPath string `yaml:"output_path"`
	} `yaml:"dist"`
	Receivers  []manifestModule `yaml:"receivers"`
	Processors []manifestModule `yaml:"processors"`
	Exporters  []manifestModule `yaml:"exporters"`
	Connectors []manifestModule `yaml:"connectors"`
	Extensions []manifestModule `yaml:"extensions"`
	Providers  []manifestModule `yaml:"providers"`
	Replaces   []string         `yaml:"replaces"`
}

type manifestModule struct {
	GoMod string `yaml:"gomod"`
	Path  string `yaml:"path"`
}

func (m manifestModule) modPath() string    { p, _, _ := strings.Cut(m.GoMod, " "); return p }
func (m manifestModule) modVersion() string { _, v, _ := strings.Cut(m.GoMod, " "); return v }

func (m *manifest) modules() []manifestModule {
	var all []manifestModule
	for _, group := range [][]manifestModule{m.Receivers, m.Processors, m.Exporters, m.Connectors, m.Extensions, m.Providers} {
		all = append(all, group...)
	}
	return all
}

// replace is one `replaces:` entry, parsed as go.mod would.
type replace struct {
	Old, New, NewVersion string // NewVersion empty: New is a directory
}

func (m *manifest) replaces(t *testing.T) map[string]replace {
	t.Helper()
	out := make(map[string]replace)
	for _, r := range m.Replaces {
		oldSide, newSide, ok := strings.Cut(r, "=>")
		require.True(t, ok, "replace %q has no =>", r)
		old := strings.Fields(oldSide)
		fields := strings.Fields(newSide)
		require.Len(t, old, 1, "replace %q: the manifest replaces every version of a module", r)
		require.NotEmpty(t, fields, "replace %q", r)
		rep := replace{Old: old[0], New: fields[0]}
		if len(fields) == 2 {
			rep.NewVersion = fields[1]
		}
		out[rep.Old] = rep
	}
	return out
}

func readManifest(t *testing.T) *manifest {
	t.Helper()
	data, err := os.ReadFile("builder-config.yaml")
	require.NoError(t, err)
	var m manifest
	require.NoError(t, yaml.Unmarshal(data, &m), "parsing builder-config.yaml")
	return &m
}

// goMod is the output of `go mod edit -json`.
type goMod struct {
	Module  struct{ Path string }
	Go      string
	Require []struct {
		Path, Version string
		Indirect      bool
	}
	Replace []struct {
		Old, New struct{ Path, Version string }
	}
}

func (g *goMod) version(path string) string {
	for _, r := range g.Require {
		if r.Path == path {
			return r.Version
		}
	}
	return ""
}

// readGoMod parses a go.mod with the go command's own parser.
func readGoMod(t *testing.T, path string) *goMod {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	require.NoError(t, err, "the go command, to parse %s", path)
	out, err := exec.Command(goCmd, "mod", "edit", "-json", path).Output()
	require.NoError(t, err, "go mod edit -json %s", path)
	var g goMod
	require.NoError(t, json.Unmarshal(out, &g))
	return &g
}

// pins are the versions the manifest uses for each family of modules.
type pins struct{ core, stable, contrib string }

func manifestPins(t *testing.T, m *manifest) pins {
	t.Helper()
	seen := map[string]map[string][]string{"core": {}, "stable": {}, "contrib": {}}
	for _, mod := range m.modules() {
		path, version := mod.modPath(), mod.modVersion()
		require.NotEmpty(t, version, "gomod %q has no version", mod.GoMod)
		if family := moduleFamily(path, version); family != "" {
			seen[family][version] = append(seen[family][version], path)
		}
	}
	one := func(family string) string {
		versions := seen[family]
		require.Len(t, versions, 1, "the manifest's %s modules should share one version: %v", family, versions)
		for v := range versions {
			return v
		}
		return ""
	}
	return pins{core: one("core"), stable: one("stable"), contrib: one("contrib")}
}

// moduleFamily says which pin a module follows: "core" (collector v0.x),
// "stable" (collector v1.x), "contrib", or "" (none).
func moduleFamily(path, version string) string {
	switch {
	case strings.HasPrefix(path, corePrefix) && strings.HasPrefix(version, "v0."):
		return "core"
	case strings.HasPrefix(path, corePrefix):
		return "stable"
	case strings.HasPrefix(path, contribPrefix):
		return "contrib"
	}
	return ""
}

func (p pins) forModule(path, version string) string {
	switch moduleFamily(path, version) {
	case "core":
		return p.core
	case "stable":
		return p.stable
	case "contrib":
		return p.contrib
	}
	return ""
}

func TestManifestPins(t *testing.T) {
	m := readManifest(t)
	p := manifestPins(t, m)
	// Contrib releases with core: contrib v0.N is built on core v0.N.
	assert.Equal(t, p.core, p.contrib, "contrib and core pins")

	// ocb's version is the core version it generates code for.
	script, err := os.ReadFile("stack")
	require.NoError(t, err)
	assert.Contains(t, string(script), "readonly OCB_VERSION="+p.core+"\n",
		"collector/stack installs ocb at the manifest's core version")

	assert.Equal(t, "benchtrace-collector", m.Dist.Name, "collector/stack runs this binary name")
	// The generated sources and the binary stay in the ignored cache.
	assert.Equal(t, "../.cache/stack/collector-src", m.Dist.OutputPath,
		"collector/stack looks there, and the relative replaces count from there")

	for _, mod := range m.modules() {
		if mod.Path != "" {
			assert.DirExists(t, mod.Path, "path of %s, relative to collector/ (ocb runs from there)", mod.modPath())
		}
	}
	for _, r := range m.replaces(t) {
		if r.NewVersion == "" {
			assert.FileExists(t, filepath.Join(m.Dist.OutputPath, r.New, "go.mod"),
				"replace %s => %s, relative to output_path", r.Old, r.New)
		}
	}
}

// TestManifestMatchesComponents keeps the manifest and each local component
// (the benchlog exporter) in agreement, as Jaeger's builder manifest test
// does: same module path, the same collector versions, and the component's
// local replaces repeated in the manifest (a dependency's replaces don't
// apply to the module that builds it).
func TestManifestMatchesComponents(t *testing.T) {
	m := readManifest(t)
	p := manifestPins(t, m)
	reps := m.replaces(t)

	var local int
	for _, mod := range m.modules() {
		if mod.Path == "" {
			continue
		}
		local++
		t.Run(mod.modPath(), func(t *testing.T) {
			dir := filepath.Clean(mod.Path)
			g := readGoMod(t, filepath.Join(dir, "go.mod"))
			assert.Equal(t, mod.modPath(), g.Module.Path, "module path in %s/go.mod vs the manifest's gomod", dir)

			for _, r := range g.Require {
				want := p.forModule(r.Path, r.Version)
				if want != "" {
					assert.Equal(t, want, r.Version, "%s/go.mod requires %s; the manifest pins its family", dir, r.Path)
				}
			}

			for _, r := range g.Replace {
				if r.New.Version != "" {
					continue
				}
				target := filepath.Join(dir, r.New.Path)
				mr, ok := reps[r.Old.Path]
				if !assert.True(t, ok, "%s/go.mod replaces %s => %s; the manifest should too (relative to output_path: %s)",
					dir, r.Old.Path, r.New.Path, mustRel(t, m.Dist.OutputPath, target)) {
					continue
				}
				assert.Equal(t, target, filepath.Join(m.Dist.OutputPath, mr.New),
					"the manifest's replace of %s points elsewhere than %s/go.mod's", r.Old.Path, dir)
			}

			// The component must not carry the SDK: the root module pins its
			// own otel release, which the collector's build would then have to
			// follow (otel replaces in the manifest).
			assert.Empty(t, g.version(rootModule), "%s/go.mod requires the root module", dir)
			assert.False(t, hasReplace(g, rootModule), "%s/go.mod replaces the root module", dir)
			checkOtelNotAboveCore(t, dir, g)
		})
	}
	assert.Positive(t, local, "the manifest should build the benchlog exporter from ../exporters/benchlogexporter")
}

// checkOtelNotAboveCore: each go.opentelemetry.io/otel module the component
// requires is at most the version the collector's core modules require, so
// that minimal version selection in the distribution picks the collector's
// versions and the manifest needs no otel replaces.
func checkOtelNotAboveCore(t *testing.T, dir string, g *goMod) {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	require.NoError(t, err)
	cmd := exec.Command(goCmd, "mod", "graph")
	cmd.Dir = dir
	out, err := cmd.Output()
	require.NoError(t, err, "go mod graph in %s", dir)
	core := map[string]string{} // otel module => highest version a core module requires
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		from, to, ok := strings.Cut(line, " ")
		if !ok || !strings.HasPrefix(from, corePrefix) {
			continue
		}
		path, version, _ := strings.Cut(to, "@")
		if strings.HasPrefix(path, otelPrefix) && semverLess(core[path], version) {
			core[path] = version
		}
	}
	require.NotEmpty(t, core, "the collector's core modules require otel (go mod graph in %s)", dir)
	for _, r := range g.Require {
		if want, ok := core[r.Path]; ok {
			assert.False(t, semverLess(want, r.Version),
				"%s/go.mod requires %s %s, above the collector's %s", dir, r.Path, r.Version, want)
		}
	}
}

// semverLess compares two release versions vMAJOR.MINOR.PATCH; "" is the
// lowest.
func semverLess(a, b string) bool {
	parse := func(v string) [3]int {
		var n [3]int
		for i, f := range strings.SplitN(strings.TrimPrefix(v, "v"), ".", 3) {
			f, _, _ = strings.Cut(f, "-")
			n[i], _ = strconv.Atoi(f)
		}
		return n
	}
	if a == "" {
		return b != ""
	}
	pa, pb := parse(a), parse(b)
	for i := range pa {
		if pa[i] != pb[i] {
			return pa[i] < pb[i]
		}
	}
	return false
}

// TestManifestHasNoOtelReplaces: the collector builds with its own
// OpenTelemetry releases. An otel replace would mean a component pulls a
// newer otel than the collector core (see checkOtelNotAboveCore).
func TestManifestHasNoOtelReplaces(t *testing.T) {
	m := readManifest(t)
	for old := range m.replaces(t) {
		for _, prefix := range []string{otelPrefix, "go.opentelemetry.io/contrib/"} {
			assert.False(t, strings.HasPrefix(old+"/", prefix), "the manifest replaces %s", old)
		}
	}
}

func hasReplace(g *goMod, path string) bool {
	for _, r := range g.Replace {
		if r.Old.Path == path {
			return true
		}
	}
	return false
}

func mustRel(t *testing.T, base, target string) string {
	t.Helper()
	rel, err := filepath.Rel(base, target)
	require.NoError(t, err)
	return rel
}

// The benchlog exporter must be in the manifest by gomod + path, as the
// stack and the README describe it.
func TestManifestHasBenchlog(t *testing.T) {
	m := readManifest(t)
	var found []string
	for _, e := range m.Exporters {
		if e.modPath() == rootModule+"/exporters/benchlogexporter" {
			found = append(found, e.Path)
		}
	}
	assert.Equal(t, []string{"../exporters/benchlogexporter"}, found)
}

var envRef = regexp.MustCompile(`\$\{env:(BENCHTRACE_[A-Z_]+)(:-[^}]*)?\}`)

// Every port the configs read from the environment is one collector/stack
// sets, so that tests can move the whole stack.
func TestConfigEnvVarsAreSetByStack(t *testing.T) {
	script, err := os.ReadFile("stack")
	require.NoError(t, err)
	for _, file := range []string{"config.yaml", "jaeger.yaml"} {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		matches := envRef.FindAllStringSubmatch(string(data), -1)
		require.NotEmpty(t, matches, file)
		for _, m := range matches {
			name := m[1]
			if name == "BENCHTRACE_JAEGER_MAX_TRACES" {
				continue // a setting with a default, not a port
			}
			assert.Contains(t, string(script), fmt.Sprintf("\texport %s=", name), "%s reads %s", file, name)
		}
	}
}

// pipelineConfig is the part of config.yaml the pipeline tests read.
type pipelineConfig struct {
	Processors map[string]map[string]any `yaml:"processors"`
	Service    struct {
		Pipelines map[string]struct {
			Receivers  []string `yaml:"receivers"`
			Processors []string `yaml:"processors"`
			Exporters  []string `yaml:"exporters"`
		} `yaml:"pipelines"`
	} `yaml:"service"`
}

func readPipelines(t *testing.T) *pipelineConfig {
	t.Helper()
	data, err := os.ReadFile("config.yaml")
	require.NoError(t, err)
	var c pipelineConfig
	require.NoError(t, yaml.Unmarshal(data, &c))
	return &c
}

// Acknowledged means kept: the receiver answers once every pipeline has the
// batch, so no stage that acknowledges before passing data on (batch, a
// queue) may stand before benchlog, which writes its WAL before it returns.
func TestBenchlogPipelineAcknowledgesOnlyWhatIsKept(t *testing.T) {
	c := readPipelines(t)
	found := 0
	for name, p := range c.Service.Pipelines {
		if !slices.Contains(p.Exporters, "benchlog") {
			continue
		}
		found++
		assert.Equal(t, []string{"benchlog"}, p.Exporters, "pipeline %s: benchlog alone (the others batch)", name)
		for _, proc := range p.Processors {
			assert.Equal(t, "memory_limiter", proc, "pipeline %s: %s before benchlog", name, proc)
		}
	}
	assert.Equal(t, 1, found, "one pipeline with benchlog")
	// Jaeger refuses requests over 4 MiB: batches have a maximum size.
	for name, p := range c.Processors {
		if name == "batch" || strings.HasPrefix(name, "batch/") {
			assert.Contains(t, p, "send_batch_max_size", name)
		}
	}
}

// Only runs and phases feed the benchmark metrics: every pipeline into
// the metric connectors filters out spans without benchtrace keys, and
// cleans label values of invalid UTF-8; each runs behind memory_limiter.
func TestMetricsPipelinesFilterAppSpans(t *testing.T) {
	c := readPipelines(t)
	found := 0
	for name, p := range c.Service.Pipelines {
		if !strings.HasPrefix(name, "traces") {
			continue
		}
		require.NotEmpty(t, p.Processors, "pipeline %s: memory_limiter first", name)
		assert.Equal(t, "memory_limiter", p.Processors[0], "pipeline %s", name)
		if !slices.Contains(p.Exporters, "span_metrics") && !slices.Contains(p.Exporters, "signal_to_metrics") {
			continue
		}
		found++
		assert.Contains(t, p.Processors, "filter/benchtrace", name)
		assert.Contains(t, p.Processors, "transform/utf8", name)
	}
	assert.Positive(t, found)
	conds := fmt.Sprint(c.Processors["filter/benchtrace"]["traces"])
	assert.Contains(t, conds, `span.attributes["benchtrace.benchmark.name"] == nil and span.attributes["benchtrace.phase.name"] == nil`)
}

// Every processor type config.yaml uses is built in by the manifest.
func TestConfigProcessorsInManifest(t *testing.T) {
	c := readPipelines(t)
	m := readManifest(t)
	modules := map[string]string{
		"batch":          "go.opentelemetry.io/collector/processor/batchprocessor",
		"memory_limiter": "go.opentelemetry.io/collector/processor/memorylimiterprocessor",
		"filter":         contribPrefix + "processor/filterprocessor",
		"transform":      contribPrefix + "processor/transformprocessor",
	}
	var have []string
	for _, p := range m.Processors {
		have = append(have, p.modPath())
	}
	for name := range c.Processors {
		typ, _, _ := strings.Cut(name, "/")
		mod, ok := modules[typ]
		if assert.True(t, ok, "processor %s: add its module to this test", name) {
			assert.Contains(t, have, mod, "processor %s", name)
		}
	}
}
