// Package rules decides which buckets a row belongs to and which buckets a
// user syncs: either one bucket per table for everyone (no sync rules), or
// the common subset of PowerSync's bucket_definitions sync rules.
//
// The subset, per definition:
//
//	bucket_definitions:
//	  <name>:
//	    parameters: SELECT request.user_id() as <param>   # optional; a string or a one-item list
//	    data:
//	      - SELECT * FROM <table>                          # without parameters
//	      - SELECT * FROM <table> WHERE <column> = bucket.<param>
//	    priority: 0-3                                      # optional, default 3
//
// Bucket names follow the service: "<name>[]" without parameters and
// "<name>[<JSON values>]" with them, such as `user_lists["u1"]`
// (powersync-service packages/sync-rules, SqlBucketDescriptor; the docs'
// usage/sync-rules pages). Anything else is refused with the line it is
// on.
package rules

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/localfirst/gopowersync/internal/protocol"
	"github.com/localfirst/gopowersync/syncserver/internal/rowjson"
	yaml "go.yaml.in/yaml/v3"
)

// Rules maps rows to buckets and users to buckets. The zero value is not
// usable; use Default or Parse.
type Rules struct {
	defs    []Definition
	byName  map[string]*Definition
	byTable map[string][]route
}

// Definition is one bucket definition.
type Definition struct {
	Name string
	// Param is the bucket parameter set to the user id, "" for none.
	Param string
	// Priority is 0 (first) to 3 (default).
	Priority int
	Queries  []Query
}

// Query is one data query: every row of Table, or with Column set, the
// rows whose Column equals the bucket parameter.
type Query struct {
	Table  string
	Column string
}

type route struct {
	def    *Definition
	column string
}

// Error is a refused sync-rules text: the line, the text on it and why.
type Error struct {
	Line   int
	Text   string
	Reason string
}

// Error returns `line N: "text": reason`.
func (e *Error) Error() string {
	if e.Text == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d: %q: %s", e.Line, e.Text, e.Reason)
}

// Default returns the rules used without a sync-rules file: every table
// is one bucket "<table>[]" that every user syncs, at priority 3.
func Default() *Rules { return &Rules{} }

// IsDefault tells whether r is Default's one-bucket-per-table mode.
func (r *Rules) IsDefault() bool { return r.byName == nil }

// Fingerprint identifies what r does; it changes when a different
// mapping of rows to buckets is configured.
func (r *Rules) Fingerprint() string {
	if r.IsDefault() {
		return "default"
	}
	b, err := json.Marshal(r.defs)
	if err != nil {
		panic(err) // plain strings and ints
	}
	return string(b)
}

// BucketsForRow returns the sorted names of the buckets the row of table
// belongs to. row is the row's JSON object, id included.
func (r *Rules) BucketsForRow(table string, row rowjson.Object) []string {
	if r.IsDefault() {
		return []string{table + "[]"}
	}
	var out []string
	for _, rt := range r.byTable[table] {
		if rt.column == "" {
			out = append(out, rt.def.Name+"[]")
			continue
		}
		v, ok := row.Get(rt.column)
		if !ok {
			continue
		}
		// request.user_id() is text, and SQL's = never matches NULL; a
		// number would name a bucket no user has, so only strings count.
		var s string
		if json.Unmarshal(v, &s) != nil {
			continue
		}
		out = append(out, BucketName(rt.def.Name, s))
	}
	sort.Strings(out)
	return dedupe(out)
}

// UserBucket is a bucket a user syncs and its priority.
type UserBucket struct {
	Name     string
	Priority int
}

