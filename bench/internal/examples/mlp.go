package examples

import (
	"context"
	"crypto/rand"
	"fmt"
	"math"
	mathrand "math/rand/v2"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"

	"github.com/benchtrace/benchtrace/bench/internal/datagen"
	"github.com/benchtrace/benchtrace/bench/internal/examples/internal/fixedpoint"
	"github.com/benchtrace/benchtrace/bench/internal/examples/internal/nn"
	"github.com/benchtrace/benchtrace/bench/internal/examples/internal/parallel"
	"github.com/benchtrace/benchtrace/bench/internal/examples/internal/polyapprox"
	"github.com/benchtrace/benchtrace/bench/internal/examples/internal/sealed"
	"github.com/benchtrace/benchtrace/sdk"
)

// mlpConfig sizes the approximate-inference benchmark.
type mlpConfig struct {
	train, test   int   // samples
	layers        []int // inputs, hidden…, classes
	separation    float64
	epochs, batch int
	learningRate  float64
	weightDecay   float64 // AdamW; keeps the activation ranges small
	calibration   int     // training samples the activation ranges come from
	margin        float64 // ranges are margin × the largest calibration value
	degree        int     // of the ReLU approximation
	fitPoints     int     // grid points of the least-squares fit
	frac          uint    // fixed-point fraction bits
}

func mlpConfigFor(size Size) mlpConfig {
	c := mlpConfig{
		train: 12000, test: 10000,
		layers:     []int{32, 64, 64, 8},
		separation: 1.5,
		epochs:     20, batch: 32, learningRate: 0.002, weightDecay: 0.5,
		calibration: 12000, margin: 1.5,
		degree: 127, fitPoints: 4001,
		frac: 20,
	}
	if size == Small {
		c.train, c.test = 2000, 500
		c.epochs = 4
		c.calibration = 2000
		c.degree = 31
	}
	return c
}

const mlpDataset = "synthetic-classification-32d-8c"

func mlpPolyReLU() Benchmark {
	return Benchmark{
		Name: "mlp_polyrelu_synthetic",
		Description: "confidential approximate inference: an MLP trained in float64, compiled with a polynomial ReLU " +
			"and 20-bit fixed point, evaluated on AES-256-GCM-encrypted inputs; MAE of the logits",
		Model: func(size Size) sdk.Model {
			c := mlpConfigFor(size)
			return sdk.Model{
				Name:         "MLP-3 poly-ReLU",
				Architecture: fmt.Sprintf("MLP %s, ReLU as a degree-%d polynomial", joinInts(c.layers, "-"), c.degree),
				Dataset:      fmt.Sprintf("%s (train %d, test %d)", mlpDataset, c.train, c.test),
				BatchSize:    1, // every sample is its own ciphertext and inference
				Seed:         Seed,
			}
		},
		MainPhase: "inference",
		Run: func(ctx context.Context, run *sdk.Run, size Size) error {
			return newPolyReLU(mlpConfigFor(size)).run(ctx, run)
		},
	}
}

// polyReLU is the state of one run of the approximate-inference
// benchmark, handed from phase to phase.
type polyReLU struct {
	cfg mlpConfig

	// initialization
	dataRNG, modelRNG *mathrand.Rand
	model             *nn.MLP
	client, server    *sealed.Box // one session key, as after attestation
	// data_loading
	train, test datagen.Dataset
	// cleartext_inference
	reference [][]float64
	// compile
	poly   []float64
	folded []nn.Dense
	// encode
	network *fixedpoint.Network
	encoded [][]int64
	// encrypt
	inputs [][]byte
	// inference
	outputs [][]byte
	// decrypt
	logitsQ [][]int64
	// decode
	logits [][]float64
}

func newPolyReLU(cfg mlpConfig) *polyReLU { return &polyReLU{cfg: cfg} }

func (p *polyReLU) run(ctx context.Context, run *sdk.Run) error {
	err := phases(ctx, run,
		step{"initialization", p.initialize},
		step{"data_loading", p.loadData},
		step{"fit", p.fit},
		step{"cleartext_inference", p.cleartextInference},
		step{"compile", p.compile},
		step{"encode", p.encode},
		step{"encrypt", p.encrypt},
		step{"inference", p.infer},
		step{"decrypt", p.decrypt},
		step{"decode", p.decode},
	)
	if err != nil {
		return err
	}
	acc, err := run.RecordAccuracy(flatten(p.reference), flatten(p.logits))
	if err != nil {
		return fmt.Errorf("recording accuracy: %w", err)
	}
	if acc.MAE == 0 || math.IsNaN(acc.MAE) || math.IsInf(acc.MAE, 0) {
		return fmt.Errorf("approximate logits have MAE %v, want a positive finite error", acc.MAE)
	}
	var agree int
	for i, ref := range p.reference {
		if nn.Argmax(ref) == nn.Argmax(p.logits[i]) {
			agree++
		}
	}
	run.SetResults(
		attribute.Float64("cleartext_accuracy", nn.Accuracy(p.reference, p.test.Y)),
		attribute.Float64("approximate_accuracy", nn.Accuracy(p.logits, p.test.Y)),
		attribute.Float64("argmax_agreement", float64(agree)/float64(len(p.reference))),
		attribute.Float64("max_abs_error", maxAbsDiff(p.reference, p.logits)),
	)
	return nil
}

