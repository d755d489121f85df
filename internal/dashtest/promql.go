package dashtest

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// promQL parses PromQL as the Prometheus the stack runs does (no
// experimental functions).
var promQL = parser.NewParser(parser.Options{})

// ParseExpr parses a PromQL expression with Prometheus's own parser.
func ParseExpr(expr string) (parser.Expr, error) {
	e, err := promQL.ParseExpr(expr)
	if err != nil {
		return nil, fmt.Errorf("parsing PromQL %q: %w", expr, err)
	}
	return e, nil
}

// Names is what a PromQL expression reads.
type Names struct {
	// Metrics are the metric names of its selectors, in order.
	Metrics []string
	// Labels are the label names it uses: in matchers, and in by, without,
	// on, ignoring and group_left/group_right clauses, in order.
	Labels []string
	// Matchers are its selectors' label matchers, the metric name left out.
	Matchers []*labels.Matcher
}

// ReadNames parses expr and returns the names it reads.
func ReadNames(expr string) (*Names, error) {
	e, err := ParseExpr(expr)
	if err != nil {
		return nil, err
	}
	n := &Names{}
	parser.Inspect(e, func(node parser.Node, _ []parser.Node) error {
		switch node := node.(type) {
		case *parser.VectorSelector:
			if node.Name != "" {
				n.Metrics = append(n.Metrics, node.Name)
			}
			for _, m := range node.LabelMatchers {
				if m.Name == labels.MetricName {
					continue
				}
				n.Labels = append(n.Labels, m.Name)
				n.Matchers = append(n.Matchers, m)
			}
		case *parser.AggregateExpr:
			n.Labels = append(n.Labels, node.Grouping...)
		case *parser.BinaryExpr:
			if vm := node.VectorMatching; vm != nil {
				n.Labels = append(n.Labels, vm.MatchingLabels...)
				n.Labels = append(n.Labels, vm.Include...)
			}
		}
		return nil
	})
	return n, nil
}

// variableQueries parses Grafana's Prometheus variable queries: PromQL,
// plus the two of Grafana's functions whose options come from a PromQL
// query. label_values(SELECTOR, LABEL) reads LABEL as a selector of
// that name; label_values(LABEL), with no metric, has none.
var variableQueries = parser.NewParser(parser.Options{Functions: variableFunctions()})

func variableFunctions() map[string]*parser.Function {
	fs := maps.Clone(parser.Functions)
	fs["label_values"] = &parser.Function{
		Name:       "label_values",
		ArgTypes:   []parser.ValueType{parser.ValueTypeVector, parser.ValueTypeVector},
		Variadic:   1, // one or two arguments
		ReturnType: parser.ValueTypeVector,
	}
	fs["query_result"] = &parser.Function{
		Name:       "query_result",
		ArgTypes:   []parser.ValueType{parser.ValueTypeVector},
		ReturnType: parser.ValueTypeVector,
	}
	return fs
}

// VariableExpr turns a Prometheus variable query (its variables filled in)
// into the PromQL whose result holds the variable's options:
//
//   - label_values(SELECTOR, LABEL) becomes group by (LABEL) (SELECTOR),
//     with LABEL!="" added to SELECTOR when it is a plain selector: the
//     series the label's values come from;
//   - query_result(EXPR) becomes EXPR.
//
// Queries without a metric (label_values(LABEL), label_names(),
// metrics(…)) have none: ok is false. A label_values or query_result query
// that does not parse is an error.
func VariableExpr(q string) (expr string, ok bool, err error) {
	q = strings.TrimSpace(q)
	fn, _, _ := strings.Cut(q, "(")
	fn = strings.TrimSpace(fn)
	if fn != "label_values" && fn != "query_result" {
		return "", false, nil
	}
	e, err := variableQueries.ParseExpr(q)
	if err != nil {
		return "", false, fmt.Errorf("parsing variable query %q: %w", q, err)
	}
	call, isCall := e.(*parser.Call)
	if !isCall {
		return "", false, fmt.Errorf("variable query %q: not a single call of %s", q, fn)
	}
	if fn == "query_result" {
		return call.Args[0].String(), true, nil
	}
	if len(call.Args) == 1 {
		return "", false, nil
	}
	label, isSel := call.Args[1].(*parser.VectorSelector)
	if !isSel || label.Name == "" || len(label.LabelMatchers) != 1 {
		return "", false, fmt.Errorf("variable query %q: the second argument of label_values is a label name", q)
	}
	sel := call.Args[0]
	if vs, isVS := sel.(*parser.VectorSelector); isVS {
		nonEmpty := labels.MustNewMatcher(labels.MatchNotEqual, label.Name, "")
		if !slices.ContainsFunc(vs.LabelMatchers, func(m *labels.Matcher) bool { return m.String() == nonEmpty.String() }) {
			vs.LabelMatchers = append(vs.LabelMatchers, nonEmpty)
		}
	}
	group := &parser.AggregateExpr{Op: parser.GROUP, Expr: sel, Grouping: []string{label.Name}}
	return group.String(), true, nil
}
