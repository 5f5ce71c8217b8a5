package evidence

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"math"
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ratioGrace is how many bytes an entry, or a whole archive, may expand to
// before MaxZipRatio applies: small, repetitive files legitimately compress
// far better than 100:1, and a bomb needs far more than this to hurt.
const ratioGrace = 1 * mib

// archive checks the ZIP archive b and returns DOCX, XLSX or ZIP. Inside
// another ZIP (inZip) only DOCX and XLSX are accepted.
//
// DOCX and XLSX are recognised by their entry names; their entries are
// inflated and discarded only to count the bytes and verify the checksums.
// A plain ZIP's entries are each read into memory (at most MaxBytes) and
// checked like a file of their own.
func (c *checker) archive(b []byte, inZip bool) (Kind, *RefusedError) {
	maxEntries := c.lim.MaxZipEntries
	if tooManyHeaders(b, maxEntries) {
		return "", refuse(reasonZipBomb, "the ZIP archive has more than %d entries", maxEntries)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return "", refuse(reasonCorrupt, "the ZIP archive is damaged or incomplete")
	}
	if len(zr.File) > maxEntries {
		return "", refuse(reasonZipBomb, "the ZIP archive has %d entries, more than the limit of %d", len(zr.File), maxEntries)
	}
	seen := make(map[string]bool, len(zr.File))
	for _, f := range zr.File {
		if err := checkEntryName(f, seen); err != nil {
			return "", err
		}
	}
	kind, rerr := classify(zr)
	if rerr != nil {
		return "", rerr
	}
	if kind == ZIP && inZip {
		return "", refuse(reasonZipEntry, "a ZIP archive inside a ZIP archive is not accepted")
	}

	a := &reading{size: int64(len(b))}
	if kind != ZIP {
		for _, f := range zr.File {
			if f.FileInfo().IsDir() {
				continue
			}
			if !strings.EqualFold(f.Name, "[Content_Types].xml") {
				if _, err := c.read(f, a, false, 0); err != nil {
					return "", err
				}
				continue
			}
			data, err := c.read(f, a, true, c.lim.MaxBytes)
			if err != nil {
				return "", err
			}
			if types := asciiLower(data); bytes.Contains(types, []byte("macroenabled")) || bytes.Contains(types, []byte("vbaproject")) {
				return "", refuse(reasonExecutable, "the document is macro-enabled; documents with macros are not accepted")
			}
		}
		return kind, nil
	}

	files := 0
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		files++
		data, err := c.read(f, a, true, c.lim.MaxBytes)
		if err != nil {
			return "", err
		}
		if isAppleDouble(f.Name, data) {
			continue
		}
		if _, err := c.content(data, true); err != nil {
			return "", inEntry(f.Name, err)
		}
	}
	if files == 0 {
		return "", refuse(reasonEmpty, "the ZIP archive holds no files")
	}
	return ZIP, nil
}

