package analyze

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// WriteCSV writes runs as CSV, one row per run in summary order, under a
// header row. The columns are the keys of the JSON export's per-run
// entries ("benchmarks"), in the same order and with the same values; a
// null is an empty cell. opts is not used: the rows have no options.
func WriteCSV(w io.Writer, runs []Run, opts Options) error {
	return writeBuffered(w, "writing summary", func(b *bufio.Writer) error {
		return writeCSV(b, sortedList(runs), opts)
	})
}

func writeCSV(b *bufio.Writer, runs runList, _ Options) error {
	cw := csv.NewWriter(b)
	if err := cw.Write(csvHeader()); err != nil {
		return fmt.Errorf("encoding CSV: %w", err)
	}
	err := forEachRow(runs, func(_ int, row *jsonRun) error {
		cells, err := csvCells(*row)
		if err == nil {
			err = cw.Write(cells)
		}
		if err != nil {
			return fmt.Errorf("encoding CSV: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return nil
}

// csvHeader returns the JSON names of jsonRun's fields, in order.
func csvHeader() []string {
	t := reflect.TypeFor[jsonRun]()
	names := make([]string, t.NumField())
	for i := range t.NumField() {
		names[i], _, _ = strings.Cut(t.Field(i).Tag.Get("json"), ",")
	}
	return names
}

// csvCells returns row's fields as the JSON export writes them, strings
// unquoted and null as "".
func csvCells(row jsonRun) ([]string, error) {
	v := reflect.ValueOf(row)
	cells := make([]string, v.NumField())
	for i := range v.NumField() {
		f := v.Field(i)
		if f.Kind() == reflect.Pointer {
			if f.IsNil() {
				continue
			}
			f = f.Elem()
		}
		if f.Kind() == reflect.String {
			cells[i] = f.String()
			continue
		}
		data, err := json.Marshal(f.Interface())
		if err != nil {
			return nil, err
		}
		if s := string(data); s != "null" {
			cells[i] = s
		}
	}
	return cells, nil
}
