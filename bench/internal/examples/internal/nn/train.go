package nn

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
)

// TrainConfig configures Train. Zero fields take the defaults in their
// comments.
type TrainConfig struct {
	// Epochs is the number of passes over the training set (default 10).
	Epochs int
	// BatchSize is the number of samples per Adam step (default 32).
	BatchSize int
	// LearningRate is Adam's step size (default 0.001).
	LearningRate float64
	// Beta1, Beta2 and Epsilon are Adam's moment decay rates and
	// denominator guard (defaults 0.9, 0.999 and 1e-8).
	Beta1, Beta2, Epsilon float64
	// WeightDecay shrinks the weights (not the biases) by
	// LearningRate·WeightDecay each step, decoupled from the gradient as in
	// AdamW (default 0: plain Adam).
	WeightDecay float64
}

func (c TrainConfig) withDefaults() TrainConfig {
	if c.Epochs == 0 {
		c.Epochs = 10
	}
	if c.BatchSize == 0 {
		c.BatchSize = 32
	}
	if c.LearningRate == 0 {
		c.LearningRate = 0.001
	}
	if c.Beta1 == 0 {
		c.Beta1 = 0.9
	}
	if c.Beta2 == 0 {
		c.Beta2 = 0.999
	}
	if c.Epsilon == 0 {
		c.Epsilon = 1e-8
	}
	return c
}

// TrainStats reports how training went.
type TrainStats struct {
	Epochs int
	Steps  int
	// Loss is the mean cross-entropy over the last epoch, measured while
	// training on it.
	Loss float64
	// Accuracy is the fraction of the last epoch's samples classified
	// correctly while training on them.
	Accuracy float64
}

// Train fits m to the samples x with labels y (in [0, m.Outputs())) by
// minimizing the softmax cross-entropy with mini-batch Adam. The samples
// are visited in a new order drawn from rng each epoch. Train stops early,
// returning ctx.Err(), when ctx is done.
func (m *MLP) Train(ctx context.Context, rng *rand.Rand, x [][]float64, y []int, cfg TrainConfig) (TrainStats, error) {
	c := cfg.withDefaults()
	if len(x) == 0 || len(x) != len(y) {
		return TrainStats{}, fmt.Errorf("training on %d samples with %d labels: %w", len(x), len(y), ErrShape)
	}
	for i, row := range x {
		if len(row) != m.Inputs() {
			return TrainStats{}, fmt.Errorf("training: sample %d has %d features, want %d: %w", i, len(row), m.Inputs(), ErrShape)
		}
		if y[i] < 0 || y[i] >= m.Outputs() {
			return TrainStats{}, fmt.Errorf("training: label %d of sample %d is not in [0, %d): %w", y[i], i, m.Outputs(), ErrShape)
		}
	}
	if c.Epochs < 0 || c.BatchSize < 0 || c.LearningRate < 0 || c.WeightDecay < 0 {
		return TrainStats{}, fmt.Errorf("training with %+v: %w", cfg, ErrShape)
	}

	t := newTrainer(m, c)
	order := make([]int, len(x))
	for i := range order {
		order[i] = i
	}
	var st TrainStats
	for epoch := range c.Epochs {
		if err := ctx.Err(); err != nil {
			return st, fmt.Errorf("training epoch %d: %w", epoch, err)
		}
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		var loss float64
		var correct int
		for start := 0; start < len(order); start += c.BatchSize {
			batch := order[start:min(start+c.BatchSize, len(order))]
			t.zeroGrad()
			for _, i := range batch {
				l, ok := t.backprop(x[i], y[i])
				loss += l
				if ok {
					correct++
				}
			}
			t.step(len(batch))
			st.Steps++
		}
		st.Epochs = epoch + 1
		st.Loss = loss / float64(len(x))
		st.Accuracy = float64(correct) / float64(len(x))
	}
	return st, nil
}

// trainer holds the gradients, Adam moments and activations of a training
// run.
type trainer struct {
	m      *MLP
	cfg    TrainConfig
	steps  int
	gw, gb [][]float64 // gradients, summed over the batch
	mw, mb [][]float64 // Adam first moments
	vw, vb [][]float64 // Adam second moments
	acts   [][]float64 // acts[0] is the input, acts[l+1] the output of layer l (after ReLU but for the last)
	deltas [][]float64 // deltas[l] is dLoss/dz for layer l
}

