package analyze

import (
	"encoding/binary"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

// This file keeps the summaries of many runs compactly: a record of about
// 50 bytes a run, where a decoded log takes about 10 KB and a Run 250.
//
// The strings that runs share (benchmark, model, dataset, status, main
// phase, first line of the error) are interned together as a "kind". A
// record holds the rest: the start time, the figures, and what it takes to
// give back the log's path and its timestamp_start as written; both are
// usually derived (from the directory, the benchmark and the start time)
// rather than stored.

// kind is what many runs share.
type kind struct {
	name, model, architecture, dataset, status, mainPhase, errLine string
	modelIsString, datasetIsString                                 bool
	outcome                                                        Outcome
	safeName                                                       string // benchlog.SafeName(name), for the file names
}

// kindKey identifies a kind by its interned strings.
type kindKey struct {
	strs  [7]uint32
	flags uint8
}

// Record flags.
const (
	fStart      = 1 << iota // Start is set
	fStartText0             // timestamp_start as shown: textNA, textRaw, textLayout, textPython
	fStartText1
	fStartIsString
	fPath0 // the path: pathIndex, pathDerived, pathRaw
	fPath1
	fHasError
	fHasMAE
	fHasMem
	fDuration
	fMain
	fPre
	fMAE
	fPrecision
	fUser
	fSys
	fWall0 // CPUWallSeconds: wallZero, wallDuration, wallOwn
	fWall1
	fPeak
	fStartWide      // the start is outside what Unix nanoseconds hold
	fPrecisionOfMAE // PrecisionBits is -log2(MAE), as the logs compute it
)

// How a record gives back metadata.timestamp_start as the summary shows
// it.
const (
	textNA     = iota // missing or null: "N/A"
	textRaw           // stored
	textLayout        // the start time, in its offset, in benchlog.TimeLayout
	textPython        // the start time, local, as the Python logger wrote it
)

// pythonLayout is how the Python logger wrote timestamps.
const pythonLayout = "2006-01-02T15:04:05.000000"

// How a record gives back its path.
const (
	pathIndex   = iota // the index of the file in the list loaded
	pathDerived        // dir/{safe name}_{start as YYYYMMDD_HHMMSS}.json
	pathRaw            // stored: the name in dir
)

// How a record gives back CPUWallSeconds.
const (
	wallZero = iota
	wallDuration
	wallOwn
)

// fileStamp is the layout of the start time in a log's file name.
const fileStamp = "20060102_150405"

// chunkRecords is how many records a chunk holds.
const chunkRecords = 1 << 12

// chunk holds records back to back; off[j] is where record j ends.
type chunk struct {
	data []byte
	end  []uint32
}

// store holds the records of loaded runs, and what they share. It is not
// safe for concurrent use: loading locks around it.
type store struct {
	chunks []*chunk
	n      int

	strs    map[string]uint32
	strList []string
	kinds   map[kindKey]uint32
	kindOf  []kind

	// dir is the directory of pathDerived and pathRaw records, files
	// the list of pathIndex ones.
	dir   string
	files []string

	// zones are the fixed zones of the textLayout records, by offset;
	// filled while loading, only read after.
	zones map[int]*time.Location
}

func newStore(dir string, files []string) *store {
	return &store{
		strs:  map[string]uint32{},
		kinds: map[kindKey]uint32{},
		dir:   dir,
		files: files,
		zones: map[int]*time.Location{},
	}
}

// intern returns the id of s; it copies s only the first time.
func (st *store) intern(s []byte) uint32 {
	if id, ok := st.strs[string(s)]; ok {
		return id
	}
	id := uint32(len(st.strList))
	str := string(s)
	st.strs[str] = id
	st.strList = append(st.strList, str)
	return id
}

func (st *store) internKind(k *kindKey, strs *[7][]byte) uint32 {
	for i := range strs {
		k.strs[i] = st.intern(strs[i])
	}
	if id, ok := st.kinds[*k]; ok {
		return id
	}
	id := uint32(len(st.kindOf))
	st.kinds[*k] = id
	s := func(i int) string { return st.strList[k.strs[i]] }
	st.kindOf = append(st.kindOf, kind{
		name: s(0), model: s(1), architecture: s(2), dataset: s(3), status: s(4), mainPhase: s(5), errLine: s(6),
		modelIsString: k.flags&1 != 0, datasetIsString: k.flags&2 != 0,
		outcome: outcomeOf(s(4)), safeName: benchlog.SafeName(s(0)),
	})
	return id
}

// add appends a record and returns its id.
func (st *store) add(rec []byte) uint32 {
	if st.n%chunkRecords == 0 {
		// Sized as the chunk before, or at 64 bytes a record (about a
		// record's size) for the first: grown by copying only when
		// records get longer.
		size := chunkRecords * 64
		if n := len(st.chunks); n > 0 {
			size = len(st.chunks[n-1].data) + len(st.chunks[n-1].data)/16
		}
		st.chunks = append(st.chunks, &chunk{data: make([]byte, 0, size), end: make([]uint32, 0, chunkRecords)})
	}
	c := st.chunks[len(st.chunks)-1]
	if len(c.data)+len(rec) > cap(c.data) {
		// Grow by hand: at least 64 KiB more, and no doubling of a
		// large chunk.
		grown := make([]byte, len(c.data), len(c.data)+max(len(rec), 64<<10))
		copy(grown, c.data)
		c.data = grown
	}
	c.data = append(c.data, rec...)
	c.end = append(c.end, uint32(len(c.data)))
	st.n++
	return uint32(st.n - 1)
}

// record returns the bytes of record id.
func (st *store) record(id uint32) []byte {
	c := st.chunks[id/chunkRecords]
	j := id % chunkRecords
	start := uint32(0)
	if j > 0 {
		start = c.end[j-1]
	}
	return c.data[start:c.end[j]]
}

// recordBuilder writes one record.
type recordBuilder struct{ b []byte }

func (w *recordBuilder) uvarint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *recordBuilder) varint(v int64)   { w.b = binary.AppendVarint(w.b, v) }
func (w *recordBuilder) bytes(s []byte) {
	w.uvarint(uint64(len(s)))
	w.b = append(w.b, s...)
}

