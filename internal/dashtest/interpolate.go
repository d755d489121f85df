package dashtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
)

// Values used for Grafana's interval variables when the vars given to
// [Dashboard.Interpolate] or [Queries] don't set them. They are wide enough
// that a handful of runs in the last minutes show in every rate() and
// increase().
const (
	DefaultInterval     = "1m" // $__interval
	DefaultRateInterval = "5m" // $__rate_interval
	DefaultRange        = "1h" // $__range, the dashboard's time range
)

// ErrUnknownVariable is returned (wrapped) for a reference to a variable
// that is neither defined by the dashboard nor one of Grafana's interval
// variables.
var ErrUnknownVariable = errors.New("unknown variable")

// varRef matches Grafana's variable syntaxes: $var, [[var]], [[var:format]],
// ${var}, ${var.field} and ${var:format} (Grafana's own expression).
var varRef = regexp.MustCompile(`\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^\}]+))?(?::([^\}]+))?\}`)

// Ref is one variable reference in a string.
type Ref struct {
	Name, Field, Format string
}

// Refs returns the variable references in s. Numeric names ($1, a regular
// expression group in label_replace) are not variables and are left out.
func Refs(s string) []Ref {
	var out []Ref
	for _, m := range varRef.FindAllStringSubmatch(s, -1) {
		if r, ok := toRef(m); ok {
			out = append(out, r)
		}
	}
	return out
}

func toRef(m []string) (Ref, bool) {
	var r Ref
	switch {
	case m[1] != "":
		r.Name = m[1]
	case m[2] != "":
		r.Name, r.Format = m[2], m[3]
	default:
		r.Name, r.Field, r.Format = m[4], m[5], m[6]
	}
	if _, err := strconv.Atoi(r.Name); err == nil {
		return Ref{}, false
	}
	return r, true
}

// VarName returns NAME when s is exactly one variable reference ($NAME,
// ${NAME}).
func VarName(s string) (string, bool) {
	m := varRef.FindStringSubmatch(s)
	if m == nil || m[0] != s {
		return "", false
	}
	r, ok := toRef(m)
	return r.Name, ok
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

// Interpolate fills in the variables of s as Grafana does.
//
// vars gives the template variables' values by name, without the "$":
// {"benchmark": "gemm"}. A variable vars leaves out takes its default: the
// allValue of a variable with an "All" option and no saved value, else
// the value saved in the dashboard (a textbox's or constant's query when
// none is saved). The value "$__all" selects "All". With prom set, values
// are escaped as Grafana's Prometheus data source escapes them: as a
// literal inside a PromQL string, and inside a regular expression for a
// multi-value or All variable. Formats (${var:regex}, …) apply instead.
//
// Grafana's interval variables can be set in vars too: __interval,
// __rate_interval and __range, as Prometheus durations ("30s", "5m");
// otherwise they are [DefaultInterval], [DefaultRateInterval] and
// [DefaultRange]. __interval_ms, __range_s and __range_ms follow from them.
//
// A reference to a variable the dashboard does not define
// ([ErrUnknownVariable]) and a variable left without a value are errors.
func (d *Dashboard) Interpolate(s string, vars map[string]string, prom bool) (string, error) {
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
func (d *Dashboard) value(r Ref, vars map[string]string, prom bool) (string, error) {
	if b, ok := intervalVars[r.Name]; ok {
		s, ok := vars[b.from]
		if !ok {
			s = intervalDefaults[b.from]
		}
		if b.unit == 0 {
			return s, nil
		}
		dur, err := model.ParseDuration(s)
		if err != nil {
			return "", fmt.Errorf("$%s: %w", b.from, err)
		}
		return strconv.FormatInt(int64(time.Duration(dur)/b.unit), 10), nil
	}
	v := d.Variable(r.Name)
	if v == nil {
		return "", fmt.Errorf("%w $%s", ErrUnknownVariable, r.Name)
	}
	val, given := vars[r.Name]
	if !given {
		val = v.Saved()
		if val == "" && (v.Type == "textbox" || v.Type == "constant") {
			val = v.QueryString()
		}
	}
	if val == "$__all" || (!given && v.IncludeAll && val == "") {
		if !v.IncludeAll || v.AllValue == "" {
			return "", fmt.Errorf("variable $%s: \"All\" needs an allValue here; pass a value in vars", r.Name)
		}
		return v.AllValue, nil // Grafana does not escape the allValue
	}
	if val == "" {
		return "", fmt.Errorf("variable $%s has no default value: pass one in vars", r.Name)
	}
	if r.Format != "" {
		return format(val, r.Format, r.Name)
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
