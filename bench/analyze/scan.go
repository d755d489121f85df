package analyze

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"math/bits"
	"strconv"
	"unicode/utf8"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

// This file is the fast path of loading: a scanner over a run log's bytes
// that reads only what the summary needs (about twenty values of a few
// thousand bytes) and checks the syntax of the rest without building it.
// It allocates nothing for a well-formed log, apart from the strings it is
// asked to keep.
//
// The reference is benchlog.Decode followed by newRun: the scanner gives the
// same Run for every input that Decode accepts, which
// TestScanMatchesDecode and FuzzScanMatchesDecode check. Where the two
// would be costly to keep alike (a key with an escape, a section given
// twice, a displayed value that is not a string, bytes after the log, any
// syntax error), the scanner gives up with errSlowPath and the caller
// decodes the log in full instead: so an unusual log is still read right,
// and a broken one is reported with Decode's own words.

// errSlowPath says the scanner leaves this log to benchlog.Decode.
var errSlowPath = errors.New("log needs the full decoder")

// maxScanDepth bounds how deeply nested a value the scanner skips; deeper
// ones go to the full decoder.
const maxScanDepth = 512

// Value kinds of a scanned field.
const (
	kindAbsent byte = iota
	kindNull        // null, or Python's NaN, Infinity, -Infinity
	kindString
	kindNumber
	kindOther // a bool, an array or an object
)

// scannedValue is a value the summary shows or uses.
type scannedValue struct {
	kind byte
	// str is a string's content: a view of the log's bytes, or the
	// decoded string when it has escapes; for kindOther, the value's JSON.
	str []byte
	num float64
}

// float returns the value as benchlog.Object.Float does.
func (v *scannedValue) float() (float64, bool) {
	return v.num, v.kind == kindNumber
}

// int returns the value as benchlog.Object.Int does.
func (v *scannedValue) int() (int64, bool) {
	if v.kind == kindNumber && v.num == math.Trunc(v.num) && math.Abs(v.num) < 1<<63 {
		return int64(v.num), true
	}
	return 0, false
}

// scanned is what the summary needs from one log. Byte slices point into
// the log's data (or into the scanner's buffer of decoded strings).
type scanned struct {
	hasMetadata, hasPhases bool

	benchmark, start             scannedValue // metadata
	model, architecture, dataset scannedValue // model
	mae, precision               scannedValue // results
	hasMAE                       bool
	duration, preprocessing      scannedValue // timing
	mainPhase                    []byte       // <name> of the first timing.<name>_only that is a number
	mainSeconds                  float64
	timingPeak                   scannedValue
	timingUser, timingSys        scannedValue
	status                       scannedValue
	errorV                       scannedValue

	// From the phases, as Run.measure derives them.
	phasePeak            int64
	memChange            int64
	hasMemChange, hasCPU bool
	user, sys, wall      float64
}

func (s *scanned) reset() {
	*s = scanned{}
}

// scanner reads one log.
type scanner struct {
	data []byte
	i    int
	// strs holds the strings with escapes, decoded.
	strs []byte
	// notMain are timing's *_only keys seen whose value is not a number: a
	// later copy of the key is not the main phase either (Object.Get
	// returns the first).
	notMain [][]byte
}

func (s *scanner) ws() {
	d, i := s.data, s.i
	for i < len(d) && isSpace[d[i]] {
		i++
		// A log's indentation: spaces, eight at a time.
		for i+8 <= len(d) {
			if x := binary.LittleEndian.Uint64(d[i:]) ^ (ones * ' '); x != 0 {
				i += bits.TrailingZeros64(x) / 8
				break
			}
			i += 8
		}
	}
	s.i = i
}

// Eight bytes at a time (SWAR): ones has 1 in each byte, highs the high
// bit of each.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// stringStops has the high bit set in the bytes of x (eight bytes of a
// string, the first the lowest) that stringStop has: a quote, a
// backslash, a control character or a byte of multi-byte UTF-8. Bytes
// after the first such byte may be flagged wrongly (by a borrow), so
// only the lowest flag counts.
func stringStops(x uint64) uint64 {
	q := x ^ (ones * '"')
	b := x ^ (ones * '\\')
	return ((q-ones)&^q | (b-ones)&^b | (x-ones*0x20)&^x | x) & highs
}