// Floats are written as an integer count of a decimal unit when that gives
// the float back exactly (durations written to the nanosecond, "0.5",
// "59.9"), else as their 8 bytes.
var floatScales = [...]float64{1, 1e3, 1e6, 1e9}

func (w *recordBuilder) float(f float64) {
	for i, scale := range floatScales {
		k := math.Round(f * scale)
		if math.Abs(k) < 1<<53 && k/scale == f && !(f == 0 && math.Signbit(f)) {
			w.uvarint(uint64(i+1) | uint64(zigzag(int64(k)))<<3)
			return
		}
	}
	w.uvarint(0)
	w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(f))
}

func zigzag(v int64) uint64 { return uint64(v<<1) ^ uint64(v>>63) }

func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

// recordReader reads one record.
type recordReader struct {
	b []byte
	i int
}

func (r *recordReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b[r.i:])
	r.i += n
	return v
}

func (r *recordReader) varint() int64 {
	v, n := binary.Varint(r.b[r.i:])
	r.i += n
	return v
}

func (r *recordReader) bytes() []byte {
	n := int(r.uvarint())
	s := r.b[r.i : r.i+n]
	r.i += n
	return s
}

func (r *recordReader) float() float64 {
	tag := r.uvarint()
	if tag == 0 {
		f := math.Float64frombits(binary.LittleEndian.Uint64(r.b[r.i:]))
		r.i += 8
		return f
	}
	return float64(unzigzag(tag>>3)) / floatScales[tag&7-1]
}

// Unix seconds whose nanoseconds an int64 holds (1678 to 2262).
const (
	minNanoSec = math.MinInt64/1_000_000_000 + 1
	maxNanoSec = math.MaxInt64/1_000_000_000 - 1
)

// A record begins with its start time in Unix nanoseconds (8 bytes),
// then its flags, then, for a start outside 1678–2262 (fStartWide), the
// start as seconds and nanoseconds, then its kind.

