package sealed

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// KeySize is the size of an AES-256 key in bytes.
const KeySize = 32

// Overhead is how many bytes a sealed message adds to its 8 bytes per
// value: the GCM tag.
const Overhead = 16

// ErrAuth is returned when a ciphertext does not authenticate.
var ErrAuth = errors.New("message authentication failed")

// Stream tells the inputs from the outputs; it is part of every nonce.
type Stream uint32

// The streams of a confidential inference.
const (
	Inputs  Stream = 1 // client to server
	Outputs Stream = 2 // server to client
)

// Box seals and opens vectors of int64 under one AES-256-GCM key.
type Box struct {
	aead cipher.AEAD
}

// NewKey reads a fresh key from r (crypto/rand.Reader in production).
func NewKey(r io.Reader) ([]byte, error) {
	key := make([]byte, KeySize)
	if _, err := io.ReadFull(r, key); err != nil {
		return nil, fmt.Errorf("generating an AES-256 key: %w", err)
	}
	return key, nil
}

// New returns a Box for the 32-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("creating an AES-256-GCM box: key of %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("creating an AES-256-GCM box: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("creating an AES-256-GCM box: %w", err)
	}
	return &Box{aead: aead}, nil
}

func nonce(s Stream, index uint64) []byte {
	n := make([]byte, 12)
	binary.BigEndian.PutUint32(n, uint32(s))
	binary.BigEndian.PutUint64(n[4:], index)
	return n
}

func additionalData(values int) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(values))
}

// Seal encrypts v as message index of stream s, appending the ciphertext
// (8·len(v) + Overhead bytes) to dst. Sealing the same (s, index) twice
// under one key breaks GCM's security; the caller numbers its messages.
func (b *Box) Seal(dst []byte, s Stream, index uint64, v []int64) []byte {
	plain := make([]byte, 0, 8*len(v))
	for _, x := range v {
		plain = binary.LittleEndian.AppendUint64(plain, uint64(x))
	}
	return b.aead.Seal(dst, nonce(s, index), plain, additionalData(len(v)))
}

// Open decrypts message index of stream s, which holds n values.
func (b *Box) Open(s Stream, index uint64, n int, ciphertext []byte) ([]int64, error) {
	if n < 0 || len(ciphertext) != 8*n+Overhead {
		return nil, fmt.Errorf("opening message %d of stream %d: %d bytes cannot hold %d values: %w",
			index, s, len(ciphertext), n, ErrAuth)
	}
	plain, err := b.aead.Open(nil, nonce(s, index), ciphertext, additionalData(n))
	if err != nil {
		return nil, fmt.Errorf("opening message %d of stream %d: %w", index, s, ErrAuth)
	}
	v := make([]int64, n)
	for i := range v {
		v[i] = int64(binary.LittleEndian.Uint64(plain[8*i:]))
	}
	return v, nil
}