// BucketsForUser returns the buckets userID syncs, in definition order.
// tables lists the tables written so far, which Default needs.
func (r *Rules) BucketsForUser(userID string, tables []string) []UserBucket {
	if r.IsDefault() {
		out := make([]UserBucket, len(tables))
		for i, t := range tables {
			out[i] = UserBucket{t + "[]", protocol.DefaultPriority}
		}
		return out
	}
	out := make([]UserBucket, len(r.defs))
	for i, d := range r.defs {
		name := d.Name + "[]"
		if d.Param != "" {
			name = BucketName(d.Name, userID)
		}
		out[i] = UserBucket{name, d.Priority}
	}
	return out
}

// BucketName returns the name of definition def's bucket for one string
// parameter value: def["value"].
func BucketName(def, value string) string {
	b := append([]byte(def), '[')
	b = rowjson.AppendString(b, value)
	return string(append(b, ']'))
}

func dedupe(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

const ident = `([A-Za-z_][A-Za-z0-9_]*|"[^"]+")`

var (
	paramRe = regexp.MustCompile(`(?is)^\s*SELECT\s+request\.user_id\(\)\s+AS\s+` + ident + `\s*;?\s*$`)
	dataRe  = regexp.MustCompile(`(?is)^\s*SELECT\s+\*\s+FROM\s+` + ident +
		`(?:\s+WHERE\s+(?:` + ident + `\s*=\s*bucket\.` + ident + `|bucket\.` + ident + `\s*=\s*` + ident + `))?\s*;?\s*$`)
)

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// Parse reads a sync-rules YAML text. Errors are *Error, except YAML
// syntax errors, which carry yaml's own line numbers.
func Parse(text string) (*Rules, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, &Error{Line: 1, Reason: "no bucket_definitions"}
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, &Error{Line: top.Line, Text: top.Value, Reason: "sync rules must be a mapping with bucket_definitions"}
	}
	if err := refuseDuplicateKeys(top); err != nil {
		return nil, err
	}
	r := &Rules{byName: map[string]*Definition{}, byTable: map[string][]route{}}
	var defsNode *yaml.Node
	for i := 0; i < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		if k.Value != "bucket_definitions" {
			return nil, &Error{Line: k.Line, Text: k.Value, Reason: "only bucket_definitions is supported by the dev sync server (not streams:, config: or other keys)"}
		}
		defsNode = v
	}
	if defsNode == nil {
		return nil, &Error{Line: top.Line, Reason: "no bucket_definitions"}
	}
	if defsNode.Kind != yaml.MappingNode || len(defsNode.Content) == 0 {
		return nil, &Error{Line: defsNode.Line, Text: defsNode.Value, Reason: "bucket_definitions must map definition names to definitions"}
	}
	if err := refuseDuplicateKeys(defsNode); err != nil {
		return nil, err
	}
	for i := 0; i < len(defsNode.Content); i += 2 {
		d, err := parseDefinition(defsNode.Content[i], defsNode.Content[i+1])
		if err != nil {
			return nil, err
		}
		r.defs = append(r.defs, d)
	}
	for i := range r.defs {
		d := &r.defs[i]
		r.byName[d.Name] = d
		for _, q := range d.Queries {
			r.byTable[q.Table] = append(r.byTable[q.Table], route{d, q.Column})
		}
	}
	return r, nil
}

// refuseDuplicateKeys refuses a mapping that names a key twice: YAML
// parsers differ on which one wins (the service's rejects the file), and
// a yaml.Node keeps both silently.
func refuseDuplicateKeys(m *yaml.Node) error {
	seen := make(map[string]bool, len(m.Content)/2)
	for i := 0; i < len(m.Content); i += 2 {
		k := m.Content[i]
		if seen[k.Value] {
			return &Error{Line: k.Line, Text: k.Value, Reason: "defined twice in the same mapping"}
		}
		seen[k.Value] = true
	}
	return nil
}

