package human

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDuration(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0s"},
		{5e-9, "5.00ns"},
		{12.5e-6, "12.5µs"},
		{112.345e-6, "112µs"},
		{2.6584e-3, "2.66ms"},
		{9.996e-3, "10.0ms"},
		{40.365123e-3, "40.4ms"},
		{0.206, "206ms"},
		{0.6364, "636ms"},
		{0.9997, "1.00s"},
		{1.234, "1.23s"},
		{2.932909, "2.93s"},
		{60.22, "60.2s"},
		{83.456, "83.5s"},
		{245.6, "246s"},
		{3723, "3723s"},
		{-0.002, "-2.00ms"},
		{math.NaN(), "-"},
		{math.Inf(1), "-"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Duration(tt.in), "%g", tt.in)
	}
}

func TestBytes(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0 B"},
		{512, "512 B"},
		{1536, "1.5 KiB"},
		{83886080, "80.0 MiB"},
		{1288490188, "1.2 GiB"},
		{-8388608, "-8.0 MiB"},
		{math.NaN(), "-"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Bytes(tt.in), "%g", tt.in)
	}
}
