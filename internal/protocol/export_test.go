package protocol

// For the external tests and benchmarks (package protocol_test).
var (
	DecodeLineStd   = decodeLineStd
	AppendLineStd   = appendLineStd
	CheckAgainstStd = checkAgainstStd
)
