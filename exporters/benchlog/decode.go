package benchlog

import (
	"encoding/binary"
	"errors"
	"math/bits"
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// This file is the fast path of Decode: one pass of recursive descent over
// a log's bytes, building the values decodeSlow builds (an Object with its
// keys in order and duplicates kept, []any, float64, string, bool, nil)
// without encoding/json's tokens, and the Log from them with the same
// logFromObject. It is the pattern of the analyze scanner
// (bench/analyze/scan.go), which reads a summary only.
//
// The reference is decodeSlow: decodeFast gives the same Log for every
// input it accepts, which TestDecodeFastMatchesSlow and
// FuzzDecodeFastMatchesSlow check. Whatever it is not certain to read as
// decodeSlow does (any syntax error, Python's NaN or Infinity anywhere but
// where a value goes, nesting deeper than maxDecodeDepth, a top level that
// is not an object, bytes after the log), it gives up with errSlowPath and
// Decode reads the log with decodeSlow instead: so a broken log is
// reported in encoding/json's own words. Strings it decodes itself, \u
// escapes and invalid UTF-8 included, as encoding/json does.
//
// Python's NaN, Infinity and -Infinity are read where they stand.
// decodeSlow replaces them with null before decoding (sanitizeNonFinite):
// in a log that is JSON but for them, every such word outside strings is in
// a value's place, so the two agree.

// errSlowPath says decodeFast leaves this log to decodeSlow.
var errSlowPath = errors.New("log needs the reference decoder")

// maxDecodeDepth bounds how deeply nested a value decodeFast reads; deeper
// ones go to decodeSlow.
const maxDecodeDepth = 512

// decoder reads one log.
type decoder struct {
	data []byte
	i    int
	// fields and elems hold the members of the objects and the elements
	// of the arrays being read, innermost last: each is copied out at its
	// end into a slice of its exact size, one allocation.
	fields []Field
	elems  []any
}

// decodeFast decodes the log data, or returns errSlowPath. Its other
// errors are logFromObject's, about a section of the wrong type.
func decodeFast(data []byte) (Log, error) {
	// Room for a log's usual nesting (the sections, the phases, a
	// phase's fields): the scratch is allocated once, not grown.
	d := decoder{data: data, fields: make([]Field, 0, 48), elems: make([]any, 0, 16)}
	d.ws()
	if d.peek() != '{' {
		return Log{}, errSlowPath // decodeSlow says what it is
	}
	obj, ok := d.object(0)
	if !ok {
		return Log{}, errSlowPath
	}
	d.ws()
	if d.i != len(d.data) {
		return Log{}, errSlowPath // decodeSlow ignores what follows; so do we, slowly
	}
	return logFromObject(obj)
}

// peek returns the next byte, or 0 at the end.
func (d *decoder) peek() byte {
	if d.i < len(d.data) {
		return d.data[d.i]
	}
	return 0
}

// ws skips JSON's white space.
func (d *decoder) ws() {
	data, i := d.data, d.i
	for i < len(data) && isSpace(data[i]) {
		i++
		// A log's indentation: spaces, eight at a time.
		for i+8 <= len(data) {
			if x := binary.LittleEndian.Uint64(data[i:]) ^ (ones * ' '); x != 0 {
				i += bits.TrailingZeros64(x) / 8
				break
			}
			i += 8
		}
	}
	d.i = i
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\t' || c == '\r'
}

// Eight bytes at a time (SWAR), as the analyze scanner reads: ones has 1
// in each byte, highs the high bit of each.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// stringStops has the high bit set in the bytes of x (eight bytes of a
// string, the first the lowest) that end a run of plain bytes: a quote, a
// backslash, a control character or a byte of multi-byte UTF-8. Bytes
// after the first such byte may be flagged wrongly (by a borrow), so only
// the lowest flag counts.
func stringStops(x uint64) uint64 {
	q := x ^ (ones * '"')
	b := x ^ (ones * '\\')
	return ((q-ones)&^q | (b-ones)&^b | (x-ones*0x20)&^x | x) & highs
}

// isStringStop is stringStops for one byte.
func isStringStop(c byte) bool {
	return c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf
}

// nextStop returns the index of the first byte of data at or after i that
// isStringStop, or len(data).
func nextStop(data []byte, i int) int {
	for i+8 <= len(data) {
		if m := stringStops(binary.LittleEndian.Uint64(data[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
		i += 8
	}
	for i < len(data) && !isStringStop(data[i]) {
		i++
	}
	return i
}

// value reads the value at d.i. The NaN, Infinity and -Infinity of Python
// are nil, as decodeSlow reads them.
func (d *decoder) value(depth int) (any, bool) {
	switch c := d.peek(); c {
	case '{':
		obj, ok := d.object(depth)
		return obj, ok
	case '[':
		arr, ok := d.array(depth)
		return arr, ok
	case '"':
		raw, plain, ok := d.str()
		if !ok {
			return nil, false
		}
		if !plain {
			s, ok := unquote(raw)
			return s, ok
		}
		if v, ok := knownValue(raw); ok {
			return v, true
		}
		return string(raw), true
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	case 'n':
		return nil, d.literal("null")
	case 'N':
		return nil, d.literal("NaN")
	case 'I':
		return nil, d.literal("Infinity")
	case '-':
		if d.i+1 < len(d.data) && d.data[d.i+1] == 'I' {
			return nil, d.literal("-Infinity")
		}
		return d.number()
	default:
		if c >= '0' && c <= '9' {
			return d.number()
		}
	}
	return nil, false
}

// object reads the object at d.i (its '{').
func (d *decoder) object(depth int) (Object, bool) {
	if depth >= maxDecodeDepth {
		return nil, false
	}
	d.i++
	d.ws()
	if d.peek() == '}' {
		d.i++
		return Object{}, true
	}
	base := len(d.fields)
	for {
		if d.peek() != '"' {
			return nil, false
		}
		key, ok := d.key()
		if !ok {
			return nil, false
		}
		d.ws()
		if d.peek() != ':' {
			return nil, false
		}
		d.i++
		d.ws()
		v, ok := d.value(depth + 1)
		if !ok {
			return nil, false
		}
		d.fields = append(d.fields, Field{key, v})
		d.ws()
		switch d.peek() {
		case ',':
			d.i++
			d.ws()
		case '}':
			d.i++
			obj := make(Object, len(d.fields)-base)
			copy(obj, d.fields[base:])
			d.fields = d.fields[:base]
			return obj, true
		default:
			return nil, false
		}
	}
}

// array reads the array at d.i (its '['). An empty array is []any{}, not
// nil, as decodeSlow gives.
func (d *decoder) array(depth int) ([]any, bool) {
	if depth >= maxDecodeDepth {
		return nil, false
	}
	d.i++
	d.ws()
	if d.peek() == ']' {
		d.i++
		return []any{}, true
	}
	base := len(d.elems)
	for {
		v, ok := d.value(depth + 1)
		if !ok {
			return nil, false
		}
		d.elems = append(d.elems, v)
		d.ws()
		switch d.peek() {
		case ',':
			d.i++
			d.ws()
		case ']':
			d.i++
			arr := make([]any, len(d.elems)-base)
			copy(arr, d.elems[base:])
			d.elems = d.elems[:base]
			return arr, true
		default:
			return nil, false
		}
	}
}

// key reads an object's key at d.i (its opening quote).
func (d *decoder) key() (string, bool) {
	raw, plain, ok := d.str()
	if !ok {
		return "", false
	}
	if !plain {
		return unquote(raw)
	}
	if k, ok := knownKey(raw); ok {
		return k, true
	}
	return string(raw), true
}

// literal reads word at d.i.
func (d *decoder) literal(word string) bool {
	if end := d.i + len(word); end <= len(d.data) && string(d.data[d.i:end]) == word {
		d.i = end
		return true
	}
	return false
}

// number reads the number at d.i, checking JSON's grammar, and parses it
// as decodeSlow does: as strconv.ParseFloat, a number out of range being
// ±Inf or 0 and not an error.
//
// Most numbers of a log have at most 15 digits and a small exponent: for
// them it takes Clinger's fast path, which strconv takes too, without
// strconv's generality. The digits and the power of ten are then both
// exact float64s, and one IEEE multiplication or division rounds
// correctly, so the result is ParseFloat's to the bit (TestNumber).
func (d *decoder) number() (any, bool) {
	data, start := d.data, d.i
	i, neg := start, false
	if i < len(data) && data[i] == '-' {
		neg = true
		i++
	}
	var mant uint64
	// digits counts mant's digits from its first that is not 0, frac
	// those after the point.
	digits, frac := 0, 0
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && data[i] >= '1' && data[i] <= '9':
		for ; i < len(data) && data[i] >= '0' && data[i] <= '9'; i++ {
			mant = mant*10 + uint64(data[i]-'0')
			digits++
		}
	default:
		return nil, false
	}
	if i < len(data) && data[i] == '.' {
		i++
		for ; i < len(data) && data[i] >= '0' && data[i] <= '9'; i++ {
			mant = mant*10 + uint64(data[i]-'0')
			frac++
			if mant != 0 {
				digits++
			}
		}
		if frac == 0 {
			return nil, false
		}
	}
	e := 0
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		eneg := false
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			eneg = data[i] == '-'
			i++
		}
		n := 0
		for ; i < len(data) && data[i] >= '0' && data[i] <= '9'; i++ {
			if e < 1000 { // beyond, strconv says what it is
				e = e*10 + int(data[i]-'0')
			}
			n++
		}
		if n == 0 {
			return nil, false
		}
		if eneg {
			e = -e
		}
	}
	d.i = i
	exp := e - frac // mant×10^exp is the number
	if digits > 15 || frac > 100 || e >= 1000 || e <= -1000 || exp < -22 || exp > 22 {
		f, err := strconv.ParseFloat(string(data[start:i]), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil, false
		}
		return f, true
	}
	f := float64(mant)
	if exp < 0 {
		f /= pow10[-exp]
	} else {
		f *= pow10[exp]
	}
	if neg {
		f = -f
	}
	return f, true
}

// pow10 are the powers of ten a float64 holds exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// str reads the string at d.i (its opening quote) and returns its content
// as written, and whether that is the string: without escapes, and valid
// UTF-8 (encoding/json replaces invalid bytes with U+FFFD). ok is false
// for a string JSON does not allow.
func (d *decoder) str() (raw []byte, plain, ok bool) {
	data := d.data
	start := d.i + 1
	escaped, high := false, false
	for i := start; i < len(data); i++ {
		if i = nextStop(data, i); i == len(data) {
			break
		}
		switch c := data[i]; {
		case c == '"':
			d.i = i + 1
			raw = data[start:i]
			return raw, !escaped && (!high || utf8.Valid(raw)), true
		case c >= utf8.RuneSelf:
			high = true
		case c == '\\':
			escaped = true
			i++
			if i >= len(data) {
				return nil, false, false
			}
			switch data[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(data) || !isHex(data[i+1]) || !isHex(data[i+2]) || !isHex(data[i+3]) || !isHex(data[i+4]) {
					return nil, false, false
				}
				i += 4
			default:
				return nil, false, false
			}
		default: // a control character
			return nil, false, false
		}
	}
	return nil, false, false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// unquote decodes the content of a string that str found not plain,
// exactly as encoding/json does (its unquoteBytes): escapes decoded, a
// surrogate pair written as two \u escapes joined, and a lone surrogate
// or a byte that is not UTF-8 replaced with U+FFFD. raw has been checked
// by str.
func unquote(raw []byte) (string, bool) {
	b := make([]byte, 0, len(raw)+2*utf8.UTFMax)
	for r := 0; r < len(raw); {
		switch c := raw[r]; {
		case c == '\\':
			if r+1 >= len(raw) {
				return "", false
			}
			switch e := raw[r+1]; e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				rr := getu4(raw[r:])
				if rr < 0 {
					return "", false
				}
				r += 6
				if utf16.IsSurrogate(rr) {
					if dec := utf16.DecodeRune(rr, getu4(raw[r:])); dec != unicode.ReplacementChar {
						r += 6
						b = utf8.AppendRune(b, dec)
						continue
					}
					rr = unicode.ReplacementChar
				}
				b = utf8.AppendRune(b, rr)
				continue
			default:
				return "", false
			}
			r += 2
		case c < utf8.RuneSelf:
			b = append(b, c)
			r++
		default:
			rr, size := utf8.DecodeRune(raw[r:])
			r += size
			b = utf8.AppendRune(b, rr)
		}
	}
	return string(b), true
}

// getu4 decodes \uXXXX at the start of s, or returns -1.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// knownKey returns the keys a log usually has as constants, so that a
// log's repeated keys (a dozen in each phase) cost no allocation.
func knownKey(raw []byte) (string, bool) {
	switch string(raw) {
	case "metadata":
		return "metadata", true
	case "model":
		return "model", true
	case "phases":
		return "phases", true
	case "results":
		return "results", true
	case "timing":
		return "timing", true
	case KeyStatus:
		return KeyStatus, true
	case KeyError:
		return KeyError, true
	case KeyBenchmarkName:
		return KeyBenchmarkName, true
	case KeyRunID:
		return KeyRunID, true
	case KeyTimestampStart:
		return KeyTimestampStart, true
	case KeyTimestampEnd:
		return KeyTimestampEnd, true
	case KeyHostname:
		return KeyHostname, true
	case KeyPlatform:
		return KeyPlatform, true
	case KeyCPUModel:
		return KeyCPUModel, true
	case KeyCPUCount:
		return KeyCPUCount, true
	case KeyMemoryTotal:
		return KeyMemoryTotal, true
	case KeyAccelerator:
		return KeyAccelerator, true
	case KeyCUDA:
		return KeyCUDA, true
	case KeyGitCommit:
		return KeyGitCommit, true
	case KeyGitDirty:
		return KeyGitDirty, true
	case KeyConfigFile:
		return KeyConfigFile, true
	case "name":
		return "name", true
	case "architecture":
		return "architecture", true
	case "dataset":
		return "dataset", true
	case KeyBatchSize:
		return KeyBatchSize, true
	case "seed":
		return "seed", true
	case KeyMAE:
		return KeyMAE, true
	case KeyPrecisionBits:
		return KeyPrecisionBits, true
	case "samples":
		return "samples", true
	case "output_sample":
		return "output_sample", true
	case "reference_output_sample":
		return "reference_output_sample", true
	case KeyTotalDuration:
		return KeyTotalDuration, true
	case KeyPreprocessingTotal:
		return KeyPreprocessingTotal, true
	case KeyDuration:
		return KeyDuration, true
	case KeyStartTime:
		return KeyStartTime, true
	case KeyParent:
		return KeyParent, true
	case KeyCPUUser:
		return KeyCPUUser, true
	case KeyCPUSystem:
		return KeyCPUSystem, true
	case KeyCPUChildren:
		return KeyCPUChildren, true
	case KeyRSSStart:
		return KeyRSSStart, true
	case KeyMemoryChange:
		return KeyMemoryChange, true
	case KeyPeakRSS:
		return KeyPeakRSS, true
	case KeyPeakSource:
		return KeyPeakSource, true
	case KeyGoHeapAlloc:
		return KeyGoHeapAlloc, true
	case KeyGoGCCycles:
		return KeyGoGCCycles, true
	case KeyChildPeakRSS:
		return KeyChildPeakRSS, true
	case KeyOverlapped:
		return KeyOverlapped, true
	}
	return "", false
}

// knownValue returns the string values a log repeats (a status and a peak
// RSS source in each phase) as constants: a constant in an interface
// costs no allocation, where a string read costs two.
func knownValue(raw []byte) (any, bool) {
	switch string(raw) {
	case "success":
		return "success", true
	case "failed":
		return "failed", true
	case "running":
		return "running", true
	case "interrupted":
		return "interrupted", true
	case "incomplete":
		return "incomplete", true
	case "hwm":
		return "hwm", true
	case "sampled":
		return "sampled", true
	}
	return nil, false
}
