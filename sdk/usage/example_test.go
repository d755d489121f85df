package usage_test

import (
	"fmt"

	"github.com/benchtrace/benchtrace/sdk/usage"
)

func Example() {
	iv := usage.Default().Begin()
	buf := make([][]byte, 0, 64)
	for range 64 {
		buf = append(buf, make([]byte, 1<<20)) // 64 MiB on the Go heap
	}
	d := iv.End()
	fmt.Println(len(buf), d.HeapAlloc >= 64<<20, d.PeakRSS >= d.RSSStart)
	// Output: 64 true true
}
