package stacktest

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestFreePorts(t *testing.T) {
	ports, err := FreePorts(5)
	require.NoError(t, err)
	seen := map[int]bool{}
	for _, p := range ports {
		assert.False(t, seen[p], "port %d twice", p)
		seen[p] = true
		assert.True(t, PortFree(p), "port %d", p)
	}
}

func TestEventually(t *testing.T) {
	n := 0
	err := Eventually(t.Context(), time.Second, time.Millisecond, func() error {
		if n++; n < 3 {
			return errors.New("not yet")
		}
		return nil
	})
	assert.NoError(t, err)
	assert.Equal(t, 3, n)

	err = Eventually(t.Context(), 20*time.Millisecond, time.Millisecond, func() error { return errors.New("never") })
	assert.ErrorContains(t, err, "still failing after 20ms: never")

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err = Eventually(ctx, time.Hour, time.Hour, func() error { return errors.New("never") })
	assert.ErrorIs(t, err, context.Canceled)
}

func TestQuery(t *testing.T) {
	answers := map[string]string{
		"v": `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"m","a":"x"},"value":[1,"2.5"]},{"metric":{},"value":[1,"NaN"]}]}}`,
		"m": `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"y"},"values":[[1,"1"],[2,"+Inf"]]},{"metric":{"a":"z"},"values":[]}]}}`,
		"s": `{"status":"success","data":{"resultType":"scalar","result":[1,"3"]}}`,
		"e": `{"status":"error","errorType":"bad_data","error":"parse error"}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "/api/v1/query", r.URL.Path)
		a, ok := answers[r.URL.Query().Get("query")]
		if !ok {
			http.Error(w, "no such query", http.StatusBadRequest)
			return
		}
		w.Write([]byte(a))
	}))
	defer srv.Close()
	ctx := t.Context()

	got, err := Query(ctx, srv.URL, "v")
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, Sample{Metric: map[string]string{"__name__": "m", "a": "x"}, Value: 2.5}, got[0])
	assert.True(t, math.IsNaN(got[1].Value))

	got, err = Query(ctx, srv.URL, "m")
	require.NoError(t, err)
	assert.Equal(t, []Sample{{Metric: map[string]string{"a": "y"}, Value: math.Inf(1)}}, got)

	got, err = Query(ctx, srv.URL, "s")
	require.NoError(t, err)
	assert.Equal(t, []Sample{{Value: 3}}, got)

	_, err = Query(ctx, srv.URL, "e")
	assert.ErrorContains(t, err, "query e: parse error")
	_, err = Query(ctx, srv.URL, "x")
	assert.ErrorContains(t, err, "400 Bad Request: no such query")
}

func TestState(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "stack.env"),
		[]byte("OTLP_PORT=4317\nLOG_DIR=/tmp/a\\ b\nCOLLECTOR_BIN=''\n"), 0o644))
	s := &Stack{RunDir: dir}
	for name, want := range map[string]string{"OTLP_PORT": "4317", "LOG_DIR": "/tmp/a b", "COLLECTOR_BIN": ""} {
		got, err := s.State(name)
		require.NoError(t, err, name)
		assert.Equal(t, want, got, name)
	}
	_, err := s.State("JAEGER_BIN")
	assert.ErrorContains(t, err, "JAEGER_BIN is not in")
}

func TestRepoRoot(t *testing.T) {
	root, err := RepoRoot()
	require.NoError(t, err)
	assert.FileExists(t, filepath.Join(root, "collector", "stack"))
}
