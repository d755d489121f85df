package benchlog

import (
	"bytes"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeCase is a log decodeFast must read as decodeSlow does. fast says
// whether decodeFast reads it itself (or leaves it to decodeSlow), so that
// a fast path that gives up on everything does not pass.
type decodeCase struct {
	name string
	data string
	fast bool
}

// nested returns depth arrays and objects, alternating, around 1.
func nested(depth int) string {
	var b strings.Builder
	for i := range depth {
		if i%2 == 0 {
			b.WriteString(`[`)
		} else {
			b.WriteString(`{"k":`)
		}
	}
	b.WriteString("1")
	for i := depth - 1; i >= 0; i-- {
		if i%2 == 0 {
			b.WriteString(`]`)
		} else {
			b.WriteString(`}`)
		}
	}
	return b.String()
}

var decodeCases = []decodeCase{
	// Well-formed logs, as written.
	{"empty", `{}`, true},
	{"white space", " \t\r\n{\n\t\"status\" :\r\"ok\" ,\"error\"\t: null }\n\t ", true},
	{"sections", `{"metadata":{"benchmark_name":"b","cpu_count":2},"model":{"name":"m"},"phases":{"a":{"duration_seconds":1.5,"status":"success"}},"results":{"mae":0.5},"timing":{"total_duration_seconds":2,"a_only":1.5},"status":"success","error":null}`, true},
	{"null sections", `{"metadata":null,"model":null,"phases":null,"results":null,"timing":null,"status":null,"error":null}`, true},
	{"empty sections", `{"metadata":{},"model":{},"phases":{},"results":{},"timing":{},"status":"","error":""}`, true},
	{"extra keys in order", `{"zzz":1,"metadata":{},"aaa":[1,"x"],"_":{"y":null}}`, true},
	{"duplicate keys", `{"metadata":{"a":1,"a":2,"a":"three"},"status":"first","status":"second","metadata":{"b":true}}`, true},
	{"duplicate phases", `{"phases":{"p":{"duration_seconds":1},"p":{"duration_seconds":2}}}`, true},
	{"phases not objects", `{"phases":{"a":1.5,"b":"x","c":null,"d":[1],"e":true,"f":NaN,"g":-1e400}}`, true},
	{"empty arrays and objects", `{"results":{"a":[],"b":{},"c":[[],{},[[]],{"d":{}}],"e":[ ],"f":{ }}}`, true},
	{"literals", `{"results":{"t":true,"f":false,"n":null,"a":[true,false,null]}}`, true},
	{"escapes", `{"status":"a\"b\\c\/d\be\ff\ng\rh\ti","metadata":{"k\"ey\n":"\\"}}`, true},
	{"unicode escapes", `{"metadata":{"k\u00e9y":"\u00e9\u4e2d\u0000\u001f\u007f\u003c\u003e\u0026\u2028\uFFFD\uffff"}}`, true},
	{"surrogate pair", `{"metadata":{"rocket":"\ud83d\ude80","upper":"\uD83D\uDE80","key\ud83d\ude80":1}}`, true},
	{"lone high surrogate", `{"metadata":{"a":"\ud83d","b":"\ud83dx","c":"\ud83d\u0041","d":"\ud800\ud800","e":"x\ud800"}}`, true},
	{"lone low surrogate", `{"metadata":{"a":"\ude80","b":"\ude80\ud83d","c":"\udfff\udfff"}}`, true},
	{"surrogate then escape", `{"metadata":{"a":"\ud83d\n","b":"\ud83d\\","c":"\ud83d\u00e9"}}`, true},
	{"raw unicode", `{"metadata":{"名前":"ünïcödé 🚀","emoji🚀":"\u00e9🚀é"},"status":"成功"}`, true},
	{"invalid UTF-8 in a value", "{\"metadata\":{\"a\":\"\xff\",\"b\":\"x\xc3\",\"c\":\"\xc0\x80\",\"d\":\"\xed\xa0\x80\",\"e\":\"\xf4\x90\x80\x80\",\"f\":\"é\xe9t\xe9\"}}", true},
	{"invalid UTF-8 in a key", "{\"metadata\":{\"\xff\":1,\"k\xc3\":2,\"\xed\xb2\x80\":3},\"\xfe\":null}", true},
	{"invalid UTF-8 with escapes", "{\"status\":\"\\n\xff\\u00e9\xc3\"}", true},
	{"replacement character", "{\"status\":\"\xef\xbf\xbd\"}", true},
	{"DEL and high ASCII", "{\"status\":\"\x7f~ \"}", true},
	{"numbers", `{"results":{"a":[0,-0,0.0,-0.0,1,-1,0.5,59.9,45.599998,1e5,1E+5,1e-5,2.5e-07,0e0,-0e-0,0.1e1,100e-2,25000000000,123456789012345,9007199254740993,12345678901234567890,1234567890123456789012345678901234567890]}}`, true},
	{"big and small exponents", `{"results":{"a":[1e400,-1e400,1e-400,-1e-400,4.9e-324,2.4e-324,1.7976931348623157e308,1.7976931348623159e308,1e22,1e23,1e-22,1e-23,1e0000000000000000000005,1e-0000000000000000000005,0.000000000000000000000001,1e999,1e1000,1e-1000,1E+308]}}`, true},
	{"long fraction with big exponent", `{"results":{"a":0.` + strings.Repeat("0", 1000) + `1e10000,"b":0.` + strings.Repeat("0", 1000) + `1e1001,"c":1` + strings.Repeat("0", 400) + `e-400,"d":0.` + strings.Repeat("0", 99) + `1e1000,"e":0.` + strings.Repeat("0", 90) + `1e99999}}`, true},
	{"number as error", `{"error":-0}`, true},
	{"NaN in arrays", `{"results":{"a":[NaN,Infinity,-Infinity,1,NaN],"b":[[NaN]],"c":{"d":NaN}}}`, true},
	{"NaN as sections", `{"metadata":NaN,"model":Infinity,"phases":-Infinity,"results":NaN,"timing":Infinity,"status":NaN,"error":-Infinity}`, true},
	{"NaN with white space", "{\"results\":{\"a\":[ NaN ,\n\tInfinity\t, -Infinity ]}}", true},
	{"NaN in strings", `{"status":"NaN","error":"-Infinity","metadata":{"Infinity":"x\"NaN","NaN":"\\NaN"}}`, true},
	{"deep nesting 511", `{"results":{"a":` + nested(509) + `}}`, true},
	{"deep nesting 512", `{"results":{"a":` + nested(510) + `}}`, true},

	// Sections of the wrong type: read by decodeFast, refused by the
	// section logic they share.
	{"metadata array", `{"metadata":[]}`, true},
	{"metadata string", `{"metadata":"x"}`, true},
	{"model number", `{"model":1}`, true},
	{"results bool", `{"results":true}`, true},
	{"timing array", `{"timing":[{}]}`, true},
	{"phases number", `{"phases":1}`, true},
	{"phases array", `{"phases":[1]}`, true},
	{"status number", `{"status":1}`, true},
	{"status object", `{"status":{}}`, true},
	{"status infinite number", `{"status":1e400}`, true},
	{"error object", `{"error":{"a":1,"b":[1,"x"]}}`, true},
	{"error array", `{"error":[1,"x",null,1e400,-0,0.1]}`, true},
	{"error number", `{"error":1e400}`, true},
	{"error bool", `{"error":true}`, true},
	{"error after a bad section", `{"metadata":1,"status":2}`, true},

	// Left to decodeSlow.
	{"deep nesting 513", `{"results":{"a":` + nested(511) + `}}`, false},
	{"deep nesting 2000", `{"results":{"a":` + nested(2000) + `}}`, false},
	{"trailing newline", "{\"status\":\"ok\"}\n", true},
	{"trailing bytes", `{"status":"ok"}x`, false},
	{"trailing object", `{"status":"ok"}{"status":"no"}`, false},
	{"trailing unterminated string", `{"status":"ok"} "abc`, false},
	{"trailing bracket", `{"status":"ok"}]`, false},
	{"trailing NaN", `{"status":"ok"}NaN`, false},
	{"empty input", ``, false},
	{"white space only", " \n", false},
	{"top-level array", `[]`, false},
	{"top-level array of objects", `[{"status":"ok"}]`, false},
	{"top-level string", `"status"`, false},
	{"top-level number", `1`, false},
	{"top-level null", `null`, false},
	{"top-level true", `true`, false},
	{"top-level NaN", `NaN`, false},
	{"top-level -Infinity", `-Infinity`, false},
	{"byte order mark", "\xef\xbb\xbf{}", false},
	{"NaN as a key", `{NaN:1}`, false},
	{"NaN after a minus", `{"a":-NaN}`, false},
	{"NaN then letters", `{"a":NaNa}`, false},
	{"NaN after a number", `{"a":[1NaN]}`, false},
	{"number after NaN", `{"a":[NaN1]}`, false},
	{"Infinity cut short", `{"a":Infinit}`, false},
	{"Infinity then letters", `{"a":-Infinityx}`, false},
	{"lower-case nan", `{"a":nan}`, false},
	{"minus Infinity then minus", `{"a":--Infinity}`, false},
	{"NaN before a colon", `{"a":1,"b"NaN}`, false},
	{"Infinity in a number", `{"a":1e-Infinity}`, false},
	{"invalid escape", `{"status":"\x"}`, false},
	{"escaped apostrophe", `{"status":"\'"}`, false},
	{"short unicode escape", `{"status":"\u12"}`, false},
	{"bad hex", `{"status":"\u12G4"}`, false},
	{"escape at the end", `{"status":"\`, false},
	{"control character", "{\"status\":\"a\tb\"}", false},
	{"newline in a string", "{\"status\":\"a\nb\"}", false},
	{"NUL in a key", "{\"a\x00\":1}", false},
	{"leading zero", `{"a":01}`, false},
	{"minus alone", `{"a":-}`, false},
	{"plus", `{"a":+1}`, false},
	{"point without digits", `{"a":1.}`, false},
	{"leading point", `{"a":.5}`, false},
	{"exponent without digits", `{"a":1e}`, false},
	{"exponent sign only", `{"a":1e+}`, false},
	{"fraction in exponent", `{"a":1.5e5.5}`, false},
	{"hex", `{"a":0x10}`, false},
	{"minus zero one", `{"a":-01}`, false},
	{"trailing comma in object", `{"a":1,}`, false},
	{"trailing comma in array", `{"a":[1,]}`, false},
	{"missing comma", `{"a":1 "b":2}`, false},
	{"missing comma in array", `{"a":[1 2]}`, false},
	{"missing colon", `{"a" 1}`, false},
	{"comma only", `{,}`, false},
	{"leading comma in array", `{"a":[,1]}`, false},
	{"true cut short", `{"a":tru}`, false},
	{"null cut short", `{"a":nul}`, false},
	{"True", `{"a":True}`, false},
	{"unterminated object", `{"a":1`, false},
	{"unterminated key", `{"a`, false},
	{"unterminated value", `{"a":"b`, false},
	{"unterminated array", `{"a":[1`, false},
	{"single quotes", `{'a':1}`, false},
	{"number key", `{1:2}`, false},
	{"mismatched brackets", `{"a":[1}}`, false},
	{"colon as a value", `{"a"::1}`, false},
}

// walkTestdata returns every file under the module's testdata and the
// analyze command's: logs, broken or not, and golden text.
func walkTestdata(t testing.TB) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for _, root := range []string{"testdata", filepath.Join("..", "..", "bench", "analyze", "testdata")} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			files[path] = data
			return err
		})
		require.NoError(t, err)
	}
	require.NotEmpty(t, files)
	return files
}

