package dashboards_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/benchtrace/benchtrace/internal/dashtest"
	"github.com/benchtrace/benchtrace/sdk/semconv"
)

// Files of the repository these tests hold the dashboards against.
const (
	metricsJSON         = "../collector/metrics.json"
	collectorConfig     = "../collector/config.yaml"
	collectorPromConf   = "../collector/prometheus.yml"
	composeFile         = "../docker-compose.yml"
	composeCollector    = "compose/collector.yaml"
	composeJaeger       = "compose/jaeger.yaml"
	composePromConf     = "compose/prometheus.yml"
	benchlogTelemetry   = "../exporters/benchlogexporter/internal/metadata/generated_telemetry.go"
	benchlogExporterDir = "../exporters/benchlogexporter"
)

// sampleVars fills every variable that has no default.
var sampleVars = map[string]string{"benchmark": "gemm"}

// dashboardsFS is this directory: json/ and provisioning/.
var dashboardsFS = os.DirFS(".")

func loadT(t *testing.T) []*dashtest.Dashboard {
	t.Helper()
	ds, err := dashtest.Load(dashboardsFS)
	require.NoError(t, err)
	require.NotEmpty(t, ds)
	return ds
}

// rawDashboards returns each dashboard file as generic JSON.
func rawDashboards(t *testing.T) map[string]any {
	t.Helper()
	names, err := fs.Glob(dashboardsFS, "json/*.json")
	require.NoError(t, err)
	out := map[string]any{}
	for _, name := range names {
		data, err := fs.ReadFile(dashboardsFS, name)
		require.NoError(t, err)
		var v any
		require.NoError(t, json.Unmarshal(data, &v), name)
		out[name] = v
	}
	return out
}

func readYAML(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(name)
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(data, v), "parsing %s", name)
}

// The uids are part of the dashboards' URLs and of the links between them:
// they must not change.
func TestDashboardsParse(t *testing.T) {
	wantUID := map[string]string{
		"benchmark-overview.json": "benchtrace-overview",
		"run-explorer.json":       "benchtrace-run-explorer",
	}
	ds := loadT(t)
	uids, titles := map[string]bool{}, map[string]bool{}
	for _, d := range ds {
		t.Run(d.File, func(t *testing.T) {
			assert.Equal(t, wantUID[d.File], d.UID, "uid of %s", d.File)
			assert.Regexp(t, `^[a-zA-Z0-9_-]{1,40}$`, d.UID)
			assert.False(t, uids[d.UID], "uid %s used twice", d.UID)
			assert.False(t, titles[d.Title], "title %q used twice", d.Title)
			uids[d.UID], titles[d.Title] = true, true
			assert.NotEmpty(t, d.Title)
			assert.NotEmpty(t, d.Description)
			assert.Contains(t, d.Tags, "benchtrace")
			assert.GreaterOrEqual(t, d.SchemaVersion, 39)
			assert.LessOrEqual(t, d.SchemaVersion, 41)

			ids := map[int]bool{}
			for _, p := range d.AllPanels() {
				assert.Positive(t, p.ID, "panel %q", p.Title)
				assert.False(t, ids[p.ID], "panel id %d used twice", p.ID)
				ids[p.ID] = true
				assert.NotEmpty(t, p.Title, "panel %d", p.ID)
				if assert.NotNil(t, p.GridPos, "panel %q", p.Title) {
					g := p.GridPos
					assert.True(t, g.W > 0 && g.H > 0 && g.X >= 0 && g.X+g.W <= 24, "panel %q gridPos %+v", p.Title, *g)
				}
				if p.Type == "row" {
					continue
				}
				assert.NotEmpty(t, p.Description, "panel %q: docs/dashboards.md and the panel's (i) say what it answers", p.Title)
				assert.NotEmpty(t, p.Targets, "panel %q", p.Title)
				refIDs := map[string]bool{}
				for _, tg := range p.Targets {
					assert.NotEmpty(t, tg.RefID, "panel %q", p.Title)
					assert.False(t, refIDs[tg.RefID], "panel %q: refId %s twice", p.Title, tg.RefID)
					refIDs[tg.RefID] = true
				}
			}
			for _, v := range d.Templating.List {
				if v.Type == "query" {
					assert.Equal(t, v.QueryString(), v.Definition, "variable %s: Grafana shows the definition", v.Name)
				}
			}
		})
	}
	assert.Len(t, ds, len(wantUID))
}

