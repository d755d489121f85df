package sealed

import (
	"bytes"
	"crypto/rand"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newBox(t *testing.T) *Box {
	t.Helper()
	key, err := NewKey(rand.Reader)
	require.NoError(t, err)
	b, err := New(key)
	require.NoError(t, err)
	return b
}

func TestRoundTrip(t *testing.T) {
	b := newBox(t)
	v := []int64{0, 1, -1, math.MaxInt64, math.MinInt64, 1 << 40}
	ct := b.Seal(nil, Inputs, 7, v)
	assert.Len(t, ct, 8*len(v)+Overhead)
	got, err := b.Open(Inputs, 7, len(v), ct)
	require.NoError(t, err)
	assert.Equal(t, v, got)

	empty := b.Seal(nil, Outputs, 0, nil)
	got, err = b.Open(Outputs, 0, 0, empty)
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestCiphertextHidesAndVaries(t *testing.T) {
	b := newBox(t)
	v := make([]int64, 16) // all zeros
	c1 := b.Seal(nil, Inputs, 1, v)
	c2 := b.Seal(nil, Inputs, 2, v)
	assert.NotEqual(t, c1, c2, "a per-sample nonce makes equal plaintexts differ")
	assert.False(t, bytes.Equal(c1[:8*16], make([]byte, 8*16)), "the plaintext does not show")
}

func TestOpenRejects(t *testing.T) {
	b := newBox(t)
	v := []int64{10, 20, 30}
	ct := b.Seal(nil, Inputs, 3, v)
	tampered := bytes.Clone(ct)
	tampered[5] ^= 1
	other := newBox(t)

	for name, open := range map[string]func() ([]int64, error){
		"tampered":     func() ([]int64, error) { return b.Open(Inputs, 3, 3, tampered) },
		"wrong index":  func() ([]int64, error) { return b.Open(Inputs, 4, 3, ct) },
		"wrong stream": func() ([]int64, error) { return b.Open(Outputs, 3, 3, ct) },
		"wrong key":    func() ([]int64, error) { return other.Open(Inputs, 3, 3, ct) },
		"wrong length": func() ([]int64, error) { return b.Open(Inputs, 3, 2, ct) },
		"truncated":    func() ([]int64, error) { return b.Open(Inputs, 3, 3, ct[:10]) },
	} {
		t.Run(name, func(t *testing.T) {
			_, err := open()
			assert.ErrorIs(t, err, ErrAuth)
		})
	}
}

func TestNewKeyErrors(t *testing.T) {
	_, err := New(make([]byte, 16))
	assert.Error(t, err)
	_, err = NewKey(bytes.NewReader(make([]byte, 5)))
	assert.Error(t, err)
}
