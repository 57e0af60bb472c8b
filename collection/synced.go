package collection

// syncedRows is the synced state: the items in a slice, each key's place
// in a map. A pass over every item (First, filling an index, State) reads
// the slice in order: the order the items arrived, but for the last item
// moved into the place of a deleted one. A load packs its items one after
// the other, so that pass reads memory mostly in sequence, where a map's
// order is random and costs a cache miss per item (BENCHMARKS.md, "the
// first window's pass in insertion order"). It costs a map entry of a key
// and an int per item beside the slice's key and held item.
type syncedRows struct {
	at   map[string]int
	rows []syncedRow
}

type syncedRow struct {
	key string
	held
}

func newSyncedRows(n int) syncedRows {
	return syncedRows{at: make(map[string]int, n), rows: make([]syncedRow, 0, n)}
}

func (s *syncedRows) len() int { return len(s.rows) }

func (s *syncedRows) get(key string) (held, bool) {
	i, ok := s.at[key]
	if !ok {
		return held{}, false
	}
	return s.rows[i].held, true
}

func (s *syncedRows) has(key string) bool {
	_, ok := s.at[key]
	return ok
}

// set puts h under key, in its place when key is there, else last.
func (s *syncedRows) set(key string, h held) {
	if i, ok := s.at[key]; ok {
		s.rows[i].held = h
		return
	}
	s.at[key] = len(s.rows)
	s.rows = append(s.rows, syncedRow{key: key, held: h})
}

// delete removes key, moving the last item into its place; it reports
// whether key was there.
func (s *syncedRows) delete(key string) bool {
	i, ok := s.at[key]
	if !ok {
		return false
	}
	delete(s.at, key)
	last := len(s.rows) - 1
	if i != last {
		s.rows[i] = s.rows[last]
		s.at[s.rows[i].key] = i
	}
	s.rows[last] = syncedRow{} // let the item go
	s.rows = s.rows[:last]
	return true
}

// reserve makes room for n items without growing step by step.
func (s *syncedRows) reserve(n int) {
	if n <= len(s.rows) {
		return
	}
	at := make(map[string]int, n)
	for k, i := range s.at {
		at[k] = i
	}
	rows := make([]syncedRow, len(s.rows), n)
	copy(rows, s.rows)
	s.at, s.rows = at, rows
}