type provisionedDatasources struct {
	APIVersion  int `yaml:"apiVersion"`
	Datasources []struct {
		Name      string `yaml:"name"`
		UID       string `yaml:"uid"`
		Type      string `yaml:"type"`
		Access    string `yaml:"access"`
		URL       string `yaml:"url"`
		IsDefault bool   `yaml:"isDefault"`
	} `yaml:"datasources"`
}

// provisioned returns the data sources of the provisioning files: uid → type.
func provisioned(t *testing.T) map[string]string {
	t.Helper()
	names, err := fs.Glob(dashboardsFS, "provisioning/datasources/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, names)
	out := map[string]string{}
	for _, name := range names {
		data, err := fs.ReadFile(dashboardsFS, name)
		require.NoError(t, err)
		var p provisionedDatasources
		require.NoError(t, yaml.Unmarshal(data, &p), name)
		assert.Equal(t, 1, p.APIVersion, name)
		for _, d := range p.Datasources {
			assert.NotContains(t, out, d.UID, "data source uid %s twice", d.UID)
			assert.NotEmpty(t, d.Name)
			assert.Equal(t, "proxy", d.Access, "%s: Grafana's server reaches it, not the browser", d.UID)
			assert.Regexp(t, `^http://[a-z0-9.-]+:\d+$`, d.URL, d.UID)
			out[d.UID] = d.Type
		}
	}
	return out
}

func TestProvisioning(t *testing.T) {
	assert.Equal(t, map[string]string{
		"benchtrace-prometheus": "prometheus",
		"benchtrace-jaeger":     "jaeger",
	}, provisioned(t))

	names, err := fs.Glob(dashboardsFS, "provisioning/dashboards/*.yaml")
	require.NoError(t, err)
	require.Len(t, names, 1)
	data, err := fs.ReadFile(dashboardsFS, names[0])
	require.NoError(t, err)
	var p struct {
		APIVersion int `yaml:"apiVersion"`
		Providers  []struct {
			Name    string `yaml:"name"`
			Type    string `yaml:"type"`
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	require.NoError(t, yaml.Unmarshal(data, &p))
	assert.Equal(t, 1, p.APIVersion)
	require.Len(t, p.Providers, 1)
	assert.Equal(t, "file", p.Providers[0].Type)

	// docker-compose.yml mounts the JSON where the provider reads it, and
	// the provisioning directories where Grafana looks for them.
	c := readCompose(t)
	vols := c.Services["grafana"].Volumes
	assert.Contains(t, vols, "./dashboards/json:"+p.Providers[0].Options.Path+":ro")
	assert.Contains(t, vols, "./dashboards/provisioning/datasources:/etc/grafana/provisioning/datasources:ro")
	assert.Contains(t, vols, "./dashboards/provisioning/dashboards:/etc/grafana/provisioning/dashboards:ro")
}

// Every panel and every query reads a data source that provisioning
// defines: by its uid, or through a datasource variable whose default is
// one.
func TestDatasources(t *testing.T) {
	prov := provisioned(t)
	for _, d := range loadT(t) {
		t.Run(d.File, func(t *testing.T) {
			check := func(what string, ref *dashtest.DSRef) {
				if !assert.NotNil(t, ref, "%s has no datasource", what) {
					return
				}
				assert.NotEmpty(t, ref.Type, "%s: datasource type", what)
				uid := ref.UID
				if name, ok := dashtest.VarName(ref.UID); ok {
					v := d.Variable(name)
					if !assert.NotNil(t, v, "%s: datasource variable $%s", what, name) {
						return
					}
					assert.Equal(t, "datasource", v.Type, "%s: $%s", what, name)
					assert.Equal(t, ref.Type, v.QueryString(), "%s: $%s lists data sources of its type", what, name)
					uid = v.Saved()
				}
				typ, ok := prov[uid]
				assert.True(t, ok, "%s: data source %q is not provisioned", what, uid)
				assert.Equal(t, ref.Type, typ, "%s: data source %q", what, uid)
			}
			for _, v := range d.Templating.List {
				if v.Type == "query" {
					check("variable "+v.Name, v.Datasource)
				}
			}
			for _, p := range d.AllPanels() {
				if p.Type == "row" {
					continue
				}
				check(fmt.Sprintf("panel %q", p.Title), p.Datasource)
				for i := range p.Targets {
					tg := &p.Targets[i]
					check(fmt.Sprintf("panel %q query %s", p.Title, tg.RefID), dashtest.TargetDS(p, tg))
					assert.Equal(t, d.DSType(p.Datasource), d.DSType(dashtest.TargetDS(p, tg)), "panel %q mixes data sources", p.Title)
				}
			}
		})
	}
}

// Grafana's global variables, which dashboards use without defining.
var globalVars = []string{
	"__interval", "__interval_ms", "__rate_interval", "__range", "__range_s", "__range_ms",
	"__from", "__to", "__all", "__url_time_range", "__dashboard", "__org", "__user",
	"__value", "__data", "__field", "__series", "timeFilter",
}

// Every variable referenced anywhere in a dashboard (queries, titles,
// descriptions, links) is defined by it or is one of Grafana's.
func TestVariablesDefined(t *testing.T) {
	raw := rawDashboards(t)
	for _, d := range loadT(t) {
		t.Run(d.File, func(t *testing.T) {
			var strs []string
			walkStrings(raw["json/"+d.File], &strs)
			for _, s := range strs {
				for _, r := range dashtest.Refs(s) {
					if slices.Contains(globalVars, r.Name) {
						continue
					}
					assert.NotNil(t, d.Variable(r.Name), "$%s in %q is not defined", r.Name, s)
				}
			}
			for _, v := range d.Templating.List {
				assert.Regexp(t, `^[a-z_]+$`, v.Name)
				assert.NotEmpty(t, v.Label, "variable %s", v.Name)
			}
		})
	}
}

func walkStrings(v any, out *[]string) {
	switch v := v.(type) {
	case string:
		*out = append(*out, v)
	case []any:
		for _, x := range v {
			walkStrings(x, out)
		}
	case map[string]any:
		for _, x := range v {
			walkStrings(x, out)
		}
	}
}

func TestQueries(t *testing.T) {
	qs, err := dashtest.Queries(dashboardsFS, sampleVars)
	require.NoError(t, err)

	// One query per Prometheus target and per Prometheus query variable.
	want := 0
	for _, d := range loadT(t) {
		for _, v := range d.Templating.List {
			if v.Type == "query" && d.DSType(v.Datasource) == "prometheus" {
				want++
			}
		}
		for _, p := range d.AllPanels() {
			for i := range p.Targets {
				if d.DSType(dashtest.TargetDS(p, &p.Targets[i])) == "prometheus" {
					want++
				}
			}
		}
	}
	assert.Len(t, qs, want)

	for _, q := range qs {
		name := q.Name()
		assert.NotContains(t, q.Expr, "[[", name)
		for _, r := range dashtest.Refs(q.Expr) {
			assert.Fail(t, "variable left in the query", "%s: $%s in %s", name, r.Name, q.Expr)
		}
		assert.True(t, (q.Panel == "") != (q.Variable == ""), name)
		// Prometheus's parser reads it, as the live Prometheus will.
		n, err := dashtest.ReadNames(q.Expr)
		if !assert.NoError(t, err, name) {
			continue
		}
		if q.Panel == "" || slices.ContainsFunc(n.Metrics, func(m string) bool { return strings.HasPrefix(m, "otelcol_") }) {
			continue
		}
		// Every panel but the collector-wide ones is per benchmark: each of
		// its selectors filters on the benchmark.
		perBenchmark := 0
		for _, m := range n.Matchers {
			if m.Name == "benchtrace_benchmark_name" {
				perBenchmark++
			}
		}
		assert.Equal(t, len(n.Metrics), perBenchmark, "%s: every selector of %s filters on benchtrace_benchmark_name", name, q.Expr)
	}

	// A benchmark the overview filters on gets through escaped.
	qs, err = dashtest.Queries(dashboardsFS, map[string]string{"benchmark": "a.b"})
	require.NoError(t, err)
	assert.Contains(t, qs[len(qs)-1].Expr, `benchtrace_benchmark_name="a.b"`, "explorer: single value")
	var overview string
	for _, q := range qs {
		if q.Dashboard == "benchtrace-overview" && q.Panel == "Runs" {
			overview = q.Expr
		}
	}
	assert.Contains(t, overview, `benchtrace_benchmark_name=~"a\\.b"`, "overview: multi-value, a regular expression")

	// The explorer's benchmark has no default.
	_, err = dashtest.Queries(dashboardsFS, nil)
	assert.ErrorContains(t, err, "$benchmark has no default value")
}

// Panels that show numbers say in what unit. Jaeger's tables get the
// duration unit by an override (their other columns are text and times).
func TestUnits(t *testing.T) {
	numeric := []string{"timeseries", "stat", "gauge", "bargauge", "table", "barchart", "histogram", "state-timeline"}
	for _, d := range loadT(t) {
		for _, p := range d.AllPanels() {
			if !slices.Contains(numeric, p.Type) {
				continue
			}
			if d.DSType(p.Datasource) == "jaeger" {
				assert.Equal(t, "µs", overrideUnit(p, "duration"), "panel %q: Jaeger durations are in µs", p.Title)
				continue
			}
			assert.NotEmpty(t, p.FieldConfig.Defaults.Unit, "%s: panel %q has no unit", d.UID, p.Title)
		}
	}

	// The unit each panel's metrics call for.
	for _, d := range loadT(t) {
		for _, p := range d.AllPanels() {
			if len(p.Targets) == 0 || d.DSType(p.Datasource) != "prometheus" {
				continue
			}
			expr, err := d.Interpolate(p.Targets[0].Expr, sampleVars, true)
			require.NoError(t, err)
			want := unitFor(t, expr)
			if p.Title == "Success rate" {
				want = "percentunit"
			}
			if strings.Contains(p.Title, "utilisation") {
				want = "percentunit" // CPU seconds per second
			}
			if want != "" {
				assert.Equal(t, want, p.FieldConfig.Defaults.Unit, "%s: panel %q", d.UID, p.Title)
			}
		}
	}
}

// unitFor returns the unit a query's values are in, from its metrics'
// names, or "" when it cannot tell.
func unitFor(t *testing.T, expr string) string {
	t.Helper()
	n, err := dashtest.ReadNames(expr)
	require.NoError(t, err)
	unit := ""
	for _, m := range n.Metrics {
		var u string
		switch {
		case m == "traces_span_metrics_calls_total" || strings.HasPrefix(m, "otelcol_"):
			u = "short"
		case strings.HasSuffix(m, "_seconds") || strings.HasSuffix(m, "_seconds_bucket"):
			u = "s"
		case strings.HasSuffix(m, "_bytes"):
			u = "bytes"
		case strings.HasSuffix(m, "_precision_bits"):
			u = "suffix:bits"
		case strings.HasSuffix(m, "_mae"):
			u = "sci"
		default:
			return ""
		}
		if unit != "" && u != unit {
			return ""
		}
		unit = u
	}
	return unit
}

func overrideUnit(p *dashtest.Panel, field string) string {
	for _, o := range p.FieldConfig.Overrides {
		if o.Matcher.ID != "byName" || o.Matcher.Options != field {
			continue
		}
		for _, prop := range o.Properties {
			if prop.ID == "unit" {
				s, _ := prop.Value.(string)
				return s
			}
		}
	}
	return ""
}

// metricNames is the part of collector/metrics.json the dashboards use.
type metricNames struct {
	Labels  map[string]string `json:"labels"`
	Metrics []struct {
		Name   string   `json:"name"`
		Type   string   `json:"type"`
		Labels []string `json:"labels"`
	} `json:"metrics"`
}

// knownSeries maps each Prometheus series name the collector produces to
// its labels: metrics.json (histograms as _bucket, _sum and _count; _bucket
// adds le) and the benchlog exporter's own telemetry, scraped from the
// collector's telemetry endpoint (its names in generated_telemetry.go, its
// labels the attribute keys its sources record).
func knownSeries(t *testing.T) (map[string][]string, *metricNames) {
	t.Helper()
	data, err := os.ReadFile(metricsJSON)
	require.NoError(t, err)
	var n metricNames
	require.NoError(t, json.Unmarshal(data, &n), metricsJSON)
	require.NotEmpty(t, n.Metrics)
	out := map[string][]string{}
	for _, m := range n.Metrics {
		for _, l := range m.Labels {
			assert.Contains(t, n.Labels, l, "%s: metrics.json describes every label", m.Name)
		}
		switch m.Type {
		case "histogram":
			out[m.Name+"_bucket"] = append(slices.Clone(m.Labels), "le")
			out[m.Name+"_sum"] = m.Labels
			out[m.Name+"_count"] = m.Labels
		default:
			out[m.Name] = m.Labels
		}
	}

	tel, err := os.ReadFile(benchlogTelemetry)
	require.NoError(t, err)
	exp := benchlogSources(t)
	var attrs []string
	for _, m := range regexp.MustCompile(`attribute\.String\("(\w+)"`).FindAllSubmatch(exp, -1) {
		attrs = append(attrs, string(m[1]))
	}
	require.NotEmpty(t, attrs)
	for _, m := range regexp.MustCompile(`"(otelcol_exporter_benchlog_\w+)"`).FindAllSubmatch(tel, -1) {
		out[string(m[1])] = append([]string{"job", "instance"}, attrs...)
	}
	return out, &n
}

// benchlogSources returns the benchlog exporter's Go sources (tests left
// out), one after the other: where it records its telemetry's attributes
// and names its reasons, whichever file that is in.
func benchlogSources(t *testing.T) []byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(benchlogExporterDir, "*.go"))
	require.NoError(t, err)
	var all []byte
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		all = append(append(all, data...), '\n')
	}
	require.NotEmpty(t, all, "no Go files in %s", benchlogExporterDir)
	return all
}