// nextStop returns the index of the first byte of d at or after i that
// stringStop has, or len(d).
func nextStop(d []byte, i int) int {
	for i+8 <= len(d) {
		if m := stringStops(binary.LittleEndian.Uint64(d[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
		i += 8
	}
	for i < len(d) && !stringStop[d[i]] {
		i++
	}
	return i
}

// isSpace is JSON's white space. Both tables are data, not built at
// start-up.
var isSpace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

// stringStop are the bytes that end a run of plain bytes in a string: the
// quote, the backslash, control characters (not allowed) and the bytes of
// multi-byte UTF-8 (to be checked).
var stringStop = [256]bool{
	0x00: true, 0x01: true, 0x02: true, 0x03: true, 0x04: true, 0x05: true, 0x06: true, 0x07: true,
	0x08: true, 0x09: true, 0x0a: true, 0x0b: true, 0x0c: true, 0x0d: true, 0x0e: true, 0x0f: true,
	0x10: true, 0x11: true, 0x12: true, 0x13: true, 0x14: true, 0x15: true, 0x16: true, 0x17: true,
	0x18: true, 0x19: true, 0x1a: true, 0x1b: true, 0x1c: true, 0x1d: true, 0x1e: true, 0x1f: true,
	0x22: true, 0x5c: true, 0x80: true, 0x81: true, 0x82: true, 0x83: true, 0x84: true, 0x85: true,
	0x86: true, 0x87: true, 0x88: true, 0x89: true, 0x8a: true, 0x8b: true, 0x8c: true, 0x8d: true,
	0x8e: true, 0x8f: true, 0x90: true, 0x91: true, 0x92: true, 0x93: true, 0x94: true, 0x95: true,
	0x96: true, 0x97: true, 0x98: true, 0x99: true, 0x9a: true, 0x9b: true, 0x9c: true, 0x9d: true,
	0x9e: true, 0x9f: true, 0xa0: true, 0xa1: true, 0xa2: true, 0xa3: true, 0xa4: true, 0xa5: true,
	0xa6: true, 0xa7: true, 0xa8: true, 0xa9: true, 0xaa: true, 0xab: true, 0xac: true, 0xad: true,
	0xae: true, 0xaf: true, 0xb0: true, 0xb1: true, 0xb2: true, 0xb3: true, 0xb4: true, 0xb5: true,
	0xb6: true, 0xb7: true, 0xb8: true, 0xb9: true, 0xba: true, 0xbb: true, 0xbc: true, 0xbd: true,
	0xbe: true, 0xbf: true, 0xc0: true, 0xc1: true, 0xc2: true, 0xc3: true, 0xc4: true, 0xc5: true,
	0xc6: true, 0xc7: true, 0xc8: true, 0xc9: true, 0xca: true, 0xcb: true, 0xcc: true, 0xcd: true,
	0xce: true, 0xcf: true, 0xd0: true, 0xd1: true, 0xd2: true, 0xd3: true, 0xd4: true, 0xd5: true,
	0xd6: true, 0xd7: true, 0xd8: true, 0xd9: true, 0xda: true, 0xdb: true, 0xdc: true, 0xdd: true,
	0xde: true, 0xdf: true, 0xe0: true, 0xe1: true, 0xe2: true, 0xe3: true, 0xe4: true, 0xe5: true,
	0xe6: true, 0xe7: true, 0xe8: true, 0xe9: true, 0xea: true, 0xeb: true, 0xec: true, 0xed: true,
	0xee: true, 0xef: true, 0xf0: true, 0xf1: true, 0xf2: true, 0xf3: true, 0xf4: true, 0xf5: true,
	0xf6: true, 0xf7: true, 0xf8: true, 0xf9: true, 0xfa: true, 0xfb: true, 0xfc: true, 0xfd: true,
	0xfe: true, 0xff: true,
}

// peek returns the next byte, or 0 at the end.
func (s *scanner) peek() byte {
	if s.i < len(s.data) {
		return s.data[s.i]
	}
	return 0
}

// member starts the next member of an object whose '{' has been read: it
// reads the separator, the key and the colon, and returns the key (raw: a
// key with an escape is left to the slow path). ok is false after the
// closing '}'.
func (s *scanner) member(first bool) (key []byte, ok bool, err error) {
	s.ws()
	c := s.peek()
	if c == '}' {
		s.i++
		return nil, false, nil
	}
	if !first {
		if c != ',' {
			return nil, false, errSlowPath
		}
		s.i++
		s.ws()
	}
	if s.peek() != '"' {
		return nil, false, errSlowPath
	}
	raw, plain, err := s.rawString()
	if err != nil || !plain {
		return nil, false, errSlowPath
	}
	s.ws()
	if s.peek() != ':' {
		return nil, false, errSlowPath
	}
	s.i++
	s.ws()
	return raw, true, nil
}

// rawString reads a string at s.i (the opening quote) and returns its
// content as written, and whether that is the string: without escapes,
// and valid UTF-8 (encoding/json replaces invalid bytes with U+FFFD).
func (s *scanner) rawString() (raw []byte, plain bool, err error) {
	start := s.i + 1
	escaped, high := false, false
	d := s.data
	for i := start; i < len(d); i++ {
		if i = nextStop(d, i); i == len(d) {
			break
		}
		switch c := d[i]; {
		case c == '"':
			s.i = i + 1
			raw = s.data[start:i]
			return raw, !escaped && (!high || utf8.Valid(raw)), nil
		case c >= 0x80:
			high = true
		case c == '\\':
			escaped = true
			i++
			if i >= len(s.data) {
				return nil, false, errSlowPath
			}
			switch s.data[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(s.data) || !isHex(s.data[i+1]) || !isHex(s.data[i+2]) || !isHex(s.data[i+3]) || !isHex(s.data[i+4]) {
					return nil, false, errSlowPath
				}
				i += 4
			default:
				return nil, false, errSlowPath
			}
		case c < 0x20:
			return nil, false, errSlowPath
		}
	}
	return nil, false, errSlowPath
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// number reads a number at s.i, checking JSON's grammar, and returns its
// text.
func (s *scanner) number() ([]byte, error) {
	start, d := s.i, s.data
	i := start
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		for i++; i < len(d) && d[i] >= '0' && d[i] <= '9'; i++ {
		}
	default:
		return nil, errSlowPath
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			return nil, errSlowPath
		}
		for ; i < len(d) && d[i] >= '0' && d[i] <= '9'; i++ {
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			return nil, errSlowPath
		}
		for ; i < len(d) && d[i] >= '0' && d[i] <= '9'; i++ {
		}
	}
	s.i = i
	return d[start:i], nil
}

// literal reads word at s.i.
func (s *scanner) literal(word string) error {
	if !bytes.HasPrefix(s.data[s.i:], []byte(word)) {
		return errSlowPath
	}
	s.i += len(word)
	return nil
}

// nonFinite reads Python's NaN, Infinity or -Infinity at s.i, if there is
// one there: benchlog.Decode reads them as null.
func (s *scanner) nonFinite() bool {
	for _, w := range []string{"NaN", "Infinity", "-Infinity"} {
		if bytes.HasPrefix(s.data[s.i:], []byte(w)) {
			s.i += len(w)
			return true
		}
	}
	return false
}

// value reads the value at s.i into v: strings decoded, numbers parsed,
// others kept as their JSON text.
func (s *scanner) value(v *scannedValue) error {
	switch c := s.peek(); {
	case c == '"':
		raw, plain, err := s.rawString()
		if err != nil {
			return err
		}
		v.kind, v.str = kindString, raw
		if !plain {
			v.str, err = s.unescape(raw)
		}
		return err
	case c == 'n':
		v.kind = kindNull
		return s.literal("null")
	case c == 'N' || c == 'I' || c == '-' && s.i+1 < len(s.data) && s.data[s.i+1] == 'I':
		if !s.nonFinite() {
			return errSlowPath
		}
		v.kind = kindNull
		return nil
	case c == '-' || c >= '0' && c <= '9':
		text, err := s.number()
		if err != nil {
			return err
		}
		v.kind, v.num = kindNumber, parseNumber(text)
		return nil
	}
	start := s.i
	if err := s.skip(0); err != nil {
		return err
	}
	v.kind, v.str = kindOther, s.data[start:s.i]
	return nil
}

// pow10 are the powers of ten a float64 holds exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseNumber parses a number's text (valid JSON) as benchlog.Decode does:
// as strconv.ParseFloat, out of range being ±Inf or 0, not an error.
//
// Most numbers of a log have at most 15 digits and a small exponent: for
// them it takes Clinger's fast path, which strconv takes too, without
// strconv's generality. The digits and the power of ten are then both
// exact float64s, and one IEEE multiplication or division rounds
// correctly, so the result is ParseFloat's to the bit (TestParseNumber).
func parseNumber(text []byte) float64 {
	i, neg := 0, false
	if text[0] == '-' {
		neg, i = true, 1
	}
	var mant uint64
	digits, exp := 0, 0
	for ; i < len(text) && text[i] >= '0' && text[i] <= '9'; i++ {
		mant = mant*10 + uint64(text[i]-'0')
		if mant != 0 {
			digits++
		}
	}
	if i < len(text) && text[i] == '.' {
		for i++; i < len(text) && text[i] >= '0' && text[i] <= '9'; i++ {
			mant = mant*10 + uint64(text[i]-'0')
			exp--
			if mant != 0 {
				digits++
			}
		}
	}
	if i < len(text) { // an exponent
		i++
		eneg := false
		switch text[i] {
		case '-':
			eneg = true
			i++
		case '+':
			i++
		}
		e := 0
		for ; i < len(text) && e < 1000; i++ {
			e = e*10 + int(text[i]-'0')
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	// Unread exponent digits (an exponent of a thousand or more): the
	// general parser.
	if digits > 15 || exp < -22 || exp > 22 || i < len(text) {
		f, _ := strconv.ParseFloat(string(text), 64)
		return f
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
	return f
}

// unescape decodes a string with escapes or invalid UTF-8, as encoding/json does (invalid
// UTF-8 and lone surrogates become U+FFFD), into s.strs.
func (s *scanner) unescape(raw []byte) ([]byte, error) {
	var str string
	quoted := make([]byte, 0, len(raw)+2)
	quoted = append(append(append(quoted, '"'), raw...), '"')
	if err := json.Unmarshal(quoted, &str); err != nil {
		return nil, errSlowPath
	}
	start := len(s.strs)
	s.strs = append(s.strs, str...)
	return s.strs[start:len(s.strs):len(s.strs)], nil
}

// skip reads the value at s.i, checking its syntax.
func (s *scanner) skip(depth int) error {
	switch c := s.peek(); {
	case c == '"':
		_, _, err := s.rawString()
		return err
	case c == '{':
		if depth >= maxScanDepth {
			return errSlowPath
		}
		s.i++
		for first := true; ; first = false {
			_, ok, err := s.member(first)
			if err != nil || !ok {
				return err
			}
			if err := s.skip(depth + 1); err != nil {
				return err
			}
		}
	case c == '[':
		if depth >= maxScanDepth {
			return errSlowPath
		}
		s.i++
		s.ws()
		if s.peek() == ']' {
			s.i++
			return nil
		}
		for {
			s.ws()
			if err := s.skip(depth + 1); err != nil {
				return err
			}
			s.ws()
			switch s.peek() {
			case ',':
				s.i++
			case ']':
				s.i++
				return nil
			default:
				return errSlowPath
			}
		}
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == 'N' || c == 'I' || c == '-' && s.i+1 < len(s.data) && s.data[s.i+1] == 'I':
		if !s.nonFinite() {
			return errSlowPath
		}
		return nil
	case c == '-' || c >= '0' && c <= '9':
		_, err := s.number()
		return err
	}
	return errSlowPath
}

// section starts a top-level section that must be an object or null, as
// benchlog.Decode wants: it reports whether it is an object (whose '{' it
// has read).
func (s *scanner) section() (isObject bool, err error) {
	switch s.peek() {
	case '{':
		s.i++
		return true, nil
	case 'n':
		return false, s.literal("null")
	case 'N', 'I', '-':
		if s.nonFinite() {
			return false, nil
		}
	}
	return false, errSlowPath
}

// Top-level sections, for finding one given twice.
const (
	secMetadata = 1 << iota
	secModel
	secPhases
	secResults
	secTiming
	secStatus
	secError
)

// scan reads the summary of the log data into out. It returns errSlowPath
// when the log should be decoded in full instead.
func (s *scanner) scan(data []byte, out *scanned) error {
	*s = scanner{data: data, strs: s.strs[:0], notMain: s.notMain[:0]}
	out.reset()
	out.duration.kind, out.mainSeconds = kindAbsent, math.NaN()
	s.ws()
	if s.peek() != '{' {
		return errSlowPath
	}
	s.i++
	seen := 0
	for first := true; ; first = false {
		key, ok, err := s.member(first)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		sec := 0
		switch string(key) {
		case "metadata":
			sec = secMetadata
		case "model":
			sec = secModel
		case "phases":
			sec = secPhases
		case "results":
			sec = secResults
		case "timing":
			sec = secTiming
		case "status":
			sec = secStatus
		case "error":
			sec = secError
		default:
			if err := s.skip(0); err != nil {
				return err
			}
			continue
		}
		if seen&sec != 0 {
			return errSlowPath // the last one counts: rare enough for the slow path
		}
		seen |= sec
		switch sec {
		case secStatus:
			if err := s.value(&out.status); err != nil {
				return err
			}
			if out.status.kind != kindString && out.status.kind != kindNull {
				return errSlowPath // an error: Decode says which
			}
			continue
		case secError:
			if err := s.value(&out.errorV); err != nil {
				return err
			}
			continue
		}
		isObj, err := s.section()
		if err != nil {
			return err
		}
		switch sec {
		case secMetadata:
			out.hasMetadata = isObj
		case secPhases:
			out.hasPhases = isObj
		}
		if !isObj {
			continue
		}
		switch sec {
		case secMetadata:
			err = s.fields(map2{"benchmark_name", &out.benchmark, "timestamp_start", &out.start})
		case secModel:
			err = s.model(out)
		case secResults:
			err = s.results(out)
		case secTiming:
			err = s.timing(out)
		case secPhases:
			err = s.phases(out)
		}
		if err != nil {
			return err
		}
	}
	s.ws()
	if s.i != len(s.data) {
		return errSlowPath // Decode ignores what follows the log; so do we, slowly
	}
	return nil
}

// map2 names two keys of an object and where their values go.
type map2 struct {
	k1 string
	v1 *scannedValue
	k2 string
	v2 *scannedValue
}

// fields reads an object's members (after its '{'), keeping the first
// value of k1 and of k2 and skipping the others.
func (s *scanner) fields(m map2) error {
	for first := true; ; first = false {
		key, ok, err := s.member(first)
		if err != nil || !ok {
			return err
		}
		var v *scannedValue
		switch string(key) {
		case m.k1:
			v = m.v1
		case m.k2:
			v = m.v2
		}
		if err := s.valueOrSkip(v); err != nil {
			return err
		}
	}
}

func (s *scanner) model(out *scanned) error {
	for first := true; ; first = false {
		key, ok, err := s.member(first)
		if err != nil || !ok {
			return err
		}
		var v *scannedValue
		switch string(key) {
		case "name":
			v = &out.model
		case "architecture":
			v = &out.architecture
		case "dataset":
			v = &out.dataset
		}
		if err := s.valueOrSkip(v); err != nil {
			return err
		}
	}
}

func (s *scanner) results(out *scanned) error {
	err := s.fields(map2{benchlog.KeyMAE, &out.mae, benchlog.KeyPrecisionBits, &out.precision})
	out.hasMAE = out.mae.kind != kindAbsent
	return err
}

// valueOrSkip reads a value into v if it is the first of its key, skips
// it otherwise, or when v is nil (a key the summary does not need).
func (s *scanner) valueOrSkip(v *scannedValue) error {
	if v == nil || v.kind != kindAbsent {
		return s.skip(1)
	}
	return s.value(v)
}

func (s *scanner) timing(out *scanned) error {
	for first := true; ; first = false {
		key, ok, err := s.member(first)
		if err != nil || !ok {
			return err
		}
		switch string(key) {
		case benchlog.KeyTotalDuration:
			err = s.valueOrSkip(&out.duration)
		case benchlog.KeyPreprocessingTotal:
			err = s.valueOrSkip(&out.preprocessing)
		case benchlog.KeyPeakRSS:
			err = s.valueOrSkip(&out.timingPeak)
		case benchlog.KeyCPUUser:
			err = s.valueOrSkip(&out.timingUser)
		case benchlog.KeyCPUSystem:
			err = s.valueOrSkip(&out.timingSys)
		default:
			name, isMain := bytes.CutSuffix(key, []byte(benchlog.MainPhaseSuffix))
			if !isMain || len(name) == 0 || out.mainPhase != nil {
				err = s.skip(1)
				break
			}
			var v scannedValue
			if err = s.value(&v); err != nil {
				break
			}
			if v.kind != kindNumber {
				s.notMain = append(s.notMain, key)
				break
			}
			if !s.wasNotMain(key) {
				out.mainPhase, out.mainSeconds = name, v.num
			}
		}
		if err != nil {
			return err
		}
	}
}

func (s *scanner) wasNotMain(key []byte) bool {
	for _, k := range s.notMain {
		if bytes.Equal(k, key) {
			return true
		}
	}
	return false
}

// phases reads the phases object (after its '{'): Run.measure's sums, in
// the same order.
func (s *scanner) phases(out *scanned) error {
	for first := true; ; first = false {
		_, ok, err := s.member(first)
		if err != nil || !ok {
			return err
		}
		if s.peek() != '{' {
			// A number or other value: benchlog keeps it as a phase
			// with a duration or a value only, which measure ignores.
			if err := s.skip(1); err != nil {
				return err
			}
			continue
		}
		s.i++
		if err := s.phase(out); err != nil {
			return err
		}
	}
}

// phase reads one phase entry (after its '{').
func (s *scanner) phase(out *scanned) error {
	var peak, change, user, sys, dur scannedValue
	hasParent := false
	for first := true; ; first = false {
		key, ok, err := s.member(first)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		switch string(key) {
		case benchlog.KeyParent:
			hasParent = true
			err = s.skip(2)
		case benchlog.KeyPeakRSS:
			err = s.valueOrSkip(&peak)
		case benchlog.KeyMemoryChange:
			err = s.valueOrSkip(&change)
		case benchlog.KeyCPUUser:
			err = s.valueOrSkip(&user)
		case benchlog.KeyCPUSystem:
			err = s.valueOrSkip(&sys)
		case benchlog.KeyDuration:
			err = s.valueOrSkip(&dur)
		default:
			err = s.skip(2)
		}
		if err != nil {
			return err
		}
	}
	// As Run.measure.
	if p, ok := peak.int(); ok && p > out.phasePeak {
		out.phasePeak = p
	}
	if hasParent {
		return nil
	}
	if d, ok := change.int(); ok {
		out.memChange += d
		out.hasMemChange = true
	}
	u, okU := user.float()
	sy, okS := sys.float()
	if !okU && !okS {
		return nil
	}
	out.hasCPU = true
	out.user += u
	out.sys += sy
	if d, ok := dur.float(); ok {
		out.wall += d
	}
	return nil
}