// initialize allocates the model with its initial weights and sets up the
// session key.
func (p *polyReLU) initialize(ctx context.Context) error {
	p.dataRNG = datagen.NewRand(Seed)
	p.modelRNG = datagen.NewRand(Seed + 1)
	m, err := nn.New(p.modelRNG, p.cfg.layers...)
	if err != nil {
		return fmt.Errorf("allocating the model: %w", err)
	}
	p.model = m
	key, err := sealed.NewKey(rand.Reader)
	if err != nil {
		return err
	}
	if p.client, err = sealed.New(key); err != nil {
		return err
	}
	if p.server, err = sealed.New(key); err != nil {
		return err
	}
	sdk.PhaseFromContext(ctx).SetAttributes(
		attribute.Int("parameters", m.Params()),
		attribute.Int("seed", Seed),
	)
	return nil
}

// loadData generates the data set, splits it and standardizes it with the
// training set's statistics.
func (p *polyReLU) loadData(ctx context.Context) error {
	c := p.cfg
	d, err := datagen.Classification(p.dataRNG, datagen.ClassificationSpec{
		Samples:    c.train + c.test,
		Dim:        c.layers[0],
		Classes:    c.layers[len(c.layers)-1],
		Separation: c.separation,
	})
	if err != nil {
		return err
	}
	if p.train, p.test, err = d.Split(c.train); err != nil {
		return err
	}
	s, err := nn.FitStandardizer(p.train.X)
	if err != nil {
		return err
	}
	if err := s.Apply(p.train.X); err != nil {
		return err
	}
	if err := s.Apply(p.test.X); err != nil {
		return err
	}
	sdk.PhaseFromContext(ctx).SetAttributes(
		attribute.Int("train_samples", p.train.Len()),
		attribute.Int("test_samples", p.test.Len()),
		attribute.Int("features", d.Dim()),
		attribute.Int("classes", d.Classes),
	)
	return nil
}

// fit trains the model in float64.
func (p *polyReLU) fit(ctx context.Context) error {
	c := p.cfg
	st, err := p.model.Train(ctx, p.modelRNG, p.train.X, p.train.Y, nn.TrainConfig{
		Epochs: c.epochs, BatchSize: c.batch, LearningRate: c.learningRate, WeightDecay: c.weightDecay,
	})
	if err != nil {
		return err
	}
	sdk.PhaseFromContext(ctx).SetAttributes(
		attribute.String("optimizer", "adam"),
		attribute.Int("epochs", st.Epochs),
		attribute.Int("steps", st.Steps),
		attribute.Int("batch_size", c.batch),
		attribute.Float64("learning_rate", c.learningRate),
		attribute.Float64("weight_decay", c.weightDecay),
		attribute.Float64("final_loss", st.Loss),
		attribute.Float64("train_accuracy", st.Accuracy),
	)
	return nil
}

// cleartextInference computes the float64 reference logits of the test
// set.
func (p *polyReLU) cleartextInference(ctx context.Context) error {
	p.reference = make([][]float64, p.test.Len())
	for i, x := range p.test.X {
		z, err := p.model.Logits(x)
		if err != nil {
			return err
		}
		p.reference[i] = z
	}
	sdk.PhaseFromContext(ctx).SetAttributes(
		attribute.Float64("test_accuracy", nn.Accuracy(p.reference, p.test.Y)),
	)
	return nil
}

// compile measures the range of every activation's input on calibration
// data, fits the ReLU polynomial, and folds the ranges into the weights.
func (p *polyReLU) compile(ctx context.Context) error {
	c := p.cfg
	hidden := len(p.model.Layers) - 1
	ranges := make([][]float64, hidden)
	for l := range ranges {
		ranges[l] = make([]float64, p.model.Layers[l].Out)
	}
	calib := p.train.X[:min(c.calibration, p.train.Len())]
	for _, x := range calib {
		zs, err := p.model.PreActivations(x)
		if err != nil {
			return err
		}
		for l, r := range ranges {
			for o, z := range zs[l] {
				r[o] = max(r[o], math.Abs(z))
			}
		}
	}
	var inputRange float64
	for _, r := range ranges {
		for o := range r {
			// A neuron that never fired either way still needs a range.
			r[o] = max(c.margin*r[o], 1e-3)
			inputRange = max(inputRange, r[o])
		}
	}

	grid := polyapprox.Grid(c.fitPoints)
	poly, err := polyapprox.Fit(polyapprox.ReLU, c.degree, grid)
	if err != nil {
		return err
	}
	fitErr := polyapprox.Measure(poly, polyapprox.ReLU, grid)
	folded, err := fixedpoint.Fold(p.model, ranges)
	if err != nil {
		return err
	}
	p.poly, p.folded = poly, folded
	// Multiplicative depth of a leveled scheme: one level per layer for
	// the plaintext-weight product, plus the polynomial's depth per
	// activation layer.
	level := len(p.model.Layers) + hidden*polyapprox.Depth(c.degree)
	sdk.PhaseFromContext(ctx).SetAttributes(
		attribute.Int("poly_degree", c.degree),
		attribute.String("poly_basis", "chebyshev"),
		attribute.Float64("input_range", inputRange),
		attribute.Int("input_level", level),
		attribute.Int("calibration_samples", len(calib)),
		attribute.Float64("range_margin", c.margin),
		attribute.Float64("relu_fit_max_error", fitErr.Max),
		attribute.Float64("relu_fit_mean_error", fitErr.Mean),
	)
	return nil
}