// sameDecode returns how two results of decoding differ, or "" when they
// are the same Log, or errors with the same text. Beside
// reflect.DeepEqual, the logs' Go syntax must be the same: it tells -0
// from 0, and an empty slice from nil.
func sameDecode(l1 *Log, err1 error, l2 *Log, err2 error) string {
	switch {
	case err1 != nil || err2 != nil:
		if err1 == nil || err2 == nil || err1.Error() != err2.Error() {
			return fmt.Sprintf("errors differ: %v, and %v", err1, err2)
		}
		return ""
	case !reflect.DeepEqual(l1, l2):
		return fmt.Sprintf("logs differ:\n%#v\n%#v", l1, l2)
	}
	if s1, s2 := fmt.Sprintf("%#v", l1), fmt.Sprintf("%#v", l2); s1 != s2 {
		return fmt.Sprintf("logs differ:\n%s\n%s", s1, s2)
	}
	return ""
}

// checkDecode checks decodeFast and Decode against decodeSlow on data. It
// reports whether decodeFast read data itself.
func checkDecode(t *testing.T, data []byte) (fast bool) {
	t.Helper()
	input := bytes.Clone(data)
	slow, slowErr := decodeSlow(data)
	slowLog := &slow
	if slowErr != nil {
		slowLog = nil
	}
	l, err := decodeFast(data)
	if err != errSlowPath {
		fast = true
		fastLog := &l
		if err != nil {
			fastLog = nil
		}
		if d := sameDecode(fastLog, err, slowLog, slowErr); d != "" {
			t.Errorf("decodeFast(%q): %s", data, d)
		}
	}
	got, err := Decode(data)
	if d := sameDecode(got, err, slowLog, slowErr); d != "" {
		t.Errorf("Decode(%q): %s", data, d)
	}
	if !bytes.Equal(data, input) {
		t.Errorf("decoding changed its input")
	}
	return fast
}

