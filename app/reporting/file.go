package reporting

import (
	"fmt"
	"io"
	"os"
)

// File is a rendered report or export waiting in a temporary file to be
// sent. The file is already unlinked where the system allows it, so it
// vanishes with the process too; Close releases it.
type File struct {
	Name        string // the file name to offer
	ASCIIName   string // the name for clients that cannot read Name (RFC 5987); "" derives it from Name
	ContentType string
	Size        int64
	f           *os.File
}

// WriteTo sends the whole file to w, from its start.
func (f *File) WriteTo(w io.Writer) (int64, error) {
	if _, err := f.f.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	return io.Copy(w, f.f)
}

// Bytes reads the whole file, for tests and small callers.
func (f *File) Bytes() ([]byte, error) {
	if _, err := f.f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return io.ReadAll(f.f)
}

// Close releases the temporary file.
func (f *File) Close() error {
	if f == nil || f.f == nil {
		return nil
	}
	err := f.f.Close()
	_ = os.Remove(f.f.Name()) // where unlinking an open file failed
	return err
}

// spoolFile runs render into a new temporary file.
func spoolFile(render func(io.Writer) error) (*File, error) {
	tmp, err := os.CreateTemp("", "selfcheck-report-*")
	if err != nil {
		return nil, fmt.Errorf("reporting: temporary file: %w", err)
	}
	// Unlinked at once: the open file stays readable, and nothing is left
	// behind if the process dies before Close.
	_ = os.Remove(tmp.Name())
	f := &File{f: tmp}
	if err := render(tmp); err != nil {
		f.Close()
		return nil, err
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err != nil {
		f.Close()
		return nil, err
	}
	f.Size = size
	return f, nil
}
