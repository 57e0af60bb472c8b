package syncserver

// SetDataLineHook makes every stream of s call f after each data line it
// writes, so that a test can change the database between two lines of
// one checkpoint.
func SetDataLineHook(s *Server, f func()) { s.afterDataLine = f }
