package dashboards

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// files holds the dashboards and the provisioning files. Docker Compose
// mounts the same directories into Grafana (docker-compose.yml).
//
//go:embed json/*.json provisioning/datasources/*.yaml provisioning/dashboards/*.yaml
var files embed.FS

// FS returns the embedded files: the dashboards as json/*.json and the
// Grafana provisioning files under provisioning/datasources/ and
// provisioning/dashboards/.
func FS() fs.FS { return files }

// Values used for Grafana's interval variables when the vars given to
// [Queries] don't set them. They are wide enough that a handful of runs in
// the last minutes show in every rate() and increase().
const (
	DefaultInterval     = "1m" // $__interval
	DefaultRateInterval = "5m" // $__rate_interval
	DefaultRange        = "1h" // $__range, the dashboard's time range
)

// Query is one PromQL expression of a dashboard, as Grafana sends it to
// Prometheus once the template variables are filled in.
type Query struct {
	// Dashboard is the dashboard's uid.
	Dashboard string
	// Panel is the title of the panel the query belongs to, as written in
	// the dashboard (variables not filled in). Empty for a variable's query.
	Panel string
	// Variable names the template variable whose options the query lists.
	// Empty for a panel's query.
	Variable string
	// RefID is the query's refId in its panel ("A", "B", …).
	RefID string
	// Expr is the PromQL expression. For a variable defined by
	// label_values(SELECTOR, LABEL) it is group by (LABEL) (SELECTOR), with
	// LABEL!="" added to the selector: the series the label's values come
	// from.
	Expr string
	// Instant is true when the panel asks for an instant query (stats, bar
	// gauges, tables) and false for a range query (time series).
	Instant bool
}