// Every metric and label the dashboards query is one the collector
// produces, and every status_code they compare with is one metrics.json
// lists.
func TestNamesInMetricsJSON(t *testing.T) {
	known, names := knownSeries(t)
	exp := benchlogSources(t)
	qs, err := dashtest.Queries(dashboardsFS, sampleVars)
	require.NoError(t, err)
	used := map[string]bool{}
	for _, q := range qs {
		name := q.Name()
		p, err := dashtest.ReadNames(q.Expr)
		require.NoError(t, err, name)
		require.NotEmpty(t, p.Metrics, "%s: %s", name, q.Expr)
		var allowed []string
		for _, m := range p.Metrics {
			labels, ok := known[m]
			assert.True(t, ok, "%s: metric %s is not in %s", name, m, metricsJSON)
			allowed = append(allowed, labels...)
			used[m] = true
		}
		for _, l := range p.Labels {
			assert.Contains(t, allowed, l, "%s: no metric of %s has the label %s", name, q.Expr, l)
		}
		for _, m := range p.Matchers {
			switch m.Name {
			case "status_code":
				codes := regexp.MustCompile(`STATUS_CODE_[A-Z]+`).FindAllString(names.Labels["status_code"], -1)
				assert.Contains(t, codes, m.Value, "%s: status_code %q", name, m.Value)
			case "reason":
				for _, r := range strings.Split(m.Value, "|") {
					assert.Contains(t, string(exp), `"`+r+`"`, "%s: the benchlog exporter has no reason %q", name, r)
				}
			}
		}
	}
	// The overview shows every per-phase measurement metrics.json lists.
	for _, m := range names.Metrics {
		if strings.HasPrefix(m.Name, "benchtrace_") {
			assert.True(t, used[m.Name], "no panel shows %s", m.Name)
		}
	}

	// The labels are the semantic convention keys, as Prometheus spells them.
	for key, label := range map[string]string{
		semconv.BenchmarkName: "benchtrace_benchmark_name",
		semconv.PhaseName:     "benchtrace_phase_name",
		semconv.ServiceName:   "service_name",
	} {
		assert.Equal(t, label, strings.ReplaceAll(key, ".", "_"))
		assert.Contains(t, names.Labels, label)
	}
	// Jaeger searches by the attribute itself.
	for _, d := range loadT(t) {
		for _, p := range d.AllPanels() {
			for _, tg := range p.Targets {
				if d.DSType(dashtest.TargetDS(p, &tg)) == "jaeger" && tg.Tags != "" {
					assert.True(t, strings.HasPrefix(tg.Tags, semconv.BenchmarkName+"="), "panel %q: tags %q", p.Title, tg.Tags)
					assert.Equal(t, "search", tg.QueryType)
					assert.NotEmpty(t, tg.Service)
				}
			}
		}
	}
}

