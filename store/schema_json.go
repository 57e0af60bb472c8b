package store

import "errors"

// MarshalJSON encodes the schema in PowerSync's serialized form, the JSON
// PowerSync's SDKs hand to powersync_replace_schema.
func (s Schema) MarshalJSON() ([]byte, error) {
	return nil, errors.New("store: schema: marshal: not implemented")
}

// UnmarshalJSON decodes PowerSync's serialized schema form.
func (s *Schema) UnmarshalJSON(b []byte) error {
	return errors.New("store: schema: unmarshal: not implemented")
}
