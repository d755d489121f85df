package benchlog

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodePythonLog(t *testing.T) {
	data, err := os.ReadFile("testdata/python_resnet20_relu_cifar10_20250109_123456.json")
	require.NoError(t, err)
	l, err := Decode(data)
	require.NoError(t, err)
	name, _ := l.Metadata.String(KeyBenchmarkName)
	assert.Equal(t, "resnet20_relu_cifar10", name)
	py, _ := l.Metadata.String("python_version")
	assert.Equal(t, "3.10.12", py)
	assert.Equal(t, "success", l.Status)
	require.Len(t, l.Phases, 10)
	assert.Equal(t, "initialization", l.Phases[0].Name)
	assert.Equal(t, "decode", l.Phases[9].Name)
	lvl, ok := l.Phases[4].Fields.Int("input_level")
	assert.True(t, ok)
	assert.Equal(t, int64(14), lvl)
	// Python's json.dump writes NaN for a NaN precision: read as null.
	v, ok := l.Results.Get(KeyPrecisionBits)
	assert.True(t, ok)
	assert.Nil(t, v)
	fhe, _ := l.Timing.Float("fhe_inference_only")
	assert.Equal(t, 45.6, fhe)
	start, err := ParseTime(mustString(t, l.Metadata, KeyTimestampStart))
	require.NoError(t, err)
	assert.Equal(t, 2025, start.Year())

	// Encoding keeps every key, in order.
	out, err := Encode(l)
	require.NoError(t, err)
	assert.True(t, json.Valid(out))
	back, err := Decode(out)
	require.NoError(t, err)
	assert.Equal(t, l, back)
}

func mustString(t *testing.T, o Object, key string) string {
	t.Helper()
	s, ok := o.String(key)
	require.True(t, ok, "key %s", key)
	return s
}

func TestDecodeErrors(t *testing.T) {
	for _, in := range []string{``, `[]`, `{"metadata": 3}`, `{"phases": []}`, `{"status": 1}`, `{"a":`, `nul`} {
		_, err := Decode([]byte(in))
		assert.Error(t, err, "input %q", in)
	}
	l, err := Decode([]byte(`{"status":"failed","error":{"msg":"x"},"extra":[1,NaN,"NaN"]}`))
	require.NoError(t, err)
	assert.Equal(t, `{"msg":"x"}`, l.Error)
	assert.Equal(t, Object{{"extra", []any{1.0, nil, "NaN"}}}, l.Extra)
}

func TestEncodeNonFinite(t *testing.T) {
	l := &Log{Results: Object{{"a", math.NaN()}, {"b", math.Inf(-1)}, {"c", []float64{1, math.Inf(1)}}}}
	data, err := Encode(l)
	require.NoError(t, err)
	require.True(t, json.Valid(data), string(data))
	assert.Contains(t, string(data), `"c": [`)
}

func FuzzDecode(f *testing.F) {
	seed, err := os.ReadFile("testdata/python_resnet20_relu_cifar10_20250109_123456.json")
	require.NoError(f, err)
	f.Add(seed)
	f.Add([]byte(`{"phases":{"a":1,"b":{"x":NaN}},"error":"e"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Decode(data)
		if err != nil {
			return
		}
		out, err := Encode(l)
		if err != nil {
			t.Fatalf("decoded log does not encode: %v", err)
		}
		if !json.Valid(out) {
			t.Fatalf("encoded log is not valid JSON: %s", out)
		}
	})
}

// TestEncodeIsIndentedMarshal checks the one-pass indented encoder against
// json.Indent of the compact encoding, on every log in testdata and on
// values that take the encoder's slower paths.
func TestEncodeIsIndentedMarshal(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var logs []*Log
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		l, err := Decode(data)
		require.NoError(t, err, f)
		logs = append(logs, l)
	}
	logs = append(logs, &Log{
		Metadata: Object{{Key: "html <&> \"quoted\"\n\t\u2028 é \xff", Value: "ünïcode <b>"}},
		Model:    Object{{Key: "tags", Value: []string{"a", "b"}}, {Key: "empty", Value: []any{}}, {Key: "nested", Value: []any{Object{}, []any{1.5, nil}}}},
		Results:  Object{{Key: "m", Value: map[string]any{"x": []int64{1, 2}}}, {Key: "f", Value: []float64{}}},
		Status:   "failed",
		Error:    "boom\n\ngoroutine 1",
	})
	for i, l := range logs {
		compact, err := l.MarshalJSON()
		require.NoError(t, err)
		var want bytes.Buffer
		require.NoError(t, json.Indent(&want, compact, "", "  "))
		want.WriteByte('\n')
		got, err := Encode(l)
		require.NoError(t, err)
		assert.Equal(t, want.String(), string(got), "log %d", i)
	}
}
