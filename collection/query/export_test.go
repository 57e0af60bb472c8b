package query

// Exports for the external tests: the ordering and key definitions the
// judge shares with the engine (they define the result, they are not the
// incremental machinery under test).
var (
	CompareOrdered = func(a, b any, o Ordering) int { return compareOrdered(a, b, &o) }
	CanonKey       = canonKey
)

// LazyInputs counts the inputs of the running session whose window reads
// from an index, so that a test knows which path it covered.
func LazyInputs(lq *LiveQuery) int {
	lq.mu.Lock()
	defer lq.mu.Unlock()
	n := 0
	if lq.sess != nil {
		for _, in := range lq.sess.g.inputs {
			if in.top != nil && in.top.lazy != nil {
				n++
			}
		}
	}
	return n
}
