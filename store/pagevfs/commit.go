package pagevfs

// Page is one run of bytes of the database file changed by a commit.
// SQLite writes whole pages, so in practice each Page is one database page.
type Page struct {
	// Offset is where Data starts in the database file.
	Offset int64
	// Data holds the bytes at Offset after the commit.
	Data []byte
}

// Commit is one committed transaction: everything a copy of the file needs
// to move from the previous committed state to this one.
type Commit struct {
	// Size is the length of the database file after the commit. A copy is
	// truncated or extended (with zeros) to Size before Pages are written.
	Size int64
	// Pages are the changed byte ranges, in increasing Offset order,
	// each within Size.
	Pages []Page
}

// Sink receives the commits of a [VFS].
type Sink interface {
	// Commit is called once per committed write transaction, in commit
	// order, while SQLite holds the write lock. The Data of each Page
	// aliases the VFS's memory and is valid only until Commit returns:
	// a sink that keeps it must copy it.
	//
	// An error fails the SQLite commit (SQLITE_IOERR_FSYNC) and is kept as
	// the connection's system error; SQLite then rolls the transaction back.
	Commit(c Commit) error
}

// SinkFunc adapts a function to a [Sink].
type SinkFunc func(c Commit) error

// Commit calls f(c).
func (f SinkFunc) Commit(c Commit) error { return f(c) }

// Apply writes c onto image, a copy of the database file in the committed
// state before c, and returns the image in the state after c. It may reuse
// image's storage.
func Apply(image []byte, c Commit) []byte {
	image = resize(image, c.Size)
	for _, p := range c.Pages {
		copy(image[p.Offset:], p.Data)
	}
	return image
}

// resize truncates b to n bytes or extends it with zeros.
func resize(b []byte, n int64) []byte {
	if n <= int64(len(b)) {
		return b[:n]
	}
	if n <= int64(cap(b)) {
		old := len(b)
		b = b[:n]
		clear(b[old:])
		return b
	}
	return append(b, make([]byte, n-int64(len(b)))...)
}