// startOf returns the start time of a record, as Unix seconds and
// nanoseconds, and whether it has one, and where what follows begins.
func startOf(rec []byte) (sec int64, nsec uint32, ok bool, next int) {
	key := int64(binary.LittleEndian.Uint64(rec))
	flags, n := binary.Uvarint(rec[8:])
	next = 8 + n
	if flags&fStartWide != 0 {
		s, n := binary.Varint(rec[next:])
		next += n
		ns, n := binary.Uvarint(rec[next:])
		next += n
		return s, uint32(ns), true, next
	}
	sec, rem := key/1e9, key%1e9
	if rem < 0 {
		sec, rem = sec-1, rem+1e9
	}
	return sec, uint32(rem), flags&fStart != 0, next
}

// entry is one run to add to a store: the Run's figures, with the strings
// it shares as bytes (interned when added), the start time as parsed, and
// how to get its path and timestamp back.
type entry struct {
	run        *Run
	strs       [7][]byte // name, model, architecture, dataset, status, main phase, error line
	modelStr   bool
	datasetStr bool
	start      time.Time // as parsed, in its own zone
	startText  []byte    // as shown; nil for N/A
	startIsStr bool
	hasError   bool
	hasMAE     bool
	base       string // the file's name in the store's directory
	index      int    // the file's index in the store's list
}

// encode appends e's record to w, interning its kind into st.
func (st *store) encode(w *recordBuilder, e *entry, scratch []byte) []byte {
	r := e.run
	var k kindKey
	if e.modelStr {
		k.flags |= 1
	}
	if e.datasetStr {
		k.flags |= 2
	}
	kid := st.internKind(&k, &e.strs)
	kd := &st.kindOf[kid]

	flags := uint64(0)
	var sec int64
	var nsec uint32
	if !r.Start.IsZero() {
		flags |= fStart
		sec, nsec = r.Start.Unix(), uint32(r.Start.Nanosecond())
	}
	text := textNA
	_, offset := e.start.Zone()
	if e.startText != nil {
		text = textRaw
		if !e.start.IsZero() && e.startIsStr {
			scratch = e.start.AppendFormat(scratch[:0], benchlog.TimeLayout)
			if string(scratch) == string(e.startText) {
				text = textLayout
			} else if e.start.Location() == time.Local {
				scratch = e.start.AppendFormat(scratch[:0], pythonLayout)
				if string(scratch) == string(e.startText) {
					text = textPython
				}
			}
		}
	}
	flags |= uint64(text) << 1
	if e.startIsStr {
		flags |= fStartIsString
	}
	path := pathIndex
	if st.files == nil {
		path = pathRaw
		if text == textLayout || text == textPython {
			scratch = append(scratch[:0], kd.safeName...)
			scratch = append(scratch, '_')
			scratch = e.start.AppendFormat(scratch, fileStamp)
			scratch = append(scratch, ".json"...)
			if string(scratch) == e.base {
				path = pathDerived
			}
		}
	}
	flags |= uint64(path) << 4
	set := func(bit uint64, b bool) {
		if b {
			flags |= bit
		}
	}
	set(fHasError, e.hasError)
	set(fHasMAE, e.hasMAE)
	set(fHasMem, r.HasMemoryChange)
	set(fDuration, !math.IsNaN(r.Duration))
	set(fMain, !math.IsNaN(r.MainPhaseSeconds))
	set(fPre, !math.IsNaN(r.PreprocessingSeconds))
	set(fMAE, !math.IsNaN(r.MAE))
	set(fPrecision, !math.IsNaN(r.PrecisionBits))
	set(fUser, !math.IsNaN(r.CPUUserSeconds))
	set(fSys, !math.IsNaN(r.CPUSystemSeconds))
	wall := wallOwn
	switch {
	case r.CPUWallSeconds == 0 && !math.Signbit(r.CPUWallSeconds):
		wall = wallZero
	case math.Float64bits(r.CPUWallSeconds) == math.Float64bits(r.Duration):
		wall = wallDuration
	}
	flags |= uint64(wall) << 16
	set(fPeak, r.PeakRSSBytes != 0)

	if flags&fPrecision != 0 && flags&fMAE != 0 && math.Float64bits(-math.Log2(r.MAE)) == math.Float64bits(r.PrecisionBits) {
		flags = flags&^fPrecision | fPrecisionOfMAE
	}
	key := int64(0)
	switch {
	case flags&fStart == 0:
	case sec < minNanoSec || sec > maxNanoSec:
		flags |= fStartWide
		key = math.MinInt64
		if sec > 0 {
			key = math.MaxInt64
		}
	default:
		key = sec*1e9 + int64(nsec)
	}
	w.b = binary.LittleEndian.AppendUint64(w.b[:0], uint64(key))
	w.uvarint(flags)
	if flags&fStartWide != 0 {
		w.varint(sec)
		w.uvarint(uint64(nsec))
	}
	w.uvarint(uint64(kid))
	switch text {
	case textRaw:
		w.bytes(e.startText)
	case textLayout:
		w.varint(int64(offset))
		if _, ok := st.zones[offset]; !ok {
			st.zones[offset] = time.FixedZone("", offset)
		}
	}
	switch path {
	case pathIndex:
		w.uvarint(uint64(e.index))
	case pathRaw:
		w.bytes([]byte(e.base))
	}
	for _, f := range []struct {
		bit uint64
		v   float64
	}{
		{fDuration, r.Duration}, {fMain, r.MainPhaseSeconds}, {fPre, r.PreprocessingSeconds},
		{fMAE, r.MAE}, {fPrecision, r.PrecisionBits}, {fUser, r.CPUUserSeconds}, {fSys, r.CPUSystemSeconds},
	} {
		if flags&f.bit != 0 {
			w.float(f.v)
		}
	}
	if wall == wallOwn {
		w.float(r.CPUWallSeconds)
	}
	if r.PeakRSSBytes != 0 {
		w.varint(r.PeakRSSBytes)
	}
	if r.HasMemoryChange {
		w.varint(r.MemoryChangeBytes)
	}
	return scratch
}

