package datagen_test

import (
	"fmt"

	"github.com/benchtrace/benchtrace/bench/internal/datagen"
)

func ExampleEmbeddingsWithClusters() {
	rng := datagen.NewRand(42)
	x, labels, err := datagen.EmbeddingsWithClusters(rng, 3, 100, 128, 0.3)
	if err != nil {
		fmt.Println(err)
		return
	}
	counts := make([]int, 3)
	for _, l := range labels {
		counts[l]++
	}
	fmt.Printf("%d embeddings of dimension %d\n", len(x), len(x[0]))
	fmt.Println("samples per cluster:", counts)
	// Output:
	// 300 embeddings of dimension 128
	// samples per cluster: [100 100 100]
}

func ExampleClassification() {
	rng := datagen.NewRand(42)
	d, err := datagen.Classification(rng, datagen.ClassificationSpec{Samples: 1000, Dim: 32, Classes: 8})
	if err != nil {
		fmt.Println(err)
		return
	}
	train, test, err := d.Split(800)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d samples of %d features, %d classes\n", d.Len(), d.Dim(), d.Classes)
	fmt.Println("train:", train.Len(), "test:", test.Len())
	fmt.Println("samples per class:", d.ClassCounts())
	// Output:
	// 1000 samples of 32 features, 8 classes
	// train: 800 test: 200
	// samples per class: [125 125 125 125 125 125 125 125]
}
