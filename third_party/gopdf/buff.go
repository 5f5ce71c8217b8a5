package gopdf

// Buff for pdf content
type Buff struct {
	position int
	datas    []byte
}

// Write : write []byte to buffer
//
// Selfcheck patch: it grows the buffer by doubling and copies p at once.
// It appended one zero byte at a time and then copied byte by byte, which
// made building a CJK font subset (a few hundred KB) allocate about 2 MB a
// report; the bytes written, and the zeros left where SetPosition skipped
// ahead, are the same.
func (b *Buff) Write(p []byte) (int, error) {
	end := b.position + len(p)
	if end > len(b.datas) {
		if end > cap(b.datas) {
			size := 2 * cap(b.datas)
			if size < end {
				size = end + 512
			}
			grown := make([]byte, end, size)
			copy(grown, b.datas)
			b.datas = grown
		} else {
			b.datas = b.datas[:end]
		}
	}
	copy(b.datas[b.position:], p)
	b.position = end
	return len(p), nil
}

// Len : len of buffer
func (b *Buff) Len() int {
	return len(b.datas)
}

// Bytes : get bytes
func (b *Buff) Bytes() []byte {
	return b.datas
}

// Position : get current position
func (b *Buff) Position() int {
	return b.position
}

// SetPosition : set current position
func (b *Buff) SetPosition(pos int) {
	b.position = pos
}