// TestDecodeFastMatchesSlow checks that Decode, and decodeFast where it
// does not give up, give the same log or the same error as decodeSlow (the
// encoding/json path, the reference).
func TestDecodeFastMatchesSlow(t *testing.T) {
	t.Run("testdata", func(t *testing.T) {
		for path, data := range walkTestdata(t) {
			fast := checkDecode(t, data)
			if filepath.Ext(path) == ".json" {
				// The logs are well-formed: decodeFast must read them.
				assert.True(t, fast, "decodeFast left %s to decodeSlow", path)
			}
		}
	})
	t.Run("encoded", func(t *testing.T) {
		for _, phases := range []int{0, 1, 12, 100} {
			root := rootSpan(60)
			var spans []*Span
			for i := range phases {
				spans = append(spans, phaseSpan(fmt.Sprintf("%016x", i+1), root.SpanID, fmt.Sprintf("phase_%02d", i), float64(i), float64(i+1)))
			}
			l, err := Assemble(root, spans, time.UTC)
			require.NoError(t, err)
			// What encoding escapes: HTML's characters, U+2028, controls.
			l.Error = "failed <here> & \"there\"\n\tat main.go:1 \u2028 é\x01"
			l.Metadata.Set("note", "<é>")
			data, err := Encode(l)
			require.NoError(t, err)
			assert.True(t, checkDecode(t, data), "decodeFast left an encoded log of %d phases to decodeSlow", phases)
		}
	})
	for _, c := range decodeCases {
		t.Run(c.name, func(t *testing.T) {
			fast := checkDecode(t, []byte(c.data))
			assert.Equal(t, c.fast, fast, "whether decodeFast reads %q itself", c.data)
		})
	}
}