func parseDefinition(k, v *yaml.Node) (Definition, error) {
	d := Definition{Name: k.Value, Priority: protocol.DefaultPriority}
	if k.Kind != yaml.ScalarNode || d.Name == "" || strings.ContainsAny(d.Name, "[]\"") {
		return d, &Error{Line: k.Line, Text: k.Value, Reason: `a bucket definition name must be a non-empty name without [ ] or "`}
	}
	if v.Kind != yaml.MappingNode {
		return d, &Error{Line: v.Line, Text: v.Value, Reason: "a bucket definition must be a mapping with data and optional parameters and priority"}
	}
	if err := refuseDuplicateKeys(v); err != nil {
		return d, err
	}
	var dataNode *yaml.Node
	for i := 0; i < len(v.Content); i += 2 {
		key, val := v.Content[i], v.Content[i+1]
		switch key.Value {
		case "parameters":
			p, err := parseParameters(val)
			if err != nil {
				return d, err
			}
			d.Param = p
		case "data":
			dataNode = val
		case "priority":
			p, err := strconv.Atoi(val.Value)
			if val.Kind != yaml.ScalarNode || err != nil || p < 0 || p > 3 {
				return d, &Error{Line: val.Line, Text: val.Value, Reason: "priority must be an integer from 0 to 3"}
			}
			d.Priority = p
		default:
			return d, &Error{Line: key.Line, Text: key.Value, Reason: "only parameters, data and priority are supported in a bucket definition"}
		}
	}
	if dataNode == nil {
		return d, &Error{Line: k.Line, Text: k.Value, Reason: "bucket definition has no data"}
	}
	if dataNode.Kind != yaml.SequenceNode {
		return d, &Error{Line: dataNode.Line, Text: dataNode.Value, Reason: "data must be a list of queries"}
	}
	for _, q := range dataNode.Content {
		query, err := parseData(q, d.Param)
		if err != nil {
			return d, err
		}
		d.Queries = append(d.Queries, query)
	}
	return d, nil
}

func parseParameters(n *yaml.Node) (string, error) {
	if n.Kind == yaml.SequenceNode {
		if len(n.Content) != 1 {
			return "", &Error{Line: n.Line, Reason: "only one parameter query is supported"}
		}
		n = n.Content[0]
	}
	if n.Kind != yaml.ScalarNode {
		return "", &Error{Line: n.Line, Reason: "a parameter query must be a string"}
	}
	m := paramRe.FindStringSubmatch(n.Value)
	if m == nil {
		return "", &Error{Line: n.Line, Text: n.Value, Reason: `only "SELECT request.user_id() as <name>" is supported as a parameter query`}
	}
	return unquote(m[1]), nil
}

func parseData(n *yaml.Node, param string) (Query, error) {
	if n.Kind != yaml.ScalarNode {
		return Query{}, &Error{Line: n.Line, Reason: "a data query must be a string"}
	}
	m := dataRe.FindStringSubmatch(n.Value)
	if m == nil {
		return Query{}, &Error{Line: n.Line, Text: n.Value, Reason: `only "SELECT * FROM <table>", optionally with "WHERE <column> = bucket.<parameter>", is supported as a data query`}
	}
	q := Query{Table: unquote(m[1])}
	var bucketParam string
	switch {
	case m[2] != "":
		q.Column, bucketParam = unquote(m[2]), unquote(m[3])
	case m[4] != "":
		bucketParam, q.Column = unquote(m[4]), unquote(m[5])
	}
	switch {
	case param == "" && bucketParam != "":
		return q, &Error{Line: n.Line, Text: n.Value, Reason: fmt.Sprintf("bucket.%s is not a parameter of this definition (it has no parameters)", bucketParam)}
	case param != "" && bucketParam == "":
		return q, &Error{Line: n.Line, Text: n.Value, Reason: fmt.Sprintf("a query of a definition with parameters must filter on them: add WHERE <column> = bucket.%s", param)}
	case param != "" && bucketParam != param:
		return q, &Error{Line: n.Line, Text: n.Value, Reason: fmt.Sprintf("bucket.%s is not a parameter of this definition (its parameter is %s)", bucketParam, param)}
	}
	return q, nil
}