// receiversYAML is the OTLP gRPC receiver's address, in the collector's and
// Jaeger's configs alike.
type receiversYAML struct {
	OTLP struct {
		Protocols struct {
			GRPC struct {
				Endpoint string `yaml:"endpoint"`
			} `yaml:"grpc"`
			HTTP struct {
				Endpoint string `yaml:"endpoint"`
			} `yaml:"http"`
		} `yaml:"protocols"`
	} `yaml:"otlp"`
}

// collectorConfigYAML is the part of collector/config.yaml (and of its
// compose overlay) that says where things listen.
type collectorConfigYAML struct {
	Receivers receiversYAML `yaml:"receivers"`
	Exporters map[string]struct {
		Endpoint string `yaml:"endpoint"`
	} `yaml:"exporters"`
	Extensions map[string]struct {
		Endpoint string `yaml:"endpoint"`
	} `yaml:"extensions"`
	Service struct {
		Telemetry struct {
			Metrics struct {
				Readers []struct {
					Pull struct {
						Exporter struct {
							Prometheus struct {
								Host string `yaml:"host"`
								Port any    `yaml:"port"`
							} `yaml:"prometheus"`
						} `yaml:"exporter"`
					} `yaml:"pull"`
				} `yaml:"readers"`
			} `yaml:"metrics"`
		} `yaml:"telemetry"`
	} `yaml:"service"`
}