// FuzzDecodeFastMatchesSlow is TestDecodeFastMatchesSlow on any input.
func FuzzDecodeFastMatchesSlow(f *testing.F) {
	for _, c := range decodeCases {
		if len(c.data) < 4096 {
			f.Add([]byte(c.data))
		}
	}
	// The small logs only: a big seed slows every run of the fuzzer, and
	// TestDecodeFastMatchesSlow reads the big ones.
	for path, data := range walkTestdata(f) {
		if filepath.Ext(path) == ".json" && len(data) < 2500 {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecode(t, data)
	})
}

// TestDecodeRandomLogs is a differential test the byte-wise fuzzer is
// slow to reach: random logs built of JSON's pieces and Python's, some
// well-formed, some with a piece put in, taken out or swapped.
func TestDecodeRandomLogs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"{", "}", "[", "]", ",", ":", " ", "\n", "\t", "\r", "\v", "\x00", `"`, `\`, `"a"`, `"status"`,
		`"phases"`, `"error"`, "NaN", "Infinity", "-Infinity", "-", "null", "true", "1", "0", "-0", "01", "1e400",
		"1.5e-400", ".", "e", `"\ud83d`, `\ude80"`, `"\u00e9"`, "\xff", "\xc3", "é", `\u`, `"\"`}
	var value func(depth int) string
	value = func(depth int) string {
		switch n := rng.IntN(12); {
		case n < 2 && depth < 6:
			var b strings.Builder
			b.WriteString("{")
			for i := range rng.IntN(5) {
				if i > 0 {
					b.WriteString(",")
				}
				b.WriteString(pieces[rng.IntN(3)+14] + ":" + value(depth+1))
			}
			return b.String() + "}"
		case n < 4 && depth < 6:
			var b strings.Builder
			b.WriteString("[")
			for i := range rng.IntN(5) {
				if i > 0 {
					b.WriteString(" , ")
				}
				b.WriteString(value(depth + 1))
			}
			return b.String() + "]"
		default:
			return []string{`"x"`, "NaN", "Infinity", "-Infinity", "null", "true", "false", "1", "-0", "1e400", "2.5",
				`"\ud83d\ude80"`, `"\ud83d"`, `"é\n"`, "\"\xff\"", `""`}[rng.IntN(16)]
		}
	}
	sections := []string{"metadata", "model", "phases", "results", "timing", "status", "error", "extra"}
	fast := 0
	const n = 20000
	for range n {
		var b strings.Builder
		b.WriteString("{")
		for i := range rng.IntN(6) {
			if i > 0 {
				b.WriteString(",\n  ")
			}
			fmt.Fprintf(&b, "%q: %s", sections[rng.IntN(len(sections))], value(1))
		}
		b.WriteString("}")
		log := b.String()
		for range rng.IntN(3) {
			at := rng.IntN(len(log) + 1)
			switch rng.IntN(3) {
			case 0:
				log = log[:at] + pieces[rng.IntN(len(pieces))] + log[at:]
			case 1:
				if at < len(log) {
					log = log[:at] + log[at+1:]
				}
			default:
				if at < len(log) {
					log = log[:at] + pieces[rng.IntN(len(pieces))] + log[at+1:]
				}
			}
		}
		if checkDecode(t, []byte(log)) {
			fast++
		}
		if t.Failed() {
			return
		}
	}
	t.Logf("decodeFast read %d of %d logs itself", fast, n)
	// Most logs are well-formed, or only wrong in a section's type.
	assert.Greater(t, fast, n/3, "logs decodeFast read itself")
}

