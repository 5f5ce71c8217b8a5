package twofactor

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// A Sealer encrypts authenticator secrets for the database with a key kept
// outside it (AES-256-GCM), so that a dump or a backup of the database
// alone does not let anyone make a user's codes. Each sealed secret is bound
// to its account: a row copied onto another account does not open.
type Sealer struct{ aead cipher.AEAD }

// KeySize is the length of a sealing key in bytes.
const KeySize = 32

// ErrNoKey refuses to enrol when the server has no sealing key.
var ErrNoKey = errors.New("twofactor: no key to seal secrets with")

// errSealed refuses a sealed secret that does not open: another key, another
// account, or altered.
var errSealed = errors.New("twofactor: sealed secret does not open with this key")

// NewKey is a random sealing key in the form ParseKey reads (base64).
func NewKey() (string, error) {
	b := make([]byte, KeySize)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("twofactor: random key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// ParseKey reads a key file's text: KeySize bytes in base64, surrounding
// white space ignored.
func ParseKey(text []byte) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(text)))
	if err != nil || len(key) != KeySize {
		return nil, fmt.Errorf("twofactor: a key is %d bytes in base64 (one line)", KeySize)
	}
	return key, nil
}

// NewSealer seals with key (KeySize bytes).
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("twofactor: key of %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// sealVersion prefixes what Seal writes, so another scheme can follow.
const sealVersion = "v1:"

func boundTo(userID uint) []byte {
	return []byte("selfcheck-2fa\x00user\x00" + strconv.FormatUint(uint64(userID), 10))
}

// Seal encrypts the secret of user userID.
func (s *Sealer) Seal(userID uint, secret string) (string, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("twofactor: random nonce: %w", err)
	}
	out := s.aead.Seal(nonce, nonce, []byte(secret), boundTo(userID))
	return sealVersion + base64.StdEncoding.EncodeToString(out), nil
}

// Open decrypts what Seal made for userID.
func (s *Sealer) Open(userID uint, sealed string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(sealed, sealVersion))
	if !strings.HasPrefix(sealed, sealVersion) || err != nil || len(raw) < s.aead.NonceSize() {
		return "", errSealed
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], boundTo(userID))
	if err != nil {
		return "", errSealed
	}
	return string(plain), nil
}