// encode encodes the folded weights, the polynomial and the test inputs in
// fixed point.
func (p *polyReLU) encode(ctx context.Context) error {
	c := p.cfg
	net, err := fixedpoint.NewNetwork(p.folded, p.poly, c.frac)
	if err != nil {
		return err
	}
	p.network = net
	p.encoded = make([][]int64, p.test.Len())
	for i, x := range p.test.X {
		q, err := fixedpoint.EncodeSlice(x, c.frac)
		if err != nil {
			return fmt.Errorf("encoding sample %d: %w", i, err)
		}
		p.encoded[i] = q
	}
	sdk.PhaseFromContext(ctx).SetAttributes(
		attribute.Int("scale_bits", int(c.frac)),
		attribute.Int("encoded_inputs", len(p.encoded)),
	)
	return nil
}

// encrypt is the client sealing every encoded input with its own nonce.
func (p *polyReLU) encrypt(ctx context.Context) error {
	p.inputs = make([][]byte, len(p.encoded))
	var n int
	for i, q := range p.encoded {
		p.inputs[i] = p.client.Seal(nil, sealed.Inputs, uint64(i), q)
		n += len(p.inputs[i])
	}
	sdk.PhaseFromContext(ctx).SetAttributes(
		attribute.String("cipher", "AES-256-GCM"),
		attribute.Int("ciphertexts", len(p.inputs)),
		attribute.Int("ciphertext_bytes", n),
	)
	return nil
}

// infer is the inference server: it opens each input, evaluates the
// network in fixed point with the polynomial activation, and seals the
// logits.
func (p *polyReLU) infer(ctx context.Context) error {
	p.outputs = make([][]byte, len(p.inputs))
	dim := p.network.Inputs()
	stats := make([]fixedpoint.Stats, len(p.inputs))
	err := parallel.For(len(p.inputs), func(lo, hi int) error {
		for i := lo; i < hi; i++ {
			if i%256 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			x, err := p.server.Open(sealed.Inputs, uint64(i), dim, p.inputs[i])
			if err != nil {
				return err
			}
			y, st, err := p.network.Infer(x)
			if err != nil {
				return fmt.Errorf("sample %d: %w", i, err)
			}
			stats[i] = st
			p.outputs[i] = p.server.Seal(nil, sealed.Outputs, uint64(i), y)
		}
		return nil
	})
	if err != nil {
		return err
	}
	var total fixedpoint.Stats
	for _, st := range stats {
		total.Add(st)
	}
	sdk.PhaseFromContext(ctx).SetAttributes(
		attribute.Int("samples", len(p.outputs)),
		attribute.Int("activations", total.Activations),
		attribute.Int("activations_out_of_range", total.OutOfRange),
	)
	return nil
}

// decrypt is the client opening the sealed logits.
func (p *polyReLU) decrypt(ctx context.Context) error {
	classes := p.network.Outputs()
	p.logitsQ = make([][]int64, len(p.outputs))
	for i, ct := range p.outputs {
		q, err := p.client.Open(sealed.Outputs, uint64(i), classes, ct)
		if err != nil {
			return err
		}
		p.logitsQ[i] = q
	}
	return nil
}

// decode turns the fixed-point logits back into float64.
func (p *polyReLU) decode(ctx context.Context) error {
	p.logits = make([][]float64, len(p.logitsQ))
	for i, q := range p.logitsQ {
		p.logits[i] = fixedpoint.DecodeSlice(q, p.cfg.frac)
	}
	return nil
}

// flatten returns the rows of m, one after the other, in a new slice.
func flatten(m [][]float64) []float64 {
	var n int
	for _, row := range m {
		n += len(row)
	}
	out := make([]float64, 0, n)
	for _, row := range m {
		out = append(out, row...)
	}
	return out
}

func maxAbsDiff(a, b [][]float64) float64 {
	var m float64
	for i := range a {
		for j := range a[i] {
			m = max(m, math.Abs(a[i][j]-b[i][j]))
		}
	}
	return m
}

// joinInts joins xs with sep: 32-64-64-8.
func joinInts(xs []int, sep string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, sep)
}
