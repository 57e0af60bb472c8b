package pagevfs

import (
	"cmp"
	"io"
	"slices"
)

// chunkSize is the unit the in-memory file grows by. It is the largest
// SQLite page size, so an aligned page never straddles two chunks and a
// dirty page can be reported as one slice of memory, without copying.
const chunkSize = 64 << 10

// image is the in-memory content of the database file, plus the set of byte
// ranges written since the last commit. It is not safe for concurrent use.
type image struct {
	chunks  [][]byte // each chunkSize long; the last may extend past size
	size    int64
	dirty   map[int64]int64 // offset -> length written since the last commit
	resized bool            // size changed since the last commit
	// low is the smallest size since the last commit. Bytes from low on
	// may differ from the committed copy's even where nothing was written
	// (a truncation followed by growth leaves zeros), so they are reported.
	low int64
}

// newImage takes ownership of data, the initial file content.
func newImage(data []byte) *image {
	m := &image{size: int64(len(data)), low: int64(len(data)), dirty: map[int64]int64{}}
	for len(data) >= chunkSize {
		m.chunks = append(m.chunks, data[:chunkSize:chunkSize])
		data = data[chunkSize:]
	}
	if len(data) > 0 {
		last := make([]byte, chunkSize)
		copy(last, data)
		m.chunks = append(m.chunks, last)
	}
	return m
}

// readAt reads like io.ReaderAt: a short read at the end returns io.EOF.
func (m *image) readAt(b []byte, off int64) (int, error) {
	n := 0
	for n < len(b) && off < m.size {
		chunk := m.chunks[off/chunkSize][off%chunkSize:]
		if rest := m.size - off; int64(len(chunk)) > rest {
			chunk = chunk[:rest]
		}
		c := copy(b[n:], chunk)
		n += c
		off += int64(c)
	}
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}

// writeAt writes b at off, growing the file, and marks the range dirty.
func (m *image) writeAt(b []byte, off int64) {
	if end := off + int64(len(b)); end > m.size {
		m.grow(end)
	}
	if l, ok := m.dirty[off]; !ok || l < int64(len(b)) {
		m.dirty[off] = int64(len(b))
	}
	for n := 0; n < len(b); {
		c := copy(m.chunks[off/chunkSize][off%chunkSize:], b[n:])
		n += c
		off += int64(c)
	}
}

// grow extends the file to size with zeros.
func (m *image) grow(size int64) {
	for int64(len(m.chunks))*chunkSize < size {
		m.chunks = append(m.chunks, make([]byte, chunkSize))
	}
	m.size = size
	m.resized = true
}

// truncate cuts or extends the file to size.
func (m *image) truncate(size int64) {
	if size >= m.size {
		if size > m.size {
			m.grow(size)
		}
		return
	}
	// Zero the tail of the last kept chunk, so a later grow reads zeros.
	if rest := size % chunkSize; rest != 0 {
		clear(m.chunks[size/chunkSize][rest:])
	}
	keep := (size + chunkSize - 1) / chunkSize
	clear(m.chunks[keep:])
	m.chunks = m.chunks[:keep]
	m.size = size
	m.low = min(m.low, size)
	m.resized = true
}

// pending reports whether anything changed since the last commit.
func (m *image) pending() bool {
	return len(m.dirty) > 0 || m.resized
}

// commit describes the changes since the last commit, with Page data
// aliasing the image, and forgets them. Written ranges and the range from
// the low-water size to the end are clipped to the current size, merged
// where they touch, and split at chunk boundaries.
func (m *image) commit() Commit {
	type span struct{ lo, hi int64 }
	spans := make([]span, 0, len(m.dirty)+1)
	for off, n := range m.dirty {
		if off < m.size {
			spans = append(spans, span{off, min(off+n, m.size)})
		}
	}
	if m.low < m.size {
		spans = append(spans, span{m.low, m.size})
	}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.lo, b.lo) })
	c := Commit{Size: m.size, Pages: make([]Page, 0, len(spans))}
	for i := 0; i < len(spans); {
		lo, hi := spans[i].lo, spans[i].hi
		for i++; i < len(spans) && spans[i].lo <= hi; i++ {
			hi = max(hi, spans[i].hi)
		}
		c.Pages = m.appendPages(c.Pages, lo, hi)
	}
	m.forget()
	return c
}

// appendPages appends the bytes [lo, hi) as Pages, one per chunk touched.
func (m *image) appendPages(pages []Page, lo, hi int64) []Page {
	for lo < hi {
		chunk := m.chunks[lo/chunkSize]
		from := lo % chunkSize
		to := min(int64(chunkSize), from+hi-lo)
		pages = append(pages, Page{Offset: lo, Data: chunk[from:to:to]})
		lo += to - from
	}
	return pages
}

// forget drops the record of changes since the last commit.
func (m *image) forget() {
	clear(m.dirty)
	m.resized = false
	m.low = m.size
}

// bytes returns a copy of the whole file.
func (m *image) bytes() []byte {
	b := make([]byte, m.size)
	m.readAt(b, 0)
	return b
}