// Queries returns every PromQL expression of every dashboard: each query of
// each panel that reads Prometheus (hidden ones left out) and each template
// variable's query, in dashboard file order, variables first.
//
// vars gives the template variables' values by name, without the "$":
// {"benchmark": "gemm"}. A variable vars leaves out takes its default: the
// allValue (".+") of a variable with an "All" option, else the value saved in
// the dashboard (the overview's main_phase is "inference", the explorer's
// service "benchtrace"); the explorer's benchmark has none and must be
// given. The value "$__all" selects "All". Values are literal label values:
// they are escaped as Grafana's Prometheus data source escapes them (regular
// expression characters, for a multi-value variable).
//
// Grafana's interval variables can be set in vars too: __interval,
// __rate_interval and __range (as Prometheus durations: "30s", "5m");
// otherwise they are [DefaultInterval], [DefaultRateInterval] and
// [DefaultRange]. __interval_ms, __range_s and __range_ms follow from them.
//
// The forms $var, ${var}, [[var]] and ${var:format} are understood. A
// reference to a variable that is neither defined by the dashboard nor
// built in is an error, as is a variable left without a value.
func Queries(vars map[string]string) ([]Query, error) {
	ds, err := load()
	if err != nil {
		return nil, err
	}
	var out []Query
	var errs []error
	for _, d := range ds {
		qs, err := d.queries(vars)
		out = append(out, qs...)
		if err != nil {
			errs = append(errs, fmt.Errorf("dashboard %s: %w", d.UID, err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// The subset of Grafana's dashboard model that the queries and the tests
// need (schemaVersion 41).
type dashboard struct {
	file string // set by load, not JSON

	UID           string   `json:"uid"`
	Title         string   `json:"title"`
	Description   string   `json:"description"`
	SchemaVersion int      `json:"schemaVersion"`
	Tags          []string `json:"tags"`
	Panels        []panel  `json:"panels"`
	Templating    struct {
		List []variable `json:"list"`
	} `json:"templating"`
}

type panel struct {
	ID          int         `json:"id"`
	Type        string      `json:"type"`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	Datasource  *dsRef      `json:"datasource"`
	Interval    string      `json:"interval"`
	GridPos     *gridPos    `json:"gridPos"`
	Targets     []target    `json:"targets"`
	FieldConfig fieldConfig `json:"fieldConfig"`
	// Panels of a collapsed row.
	Panels []panel `json:"panels"`
}

type gridPos struct {
	X int `json:"x"`
	Y int `json:"y"`
	W int `json:"w"`
	H int `json:"h"`
}

type dsRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type target struct {
	RefID        string `json:"refId"`
	Datasource   *dsRef `json:"datasource"`
	Hide         bool   `json:"hide"`
	Expr         string `json:"expr"`
	Instant      bool   `json:"instant"`
	Range        bool   `json:"range"`
	Format       string `json:"format"`
	LegendFormat string `json:"legendFormat"`
	Interval     string `json:"interval"`
	// Jaeger search.
	QueryType string `json:"queryType"`
	Service   string `json:"service"`
	Operation string `json:"operation"`
	Tags      string `json:"tags"`
	Limit     int    `json:"limit"`
}

type fieldConfig struct {
	Defaults  fieldDefaults `json:"defaults"`
	Overrides []struct {
		Matcher struct {
			ID      string `json:"id"`
			Options any    `json:"options"`
		} `json:"matcher"`
		Properties []struct {
			ID    string `json:"id"`
			Value any    `json:"value"`
		} `json:"properties"`
	} `json:"overrides"`
}

type fieldDefaults struct {
	Unit  string `json:"unit"`
	Links []struct {
		Title string `json:"title"`
		URL   string `json:"url"`
	} `json:"links"`
}

type variable struct {
	Type       string          `json:"type"`
	Name       string          `json:"name"`
	Label      string          `json:"label"`
	Datasource *dsRef          `json:"datasource"`
	Query      json.RawMessage `json:"query"` // a string, or {"query": "…"}
	Multi      bool            `json:"multi"`
	IncludeAll bool            `json:"includeAll"`
	AllValue   string          `json:"allValue"`
	Current    struct {
		Value json.RawMessage `json:"value"` // a string, or a list of them
	} `json:"current"`
}

// queryString is the variable's query: the data source query of a query
// variable, the plugin type of a datasource variable, the value of a
// textbox or constant.
func (v *variable) queryString() string {
	var s string
	if json.Unmarshal(v.Query, &s) == nil {
		return s
	}
	var q struct {
		Query string `json:"query"`
	}
	if json.Unmarshal(v.Query, &q) == nil {
		return q.Query
	}
	return ""
}

// current returns the variable's saved value (the first, for a list).
func (v *variable) current() string {
	var s string
	if json.Unmarshal(v.Current.Value, &s) == nil {
		return s
	}
	var l []string
	if json.Unmarshal(v.Current.Value, &l) == nil && len(l) > 0 {
		return l[0]
	}
	return ""
}

// load parses the embedded dashboards, in file name order.
func load() ([]*dashboard, error) {
	names, err := fs.Glob(files, "json/*.json")
	if err != nil {
		return nil, err
	}
	var ds []*dashboard
	for _, name := range names { // fs.Glob sorts
		data, err := files.ReadFile(name)
		if err != nil {
			return nil, err
		}
		d := &dashboard{file: path.Base(name)}
		if err := json.Unmarshal(data, d); err != nil {
			return nil, fmt.Errorf("parsing dashboard %s: %w", name, err)
		}
		ds = append(ds, d)
	}
	return ds, nil
}

// allPanels returns the dashboard's panels, those inside collapsed rows
// included, in order.
func (d *dashboard) allPanels() []*panel {
	var out []*panel
	var walk func(ps []panel)
	walk = func(ps []panel) {
		for i := range ps {
			out = append(out, &ps[i])
			walk(ps[i].Panels)
		}
	}
	walk(d.Panels)
	return out
}

func (d *dashboard) variable(name string) *variable {
	for i := range d.Templating.List {
		if d.Templating.List[i].Name == name {
			return &d.Templating.List[i]
		}
	}
	return nil
}

// dsType is the plugin type of a data source reference: its type, or that
// of the datasource variable its uid names.
func (d *dashboard) dsType(ref *dsRef) string {
	if ref == nil {
		return ""
	}
	if ref.Type != "" {
		return ref.Type
	}
	if name, ok := varName(ref.UID); ok {
		if v := d.variable(name); v != nil && v.Type == "datasource" {
			return v.queryString()
		}
	}
	return ""
}

// targetDS is the data source a target queries: its own, else its panel's.
func targetDS(p *panel, t *target) *dsRef {
	if t.Datasource != nil {
		return t.Datasource
	}
	return p.Datasource
}

func (d *dashboard) queries(vars map[string]string) ([]Query, error) {
	var out []Query
	var errs []error
	for i := range d.Templating.List {
		v := &d.Templating.List[i]
		if v.Type != "query" || d.dsType(v.Datasource) != "prometheus" {
			continue
		}
		expr, ok := variableExpr(v.queryString())
		if !ok {
			continue
		}
		expr, err := d.interpolate(expr, vars, true)
		if err != nil {
			errs = append(errs, fmt.Errorf("variable %s: %w", v.Name, err))
			continue
		}
		out = append(out, Query{Dashboard: d.UID, Variable: v.Name, Expr: expr})
	}
	for _, p := range d.allPanels() {
		for i := range p.Targets {
			t := &p.Targets[i]
			if t.Hide || d.dsType(targetDS(p, t)) != "prometheus" {
				continue
			}
			expr, err := d.interpolate(t.Expr, vars, true)
			if err != nil {
				errs = append(errs, fmt.Errorf("panel %q query %s: %w", p.Title, t.RefID, err))
				continue
			}
			out = append(out, Query{Dashboard: d.UID, Panel: p.Title, RefID: t.RefID, Expr: expr, Instant: t.Instant && !t.Range})
		}
	}
	return out, errors.Join(errs...)
}

// variableExpr turns a Prometheus variable query into the PromQL whose
// result holds the variable's options. Queries without a metric
// (label_values(LABEL), label_names(), metrics(…)) have none.
func variableExpr(q string) (string, bool) {
	q = strings.TrimSpace(q)
	inner, ok := call(q, "label_values")
	if ok {
		i := lastTopLevelComma(inner)
		if i < 0 {
			return "", false
		}
		sel, label := strings.TrimSpace(inner[:i]), strings.TrimSpace(inner[i+1:])
		return "group by (" + label + ") (" + addMatcher(sel, label+`!=""`) + ")", true
	}
	if inner, ok := call(q, "query_result"); ok {
		return strings.TrimSpace(inner), true
	}
	return "", false
}

// call returns the argument text of q when q is fn(…).
func call(q, fn string) (string, bool) {
	if !strings.HasPrefix(q, fn+"(") || !strings.HasSuffix(q, ")") {
		return "", false
	}
	return q[len(fn)+1 : len(q)-1], true
}

// lastTopLevelComma returns the index of the last comma of s outside
// quotes, braces, brackets and parentheses, or -1.
func lastTopLevelComma(s string) int {
	depth, last := 0, -1
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'' || c == '`':
			quote = c
		case c == '(' || c == '{' || c == '[':
			depth++
		case c == ')' || c == '}' || c == ']':
			depth--
		case c == ',' && depth == 0:
			last = i
		}
	}
	return last
}

var identifier = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)

// addMatcher adds a label matcher to a vector selector (a bare metric name
// or name{…}); other expressions come back unchanged.
func addMatcher(sel, matcher string) string {
	if identifier.MatchString(sel) {
		return sel + "{" + matcher + "}"
	}
	open := strings.IndexByte(sel, '{')
	if open < 0 || !strings.HasSuffix(sel, "}") || !identifier.MatchString(sel[:open]) {
		return sel
	}
	if strings.TrimSpace(sel[open+1:len(sel)-1]) == "" {
		return sel[:open] + "{" + matcher + "}"
	}
	return sel[:len(sel)-1] + ", " + matcher + "}"
}

// varRef matches Grafana's variable syntaxes: $var, [[var]], [[var:format]],
// ${var}, ${var.field} and ${var:format} (Grafana's own expression).
var varRef = regexp.MustCompile(`\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^\}]+))?(?::([^\}]+))?\}`)

// ref is one variable reference in a string.
type ref struct {
	name, field, format string
}

// refs returns the variable references in s. Numeric names ($1, a regular
// expression group in label_replace) are not variables and are left out.
func refs(s string) []ref {
	var out []ref
	for _, m := range varRef.FindAllStringSubmatch(s, -1) {
		if r, ok := toRef(m); ok {
			out = append(out, r)
		}
	}
	return out
}

func toRef(m []string) (ref, bool) {
	var r ref
	switch {
	case m[1] != "":
		r.name = m[1]
	case m[2] != "":
		r.name, r.format = m[2], m[3]
	default:
		r.name, r.field, r.format = m[4], m[5], m[6]
	}
	if _, err := strconv.Atoi(r.name); err == nil {
		return ref{}, false
	}
	return r, true
}

// varName returns NAME when s is exactly one variable reference ($NAME,
// ${NAME}).
func varName(s string) (string, bool) {
	m := varRef.FindStringSubmatch(s)
	if m == nil || m[0] != s {
		return "", false
	}
	r, ok := toRef(m)
	return r.name, ok
}

// intervalVars are Grafana's built-in interval variables, each with the
// key of vars it follows from and the unit it is written in.
var intervalVars = map[string]struct {
	from string
	unit time.Duration // 0: a Prometheus duration as given
}{
	"__interval":      {"__interval", 0},
	"__interval_ms":   {"__interval", time.Millisecond},
	"__rate_interval": {"__rate_interval", 0},
	"__range":         {"__range", 0},
	"__range_s":       {"__range", time.Second},
	"__range_ms":      {"__range", time.Millisecond},
}

var intervalDefaults = map[string]string{
	"__interval":      DefaultInterval,
	"__rate_interval": DefaultRateInterval,
	"__range":         DefaultRange,
}

var errUnknownVariable = errors.New("unknown variable")

// interpolate fills the variables of s. prom escapes values as Grafana's
// Prometheus data source does.
func (d *dashboard) interpolate(s string, vars map[string]string, prom bool) (string, error) {
	var errs []error
	out := varRef.ReplaceAllStringFunc(s, func(match string) string {
		r, ok := toRef(varRef.FindStringSubmatch(match))
		if !ok {
			return match
		}
		v, err := d.value(r, vars, prom)
		if err != nil {
			errs = append(errs, err)
			return match
		}
		return v
	})
	return out, errors.Join(errs...)
}

// value returns the text that replaces one variable reference.
func (d *dashboard) value(r ref, vars map[string]string, prom bool) (string, error) {
	if b, ok := intervalVars[r.name]; ok {
		s, ok := vars[b.from]
		if !ok {
			s = intervalDefaults[b.from]
		}
		if b.unit == 0 {
			return s, nil
		}
		dur, err := parseDuration(s)
		if err != nil {
			return "", fmt.Errorf("$%s: %w", b.from, err)
		}
		return strconv.FormatInt(int64(dur/b.unit), 10), nil
	}
	v := d.variable(r.name)
	if v == nil {
		return "", fmt.Errorf("%w $%s", errUnknownVariable, r.name)
	}
	val, given := vars[r.name]
	if !given {
		val = v.current()
		if v.Type == "textbox" || v.Type == "constant" {
			if val == "" {
				val = v.queryString()
			}
		}
	}
	if val == "$__all" || (!given && v.IncludeAll && val == "") {
		if !v.IncludeAll || v.AllValue == "" {
			return "", fmt.Errorf("variable $%s: \"All\" needs an allValue here; pass a value in vars", r.name)
		}
		return v.AllValue, nil // Grafana does not escape the allValue
	}
	if val == "" {
		return "", fmt.Errorf("variable $%s has no default value: pass one in vars", r.name)
	}
	if r.format != "" {
		return format(val, r.format, r.name)
	}
	if !prom {
		return val, nil
	}
	if v.Multi || v.IncludeAll {
		return promRegexEscape(val), nil
	}
	return promEscape(val), nil
}

// promEscape is Grafana's prometheusRegularEscape: a value inside a PromQL
// string.
func promEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `'`, `\\'`).Replace(s)
}

