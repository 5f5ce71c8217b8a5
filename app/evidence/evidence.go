// Package evidence decides whether an uploaded file may be kept as evidence
// for a checklist item.
//
// The type is decided from the bytes alone, never from the file name or the
// Content-Type the client sent: PDF, PNG, JPEG, DOCX, XLSX, UTF-8 text and
// ZIP archives of those are accepted; anything else is refused with a
// RefusedError saying why. HTML and SVG are refused even when they pass for
// text, because served from our origin they could run script. ZIP archives
// (DOCX and XLSX included) are read entry by entry while counting the bytes
// they expand to, so a zip bomb is stopped at the limits instead of being
// inflated.
package evidence

import (
	"bytes"
	"fmt"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is an accepted evidence file type.
type Kind string

// The accepted kinds.
const (
	PDF  Kind = "pdf"
	PNG  Kind = "png"
	JPEG Kind = "jpeg"
	DOCX Kind = "docx"
	XLSX Kind = "xlsx"
	TXT  Kind = "txt"
	ZIP  Kind = "zip"
)

// ContentType returns the MIME type to serve a kind with.
func (k Kind) ContentType() string {
	switch k {
	case PDF:
		return "application/pdf"
	case PNG:
		return "image/png"
	case JPEG:
		return "image/jpeg"
	case DOCX:
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case XLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case TXT:
		return "text/plain; charset=utf-8"
	case ZIP:
		return "application/zip"
	}
	return "application/octet-stream"
}

// Inline reports whether browsers may show it inline (PDF, PNG, JPEG); the
// others are always served as attachments.
func (k Kind) Inline() bool {
	return k == PDF || k == PNG || k == JPEG
}

const mib = 1 << 20

// Limits bounds what Check accepts. A field that is zero or negative takes
// its default.
type Limits struct {
	MaxBytes      int64 // the file itself, and each file inside a ZIP (default 20 MiB)
	MaxZipEntries int   // entries in one archive (default 1000)
	MaxZipTotal   int64 // total uncompressed bytes read from a ZIP, nested DOCX/XLSX included (default 200 MiB)
	MaxZipRatio   int64 // per entry and overall uncompressed/compressed (default 100)
}

// DefaultLimits returns the default limits.
func DefaultLimits() Limits {
	return Limits{
		MaxBytes:      20 * mib,
		MaxZipEntries: 1000,
		MaxZipTotal:   200 * mib,
		MaxZipRatio:   100,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxZipEntries <= 0 {
		l.MaxZipEntries = d.MaxZipEntries
	}
	if l.MaxZipTotal <= 0 {
		l.MaxZipTotal = d.MaxZipTotal
	}
	if l.MaxZipRatio <= 0 {
		l.MaxZipRatio = d.MaxZipRatio
	}
	return l
}

// The reasons a RefusedError may carry.
const (
	reasonTooLarge    = "too_large"
	reasonEmpty       = "empty"
	reasonUnknownType = "unknown_type"
	reasonHTML        = "html"
	reasonSVG         = "svg"
	reasonExecutable  = "executable"
	reasonZipBomb     = "zip_bomb"
	reasonZipEntry    = "zip_entry"
	reasonCorrupt     = "corrupt"
	reasonName        = "name"
)

// RefusedError says why a file was refused. Reason is a stable code for
// programs ("too_large", "empty", "unknown_type", "html", "svg",
// "executable", "zip_bomb", "zip_entry", "corrupt", "name") and Detail an
// English sentence naming the problem, fit to show to the user.
//
// A problem with one file inside a ZIP keeps that file's own reason (an
// executable inside a ZIP is "executable") and its Detail starts with
// `zip entry "<name>": `; "zip_entry" is for what only an archive entry can
// get wrong: its path, a nested ZIP, a link, encryption.
type RefusedError struct {
	Reason string
	Detail string
}

func (e *RefusedError) Error() string {
	return "evidence: refused: " + e.Detail
}

func refuse(reason, format string, args ...any) *RefusedError {
	return &RefusedError{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// inEntry returns e with its detail placed inside the named zip entry.
func inEntry(name string, e *RefusedError) *RefusedError {
	return &RefusedError{Reason: e.Reason, Detail: fmt.Sprintf("zip entry %q: %s", name, e.Detail)}
}

const accepted = "accepted types are PDF, PNG, JPEG, DOCX, XLSX, UTF-8 text and ZIP archives of those"

// Check decides the kind of content from its bytes and validates it: size,
// type and, for a ZIP, every entry (each must itself be an accepted kind
// other than ZIP, checked by content, under a safe relative path). Archives
// are never inflated beyond lim, whatever their headers claim. name is used
// only for messages and to refuse names that are not plain file names.
// Every refusal is a *RefusedError.
func Check(name string, content []byte, lim Limits) (Kind, error) {
	lim = lim.withDefaults()
	if err := checkName(name); err != nil {
		return "", err
	}
	if len(content) == 0 {
		return "", refuse(reasonEmpty, "the file is empty")
	}
	if int64(len(content)) > lim.MaxBytes {
		return "", refuse(reasonTooLarge, "the file is larger than the limit of %s", sizeText(lim.MaxBytes))
	}
	c := &checker{lim: lim, left: lim.MaxZipTotal}
	k, err := c.content(content, false)
	if err != nil {
		return "", err
	}
	return k, nil
}

// checkName refuses a name whose base is not a plain file name. Clients may
// send a relative path ("folder/report.pdf"), so only the base counts. The
// bidirectional overrides count as control characters: they exist in file
// names only to disguise an extension.
func checkName(name string) *RefusedError {
	if name == "" {
		return nil
	}
	base := path.Base(name)
	switch {
	case base == "/" || base == "." || base == "..":
		return refuse(reasonName, "the name %q is not a file name", name)
	case !utf8.ValidString(base):
		return refuse(reasonName, "the file name %q is not valid UTF-8", base)
	case strings.ContainsFunc(base, func(r rune) bool { return unicode.IsControl(r) || isBidiControl(r) }):
		return refuse(reasonName, "the file name %q contains control characters", base)
	case strings.ContainsRune(base, '\\'):
		return refuse(reasonName, "the file name %q contains a path separator", base)
	}
	return nil
}

// checker carries the limits and the decompression budget through one
// Check, nested archives included.
type checker struct {
	lim  Limits
	left int64 // uncompressed bytes that may still be read from archives
}

// content returns the kind of b, a file on its own (inZip false) or an entry
// of a ZIP being checked.
func (c *checker) content(b []byte, inZip bool) (Kind, *RefusedError) {
	switch {
	case len(b) == 0:
		return "", refuse(reasonEmpty, "the file is empty")
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return PDF, nil
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return PNG, nil
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return JPEG, nil
	case bytes.HasPrefix(b, []byte("PK\x03\x04")), bytes.HasPrefix(b, []byte("PK\x05\x06")):
		return c.archive(b, inZip)
	}
	if what := executable(b); what != "" {
		return "", refuse(reasonExecutable, "the content is %s, which is not accepted as evidence", what)
	}
	if what := unsupported(b); what != "" {
		return "", refuse(reasonUnknownType, "the content is %s, which is not accepted as evidence; %s", what, accepted)
	}
	if err := checkText(b); err != nil {
		return "", err
	}
	return TXT, nil
}

// executable names the kind of program b is, or returns "".
func executable(b []byte) string {
	switch {
	// A PE file's DOS header always holds zero bytes; text that merely
	// starts with "MZ" does not.
	case bytes.HasPrefix(b, []byte("MZ")) && bytes.IndexByte(b[:min(len(b), 64)], 0) >= 0:
		return "a Windows executable"
	case bytes.HasPrefix(b, []byte("\x7fELF")):
		return "a Linux executable (ELF)"
	case hasAnyPrefix(b, "\xfe\xed\xfa\xce", "\xfe\xed\xfa\xcf", "\xce\xfa\xed\xfe", "\xcf\xfa\xed\xfe"):
		return "a macOS executable (Mach-O)"
	case bytes.HasPrefix(b, []byte("\xca\xfe\xba\xbe")):
		return "a macOS universal executable or a Java class"
	case bytes.HasPrefix(b, []byte("#!")):
		return "a script (it starts with #!)"
	case bytes.HasPrefix(b, []byte("\x00asm")):
		return "a WebAssembly module"
	case bytes.HasPrefix(b, []byte("dex\n")):
		return "an Android executable (DEX)"
	}
	return ""
}

// unsupported names well-known file types that are not accepted, so the
// refusal can say what the file looked like, or returns "".
func unsupported(b []byte) string {
	switch {
	case hasAnyPrefix(b, "GIF87a", "GIF89a"):
		return "a GIF image"
	case bytes.HasPrefix(b, []byte("Rar!\x1a\x07")):
		return "a RAR archive"
	case bytes.HasPrefix(b, []byte("7z\xbc\xaf\x27\x1c")):
		return "a 7z archive"
	case bytes.HasPrefix(b, []byte("\x1f\x8b")):
		return "a gzip archive"
	case len(b) >= 10 && bytes.HasPrefix(b, []byte("BZh")) && bytes.Equal(b[4:10], []byte("1AY&SY")):
		return "a bzip2 archive"
	case bytes.HasPrefix(b, []byte("\xfd7zXZ\x00")):
		return "an xz archive"
	case bytes.HasPrefix(b, []byte("\x28\xb5\x2f\xfd")):
		return "a Zstandard archive"
	case bytes.HasPrefix(b, []byte("MSCF\x00\x00\x00\x00")):
		return "a CAB archive"
	case len(b) >= 262 && bytes.Equal(b[257:262], []byte("ustar")) && bytes.IndexByte(b[:257], 0) >= 0:
		return "a tar archive"
	case hasAnyPrefix(b, "PK\x01\x02", "PK\x07\x08"):
		return "a damaged or split ZIP archive"
	case bytes.HasPrefix(b, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
		return "an old-format or password-protected Microsoft Office file (DOC, XLS, PPT)"
	case bytes.HasPrefix(b, []byte(`{\rtf`)):
		return "an RTF document"
	case bytes.HasPrefix(b, []byte("%!PS")):
		return "a PostScript file"
	case hasAnyPrefix(b, "II*\x00", "MM\x00*"):
		return "a TIFF image"
	case len(b) >= 10 && bytes.HasPrefix(b, []byte("BM")) && bytes.Equal(b[6:10], []byte{0, 0, 0, 0}):
		return "a BMP image"
	case len(b) >= 12 && bytes.HasPrefix(b, []byte("RIFF")) && bytes.Equal(b[8:12], []byte("WEBP")):
		return "a WebP image"
	case len(b) >= 12 && bytes.HasPrefix(b, []byte("RIFF")) && (bytes.Equal(b[8:12], []byte("WAVE")) || bytes.Equal(b[8:12], []byte("AVI "))):
		return "an audio or video file (WAV, AVI)"
	case len(b) >= 12 && b[0] == 0 && bytes.Equal(b[4:8], []byte("ftyp")):
		if brand := string(b[8:12]); brand == "heic" || brand == "heix" || brand == "mif1" {
			return "a HEIC image"
		}
		return "an audio or video file (MP4, MOV)"
	}
	return ""
}

func hasAnyPrefix(b []byte, prefixes ...string) bool {
	for _, p := range prefixes {
		if bytes.HasPrefix(b, []byte(p)) {
			return true
		}
	}
	return false
}

// sizeText writes n bytes in MiB, as limits are configured.
func sizeText(n int64) string {
	switch {
	case n%mib == 0:
		return fmt.Sprintf("%d MiB", n/mib)
	case n >= mib/10:
		return fmt.Sprintf("%.1f MiB", float64(n)/mib)
	}
	return fmt.Sprintf("%d bytes", n)
}
