package fixedpoint

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// ErrOverflow is returned when a value or an intermediate result does not
// fit the int64 range.
var ErrOverflow = errors.New("fixed-point overflow")

// limit is the largest magnitude an encoded value or accumulator may reach:
// one bit below the int64 range, so that a sum of two in-range values never
// wraps.
const limit = 1 << 62

// Encode returns round(v·2^frac).
func Encode(v float64, frac uint) (int64, error) {
	s := math.Round(math.Ldexp(v, int(frac)))
	if !(math.Abs(s) < limit) { // also rejects NaN
		return 0, fmt.Errorf("encoding %v with %d fraction bits: %w", v, frac, ErrOverflow)
	}
	return int64(s), nil
}

// EncodeSlice encodes every value of v.
func EncodeSlice(v []float64, frac uint) ([]int64, error) {
	out := make([]int64, len(v))
	for i, x := range v {
		q, err := Encode(x, frac)
		if err != nil {
			return nil, fmt.Errorf("value %d: %w", i, err)
		}
		out[i] = q
	}
	return out, nil
}

// Decode returns q·2^-frac.
func Decode(q int64, frac uint) float64 { return math.Ldexp(float64(q), -int(frac)) }

// DecodeSlice decodes every value of q.
func DecodeSlice(q []int64, frac uint) []float64 {
	out := make([]float64, len(q))
	for i, v := range q {
		out[i] = Decode(v, frac)
	}
	return out
}

// Rescale divides a product of two values with frac fraction bits by
// 2^frac, rounding to nearest (halves up), which brings it back to frac
// fraction bits: the fixed-point analogue of a CKKS rescale.
func Rescale(acc int64, frac uint) int64 {
	if frac == 0 {
		return acc
	}
	return (acc + 1<<(frac-1)) >> frac
}

// Mul returns the product of a and b, both with frac fraction bits,
// rescaled to frac fraction bits. The product is formed in 128 bits, so Mul
// fails only when the rescaled result is out of range.
func Mul(a, b int64, frac uint) (int64, error) {
	neg := (a < 0) != (b < 0)
	hi, lo := bits.Mul64(abs(a), abs(b))
	if frac > 0 {
		// Add 2^(frac-1) to round; magnitudes round halves away from zero.
		var carry uint64
		lo, carry = bits.Add64(lo, 1<<(frac-1), 0)
		hi += carry
		lo = lo>>frac | hi<<(64-frac)
		hi >>= frac
	}
	if hi != 0 || lo >= limit {
		return 0, fmt.Errorf("multiplying %d by %d: %w", a, b, ErrOverflow)
	}
	if neg {
		return -int64(lo), nil
	}
	return int64(lo), nil
}

func abs(v int64) uint64 {
	if v < 0 {
		return uint64(-v) // also right for math.MinInt64
	}
	return uint64(v)
}
