// Command genlogs writes N seeded run logs in the Orion layout
// (package genlogs), for measuring `benchtrace analyze`:
//
//	go run ./bench/tools/genlogs/cmd/genlogs -n 10000 -dir /tmp/logs10k
//
// The same seed gives the same files, byte for byte.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/benchtrace/benchtrace/bench/tools/genlogs"
)

func main() {
	n := flag.Int("n", 10000, "number of logs")
	dir := flag.String("dir", "logs", "write the logs into `DIR` (created)")
	seed := flag.Uint64("seed", 1, "random seed")
	broken := flag.Int("broken", 0, "also write `K` broken files (truncated JSON)")
	flag.Parse()
	if err := genlogs.Write(*dir, *n, *broken, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "genlogs:", err)
		os.Exit(1)
	}
}
