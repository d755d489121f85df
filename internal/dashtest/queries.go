package dashtest

import (
	"errors"
	"fmt"
	"io/fs"
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
	// Expr is the PromQL expression: a panel's as written, a variable's as
	// [VariableExpr] makes it. It parses with Prometheus's parser.
	Expr string
	// Instant is true when the panel asks for an instant query (stats, bar
	// gauges, tables) and false for a range query (time series).
	Instant bool
}

// Name identifies the query in test output: dashboard/panel-or-variable/refId.
func (q Query) Name() string {
	return q.Dashboard + "/" + q.Panel + q.Variable + "/" + q.RefID
}

// Queries loads the dashboards of fsys (see [Load]) and returns the
// queries of each, in file order.
func Queries(fsys fs.FS, vars map[string]string) ([]Query, error) {
	ds, err := Load(fsys)
	if err != nil {
		return nil, err
	}
	var out []Query
	var errs []error
	for _, d := range ds {
		qs, err := d.Queries(vars)
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

// Queries returns every PromQL expression of the dashboard: each template
// variable's query that lists series (see [VariableExpr]) and each query of
// each panel that reads Prometheus (hidden ones left out), variables first.
// vars fills in the template variables as [Dashboard.Interpolate] says.
// Each expression is parsed with Prometheus's parser: one that does not
// parse is an error, as is a variable left without a value.
func (d *Dashboard) Queries(vars map[string]string) ([]Query, error) {
	var out []Query
	var errs []error
	for i := range d.Templating.List {
		v := &d.Templating.List[i]
		if v.Type != "query" || d.DSType(v.Datasource) != "prometheus" {
			continue
		}
		q, err := d.Interpolate(v.QueryString(), vars, true)
		if err != nil {
			errs = append(errs, fmt.Errorf("variable %s: %w", v.Name, err))
			continue
		}
		expr, ok, err := VariableExpr(q)
		if err != nil {
			errs = append(errs, fmt.Errorf("variable %s: %w", v.Name, err))
		}
		if ok {
			out = append(out, Query{Dashboard: d.UID, Variable: v.Name, Expr: expr})
		}
	}
	for _, p := range d.AllPanels() {
		for i := range p.Targets {
			t := &p.Targets[i]
			if t.Hide || d.DSType(TargetDS(p, t)) != "prometheus" {
				continue
			}
			expr, err := d.Interpolate(t.Expr, vars, true)
			if err == nil {
				_, err = ParseExpr(expr)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("panel %q query %s: %w", p.Title, t.RefID, err))
				continue
			}
			out = append(out, Query{Dashboard: d.UID, Panel: p.Title, RefID: t.RefID, Expr: expr, Instant: t.Instant && !t.Range})
		}
	}
	return out, errors.Join(errs...)
}
