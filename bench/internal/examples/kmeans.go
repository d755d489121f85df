package examples

import (
	"context"
	"fmt"
	mathrand "math/rand/v2"

	"go.opentelemetry.io/otel/attribute"

	"github.com/benchtrace/benchtrace/bench/internal/datagen"
	"github.com/benchtrace/benchtrace/bench/internal/examples/internal/clusterscore"
	"github.com/benchtrace/benchtrace/bench/internal/examples/internal/kmeans"
	"github.com/benchtrace/benchtrace/sdk"
)

// kmeansConfig sizes the clustering benchmark.
type kmeansConfig struct {
	clusters, perCluster, dim int
	spread                    float64
	heldOut                   float64 // fraction of the samples kept for inference
	inits, maxIter            int
}

func kmeansConfigFor(size Size) kmeansConfig {
	c := kmeansConfig{
		clusters: 16, perCluster: 1500, dim: 128,
		spread:  2,
		heldOut: 0.2,
		inits:   10, maxIter: 300,
	}
	if size == Small {
		c.clusters, c.perCluster, c.dim = 8, 250, 64
		c.spread = 1.5
		c.inits = 2
	}
	return c
}

func kmeansEmbeddings() Benchmark {
	return Benchmark{
		Name: "kmeans_embeddings",
		Description: "Feluda-style clustering operator: k-means++ and Lloyd's iterations on synthetic embeddings " +
			"with known clusters, scored by purity and adjusted Rand index on held-out samples",
		Model: func(size Size) sdk.Model {
			c := kmeansConfigFor(size)
			return sdk.Model{
				Name:         "k-means++",
				Architecture: fmt.Sprintf("KMeans k=%d", c.clusters),
				Dataset:      fmt.Sprintf("synthetic-embeddings-clustered-%dd (n=%d, %d clusters)", c.dim, c.clusters*c.perCluster, c.clusters),
				Seed:         Seed,
			}
		},
		MainPhase: "fit",
		Run: func(ctx context.Context, run *sdk.Run, size Size) error {
			return (&clustering{cfg: kmeansConfigFor(size)}).run(ctx, run)
		},
	}
}

// clustering is the state of one run of the clustering benchmark.
type clustering struct {
	cfg         kmeansConfig
	rng         *mathrand.Rand
	fitX, testX [][]float64
	testY       []int
	model       *kmeans.Model
	pred        []int
}

func (k *clustering) run(ctx context.Context, run *sdk.Run) error {
	if err := phases(ctx, run,
		step{"data_loading", k.loadData},
		step{"fit", k.fit},
		step{"inference", k.infer},
		step{"evaluate", func(ctx context.Context) error { return k.evaluate(ctx, run) }},
	); err != nil {
		return err
	}
	run.SetResults(attribute.Float64("inertia", k.model.Inertia))
	return nil
}

func (k *clustering) loadData(ctx context.Context) error {
	c := k.cfg
	k.rng = datagen.NewRand(Seed)
	x, y, err := datagen.EmbeddingsWithClusters(k.rng, c.clusters, c.perCluster, c.dim, c.spread)
	if err != nil {
		return err
	}
	// The samples are shuffled: the last ones are a random held-out set.
	n := len(x) - int(c.heldOut*float64(len(x)))
	k.fitX, k.testX, k.testY = x[:n], x[n:], y[n:]
	sdk.PhaseFromContext(ctx).SetAttributes(
		attribute.Int("clusters", c.clusters),
		attribute.Int("dim", c.dim),
		attribute.Float64("spread", c.spread),
		attribute.Int("fit_samples", len(k.fitX)),
		attribute.Int("held_out_samples", len(k.testX)),
	)
	return nil
}

func (k *clustering) fit(ctx context.Context) error {
	c := k.cfg
	m, err := kmeans.Fit(ctx, k.rng, k.fitX, kmeans.Config{K: c.clusters, Inits: c.inits, MaxIter: c.maxIter})
	if err != nil {
		return err
	}
	k.model = m
	sdk.PhaseFromContext(ctx).SetAttributes(
		attribute.Int("k", c.clusters),
		attribute.Int("inits", c.inits),
		attribute.Int("iterations", m.Iterations),
		attribute.Int("total_iterations", m.TotalIterations),
		attribute.Bool("converged", m.Converged),
		attribute.Float64("inertia", m.Inertia),
	)
	return nil
}

func (k *clustering) infer(ctx context.Context) error {
	pred, err := k.model.Predict(k.testX)
	if err != nil {
		return err
	}
	k.pred = pred
	sdk.PhaseFromContext(ctx).SetAttributes(attribute.Int("samples", len(pred)))
	return nil
}

func (k *clustering) evaluate(ctx context.Context, run *sdk.Run) error {
	purity, err := clusterscore.Purity(k.testY, k.pred)
	if err != nil {
		return err
	}
	ari, err := clusterscore.AdjustedRandIndex(k.testY, k.pred)
	if err != nil {
		return err
	}
	heldOutInertia := k.model.InertiaOf(k.testX)
	sdk.PhaseFromContext(ctx).SetAttributes(attribute.Float64("held_out_inertia", heldOutInertia))
	run.SetResults(
		attribute.Float64("purity", purity),
		attribute.Float64("ari", ari),
		attribute.Float64("held_out_inertia", heldOutInertia),
	)
	return nil
}
