// Package submission writes and checks the submission package (监管报送) a
// firm hands to its regulator: one ZIP holding the assessment's reports,
// every evidence file, and a manifest of every file's SHA-256 and size,
// signed with the instance's Ed25519 key so that whoever receives it can
// check it offline, without reaching the server.
//
// Layout of a package:
//
//	report.pdf, report.xlsx, report.json   the reports (names from the server)
//	evidence/{sha256}{ext}                 each evidence file once, by content
//	manifest.json                          Manifest, as signed
//	manifest.sig                           the Ed25519 signature of the exact
//	                                       bytes of manifest.json, base64 (standard)
//
// Nothing else may be in the ZIP: Verify refuses a file the manifest does
// not list as firmly as one it lists and is missing.
package submission

import (
	"archive/zip"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// Format names the manifest's layout; a later change of layout gets a new
// name so an old verifier refuses it rather than misread it.
const Format = "selfcheck-package/1"

// The two files that describe the package and are not listed in it.
const (
	ManifestName  = "manifest.json"
	SignatureName = "manifest.sig"
)

// Manifest lists what a package holds and what it is about.
type Manifest struct {
	Format            string     `json:"format"`
	Firm              Firm       `json:"firm"`
	Assessment        Subject    `json:"assessment"`
	GeneratedAt       time.Time  `json:"generated_at"`
	VerificationCodes []string   `json:"verification_codes"` // of the PDF reports inside, checkable at /verify/{code}
	VerifyURL         string     `json:"verify_url,omitempty"`
	PublicKey         string     `json:"public_key"` // Ed25519, base64 (standard)
	Files             []File     `json:"files"`
	Evidence          []Evidence `json:"evidence"` // which item each evidence file belongs to
}

// Evidence names the item an evidence file of the package was attached to
// and the name it was uploaded with; one file may serve several items.
type Evidence struct {
	Item string `json:"item"`
	Name string `json:"name"`
	Path string `json:"path"`
}

// Firm is the firm whose assessment the package holds.
type Firm struct {
	Name       string `json:"name"`
	CreditCode string `json:"credit_code"`
}

// Subject is the assessment the package holds.
type Subject struct {
	ID       uint   `json:"id"`
	State    string `json:"state"`
	Campaign string `json:"campaign,omitempty"`
}

// File is one file of the package.
type File struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// Writer writes a package to a stream, one file at a time: a file's bytes
// go straight through to the ZIP while their hash is taken, so the package
// never holds more than the file being copied.
type Writer struct {
	zw    *zip.Writer
	files []File
	seen  map[string]bool
}

// NewWriter starts a package on w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{zw: zip.NewWriter(w), seen: map[string]bool{}}
}

// Has reports whether path was added already (evidence shared by two items
// goes in once).
func (w *Writer) Has(path string) bool { return w.seen[path] }

// Add copies r into the package as path and lists it in the manifest.
func (w *Writer) Add(path string, modified time.Time, r io.Reader) error {
	if path == ManifestName || path == SignatureName || w.seen[path] {
		return fmt.Errorf("submission: %s is already in the package", path)
	}
	out, err := w.zw.CreateHeader(&zip.FileHeader{Name: path, Method: zip.Deflate, Modified: modified})
	if err != nil {
		return fmt.Errorf("submission: add %s: %w", path, err)
	}
	sum := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, sum), r)
	if err != nil {
		return fmt.Errorf("submission: add %s: %w", path, err)
	}
	w.seen[path] = true
	w.files = append(w.files, File{Path: path, SHA256: hex.EncodeToString(sum.Sum(nil)), Size: n})
	return nil
}

// Close completes m with the files added and the public key, writes it and
// its signature by key, and finishes the ZIP. It returns the manifest as
// written.
func (w *Writer) Close(m Manifest, key ed25519.PrivateKey) (Manifest, error) {
	m.Format = Format
	m.Files = w.files
	m.PublicKey = base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey))
	if m.VerificationCodes == nil {
		m.VerificationCodes = []string{}
	}
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return m, err
	}
	sig := base64.StdEncoding.EncodeToString(ed25519.Sign(key, body)) + "\n"
	for _, f := range []struct {
		name string
		data []byte
	}{{ManifestName, body}, {SignatureName, []byte(sig)}} {
		out, err := w.zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: m.GeneratedAt})
		if err != nil {
			return m, fmt.Errorf("submission: %s: %w", f.name, err)
		}
		if _, err := out.Write(f.data); err != nil {
			return m, fmt.Errorf("submission: %s: %w", f.name, err)
		}
	}
	return m, w.zw.Close()
}

// KeyFromSeed is the Ed25519 key made from a 32-byte secret, as the server
// keeps it.
func KeyFromSeed(seed []byte) (ed25519.PrivateKey, error) {
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("submission: a signing key seed has %d bytes, not %d", len(seed), ed25519.SeedSize)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// ParsePublicKey reads an Ed25519 public key given in base64 (standard or
// URL alphabet, padded or not) or hex.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	for _, dec := range []func(string) ([]byte, error){
		base64.StdEncoding.DecodeString, base64.RawStdEncoding.DecodeString,
		base64.URLEncoding.DecodeString, base64.RawURLEncoding.DecodeString, hex.DecodeString,
	} {
		if b, err := dec(s); err == nil && len(b) == ed25519.PublicKeySize {
			return ed25519.PublicKey(b), nil
		}
	}
	return nil, errors.New("not an Ed25519 public key (32 bytes in base64 or hex)")
}

// KeyText is a public key as the verification page and the manifest show it.
func KeyText(k ed25519.PublicKey) string { return base64.StdEncoding.EncodeToString(k) }

// Fingerprint is a short, readable digest of a public key, to compare by
// eye or over the phone: the first 16 bytes of its SHA-256 in hex groups.
func Fingerprint(k ed25519.PublicKey) string {
	sum := sha256.Sum256(k)
	h := hex.EncodeToString(sum[:16])
	out := make([]byte, 0, len(h)+len(h)/4)
	for i := 0; i < len(h); i += 4 {
		if i > 0 {
			out = append(out, ':')
		}
		out = append(out, h[i:i+4]...)
	}
	return string(out)
}
