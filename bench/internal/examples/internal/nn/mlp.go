package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// ErrShape is returned when sizes or data do not fit the network.
var ErrShape = errors.New("shape mismatch")

// Dense is a fully connected layer computing W·x + B. W has Out rows of In
// weights, row-major: the weight from input i to output o is W[o*In+i].
type Dense struct {
	In, Out int
	W, B    []float64
}

// MLP is a multilayer perceptron: its layers are applied in order, with a
// ReLU after every layer but the last, whose outputs are the logits.
type MLP struct {
	Layers []Dense
}

// New returns an MLP with the given layer sizes (inputs, hidden…, outputs),
// with He-initialized weights (normal, variance 2/In) and zero biases.
func New(rng *rand.Rand, sizes ...int) (*MLP, error) {
	if len(sizes) < 2 {
		return nil, fmt.Errorf("building an MLP from %d sizes: %w", len(sizes), ErrShape)
	}
	m := &MLP{}
	for l := 1; l < len(sizes); l++ {
		in, out := sizes[l-1], sizes[l]
		if in <= 0 || out <= 0 {
			return nil, fmt.Errorf("building an MLP with layer sizes %v: %w", sizes, ErrShape)
		}
		d := Dense{In: in, Out: out, W: make([]float64, in*out), B: make([]float64, out)}
		std := math.Sqrt(2 / float64(in))
		for i := range d.W {
			d.W[i] = std * rng.NormFloat64()
		}
		m.Layers = append(m.Layers, d)
	}
	return m, nil
}

// Inputs returns the number of inputs.
func (m *MLP) Inputs() int { return m.Layers[0].In }

// Outputs returns the number of outputs (logits).
func (m *MLP) Outputs() int { return m.Layers[len(m.Layers)-1].Out }

// Params returns the number of weights and biases.
func (m *MLP) Params() int {
	var n int
	for _, d := range m.Layers {
		n += len(d.W) + len(d.B)
	}
	return n
}

// apply sets z = W·x + B.
func (d *Dense) apply(z, x []float64) {
	for o := range d.Out {
		w := d.W[o*d.In : (o+1)*d.In]
		s := d.B[o]
		for i, xi := range x {
			s += w[i] * xi
		}
		z[o] = s
	}
}

// PreActivations returns the input of every layer's activation for the
// sample x: the first len(Layers)-1 slices are what the ReLUs see, the last
// is the logits.
func (m *MLP) PreActivations(x []float64) ([][]float64, error) {
	if len(x) != m.Inputs() {
		return nil, fmt.Errorf("evaluating an MLP with %d inputs on %d values: %w", m.Inputs(), len(x), ErrShape)
	}
	zs := make([][]float64, len(m.Layers))
	in := x
	for l := range m.Layers {
		d := &m.Layers[l]
		z := make([]float64, d.Out)
		d.apply(z, in)
		zs[l] = z
		if l < len(m.Layers)-1 {
			h := make([]float64, d.Out)
			for i, v := range z {
				h[i] = max(v, 0)
			}
			in = h
		}
	}
	return zs, nil
}

// Logits returns the network's outputs for the sample x.
func (m *MLP) Logits(x []float64) ([]float64, error) {
	zs, err := m.PreActivations(x)
	if err != nil {
		return nil, err
	}
	return zs[len(zs)-1], nil
}

// Argmax returns the index of the largest value (the first on ties).
func Argmax(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// Accuracy returns the fraction of rows of logits whose argmax is the label.
func Accuracy(logits [][]float64, labels []int) float64 {
	if len(logits) == 0 {
		return 0
	}
	var correct int
	for i, l := range logits {
		if Argmax(l) == labels[i] {
			correct++
		}
	}
	return float64(correct) / float64(len(logits))
}