// What store.decode fills beside the figures.
const (
	withText = 1 << iota // the start time as the log has it (Run.info.startText)
	withPath             // Run.Path
)

// decode fills r from record id: every field but Log, and Path and the
// start text only when what asks for them. Its strings are shared with the
// store, apart from those two.
func (st *store) decode(id uint32, r *Run, what uint8) {
	rec := st.record(id)
	sec, nsec, hasStart, next := startOf(rec)
	flags, _ := binary.Uvarint(rec[8:])
	rd := recordReader{b: rec, i: next}
	kd := &st.kindOf[rd.uvarint()]
	nan := math.NaN()
	*r = Run{
		Name:                 kd.name,
		Outcome:              kd.outcome,
		MainPhase:            kd.mainPhase,
		Duration:             nan,
		MainPhaseSeconds:     nan,
		PreprocessingSeconds: nan,
		MAE:                  nan,
		PrecisionBits:        nan,
		CPUUserSeconds:       nan,
		CPUSystemSeconds:     nan,
		HasMemoryChange:      flags&fHasMem != 0,
		info: runInfo{
			filled:          true,
			model:           kd.model,
			architecture:    kd.architecture,
			dataset:         kd.dataset,
			modelIsString:   kd.modelIsString,
			datasetIsString: kd.datasetIsString,
			startIsString:   flags&fStartIsString != 0,
			status:          kd.status,
			errLine:         kd.errLine,
			hasError:        flags&fHasError != 0,
			hasMAE:          flags&fHasMAE != 0,
			startText:       notAvailable,
		},
	}
	var start time.Time
	if hasStart {
		start = time.Unix(sec, int64(nsec))
		r.Start = start
	}
	text := what&withText != 0
	path := what&withPath != 0
	switch (flags >> 1) & 3 {
	case textRaw:
		if b := rd.bytes(); text {
			r.info.startText = string(b)
		}
	case textLayout:
		offset := int(rd.varint())
		if text {
			r.info.startText = st.startText(start, hasStart, sec, nsec, offset, true)
		}
		if path {
			start = start.In(st.zones[offset])
		}
	case textPython:
		if text {
			_, offset := start.Zone()
			r.info.startText = st.startText(start, hasStart, sec, nsec, offset, false)
		}
	}
	switch (flags >> 4) & 3 {
	case pathIndex:
		if i := rd.uvarint(); path {
			r.Path = st.files[i]
		}
	case pathDerived:
		if path {
			r.Path = filepath.Join(st.dir, kd.safeName+"_"+start.Format(fileStamp)+".json")
		}
	case pathRaw:
		if b := rd.bytes(); path {
			r.Path = filepath.Join(st.dir, string(b))
		}
	}
	for _, f := range []struct {
		bit uint64
		v   *float64
	}{
		{fDuration, &r.Duration}, {fMain, &r.MainPhaseSeconds}, {fPre, &r.PreprocessingSeconds},
		{fMAE, &r.MAE}, {fPrecision, &r.PrecisionBits}, {fUser, &r.CPUUserSeconds}, {fSys, &r.CPUSystemSeconds},
	} {
		if flags&f.bit != 0 {
			*f.v = rd.float()
		}
	}
	if flags&fPrecisionOfMAE != 0 {
		r.PrecisionBits = -math.Log2(r.MAE)
	}
	switch (flags >> 16) & 3 {
	case wallDuration:
		r.CPUWallSeconds = r.Duration
	case wallOwn:
		r.CPUWallSeconds = rd.float()
	}
	if flags&fPeak != 0 {
		r.PeakRSSBytes = rd.varint()
	}
	if flags&fHasMem != 0 {
		r.MemoryChangeBytes = rd.varint()
	}
}

