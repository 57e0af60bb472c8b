package store

// Validate checks the schema against PowerSync's rules and returns a
// *SchemaError naming the first offending table and column.
func (s Schema) Validate() error {
	return nil // TODO
}