func (c *collectorConfigYAML) telemetryEndpoint(t *testing.T) string {
	t.Helper()
	require.Len(t, c.Service.Telemetry.Metrics.Readers, 1)
	p := c.Service.Telemetry.Metrics.Readers[0].Pull.Exporter.Prometheus
	return net.JoinHostPort(expandEnvDefaults(p.Host), expandEnvDefaults(fmt.Sprint(p.Port)))
}

// expandEnvDefaults replaces the collector's ${env:NAME:-default} with the
// default.
func expandEnvDefaults(s string) string {
	return regexp.MustCompile(`\$\{env:\w+:-([^}]*)\}`).ReplaceAllString(s, "$1")
}

type promConfig struct {
	ScrapeConfigs []struct {
		JobName       string `yaml:"job_name"`
		HonorLabels   bool   `yaml:"honor_labels"`
		StaticConfigs []struct {
			Targets []string `yaml:"targets"`
		} `yaml:"static_configs"`
	} `yaml:"scrape_configs"`
}

// targets returns job name → targets.
func (p *promConfig) targets() map[string][]string {
	out := map[string][]string{}
	for _, sc := range p.ScrapeConfigs {
		for _, st := range sc.StaticConfigs {
			out[sc.JobName] = append(out[sc.JobName], st.Targets...)
		}
	}
	return out
}