// classify tells DOCX and XLSX from a plain ZIP by their entry names and
// refuses other well-known ZIP-based formats by name, as well as any
// archive carrying Office macros.
func classify(zr *zip.Reader) (Kind, *RefusedError) {
	names := make(map[string]bool, len(zr.File))
	for _, f := range zr.File {
		lower := strings.ToLower(f.Name)
		names[lower] = true
		if path.Base(strings.ReplaceAll(lower, `\`, "/")) == "vbaproject.bin" {
			return "", refuse(reasonExecutable, "the archive contains Office macros (%s); documents with macros are not accepted", f.Name)
		}
	}
	ooxml := names["[content_types].xml"]
	switch {
	case ooxml && names["word/document.xml"]:
		return DOCX, nil
	case ooxml && names["xl/workbook.xml"]:
		return XLSX, nil
	case ooxml && names["ppt/presentation.xml"]:
		return "", refuse(reasonUnknownType, "the content is a PowerPoint presentation (PPTX), which is not accepted as evidence; %s", accepted)
	case names["mimetype"] && names["content.xml"]:
		return "", refuse(reasonUnknownType, "the content is an OpenDocument file (ODT, ODS, ODP), which is not accepted as evidence; %s", accepted)
	case names["meta-inf/manifest.mf"] || names["classes.dex"]:
		return "", refuse(reasonExecutable, "the content is a Java or Android application, which is not accepted as evidence")
	}
	return ZIP, nil
}

// checkEntryName refuses entries that could land outside the folder they
// are extracted to, or that are links, or that repeat an earlier name
// (extractors disagree on which copy wins).
func checkEntryName(f *zip.File, seen map[string]bool) *RefusedError {
	name := f.Name
	switch {
	case name == "":
		return refuse(reasonZipEntry, "a ZIP entry has no name")
	case hasControl(name):
		return refuse(reasonZipEntry, "zip entry %q: the name contains control characters", name)
	case name[0] == '/' || name[0] == '\\' || len(name) >= 2 && name[1] == ':' && isASCIILetter(name[0]):
		return refuse(reasonZipEntry, "zip entry %q: absolute paths are not accepted", name)
	case slices.Contains(strings.FieldsFunc(name, isSlash), ".."):
		return refuse(reasonZipEntry, "zip entry %q: paths with \"..\" are not accepted", name)
	case seen[name]:
		return refuse(reasonZipEntry, "zip entry %q appears more than once", name)
	case f.Mode()&fs.ModeSymlink != 0:
		return refuse(reasonZipEntry, "zip entry %q: symbolic links are not accepted", name)
	}
	seen[name] = true
	return nil
}

// reading counts what has been read from one archive.
type reading struct {
	size int64 // of the archive itself
	read int64 // uncompressed bytes read from its entries
}

// read inflates entry f, counting the bytes as they come and stopping one
// byte past the tightest limit: the budget left for the whole Check, the
// entry's and the archive's expansion ratios, and maxEntry when above zero.
// The sizes in the headers are not trusted, except as a capacity hint. The
// data is returned only when keep is set, which needs maxEntry.
func (c *checker) read(f *zip.File, a *reading, keep bool, maxEntry int64) ([]byte, *RefusedError) {
	if f.Flags&0x1 != 0 {
		return nil, refuse(reasonZipEntry, "zip entry %q is encrypted, so its content cannot be checked", f.Name)
	}
	ratio := c.lim.MaxZipRatio
	limit := c.left
	over := refuse(reasonZipBomb, "the ZIP archive expands to more than %s", sizeText(c.lim.MaxZipTotal))
	compressed := min(int64(f.CompressedSize64), a.size) // a lying header cannot buy more
	if n := max(ratioGrace, mulCap(compressed, ratio)); n < limit {
		limit = n
		over = refuse(reasonZipBomb, "zip entry %q expands more than %d times its compressed size", f.Name, ratio)
	}
	if n := max(ratioGrace, mulCap(a.size, ratio)) - a.read; n < limit {
		limit = n
		over = refuse(reasonZipBomb, "the ZIP archive expands more than %d times its size", ratio)
	}
	if maxEntry > 0 && maxEntry < limit {
		limit = maxEntry
		over = refuse(reasonTooLarge, "zip entry %q: the file is larger than the limit of %s", f.Name, sizeText(maxEntry))
	}
	limit = max(0, min(limit, math.MaxInt64-1))

	rc, err := f.Open()
	if errors.Is(err, zip.ErrAlgorithm) {
		return nil, refuse(reasonZipEntry, "zip entry %q uses a compression method that cannot be checked", f.Name)
	}
	if err != nil {
		return nil, refuse(reasonCorrupt, "zip entry %q is damaged", f.Name)
	}
	defer rc.Close()

	var buf bytes.Buffer
	dst := io.Discard
	if keep {
		if hint := f.UncompressedSize64; hint <= uint64(limit) {
			buf.Grow(int(hint) + bytes.MinRead)
		}
		dst = &buf
	}
	n, err := io.Copy(dst, io.LimitReader(rc, limit+1))
	c.left -= n
	a.read += n
	if n > limit {
		return nil, over
	}
	if err != nil {
		return nil, refuse(reasonCorrupt, "zip entry %q is damaged", f.Name)
	}
	return buf.Bytes(), nil
}

// tooManyHeaders reports whether archive/zip could find more than max
// central directory headers in b. It reads headers back to back until one
// fails, trusting no count, and allocates for each: a file of bare headers
// within the size limit costs it several times its size. The longest
// back-to-back chain of header signatures bounds what it can find; it is
// only computed when the plain count of signatures (which stored files
// inside the archive can inflate) is over max.
func tooManyHeaders(b []byte, max int) bool {
	sig := []byte("PK\x01\x02")
	if bytes.Count(b, sig) <= max {
		return false
	}
	var at []int
	for i := 0; ; {
		j := bytes.Index(b[i:], sig)
		if j < 0 {
			break
		}
		at = append(at, i+j)
		i += j + len(sig)
	}
	chain := make([]int, len(at)) // headers in a row from at[k]
	for k := len(at) - 1; k >= 0; k-- {
		p := at[k]
		chain[k] = 1
		if p+46 <= len(b) {
			next := p + 46 + int(binary.LittleEndian.Uint16(b[p+28:])) +
				int(binary.LittleEndian.Uint16(b[p+30:])) + int(binary.LittleEndian.Uint16(b[p+32:]))
			if j, ok := slices.BinarySearch(at, next); ok {
				chain[k] += chain[j]
			}
		}
		if chain[k] > max {
			return true
		}
	}
	return false
}

// isAppleDouble reports whether an entry is the metadata macOS adds to the
// archives it makes (__MACOSX/._name); it is kept as it is, since it starts
// with a magic number that no script or program can start with.
func isAppleDouble(name string, data []byte) bool {
	return strings.HasPrefix(name, "__MACOSX/") && strings.HasPrefix(path.Base(name), "._") &&
		bytes.HasPrefix(data, []byte("\x00\x05\x16\x07"))
}

// hasControl reports control characters in a name that may not be UTF-8
// (old archives use the DOS code page).
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return utf8.ValidString(s) && strings.ContainsFunc(s, unicode.IsControl)
}

func isSlash(r rune) bool { return r == '/' || r == '\\' }

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// mulCap returns a*b for non-negative a and b, or math.MaxInt64 on overflow.
func mulCap(a, b int64) int64 {
	if a != 0 && b > math.MaxInt64/a {
		return math.MaxInt64
	}
	return a * b
}
