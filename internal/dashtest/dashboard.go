package dashtest

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
)

// Dashboard is the subset of Grafana's dashboard model (schemaVersion 41)
// that the queries and the tests read.
type Dashboard struct {
	// File is the base name of the dashboard's file (not JSON).
	File string `json:"-"`

	UID           string     `json:"uid"`
	Title         string     `json:"title"`
	Description   string     `json:"description"`
	SchemaVersion int        `json:"schemaVersion"`
	Tags          []string   `json:"tags"`
	Panels        []Panel    `json:"panels"`
	Templating    Templating `json:"templating"`
}

// Templating holds a dashboard's template variables.
type Templating struct {
	List []Variable `json:"list"`
}

// Panel is one panel, or a row whose Panels are those it holds collapsed.
type Panel struct {
	ID          int         `json:"id"`
	Type        string      `json:"type"`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	Datasource  *DSRef      `json:"datasource"`
	Interval    string      `json:"interval"`
	GridPos     *GridPos    `json:"gridPos"`
	Targets     []Target    `json:"targets"`
	FieldConfig FieldConfig `json:"fieldConfig"`
	// Panels of a collapsed row.
	Panels []Panel `json:"panels"`
}

// GridPos is a panel's place on the dashboard's 24-column grid.
type GridPos struct {
	X int `json:"x"`
	Y int `json:"y"`
	W int `json:"w"`
	H int `json:"h"`
}

// DSRef names a data source: by plugin type and uid, the uid possibly a
// datasource variable ("${datasource}").
type DSRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// Target is one query of a panel: PromQL (Expr) or a Jaeger search.
type Target struct {
	RefID        string `json:"refId"`
	Datasource   *DSRef `json:"datasource"`
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

// FieldConfig is a panel's field configuration: defaults and overrides.
type FieldConfig struct {
	Defaults  FieldDefaults `json:"defaults"`
	Overrides []Override    `json:"overrides"`
}

// FieldDefaults are the field settings the tests check.
type FieldDefaults struct {
	Unit  string `json:"unit"`
	Links []struct {
		Title string `json:"title"`
		URL   string `json:"url"`
	} `json:"links"`
}

// Override changes properties of the fields its matcher selects.
type Override struct {
	Matcher struct {
		ID      string `json:"id"`
		Options any    `json:"options"`
	} `json:"matcher"`
	Properties []struct {
		ID    string `json:"id"`
		Value any    `json:"value"`
	} `json:"properties"`
}

// Variable is one template variable.
type Variable struct {
	Type       string          `json:"type"`
	Name       string          `json:"name"`
	Label      string          `json:"label"`
	Definition string          `json:"definition"`
	Datasource *DSRef          `json:"datasource"`
	Query      json.RawMessage `json:"query"` // a string, or {"query": "…"}
	Multi      bool            `json:"multi"`
	IncludeAll bool            `json:"includeAll"`
	AllValue   string          `json:"allValue"`
	Current    struct {
		Value json.RawMessage `json:"value"` // a string, or a list of them
	} `json:"current"`
}

// QueryString is the variable's query: the data source query of a query
// variable, the plugin type of a datasource variable, the value of a
// textbox or constant.
func (v *Variable) QueryString() string {
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

// Saved returns the variable's value saved in the dashboard (the first,
// for a list).
func (v *Variable) Saved() string {
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

// Load parses the dashboards fsys holds as json/*.json, in file name
// order. fsys is the dashboards directory: os.DirFS("dashboards") at the
// repository root.
func Load(fsys fs.FS) ([]*Dashboard, error) {
	names, err := fs.Glob(fsys, "json/*.json")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no json/*.json in the dashboards directory")
	}
	var ds []*Dashboard
	for _, name := range names { // fs.Glob sorts
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		d := &Dashboard{File: path.Base(name)}
		if err := json.Unmarshal(data, d); err != nil {
			return nil, fmt.Errorf("parsing dashboard %s: %w", name, err)
		}
		ds = append(ds, d)
	}
	return ds, nil
}

// AllPanels returns the dashboard's panels, those inside collapsed rows
// included, in order.
func (d *Dashboard) AllPanels() []*Panel {
	var out []*Panel
	var walk func(ps []Panel)
	walk = func(ps []Panel) {
		for i := range ps {
			out = append(out, &ps[i])
			walk(ps[i].Panels)
		}
	}
	walk(d.Panels)
	return out
}

// Variable returns the template variable called name, or nil.
func (d *Dashboard) Variable(name string) *Variable {
	for i := range d.Templating.List {
		if d.Templating.List[i].Name == name {
			return &d.Templating.List[i]
		}
	}
	return nil
}

// DSType is the plugin type of a data source reference: its type, or that
// of the datasource variable its uid names.
func (d *Dashboard) DSType(ref *DSRef) string {
	if ref == nil {
		return ""
	}
	if ref.Type != "" {
		return ref.Type
	}
	if name, ok := VarName(ref.UID); ok {
		if v := d.Variable(name); v != nil && v.Type == "datasource" {
			return v.QueryString()
		}
	}
	return ""
}

// TargetDS is the data source a target queries: its own, else its panel's.
func TargetDS(p *Panel, t *Target) *DSRef {
	if t.Datasource != nil {
		return t.Datasource
	}
	return p.Datasource
}