// TestNumber checks the numbers decodeFast parses against
// strconv.ParseFloat, to the bit.
func TestNumber(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	texts := []string{"0", "-0", "0.0", "-0.0", "1", "-1", "0.5", "59.9", "45.599998", "1e5", "1E+5", "2.5e-07", "1e22", "1e23",
		"1e-22", "1e-23", "123456789012345", "1234567890123456", "12345678901234567890", "0.000000000000000000000001",
		"9007199254740993", "1e400", "-1e400", "1e-400", "4.9e-324", "1.7976931348623157e308", "0.1e1", "100e-2",
		"12.989054063984934", "21.93156856932417", "0.180488046", "25000000000", "1e0000000000000000000005",
		"999999999999999", "999999999999999e7", "0.999999999999999", "1e999", "1e-999", "1e1000", "1e-1000",
		"0." + strings.Repeat("0", 1000) + "1e10000", "0." + strings.Repeat("0", 99) + "1e100", "0." + strings.Repeat("0", 100) + "1e101",
		"1" + strings.Repeat("0", 30) + "e-30", "0.1" + strings.Repeat("0", 100),
		"0." + strings.Repeat("0", 99) + "1e1000", "0." + strings.Repeat("0", 99) + "1e99999", "-0." + strings.Repeat("0", 99) + "1e-1000",
		"1e" + strings.Repeat("9", 30), "1e-" + strings.Repeat("9", 30), "1e" + strings.Repeat("0", 30) + "5"}
	for range 50000 {
		m := rng.Uint64() >> rng.IntN(64)
		s := strconv.FormatUint(m, 10)
		if d := rng.IntN(len(s) + 1); d < len(s) && rng.IntN(2) == 0 {
			s = s[:d] + "." + s[d:]
			if s[0] == '.' {
				s = "0" + s
			}
		}
		if rng.IntN(3) == 0 {
			s += "e" + strconv.Itoa(rng.IntN(60)-30)
		}
		if rng.IntN(2) == 0 {
			s = "-" + s
		}
		texts = append(texts, s)
	}
	for _, s := range texts {
		want, _ := strconv.ParseFloat(s, 64)
		d := decoder{data: []byte(s + ",")}
		v, ok := d.number()
		require.True(t, ok, "%s", s)
		require.Equal(t, len(s), d.i, "%s: read %d bytes", s, d.i)
		got, _ := v.(float64)
		require.Equal(t, math.Float64bits(want), math.Float64bits(got), "%s: got %v, want %v", s, got, want)
	}
}