func (p *promConfig) honorLabels() map[string]bool {
	out := map[string]bool{}
	for _, sc := range p.ScrapeConfigs {
		out[sc.JobName] = sc.HonorLabels
	}
	return out
}

// Prometheus scrapes the endpoints the collector serves: its prometheus
// exporter (the metrics of metrics.json, job benchtrace) and its own
// telemetry (the benchlog exporter's pending and incomplete runs, job
// otelcol). Both in the local stack and in docker-compose.yml.
func TestPrometheusScrapesCollector(t *testing.T) {
	var col collectorConfigYAML
	readYAML(t, collectorConfig, &col)
	metrics := expandEnvDefaults(col.Exporters["prometheus"].Endpoint)
	telemetry := col.telemetryEndpoint(t)
	require.NotEmpty(t, metrics)

	var local promConfig
	readYAML(t, collectorPromConf, &local)
	assert.Equal(t, map[string][]string{"benchtrace": {metrics}, "otelcol": {telemetry}}, local.targets(),
		"%s scrapes what %s serves", collectorPromConf, collectorConfig)

	// The compose overlay moves the same ports to every interface, and the
	// compose Prometheus scrapes them on the collector service.
	var over collectorConfigYAML
	readYAML(t, composeCollector, &over)
	port := func(endpoint string) string {
		_, p, err := net.SplitHostPort(endpoint)
		require.NoError(t, err, endpoint)
		return p
	}
	overMetrics := over.Exporters["prometheus"].Endpoint
	assert.Equal(t, "0.0.0.0:"+port(metrics), overMetrics)
	assert.Equal(t, "0.0.0.0:"+port(telemetry), over.telemetryEndpoint(t))
	assert.Equal(t, "0.0.0.0:"+port(expandEnvDefaults(col.Receivers.OTLP.Protocols.GRPC.Endpoint)), over.Receivers.OTLP.Protocols.GRPC.Endpoint)
	for name, e := range col.Extensions {
		assert.Equal(t, "0.0.0.0:"+port(expandEnvDefaults(e.Endpoint)), over.Extensions[name].Endpoint, "extension %s", name)
	}
	for name := range col.Exporters {
		if name == "prometheus" || strings.HasPrefix(name, "otlp") {
			assert.Contains(t, over.Exporters, name, "the overlay gives exporter %s its compose address", name)
		}
	}

	var compose promConfig
	readYAML(t, composePromConf, &compose)
	assert.Equal(t, map[string][]string{
		"benchtrace": {"collector:" + port(overMetrics)},
		"otelcol":    {"collector:" + port(telemetry)},
	}, compose.targets())
	assert.Equal(t, local.honorLabels(), compose.honorLabels(), "the compose Prometheus labels series as the local one does")
}

