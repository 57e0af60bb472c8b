package psync

import (
	"testing"

	"github.com/localfirst/gopowersync/internal/protocol"
	"github.com/localfirst/gopowersync/store"
)

// storeData looks up the keys a line may supersede with one query per line;
// an op must still supersede one stored by an earlier line, one earlier in
// the same line, and (keys that cannot go through JSON) any of them.
func TestStoreDataSupersedesWithinAndAcrossLines(t *testing.T) {
	db := openDB(t, listsSchema())
	opID := protocol.OpID(0)
	op := func(kind protocol.OpType, id string, sum protocol.Checksum) protocol.Op {
		opID++
		typ, oid, data := "todos", id, `{"description":"x"}`
		o := protocol.Op{OpID: opID, Op: kind, ObjectType: &typ, ObjectID: &oid, Checksum: sum}
		if kind == protocol.OpPut {
			o.Data = &data
		}
		return o
	}
	lines := [][]protocol.Op{
		{op(protocol.OpPut, "a", 1), op(protocol.OpPut, "b", 2)},
		{op(protocol.OpPut, "a", 4), op(protocol.OpPut, "a", 8), op(protocol.OpRemove, "b", 16), op(protocol.OpPut, "c", 32), op(protocol.OpMove, "", 64), op(protocol.OpPut, "d", 4096), op(protocol.OpPut, "d", 8192)},
		{op(protocol.OpPut, "z\xff", 128), op(protocol.OpPut, "n\x00", 256)},
		{op(protocol.OpPut, "z\xff", 512), op(protocol.OpPut, "z\xff", 1024), op(protocol.OpPut, "c", 2048)},
	}
	for _, l := range lines {
		err := db.WriteTx(bg, func(tx *store.Tx) error {
			return storeData(bg, tx, &protocol.DataBatch{Bucket: "b[]", Data: l}, nil)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Live: a (8), n\x00 (256), z\xff (1024), c (2048), d (8192); the rest superseded.
	b, err := db.Get(bg, `SELECT add_checksum, op_checksum FROM ps_buckets WHERE name = 'b[]'`)
	if err != nil {
		t.Fatal(err)
	}
	if b["op_checksum"] != int64(8+256+1024+2048+8192) || b["add_checksum"] != int64(1+2+4+16+32+64+128+512+4096) {
		t.Fatalf("bucket checksums %v", b)
	}
	rows, err := db.GetAll(bg, `SELECT row_id, hash FROM ps_oplog ORDER BY hash`)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{{"a", int64(8)}, {"n\x00", int64(256)}, {"z\xff", int64(1024)}, {"c", int64(2048)}, {"d", int64(8192)}}
	if len(rows.Values) != len(want) {
		t.Fatalf("ps_oplog holds %v, want %v", rows.Values, want)
	}
	for i, r := range rows.Values {
		if r[0] != want[i][0] || r[1] != want[i][1] {
			t.Fatalf("ps_oplog holds %q, want %q", rows.Values, want)
		}
	}
}
