package fixedpoint

import (
	"errors"
	"fmt"
	"math"

	"github.com/benchtrace/benchtrace/bench/internal/examples/internal/nn"
)

// ErrShape is returned when layers, ranges or inputs do not fit together.
var ErrShape = errors.New("shape mismatch")

// Layer is a dense layer in fixed point: W (Out rows of In, row-major) and
// B with Frac fraction bits.
type Layer struct {
	In, Out int
	W, B    []int64
	// maxRowL1 is the largest Σ_i |W[o*In+i]|, which bounds the
	// accumulator.
	maxRowL1 float64
	maxBias  float64
}

// Network is a compiled MLP: dense layers with an activation between them.
type Network struct {
	// Frac is the number of fraction bits of every value.
	Frac   uint
	Layers []Layer
	// Poly holds the Chebyshev coefficients, with Frac fraction bits, of the
	// polynomial used in place of ReLU on [-1, 1]; nil means exact ReLU.
	Poly []int64
}

// Stats counts what happened during Infer.
type Stats struct {
	// Activations is the number of activations evaluated.
	Activations int
	// OutOfRange is the number of activation inputs outside [-1, 1], where
	// the polynomial no longer approximates ReLU.
	OutOfRange int
}

// Add adds o to s.
func (s *Stats) Add(o Stats) {
	s.Activations += o.Activations
	s.OutOfRange += o.OutOfRange
}

// Fold returns the layers of m with the activation input ranges folded in:
// ranges[l][o] > 0 is the range of the input of the activation after
// output o of layer l, for every layer but the last. The folded network's
// activations see pre-activation/range, and their outputs are scaled back
// by the next layer.
func Fold(m *nn.MLP, ranges [][]float64) ([]nn.Dense, error) {
	if len(ranges) != len(m.Layers)-1 {
		return nil, fmt.Errorf("folding %d activation ranges into %d layers: %w", len(ranges), len(m.Layers), ErrShape)
	}
	out := make([]nn.Dense, len(m.Layers))
	for l, d := range m.Layers {
		f := nn.Dense{In: d.In, Out: d.Out, W: make([]float64, len(d.W)), B: make([]float64, len(d.B))}
		var rIn, rOut []float64
		if l > 0 {
			rIn = ranges[l-1]
		}
		if l < len(ranges) {
			rOut = ranges[l]
			if len(rOut) != d.Out {
				return nil, fmt.Errorf("folding %d ranges into layer %d of %d outputs: %w", len(rOut), l, d.Out, ErrShape)
			}
			for o, r := range rOut {
				if !(r > 0) || math.IsInf(r, 0) {
					return nil, fmt.Errorf("folding range %v of layer %d output %d: %w", r, l, o, ErrShape)
				}
			}
		}
		for o := range d.Out {
			scale := 1.0
			if rOut != nil {
				scale = 1 / rOut[o]
			}
			f.B[o] = d.B[o] * scale
			for i := range d.In {
				w := d.W[o*d.In+i] * scale
				if rIn != nil {
					w *= rIn[i]
				}
				f.W[o*d.In+i] = w
			}
		}
		out[l] = f
	}
	return out, nil
}

// NewNetwork encodes folded layers (see Fold) with frac fraction bits. poly is
// the Chebyshev series of the activation on [-1, 1], or nil for exact
// ReLU.
func NewNetwork(layers []nn.Dense, poly []float64, frac uint) (*Network, error) {
	if frac == 0 || frac > 30 {
		return nil, fmt.Errorf("encoding a network with %d fraction bits, want 1 to 30: %w", frac, ErrShape)
	}
	n := &Network{Frac: frac}
	for l, d := range layers {
		if l > 0 && d.In != layers[l-1].Out {
			return nil, fmt.Errorf("encoding layer %d of %d inputs after %d outputs: %w", l, d.In, layers[l-1].Out, ErrShape)
		}
		w, err := EncodeSlice(d.W, frac)
		if err != nil {
			return nil, fmt.Errorf("encoding layer %d weights: %w", l, err)
		}
		b, err := EncodeSlice(d.B, frac)
		if err != nil {
			return nil, fmt.Errorf("encoding layer %d biases: %w", l, err)
		}
		q := Layer{In: d.In, Out: d.Out, W: w, B: b}
		for o := range d.Out {
			var l1 float64
			for _, v := range w[o*d.In : (o+1)*d.In] {
				l1 += math.Abs(float64(v))
			}
			q.maxRowL1 = max(q.maxRowL1, l1)
			q.maxBias = max(q.maxBias, math.Abs(float64(b[o])))
		}
		n.Layers = append(n.Layers, q)
	}
	if poly != nil {
		p, err := EncodeSlice(poly, frac)
		if err != nil {
			return nil, fmt.Errorf("encoding the activation polynomial: %w", err)
		}
		n.Poly = p
	}
	return n, nil
}