// promRegexEscape is Grafana's prometheusSpecialRegexEscape: a literal value
// inside a regular expression inside a PromQL string.
func promRegexEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c == '\\':
			b.WriteString(`\\\\`)
		case strings.ContainsRune(`$^*{}[]'+?.()|`, c):
			b.WriteString(`\\`)
			b.WriteRune(c)
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// format applies a ${var:format} to a single value, as Grafana does.
func format(val, f, name string) (string, error) {
	switch f {
	case "raw", "text", "csv", "pipe", "distributed", "glob":
		return val, nil
	case "regex":
		return regexp.QuoteMeta(val), nil
	case "doublequote":
		return `"` + strings.ReplaceAll(val, `"`, `\"`) + `"`, nil
	case "singlequote":
		return `'` + strings.ReplaceAll(val, `'`, `\'`) + `'`, nil
	case "json":
		b, err := json.Marshal(val)
		return string(b), err
	case "percentencode":
		return url.QueryEscape(val), nil
	case "queryparam":
		return "var-" + name + "=" + url.QueryEscape(val), nil
	}
	return "", fmt.Errorf("variable $%s: unknown format %q", name, f)
}

var durationPart = regexp.MustCompile(`(\d+)(ms|s|m|h|d|w|y)`)

// parseDuration parses a Prometheus duration such as "1h30m" or "5m".
func parseDuration(s string) (time.Duration, error) {
	units := map[string]time.Duration{
		"ms": time.Millisecond, "s": time.Second, "m": time.Minute, "h": time.Hour,
		"d": 24 * time.Hour, "w": 7 * 24 * time.Hour, "y": 365 * 24 * time.Hour,
	}
	parts := durationPart.FindAllStringSubmatchIndex(s, -1)
	if len(parts) == 0 {
		return 0, fmt.Errorf("invalid duration %q", s)
	}
	var d time.Duration
	end := 0
	for _, p := range parts {
		if p[0] != end {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		n, err := strconv.ParseInt(s[p[2]:p[3]], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q: %w", s, err)
		}
		d += time.Duration(n) * units[s[p[4]:p[5]]]
		end = p[1]
	}
	if end != len(s) {
		return 0, fmt.Errorf("invalid duration %q", s)
	}
	return d, nil
}