// startText formats the start time of a record, start (sec.nsec, if
// hasStart), as a textLayout record (zone true: in the fixed zone of
// offset, in benchlog.TimeLayout) or a textPython one (local, whose
// offset is offset, in pythonLayout) gives it back: with appendStamp when
// it can, else, as before it, with AppendFormat.
func (st *store) startText(start time.Time, hasStart bool, sec int64, nsec uint32, offset int, zone bool) string {
	var buf [40]byte
	if hasStart {
		if b, ok := appendStamp(buf[:0], sec, nsec, offset, zone); ok {
			return string(b)
		}
	}
	if !zone {
		return string(start.AppendFormat(buf[:0], pythonLayout))
	}
	return string(start.In(st.zones[offset]).AppendFormat(buf[:0], benchlog.TimeLayout))
}

// kindOfRecord returns the kind of record id.
func (st *store) kindOfRecord(id uint32) *kind {
	rec := st.record(id)
	_, _, _, next := startOf(rec)
	rd := recordReader{b: rec, i: next}
	return &st.kindOf[rd.uvarint()]
}

// path returns the path of record id.
func (st *store) path(id uint32) string {
	var r Run
	st.decode(id, &r, withPath)
	return r.Path
}

// compare orders records a and b as sortRuns orders runs: by start time,
// those without one last, then by file name, then by path.
func (st *store) compare(a, b uint32) int {
	ra, rb := st.record(a), st.record(b)
	if ka, kb := int64(binary.LittleEndian.Uint64(ra)), int64(binary.LittleEndian.Uint64(rb)); ka != kb &&
		ra[8]&fStart != 0 && rb[8]&fStart != 0 {
		// Both started, at different Unix nanoseconds (or one outside
		// their range, whose key is then the range's end): the common
		// case, without decoding.
		if ka < kb {
			return -1
		}
		return 1
	}
	sa, na, oka, _ := startOf(ra)
	sb, nb, okb, _ := startOf(rb)
	switch {
	case oka != okb:
		if oka {
			return -1
		}
		return 1
	case oka && (sa != sb || na != nb):
		if sa != sb {
			if sa < sb {
				return -1
			}
			return 1
		}
		if na < nb {
			return -1
		}
		return 1
	}
	pa, pb := st.path(a), st.path(b)
	if c := strings.Compare(filepath.Base(pa), filepath.Base(pb)); c != 0 {
		return c
	}
	return strings.Compare(pa, pb)
}

// sortIDs puts ids in summary order.
func (st *store) sortIDs(ids []uint32) {
	slices.SortStableFunc(ids, st.compare)
}
