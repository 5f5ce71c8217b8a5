package submission

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"io"
	"strings"
	"testing"
	"time"
)

// testPackage is a package of two files signed by key.
func testPackage(t *testing.T, key ed25519.PrivateKey) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf)
	at := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	if err := w.Add("report.pdf", at, strings.NewReader("%PDF-1.7 report")); err != nil {
		t.Fatal(err)
	}
	if err := w.Add("evidence/ab.txt", at, strings.NewReader("营业执照")); err != nil {
		t.Fatal(err)
	}
	if err := w.Add("report.pdf", at, strings.NewReader("again")); err == nil {
		t.Error("a second report.pdf was added")
	}
	m, err := w.Close(Manifest{Firm: Firm{Name: "示例科技有限公司", CreditCode: "91350100M000100Y43"}, Assessment: Subject{ID: 7, State: "approved"},
		GeneratedAt: at, VerificationCodes: []string{"ABCD"}}, key)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Files) != 2 || m.Files[0].Size != int64(len("%PDF-1.7 report")) {
		t.Fatalf("manifest files: %+v", m.Files)
	}
	return buf.Bytes()
}

// rewrite copies a package entry by entry, letting change alter each
// entry's content (return nil to leave it out) and add adds entries.
func rewrite(t *testing.T, pkg []byte, change func(name string, data []byte) []byte, add map[string]string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		if change != nil {
			data = change(f.Name, data)
		}
		if data == nil {
			continue
		}
		w, _ := zw.Create(f.Name)
		w.Write(data)
	}
	for name, data := range add {
		w, _ := zw.Create(name)
		w.Write([]byte(data))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func only(name string, f func([]byte) []byte) func(string, []byte) []byte {
	return func(n string, data []byte) []byte {
		if n == name {
			return f(data)
		}
		return data
	}
}

func TestVerify(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	otherPub, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	pkg := testPackage(t, key)
	pub := key.Public().(ed25519.PublicKey)

	for _, tc := range []struct {
		name     string
		pkg      []byte
		pinned   ed25519.PublicKey
		wantPath string // "" when the package verifies
		wantWhy  string
	}{
		{"as written", pkg, nil, "", ""},
		{"as written, key pinned", pkg, pub, "", ""},
		{"copied entry by entry", rewrite(t, pkg, nil, nil), nil, "", ""},
		{"pinned to another key", pkg, otherPub, SignatureName, "does not match"},
		{"one evidence byte changed", rewrite(t, pkg, only("evidence/ab.txt", func(b []byte) []byte {
			b = bytes.Clone(b)
			b[0] ^= 1
			return b
		}), nil), nil, "evidence/ab.txt", "SHA-256"},
		{"a file cut short", rewrite(t, pkg, only("report.pdf", func(b []byte) []byte { return b[:3] }), nil), nil, "report.pdf", "has 3 bytes"},
		{"a file grown", rewrite(t, pkg, only("report.pdf", func(b []byte) []byte { return append(bytes.Clone(b), 'x') }), nil), nil, "report.pdf", "larger"},
		{"manifest edited", rewrite(t, pkg, only(ManifestName, func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"approved"`), []byte(`"rejected"`), 1)
		}), nil), nil, SignatureName, "does not match"},
		{"signature replaced", rewrite(t, pkg, only(SignatureName, func([]byte) []byte {
			return []byte(base64.StdEncoding.EncodeToString(ed25519.Sign(otherKey, []byte("something else"))))
		}), nil), nil, SignatureName, "does not match"},
		{"signature garbled", rewrite(t, pkg, only(SignatureName, func([]byte) []byte { return []byte("not base64!") }), nil), nil, SignatureName, "not an Ed25519 signature"},
		{"re-signed with another key", resign(t, pkg, otherKey), pub, SignatureName, "does not match"},
		{"a file missing", rewrite(t, pkg, func(n string, b []byte) []byte {
			if n == "evidence/ab.txt" {
				return nil
			}
			return b
		}, nil), nil, "evidence/ab.txt", "missing from the ZIP"},
		{"an extra file", rewrite(t, pkg, nil, map[string]string{"evidence/extra.txt": "x"}), nil, "evidence/extra.txt", "not listed"},
		{"no signature", rewrite(t, pkg, only(SignatureName, func([]byte) []byte { return nil }), nil), nil, SignatureName, "missing"},
		{"no manifest", rewrite(t, pkg, only(ManifestName, func([]byte) []byte { return nil }), nil), nil, ManifestName, "missing"},
		{"not a ZIP", []byte("PK but not really"), nil, "(package)", "not a readable ZIP"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Verify(bytes.NewReader(tc.pkg), int64(len(tc.pkg)), tc.pinned)
			if tc.wantPath == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if v.Manifest.Firm.Name != "示例科技有限公司" || len(v.Manifest.Files) != 2 || !v.Key.Equal(pub) {
					t.Errorf("verified %+v", v)
				}
				if want := map[bool]KeySource{true: KeyPinned, false: KeyManifest}[tc.pinned != nil]; v.Source != want {
					t.Errorf("key source %s, want %s", v.Source, want)
				}
				return
			}
			p, ok := err.(*Problem)
			if !ok || p.Path != tc.wantPath || !strings.Contains(p.Reason, tc.wantWhy) {
				t.Fatalf("got %v, want a problem with %s (%s)", err, tc.wantPath, tc.wantWhy)
			}
		})
	}
}

// resign replaces the manifest's key and signature with key's: a forger's
// package, which verifies only against the key it names itself.
func resign(t *testing.T, pkg []byte, key ed25519.PrivateKey) []byte {
	t.Helper()
	var body []byte
	out := rewrite(t, pkg, func(n string, b []byte) []byte {
		if n == ManifestName {
			start := bytes.Index(b, []byte(`"public_key": "`)) + len(`"public_key": "`)
			end := start + bytes.IndexByte(b[start:], '"')
			b = append(append(bytes.Clone(b[:start]), KeyText(key.Public().(ed25519.PublicKey))...), b[end:]...)
			body = b
		}
		return b
	}, nil)
	return rewrite(t, out, only(SignatureName, func([]byte) []byte {
		return []byte(base64.StdEncoding.EncodeToString(ed25519.Sign(key, body)))
	}), nil)
}

func TestForgedPackageVerifiesOnlyUnpinned(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	_, forger, _ := ed25519.GenerateKey(rand.Reader)
	forged := resign(t, testPackage(t, key), forger)
	v, err := Verify(bytes.NewReader(forged), int64(len(forged)), nil)
	if err != nil || v.Source != KeyManifest || !v.Key.Equal(forger.Public().(ed25519.PublicKey)) {
		t.Fatalf("unpinned: %v %+v", err, v)
	}
	if Fingerprint(v.Key) == Fingerprint(key.Public().(ed25519.PublicKey)) {
		t.Error("two keys share a fingerprint")
	}
}

func TestParsePublicKey(t *testing.T) {
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	for _, s := range []string{KeyText(pub), base64.RawURLEncoding.EncodeToString(pub), strings.ToUpper(hexOf(pub))} {
		if k, err := ParsePublicKey(s); err != nil || !k.Equal(pub) {
			t.Errorf("%s: %v", s, err)
		}
	}
	for _, s := range []string{"", "abc", KeyText(pub[:31])} {
		if _, err := ParsePublicKey(s); err == nil {
			t.Errorf("%q was taken for a key", s)
		}
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}