// jaegerConfigYAML is where Jaeger listens (collector/jaeger.yaml and its
// compose overlay).
type jaegerConfigYAML struct {
	Extensions struct {
		Health struct {
			HTTP struct {
				Endpoint string `yaml:"endpoint"`
			} `yaml:"http"`
		} `yaml:"healthcheckv2"`
		Query struct {
			HTTP struct {
				Endpoint string `yaml:"endpoint"`
			} `yaml:"http"`
			GRPC struct {
				Endpoint string `yaml:"endpoint"`
			} `yaml:"grpc"`
		} `yaml:"jaeger_query"`
	} `yaml:"extensions"`
	Receivers receiversYAML `yaml:"receivers"`
}

// compose is the part of docker-compose.yml the tests read.
type compose struct {
	Services map[string]struct {
		Image string `yaml:"image"`
		Build *struct {
			Context    string `yaml:"context"`
			Dockerfile string `yaml:"dockerfile"`
		} `yaml:"build"`
		Command     []string          `yaml:"command"`
		Environment map[string]string `yaml:"environment"`
		Ports       []string          `yaml:"ports"`
		Volumes     []string          `yaml:"volumes"`
	} `yaml:"services"`
}

func readCompose(t *testing.T) *compose {
	t.Helper()
	var c compose
	readYAML(t, composeFile, &c)
	return &c
}

