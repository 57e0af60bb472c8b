package pagevfs

import (
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
}

// newImage takes ownership of data, the initial file content.
func newImage(data []byte) *image {
	m := &image{size: int64(len(data)), dirty: map[int64]int64{}}
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
	m.resized = true
}

// pending reports whether anything changed since the last commit.
func (m *image) pending() bool {
	return len(m.dirty) > 0 || m.resized
}

// commit describes the changes since the last commit, with Page data
// aliasing the image, and forgets them. Ranges past the current size are
// dropped (they were truncated away); ranges are split at chunk boundaries.
func (m *image) commit() Commit {
	offsets := make([]int64, 0, len(m.dirty))
	for off := range m.dirty {
		offsets = append(offsets, off)
	}
	slices.Sort(offsets)
	c := Commit{Size: m.size, Pages: make([]Page, 0, len(offsets))}
	for _, off := range offsets {
		end := min(off+m.dirty[off], m.size)
		for off < end {
			chunk := m.chunks[off/chunkSize]
			lo := off % chunkSize
			hi := min(int64(chunkSize), lo+end-off)
			c.Pages = append(c.Pages, Page{Offset: off, Data: chunk[lo:hi:hi]})
			off += hi - lo
		}
	}
	m.forget()
	return c
}

// forget drops the record of changes since the last commit.
func (m *image) forget() {
	clear(m.dirty)
	m.resized = false
}

// bytes returns a copy of the whole file.
func (m *image) bytes() []byte {
	b := make([]byte, m.size)
	m.readAt(b, 0)
	return b
}
