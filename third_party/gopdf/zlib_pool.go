package gopdf

// Selfcheck patch: pooled zlib writers. A zlib writer allocates about a
// megabyte of state; gopdf made a new one for every content stream and
// the font, which cost a tenth of a report's time in allocation and
// clearing. Writers are reset and reused, one pool per level.

import (
	"compress/zlib"
	"io"
	"sync"
)

var zlibPools [zlib.BestCompression - zlib.HuffmanOnly + 1]sync.Pool

func getZlibWriter(w io.Writer, level int) (*zlib.Writer, error) {
	if level < zlib.HuffmanOnly || level > zlib.BestCompression {
		return zlib.NewWriterLevel(w, level)
	}
	if zw, ok := zlibPools[level-zlib.HuffmanOnly].Get().(*zlib.Writer); ok {
		zw.Reset(w)
		return zw, nil
	}
	return zlib.NewWriterLevel(w, level)
}

// putZlibWriter returns a closed writer to its pool.
func putZlibWriter(zw *zlib.Writer, level int) {
	if level < zlib.HuffmanOnly || level > zlib.BestCompression {
		return
	}
	zlibPools[level-zlib.HuffmanOnly].Put(zw)
}
