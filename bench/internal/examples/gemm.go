package examples

import (
	"context"
	"fmt"
	"math"

	"go.opentelemetry.io/otel/attribute"

	"github.com/benchtrace/benchtrace/bench/internal/datagen"
	"github.com/benchtrace/benchtrace/bench/internal/examples/internal/parallel"
	"github.com/benchtrace/benchtrace/bench/internal/examples/internal/quant"
	"github.com/benchtrace/benchtrace/sdk"
)

// gemmConfig sizes the quantized matrix product: activations m×k times the
// transpose of weights n×k.
type gemmConfig struct{ m, n, k int }

func gemmConfigFor(size Size) gemmConfig {
	if size == Small {
		return gemmConfig{m: 128, n: 128, k: 256}
	}
	return gemmConfig{m: 2048, n: 1024, k: 1024}
}

func int8GEMM() Benchmark {
	return Benchmark{
		Name: "int8_gemm_quantized",
		Description: "int8 matrix product with per-row scales and int32 accumulation " +
			"against the float64 product; MAE of the output",
		Model: func(size Size) sdk.Model {
			c := gemmConfigFor(size)
			return sdk.Model{
				Name:         "GEMM int8 per-row",
				Architecture: "GEMM",
				Dataset:      fmt.Sprintf("synthetic-gaussian-%dx%dx%d", c.m, c.n, c.k),
				BatchSize:    c.m,
				Seed:         Seed,
			}
		},
		MainPhase: "inference",
		Run: func(ctx context.Context, run *sdk.Run, size Size) error {
			return (&gemm{cfg: gemmConfigFor(size)}).run(ctx, run)
		},
	}
}

// gemm is the state of one run of the quantized matrix product.
type gemm struct {
	cfg            gemmConfig
	a, b           []float64 // activations m×k, weights n×k
	qa, qb         quant.Matrix
	reference, out []float64
}

func (g *gemm) run(ctx context.Context, run *sdk.Run) error {
	if err := phases(ctx, run,
		step{"data_loading", g.loadData},
		step{"cleartext_inference", g.referenceProduct},
		step{"quantize", g.quantize},
		step{"inference", g.product},
	); err != nil {
		return err
	}
	if _, err := run.RecordAccuracy(g.reference, g.out); err != nil {
		return fmt.Errorf("recording accuracy: %w", err)
	}
	var refNorm, errNorm float64
	for i, r := range g.reference {
		refNorm += r * r
		errNorm += (g.out[i] - r) * (g.out[i] - r)
	}
	run.SetResults(attribute.Float64("relative_error", math.Sqrt(errNorm/refNorm)))
	return nil
}

// loadData draws standard normal activations and weights with variance
// 1/k (Xavier-style), so that the product's entries are about N(0, 1).
func (g *gemm) loadData(ctx context.Context) error {
	c := g.cfg
	rng := datagen.NewRand(Seed)
	a, err := datagen.Embeddings(rng, c.m, c.k)
	if err != nil {
		return err
	}
	b, err := datagen.Embeddings(rng, c.n, c.k)
	if err != nil {
		return err
	}
	g.a, g.b = flatten(a), flatten(b)
	scale := 1 / math.Sqrt(float64(c.k))
	for i := range g.b {
		g.b[i] *= scale
	}
	sdk.PhaseFromContext(ctx).SetAttributes(
		attribute.Int("m", c.m), attribute.Int("n", c.n), attribute.Int("k", c.k),
	)
	return nil
}

func (g *gemm) referenceProduct(ctx context.Context) error {
	c := g.cfg
	g.reference = make([]float64, c.m*c.n)
	return parallel.For(c.m, func(lo, hi int) error {
		return quant.MatMulTFloat(g.reference, g.a, g.b, c.m, c.n, c.k, lo, hi)
	})
}

func (g *gemm) quantize(ctx context.Context) error {
	c := g.cfg
	var err error
	if g.qa, err = quant.QuantizeRows(g.a, c.m, c.k); err != nil {
		return fmt.Errorf("quantizing the activations: %w", err)
	}
	if g.qb, err = quant.QuantizeRows(g.b, c.n, c.k); err != nil {
		return fmt.Errorf("quantizing the weights: %w", err)
	}
	sdk.PhaseFromContext(ctx).SetAttributes(
		attribute.String("scheme", "symmetric int8, per-row scales"),
		attribute.Int("accumulator_bits", 32),
	)
	return nil
}

func (g *gemm) product(ctx context.Context) error {
	c := g.cfg
	g.out = make([]float64, c.m*c.n)
	return parallel.For(c.m, func(lo, hi int) error {
		return quant.MatMulT(g.out, g.qa, g.qb, lo, hi)
	})
}
