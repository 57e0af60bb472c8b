package collection

// ChangeType is the kind of a Change.
type ChangeType string

// The change types.
const (
	ChangeInsert ChangeType = "insert"
	ChangeUpdate ChangeType = "update"
	ChangeDelete ChangeType = "delete"
)

// Change is one item's change: an event delivered to SubscribeChanges, or a
// message a sync source writes with SyncParams.Write.
type Change struct {
	Type ChangeType
	// Key of the item. A sync source may leave it empty to have it derived
	// from Value; without a Value (a delete), "" is the key "".
	Key string
	// Value is the item after the change; for a delete, the removed item.
	Value Row
	// PreviousValue is the item before an update (events only).
	PreviousValue Row
}

// ChangeMessage is the name TanStack DB gives a change written by a sync source.
type ChangeMessage = Change
