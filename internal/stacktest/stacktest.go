package stacktest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// FreePorts returns n distinct loopback ports that were free a moment ago.
// All n are held open together while they are picked, so they differ.
func FreePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("picking a free loopback port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// PortFree reports whether 127.0.0.1:port can be listened on.
func PortFree(port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// Eventually calls f every interval until it returns nil, timeout has
// passed or ctx is done, and returns nil or f's last error (joined with
// ctx's error when ctx ended the wait). f runs at least once.
func Eventually(ctx context.Context, timeout, interval time.Duration, f func() error) error {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		err := f()
		if err == nil {
			return nil
		}
		if !time.Now().Before(deadline) {
			return fmt.Errorf("still failing after %v: %w", timeout, err)
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-tick.C:
		}
	}
}

// httpClient bounds every request; a context can end one sooner.
var httpClient = &http.Client{Timeout: 10 * time.Second}

// Get does GET u and returns an error unless the answer is 2xx.
func Get(ctx context.Context, u string) error {
	_, err := get(ctx, u)
	return err
}

// GetJSON decodes the JSON answer of GET u into v. An answer other than
// 200 OK is an error that quotes the start of its body.
func GetJSON(ctx context.Context, u string, v any) error {
	body, err := get(ctx, u)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: decoding the answer: %w", u, err)
	}
	return nil
}

func get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: reading the answer: %w", u, err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("GET %s: %s: %.300s", u, resp.Status, bytes.TrimSpace(body))
	}
	return body, nil
}

// Sample is one series of a Prometheus query's answer.
type Sample struct {
	// Metric holds the series' labels, __name__ included when it has one.
	Metric map[string]string
	// Value is the sample's value: NaN and ±Inf as Prometheus says them.
	Value float64
}

// Query runs the instant query expr against the Prometheus at base
// (http://host:port) and returns its series; none is not an error. A
// scalar answer is one Sample without labels, and a range vector (expr
// ending in [d]) gives each series' newest sample.
func Query(ctx context.Context, base, expr string) ([]Sample, error) {
	var r struct {
		Status string `json:"status"`
		Data   struct {
			ResultType string          `json:"resultType"`
			Result     json.RawMessage `json:"result"`
		} `json:"data"`
		Error string `json:"error"`
	}
	if err := GetJSON(ctx, base+"/api/v1/query?query="+url.QueryEscape(expr), &r); err != nil {
		return nil, fmt.Errorf("query %s: %w", expr, err)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("query %s: %s", expr, r.Error)
	}
	type series struct {
		Metric map[string]string `json:"metric"`
		Value  promValue         `json:"value"`
		Values []promValue       `json:"values"`
	}
	var out []Sample
	switch r.Data.ResultType {
	case "vector":
		var v []series
		if err := json.Unmarshal(r.Data.Result, &v); err != nil {
			return nil, fmt.Errorf("query %s: %w", expr, err)
		}
		for _, s := range v {
			out = append(out, Sample{Metric: s.Metric, Value: float64(s.Value)})
		}
	case "matrix":
		var m []series
		if err := json.Unmarshal(r.Data.Result, &m); err != nil {
			return nil, fmt.Errorf("query %s: %w", expr, err)
		}
		for _, s := range m {
			if len(s.Values) > 0 {
				out = append(out, Sample{Metric: s.Metric, Value: float64(s.Values[len(s.Values)-1])})
			}
		}
	case "scalar":
		var v promValue
		if err := json.Unmarshal(r.Data.Result, &v); err != nil {
			return nil, fmt.Errorf("query %s: %w", expr, err)
		}
		out = append(out, Sample{Value: float64(v)})
	default:
		return nil, fmt.Errorf("query %s: result type %q", expr, r.Data.ResultType)
	}
	return out, nil
}

// promValue is Prometheus's [time, "value"] pair, read as its value.
type promValue float64

func (v *promValue) UnmarshalJSON(b []byte) error {
	var pair [2]any
	if err := json.Unmarshal(b, &pair); err != nil {
		return err
	}
	s, ok := pair[1].(string)
	if !ok {
		return fmt.Errorf("sample value %v is not a string", pair[1])
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("sample value: %w", err)
	}
	*v = promValue(f)
	return nil
}

const module = "github.com/benchtrace/benchtrace"

// RepoRoot returns the repository's root: the nearest directory at or
// above the working directory (a test's package directory) whose go.mod is
// this module's.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		first, _, _ := bytes.Cut(data, []byte("\n"))
		if err == nil && string(bytes.TrimSpace(first)) == "module "+module {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod of " + module + " at or above the working directory")
		}
		dir = parent
	}
}
