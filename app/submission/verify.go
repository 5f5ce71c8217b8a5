package submission

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
)

// maxManifest bounds how much of manifest.json and manifest.sig Verify
// reads: a real manifest lists a few thousand files at most.
const maxManifest = 64 << 20

// Problem is the first thing Verify found that does not match: the file
// (or signature) it concerns, and what is wrong with it.
type Problem struct {
	Path   string
	Reason string
}

func (p *Problem) Error() string { return p.Path + ": " + p.Reason }

func problem(path, format string, args ...any) *Problem {
	return &Problem{Path: path, Reason: fmt.Sprintf(format, args...)}
}

// KeySource says which public key a package was checked with.
type KeySource string

const (
	KeyPinned   KeySource = "pinned"   // given by the one checking (--key)
	KeyManifest KeySource = "manifest" // the one the manifest names: proves integrity, not origin
)

// Verified is what Verify checked.
type Verified struct {
	Manifest Manifest
	Key      ed25519.PublicKey
	Source   KeySource
}

// Verify checks a package: the signature of manifest.json by pinned (or,
// when pinned is nil, by the key the manifest names), then every file the
// manifest lists (present once, its size and SHA-256), and that the ZIP
// holds nothing else. It returns the first mismatch as a *Problem, so the
// answer names the file or signature at fault.
func Verify(r io.ReaderAt, size int64, pinned ed25519.PublicKey) (Verified, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return Verified{}, problem("(package)", "not a readable ZIP archive: %v", err)
	}
	entries := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		if entries[f.Name] != nil {
			return Verified{}, problem(f.Name, "appears more than once in the ZIP")
		}
		entries[f.Name] = f
	}
	body, perr := readEntry(entries, ManifestName)
	if perr != nil {
		return Verified{}, perr
	}
	sigText, perr := readEntry(entries, SignatureName)
	if perr != nil {
		return Verified{}, perr
	}
	sig, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(sigText)))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return Verified{}, problem(SignatureName, "is not an Ed25519 signature in base64")
	}
	var m Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		return Verified{}, problem(ManifestName, "is not valid JSON: %v", err)
	}
	v := Verified{Manifest: m, Key: pinned, Source: KeyPinned}
	if pinned == nil {
		k, err := ParsePublicKey(m.PublicKey)
		if err != nil {
			return Verified{}, problem(ManifestName, "public_key: %v", err)
		}
		v.Key, v.Source = k, KeyManifest
	}
	if !ed25519.Verify(v.Key, body, sig) {
		return Verified{}, problem(SignatureName, "the signature does not match manifest.json with the %s key %s", v.Source, Fingerprint(v.Key))
	}
	if pinned != nil {
		if k, err := ParsePublicKey(m.PublicKey); err != nil || !k.Equal(pinned) {
			return Verified{}, problem(ManifestName, "public_key is not the pinned key")
		}
	}
	if m.Format != Format {
		return Verified{}, problem(ManifestName, "format %q is not %q", m.Format, Format)
	}
	listed := make(map[string]bool, len(m.Files))
	for _, f := range m.Files {
		if listed[f.Path] || f.Path == ManifestName || f.Path == SignatureName {
			return Verified{}, problem(f.Path, "is listed more than once in manifest.json")
		}
		listed[f.Path] = true
		e := entries[f.Path]
		if e == nil {
			return Verified{}, problem(f.Path, "is listed in manifest.json but missing from the ZIP")
		}
		if perr := checkEntry(e, f); perr != nil {
			return Verified{}, perr
		}
	}
	for _, f := range zr.File {
		if !listed[f.Name] && f.Name != ManifestName && f.Name != SignatureName {
			return Verified{}, problem(f.Name, "is in the ZIP but not listed in manifest.json")
		}
	}
	return v, nil
}

func readEntry(entries map[string]*zip.File, name string) ([]byte, *Problem) {
	e := entries[name]
	if e == nil {
		return nil, problem(name, "is missing from the ZIP")
	}
	rc, err := e.Open()
	if err != nil {
		return nil, problem(name, "cannot be read: %v", err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxManifest+1))
	if err != nil {
		return nil, problem(name, "cannot be read: %v", err)
	}
	if len(b) > maxManifest {
		return nil, problem(name, "is larger than %d MiB", maxManifest>>20)
	}
	return b, nil
}

// checkEntry hashes one entry as it inflates, never holding it whole. It
// reads at most one byte more than the manifest's size, so an entry
// inflating far beyond what is listed stops there.
func checkEntry(e *zip.File, want File) *Problem {
	rc, err := e.Open()
	if err != nil {
		return problem(want.Path, "cannot be read: %v", err)
	}
	defer rc.Close()
	sum := sha256.New()
	n, err := io.Copy(sum, io.LimitReader(rc, want.Size+1))
	if err != nil {
		// archive/zip checks the entry's CRC-32 at its end: a changed
		// byte often surfaces here first.
		return problem(want.Path, "does not match: %v", err)
	}
	if n > want.Size {
		return problem(want.Path, "is larger than the %d bytes manifest.json lists", want.Size)
	}
	if n < want.Size {
		return problem(want.Path, "has %d bytes, manifest.json lists %d", n, want.Size)
	}
	if got := hex.EncodeToString(sum.Sum(nil)); got != want.SHA256 {
		return problem(want.Path, "SHA-256 %s does not match manifest.json (%s)", got, want.SHA256)
	}
	return nil
}
