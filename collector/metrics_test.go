package collector

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// metricNames is metrics.json.
type metricNames struct {
	About   string            `json:"about"`
	Labels  map[string]string `json:"labels"`
	Metrics []metricName      `json:"metrics"`
}

type metricName struct {
	Name     string   `json:"name"`
	OTelName string   `json:"otel_name"`
	Type     string   `json:"type"` // counter, histogram, gauge
	Unit     string   `json:"unit"`
	Source   string   `json:"source"` // the connector
	Help     string   `json:"help"`
	Labels   []string `json:"labels"`
}

func readMetricNames(t *testing.T) *metricNames {
	t.Helper()
	data, err := os.ReadFile("metrics.json")
	require.NoError(t, err)
	var n metricNames
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&n), "parsing metrics.json")
	return &n
}

// collectorConfig is the part of config.yaml that decides metric names.
type collectorConfig struct {
	Connectors struct {
		SpanMetrics struct {
			Namespace *string `yaml:"namespace"`
			Histogram struct {
				Unit string `yaml:"unit"`
			} `yaml:"histogram"`
			Dimensions []struct {
				Name string `yaml:"name"`
			} `yaml:"dimensions"`
		} `yaml:"span_metrics"`
		SignalToMetrics struct {
			Spans []struct {
				Name       string `yaml:"name"`
				Unit       string `yaml:"unit"`
				Attributes []struct {
					Key string `yaml:"key"`
				} `yaml:"attributes"`
				Gauge     any `yaml:"gauge"`
				Sum       any `yaml:"sum"`
				Histogram any `yaml:"histogram"`
			} `yaml:"spans"`
		} `yaml:"signal_to_metrics"`
	} `yaml:"connectors"`
	Exporters struct {
		Prometheus struct {
			Namespace           string `yaml:"namespace"`
			TranslationStrategy string `yaml:"translation_strategy"`
			WithoutScopeInfo    bool   `yaml:"without_scope_info"`
		} `yaml:"prometheus"`
	} `yaml:"exporters"`
}

// promUnits are the unit suffixes the prometheus exporter appends
// (UnderscoreEscapingWithSuffixes), for the units config.yaml uses.
var promUnits = map[string]string{"": "", "s": "_seconds", "ms": "_milliseconds", "By": "_bytes"}

var notPromName = regexp.MustCompile(`[^a-zA-Z0-9_:]`)

func promLabel(otel string) string { return notPromName.ReplaceAllString(otel, "_") }

// promName is the prometheus exporter's name for an OTel metric: dots to
// underscores, then the unit, then _total on counters.
func promName(t *testing.T, namespace, otel, unit, typ string) string {
	t.Helper()
	suffix, ok := promUnits[unit]
	require.True(t, ok, "unit %q of %s: add its Prometheus suffix to promUnits", unit, otel)
	name := notPromName.ReplaceAllString(otel, "_") + suffix
	if namespace != "" {
		name = namespace + "_" + name
	}
	if typ == "counter" {
		name += "_total"
	}
	return name
}

// expectedMetrics derives from config.yaml what metrics.json should say.
func expectedMetrics(t *testing.T) map[string]metricName {
	t.Helper()
	data, err := os.ReadFile("config.yaml")
	require.NoError(t, err)
	var cfg collectorConfig
	require.NoError(t, yaml.Unmarshal(data, &cfg), "parsing config.yaml")

	prom := cfg.Exporters.Prometheus
	require.Empty(t, prom.TranslationStrategy, "promName assumes the default translation strategy")
	require.True(t, prom.WithoutScopeInfo, "the label lists assume no otel_scope_* labels")
	out := make(map[string]metricName)
	add := func(m metricName) {
		m.Name = promName(t, prom.Namespace, m.OTelName, m.Unit, m.Type)
		sort.Strings(m.Labels)
		out[m.Name] = m
	}

	// span_metrics: calls and duration, with its default labels (service
	// name, span name, kind, status; the collector instance) plus the
	// configured dimensions.
	sm := cfg.Connectors.SpanMetrics
	ns := "traces.span.metrics"
	if sm.Namespace != nil {
		ns = *sm.Namespace
	}
	unit := sm.Histogram.Unit
	if unit == "" {
		unit = "ms"
	}
	labels := []string{"job", "instance", "service_name", "span_name", "span_kind", "status_code", "collector_instance_id"}
	for _, d := range sm.Dimensions {
		labels = append(labels, promLabel(d.Name))
	}
	add(metricName{OTelName: ns + ".calls", Type: "counter", Source: "span_metrics", Labels: labels})
	add(metricName{OTelName: ns + ".duration", Type: "histogram", Unit: unit, Source: "span_metrics", Labels: append([]string(nil), labels...)})

	for _, s := range cfg.Connectors.SignalToMetrics.Spans {
		m := metricName{OTelName: s.Name, Unit: s.Unit, Source: "signal_to_metrics", Labels: []string{"job", "instance"}}
		switch {
		case s.Gauge != nil:
			m.Type = "gauge"
		case s.Sum != nil:
			m.Type = "counter"
		case s.Histogram != nil:
			m.Type = "histogram"
		default:
			t.Fatalf("signal_to_metrics %s: only gauge, sum and histogram are known here", s.Name)
		}
		for _, a := range s.Attributes {
			m.Labels = append(m.Labels, promLabel(a.Key))
		}
		add(m)
	}
	return out
}

// TestMetricNamesMatchConfig keeps metrics.json, the list dashboards read,
// in step with what config.yaml makes the prometheus exporter produce.
func TestMetricNamesMatchConfig(t *testing.T) {
	want := expectedMetrics(t)
	names := readMetricNames(t)

	got := make(map[string]metricName)
	for _, m := range names.Metrics {
		assert.NotContains(t, got, m.Name, "metrics.json lists %s twice", m.Name)
		sort.Strings(m.Labels)
		got[m.Name] = m
		assert.NotEmpty(t, m.Help, "%s has no help", m.Name)
		for _, l := range m.Labels {
			assert.Contains(t, names.Labels, l, "metrics.json: label %s of %s is not described under labels", l, m.Name)
		}
	}
	for name, w := range want {
		g, ok := got[name]
		if !assert.True(t, ok, "config.yaml produces %s; metrics.json does not list it", name) {
			continue
		}
		assert.Equal(t, w.OTelName, g.OTelName, "%s otel_name", name)
		assert.Equal(t, w.Type, g.Type, "%s type", name)
		assert.Equal(t, w.Unit, g.Unit, "%s unit", name)
		assert.Equal(t, w.Source, g.Source, "%s source", name)
		assert.Equal(t, w.Labels, g.Labels, "%s labels", name)
	}
	for name := range got {
		_, ok := want[name]
		assert.True(t, ok, "metrics.json lists %s; config.yaml does not produce it", name)
	}
}
