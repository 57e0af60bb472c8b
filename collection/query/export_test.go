package query

// Exports for the external tests: the ordering and key definitions the
// judge shares with the engine (they define the result, they are not the
// incremental machinery under test).
var (
	CompareOrdered = func(a, b any, o Ordering) int { return compareOrdered(a, b, &o) }
	CanonKey       = canonKey
)