// docker-compose.yml: pinned images, ports published on the host's
// loopback only, Grafana without anonymous access, and each service
// configured by the repository's files, whose addresses agree.
func TestComposeFile(t *testing.T) {
	c := readCompose(t)
	assert.ElementsMatch(t, []string{"collector", "jaeger", "prometheus", "grafana"}, slices.Collect(maps.Keys(c.Services)))
	for name, s := range c.Services {
		assert.Regexp(t, `^[a-z0-9./_-]+:v?\d+\.\d+\.\d+$`, s.Image, "%s: an image pinned to a version", name)
		for _, p := range s.Ports {
			assert.Regexp(t, `^127\.0\.0\.1:\d+:\d+$`, p, "%s publishes on the host's loopback only", name)
		}
	}
	col := c.Services["collector"]
	require.NotNil(t, col.Build)
	assert.Equal(t, ".", col.Build.Context, "the build needs exporters/benchlogexporter and the root module")
	assert.Equal(t, "collector/Dockerfile", col.Build.Dockerfile)
	assert.Contains(t, col.Volumes, "./logs:/logs", "run logs on the host")
	assert.Equal(t, "/logs", col.Environment["BENCHTRACE_LOG_DIR"])
	assert.Contains(t, col.Volumes, "./collector/config.yaml:/etc/benchtrace/config.yaml:ro")
	assert.Contains(t, col.Volumes, "./dashboards/"+composeCollector+":/etc/benchtrace/compose.yaml:ro")
	assert.Equal(t, []string{"--config=/etc/benchtrace/config.yaml", "--config=/etc/benchtrace/compose.yaml"}, col.Command)

	var over collectorConfigYAML
	readYAML(t, composeCollector, &over)
	_, otlpPort, err := net.SplitHostPort(over.Receivers.OTLP.Protocols.GRPC.Endpoint)
	require.NoError(t, err)
	_, httpPort, err := net.SplitHostPort(over.Receivers.OTLP.Protocols.HTTP.Endpoint)
	require.NoError(t, err)
	assert.Equal(t, []string{"127.0.0.1:4317:" + otlpPort, "127.0.0.1:4318:" + httpPort}, col.Ports)

	jg := c.Services["jaeger"]
	assert.Contains(t, jg.Volumes, "./collector/jaeger.yaml:/etc/jaeger/jaeger.yaml:ro")
	assert.Contains(t, jg.Volumes, "./dashboards/"+composeJaeger+":/etc/jaeger/compose.yaml:ro")
	assert.Equal(t, []string{"--config=/etc/jaeger/jaeger.yaml", "--config=/etc/jaeger/compose.yaml"}, jg.Command)
	var jov jaegerConfigYAML
	readYAML(t, composeJaeger, &jov)
	assert.Equal(t, "jaeger:"+strings.TrimPrefix(jov.Receivers.OTLP.Protocols.GRPC.Endpoint, "0.0.0.0:"),
		over.Exporters["otlp_grpc/jaeger"].Endpoint, "the collector sends traces to Jaeger's OTLP receiver")
	for _, e := range []string{jov.Receivers.OTLP.Protocols.GRPC.Endpoint, jov.Extensions.Query.HTTP.Endpoint,
		jov.Extensions.Query.GRPC.Endpoint, jov.Extensions.Health.HTTP.Endpoint} {
		assert.True(t, strings.HasPrefix(e, "0.0.0.0:"), "Jaeger listens on all of the container's interfaces: %q", e)
	}
	assert.Equal(t, []string{"127.0.0.1:16686:" + strings.TrimPrefix(jov.Extensions.Query.HTTP.Endpoint, "0.0.0.0:")}, jg.Ports)

	pr := c.Services["prometheus"]
	assert.Contains(t, pr.Volumes, "./dashboards/"+composePromConf+":/etc/prometheus/prometheus.yml:ro")
	assert.Equal(t, []string{"127.0.0.1:9090:9090"}, pr.Ports)

	gf := c.Services["grafana"]
	assert.Equal(t, []string{"127.0.0.1:3000:3000"}, gf.Ports)
	assert.Equal(t, "false", gf.Environment["GF_AUTH_ANONYMOUS_ENABLED"])
	assert.Regexp(t, `^\$\{GRAFANA_ADMIN_PASSWORD:?\?`, gf.Environment["GF_SECURITY_ADMIN_PASSWORD"], "the admin password comes from the environment, with no default")

	// Provisioned URLs are the compose services.
	data, err := fs.ReadFile(dashboardsFS, "provisioning/datasources/benchtrace.yaml")
	require.NoError(t, err)
	assert.Contains(t, string(data), "url: http://prometheus:9090")
	assert.Contains(t, string(data), "url: http://jaeger:"+strings.TrimPrefix(jov.Extensions.Query.HTTP.Endpoint, "0.0.0.0:"))
}

// docker-compose validates the file offline. `make test` installs it; in CI
// (CI=true) a missing docker-compose fails the test rather than skipping it.
func TestComposeConfigValid(t *testing.T) {
	bin, err := exec.LookPath("docker-compose")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("docker-compose is not on PATH (apt-get install docker-compose): %v", err)
		}
		t.Skip("docker-compose is not on PATH (apt-get install docker-compose; make test does)")
	}
	run := func(env ...string) (string, error) {
		cmd := exec.CommandContext(t.Context(), bin, "-f", composeFile, "config", "-q")
		// Only what docker-compose needs: no GRAFANA_ADMIN_PASSWORD from
		// the caller's environment.
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		return out.String(), err
	}
	out, err := run("GRAFANA_ADMIN_PASSWORD=test-only")
	assert.NoError(t, err, "docker-compose config -q:\n%s", out)
	assert.Empty(t, strings.TrimSpace(out))

	out, err = run()
	assert.Error(t, err, "without GRAFANA_ADMIN_PASSWORD the stack must not start")
	assert.Contains(t, out, "GRAFANA_ADMIN_PASSWORD")
}
