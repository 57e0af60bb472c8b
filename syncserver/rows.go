package syncserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
)

// Rows returns the rows of table as the server holds them, id to row;
// each row has its "id" and columns, with numbers as json.Number so that
// they compare exactly. A table never written has no rows.
func (s *Server) Rows(ctx context.Context, table string) (map[string]map[string]any, error) {
	texts, err := s.db.Rows(ctx, table)
	if err != nil {
		return nil, fmt.Errorf("syncserver: %w", err)
	}
	out := make(map[string]map[string]any, len(texts))
	for id, text := range texts {
		dec := json.NewDecoder(bytes.NewReader([]byte(text)))
		dec.UseNumber()
		var row map[string]any
		if err := dec.Decode(&row); err != nil {
			return nil, fmt.Errorf("syncserver: rows of %q: row %q: %w", table, id, err)
		}
		out[id] = row
	}
	return out, nil
}