// Inputs returns the number of inputs.
func (n *Network) Inputs() int { return n.Layers[0].In }

// Outputs returns the number of outputs.
func (n *Network) Outputs() int { return n.Layers[len(n.Layers)-1].Out }

// Infer evaluates the network on x (Frac fraction bits) and returns the
// logits (Frac fraction bits).
func (n *Network) Infer(x []int64) ([]int64, Stats, error) {
	var st Stats
	if len(x) != n.Inputs() {
		return nil, st, fmt.Errorf("inferring on %d values, want %d: %w", len(x), n.Inputs(), ErrShape)
	}
	in := x
	for l := range n.Layers {
		d := &n.Layers[l]
		z, err := d.apply(in, n.Frac)
		if err != nil {
			return nil, st, fmt.Errorf("layer %d: %w", l, err)
		}
		if l == len(n.Layers)-1 {
			return z, st, nil
		}
		one := int64(1) << n.Frac
		for o, t := range z {
			st.Activations++
			if t > one || t < -one {
				st.OutOfRange++
			}
			if n.Poly == nil {
				z[o] = max(t, 0)
				continue
			}
			if z[o], err = n.evalPoly(t); err != nil {
				return nil, st, fmt.Errorf("layer %d activation %d: %w", l, o, err)
			}
		}
		in = z
	}
	panic("unreachable") // the loop returns at the last layer
}

// apply returns W·x + B. The products are summed with 2·frac fraction
// bits and rescaled once, as a CKKS plaintext-ciphertext product is.
func (d *Layer) apply(x []int64, frac uint) ([]int64, error) {
	var maxX int64
	for _, v := range x {
		if v >= limit || v <= -limit {
			return nil, fmt.Errorf("input %d: %w", v, ErrOverflow)
		}
		maxX = max(maxX, v, -v)
	}
	// Σ|w·x| ≤ maxRowL1·maxX; with the bias this must stay below the limit
	// for the int64 sums never to wrap. float64 rounding is far below the
	// margin of one bit.
	if d.maxRowL1*float64(maxX)+d.maxBias*math.Ldexp(1, int(frac)) >= limit/2 {
		return nil, fmt.Errorf("inputs up to %v: %w", Decode(maxX, frac), ErrOverflow)
	}
	z := make([]int64, d.Out)
	for o := range z {
		w := d.W[o*d.In : (o+1)*d.In]
		acc := d.B[o] << frac
		for i, v := range x {
			acc += w[i] * v
		}
		z[o] = Rescale(acc, frac)
	}
	return z, nil
}

// evalPoly returns Σ Poly[k]·T_k(t) by Clenshaw's recurrence, one rescaled
// multiplication per degree.
func (n *Network) evalPoly(t int64) (int64, error) {
	c := n.Poly
	var b1, b2 int64
	t2 := 2 * t
	for k := len(c) - 1; k >= 1; k-- {
		p, err := Mul(t2, b1, n.Frac)
		if err != nil {
			return 0, err
		}
		s, err := sum3(c[k], p, -b2)
		if err != nil {
			return 0, err
		}
		b1, b2 = s, b1
	}
	p, err := Mul(t, b1, n.Frac)
	if err != nil {
		return 0, err
	}
	return sum3(c[0], p, -b2)
}

// sum3 returns a+b+c for terms in (-limit, limit), failing when a+b or the
// sum is not in that range. A sum of two such terms never wraps, so
// checking after each addition is exact.
func sum3(a, b, c int64) (int64, error) {
	s := a + b
	if s < limit && s > -limit {
		s += c
	}
	if s >= limit || s <= -limit {
		return 0, fmt.Errorf("adding %d, %d and %d: %w", a, b, c, ErrOverflow)
	}
	return s, nil
}
