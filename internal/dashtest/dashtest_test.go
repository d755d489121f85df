package dashtest

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInterpolate(t *testing.T) {
	d := &Dashboard{}
	d.Templating.List = []Variable{
		{Type: "query", Name: "one", Current: saved(`"saved"`)},
		{Type: "query", Name: "many", Multi: true, IncludeAll: true, AllValue: ".+", Current: saved(`["$__all"]`)},
		{Type: "query", Name: "none"},
		{Type: "textbox", Name: "url", Query: json.RawMessage(`"http://localhost:16686"`)},
		{Type: "query", Name: "allnoval", IncludeAll: true},
	}
	tests := []struct {
		in, want string
		vars     map[string]string
		prom     bool
		err      string
	}{
		{in: `x{a="$one"}`, want: `x{a="saved"}`, prom: true},
		{in: `x{a="${one}"}`, want: `x{a="given"}`, vars: map[string]string{"one": "given"}, prom: true},
		{in: `x{a="[[one]]"}`, want: `x{a="saved"}`, prom: true},
		{in: `x{a=~"$many"}`, want: `x{a=~".+"}`, prom: true},
		{in: `x{a=~"$many"}`, want: `x{a=~"a\\.b\\|c"}`, vars: map[string]string{"many": "a.b|c"}, prom: true},
		{in: `x{a=~"$many"}`, want: `x{a=~".+"}`, vars: map[string]string{"many": "$__all"}, prom: true},
		{in: `x{a="$one"}`, want: `x{a="it\\'s"}`, vars: map[string]string{"one": "it's"}, prom: true},
		{in: `x{a=~"${many:regex}"}`, want: `x{a=~"a\.b"}`, vars: map[string]string{"many": "a.b"}, prom: true},
		{in: `x{a=~"${many:raw}"}`, want: `x{a=~"a.b"}`, vars: map[string]string{"many": "a.b"}, prom: true},
		{in: `[[many:raw]]`, want: `a.b`, vars: map[string]string{"many": "a.b"}},
		{in: `${one:doublequote}`, want: `"saved"`},
		{in: `${one:queryparam}`, want: `var-one=saved`},
		{in: `${url}/trace/x`, want: `http://localhost:16686/trace/x`},
		{in: `rate(x[$__rate_interval]) [$__interval] [${__range}]`, want: `rate(x[5m]) [1m] [1h]`},
		{in: `rate(x[$__rate_interval])`, want: `rate(x[30s])`, vars: map[string]string{"__rate_interval": "30s"}},
		{in: `$__range_s $__range_ms $__interval_ms`, want: `5400 5400000 90000`, vars: map[string]string{"__range": "1h30m", "__interval": "1m30s"}},
		{in: `label_replace(x, "d", "$1", "s", "(.*)")`, want: `label_replace(x, "d", "$1", "s", "(.*)")`},
		{in: `$missing`, err: "unknown variable $missing"},
		{in: `$none`, err: "$none has no default value"},
		{in: `$allnoval`, err: "needs an allValue"},
		{in: `${one:nosuch}`, err: `unknown format "nosuch"`},
		{in: `$__range_s`, vars: map[string]string{"__range": "soon"}, err: "not a valid duration"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := d.Interpolate(tt.in, tt.vars, tt.prom)
			if tt.err != "" {
				assert.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	_, err := d.Interpolate("$missing", nil, true)
	assert.True(t, errors.Is(err, ErrUnknownVariable))
}

func saved(v string) struct {
	Value json.RawMessage `json:"value"`
} {
	return struct {
		Value json.RawMessage `json:"value"`
	}{json.RawMessage(v)}
}

func TestVariableExpr(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{in: `label_values(m, l)`, want: `group by (l) (m{l!=""})`},
		{in: `label_values(m{}, l)`, want: `group by (l) (m{l!=""})`},
		{in: ` label_values( m{a="x,y", b=~"v[)]"} , l ) `, want: `group by (l) (m{a="x,y",b=~"v[)]",l!=""})`},
		{in: `label_values(m{l!=""}, l)`, want: `group by (l) (m{l!=""})`},
		{in: `label_values(sum by (l) (m), l)`, want: `group by (l) (sum by (l) (m))`},
		{in: `query_result(topk(1, m))`, want: `topk(1, m)`},
		{in: `label_values(l)`},
		{in: `label_names()`},
		{in: `metrics(up)`},
		{in: `label_values(m{, l)`, err: "parsing variable query"},
		{in: `label_values(m, l{a="b"})`, err: "is a label name"},
		{in: `label_values(m, l) + 1`, err: "not a single call"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok, err := VariableExpr(tt.in)
			if tt.err != "" {
				assert.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want != "", ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestReadNames(t *testing.T) {
	n, err := ReadNames(`histogram_quantile(0.5, sum by (le, a) (rate(m_bucket{a=~"x", b!="y,z"}[5m]))) / on (a) group_left (c) n or vector(0)`)
	require.NoError(t, err)
	assert.Equal(t, []string{"m_bucket", "n"}, n.Metrics)
	assert.ElementsMatch(t, []string{"le", "a", "a", "b", "a", "c"}, n.Labels)
	var matchers []string
	for _, m := range n.Matchers {
		matchers = append(matchers, m.String())
	}
	assert.Equal(t, []string{`a=~"x"`, `b!="y,z"`}, matchers)

	_, err = ReadNames(`sum(m{a="b"}`)
	assert.ErrorContains(t, err, "parsing PromQL")
}