func newTrainer(m *MLP, cfg TrainConfig) *trainer {
	t := &trainer{m: m, cfg: cfg}
	alloc := func(n int) []float64 { return make([]float64, n) }
	t.acts = append(t.acts, nil)
	for _, d := range m.Layers {
		t.gw = append(t.gw, alloc(len(d.W)))
		t.gb = append(t.gb, alloc(len(d.B)))
		t.mw = append(t.mw, alloc(len(d.W)))
		t.mb = append(t.mb, alloc(len(d.B)))
		t.vw = append(t.vw, alloc(len(d.W)))
		t.vb = append(t.vb, alloc(len(d.B)))
		t.acts = append(t.acts, alloc(d.Out))
		t.deltas = append(t.deltas, alloc(d.Out))
	}
	return t
}

func (t *trainer) zeroGrad() {
	for l := range t.gw {
		clear(t.gw[l])
		clear(t.gb[l])
	}
}

// backprop adds the gradient of the loss on one sample to the batch
// gradient and returns the loss and whether the sample was classified
// correctly.
func (t *trainer) backprop(x []float64, label int) (float64, bool) {
	layers := t.m.Layers
	last := len(layers) - 1
	t.acts[0] = x
	for l := range layers {
		d := &layers[l]
		z := t.acts[l+1]
		d.apply(z, t.acts[l])
		if l < last {
			for i, v := range z {
				z[i] = max(v, 0)
			}
		}
	}

	// Softmax cross-entropy: dLoss/dlogit = softmax - onehot.
	logits := t.acts[last+1]
	mx := logits[Argmax(logits)]
	var sum float64
	dz := t.deltas[last]
	for i, v := range logits {
		dz[i] = math.Exp(v - mx)
		sum += dz[i]
	}
	for i := range dz {
		dz[i] /= sum
	}
	loss := -math.Log(max(dz[label], 1e-300))
	correct := Argmax(logits) == label
	dz[label]--

	for l := last; l >= 0; l-- {
		d := &layers[l]
		dz := t.deltas[l]
		in := t.acts[l]
		gw, gb := t.gw[l], t.gb[l]
		for o, g := range dz {
			if g == 0 {
				continue
			}
			gb[o] += g
			row := gw[o*d.In : (o+1)*d.In]
			for i, v := range in {
				row[i] += g * v
			}
		}
		if l == 0 {
			break
		}
		// dLoss/dh for the layer below, through its ReLU: its output
		// in[i] is 0 exactly where the ReLU was inactive.
		prev := t.deltas[l-1]
		clear(prev)
		for o, g := range dz {
			if g == 0 {
				continue
			}
			w := d.W[o*d.In : (o+1)*d.In]
			for i := range prev {
				prev[i] += g * w[i]
			}
		}
		for i, v := range in {
			if v <= 0 {
				prev[i] = 0
			}
		}
	}
	return loss, correct
}

// step applies one Adam update with the batch gradient averaged over n
// samples.
func (t *trainer) step(n int) {
	t.steps++
	c := t.cfg
	bc1 := 1 - math.Pow(c.Beta1, float64(t.steps))
	bc2 := 1 - math.Pow(c.Beta2, float64(t.steps))
	lr := c.LearningRate * math.Sqrt(bc2) / bc1
	inv := 1 / float64(n)
	update := func(p, g, m, v []float64, decay float64) {
		for i := range p {
			p[i] -= decay * p[i]
			gi := g[i] * inv
			m[i] = c.Beta1*m[i] + (1-c.Beta1)*gi
			v[i] = c.Beta2*v[i] + (1-c.Beta2)*gi*gi
			p[i] -= lr * m[i] / (math.Sqrt(v[i]) + c.Epsilon)
		}
	}
	for l := range t.m.Layers {
		d := &t.m.Layers[l]
		update(d.W, t.gw[l], t.mw[l], t.vw[l], c.LearningRate*c.WeightDecay)
		update(d.B, t.gb[l], t.mb[l], t.vb[l], 0)
	}
}