// TestEightAtATime checks nextStop and ws, which read eight bytes at a
// time, against their byte at a time definitions: every byte value at
// every position of a word, then random mixes.
func TestEightAtATime(t *testing.T) {
	stopAfter := func(data []byte, i int) int {
		for i < len(data) && !isStringStop(data[i]) {
			i++
		}
		return i
	}
	spaceAfter := func(data []byte, i int) int {
		for i < len(data) && isSpace(data[i]) {
			i++
		}
		return i
	}
	for c := range 256 {
		for pos := range 17 {
			plain := bytes.Repeat([]byte("a"), 20)
			plain[pos] = byte(c)
			require.Equal(t, stopAfter(plain, 0), nextStop(plain, 0), "byte %#x at %d", c, pos)
			spaces := bytes.Repeat([]byte(" "), 20)
			spaces[pos] = byte(c)
			d := decoder{data: spaces}
			d.ws()
			require.Equal(t, spaceAfter(spaces, 0), d.i, "byte %#x at %d", c, pos)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("a \t\n\r\"\\\x00\x1f\x7f\x80\xff~ ")
	for range 20000 {
		data := make([]byte, rng.IntN(40))
		for i := range data {
			data[i] = alphabet[rng.IntN(len(alphabet))]
		}
		start := rng.IntN(len(data) + 1)
		require.Equal(t, stopAfter(data, start), nextStop(data, start), "%q from %d", data, start)
		d := decoder{data: data, i: start}
		d.ws()
		require.Equal(t, spaceAfter(data, start), d.i, "%q from %d", data, start)
	}
}

// TestDecodeFastAllocations keeps decodeFast's allocations near one per
// value: a log of twelve phases was about 2,600 with encoding/json.
func TestDecodeFastAllocations(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "assemble_success.json"))
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(20, func() {
		if _, err := Decode(data); err != nil {
			t.Fatal(err)
		}
	})
	assert.LessOrEqual(t, allocs, 300.0)
}
