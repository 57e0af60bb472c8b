package store_test

import (
	"context"
	"fmt"
	"log"

	"github.com/localfirst/gopowersync/store"
)

// Writes through a table's view are queued for upload in PowerSync's
// format; an uploader reads them in batches and completes them.
func Example() {
	ctx := context.Background()
	schema := store.Schema{Tables: []store.Table{{
		Name:    "todos",
		Columns: []store.Column{{Name: "title", Type: store.Text}, {Name: "done", Type: store.Integer}},
	}}}
	db, err := store.Open(ctx, ":memory:", schema, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	if _, err := db.Execute(ctx, `INSERT INTO todos(id, title, done) VALUES (?, ?, ?)`, "t1", "Buy milk", 0); err != nil {
		log.Fatal(err)
	}
	if _, err := db.Execute(ctx, `UPDATE todos SET done = 1 WHERE id = ?`, "t1"); err != nil {
		log.Fatal(err)
	}

	batch, err := db.GetCrudBatch(ctx, 100)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range batch.Crud {
		fmt.Println(e.TransactionID, e.Op, e.Table, e.ID, e.OpData)
	}
	if err := batch.Complete(ctx); err != nil { // after the backend accepted them
		log.Fatal(err)
	}
	n, _, _ := db.UploadQueueStats(ctx)
	fmt.Println("queued:", n)
	// Output:
	// 1 PUT todos t1 map[done:0 title:Buy milk]
	// 2 PATCH todos t1 map[done:1]
	// queued: 0
}

// OnChange reports the tables each committed transaction changed.
func ExampleDB_OnChange() {
	ctx := context.Background()
	schema := store.Schema{Tables: []store.Table{{Name: "notes", Columns: []store.Column{{Name: "body", Type: store.Text}}, LocalOnly: true}}}
	db, err := store.Open(ctx, ":memory:", schema, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	cancel := db.OnChange([]string{"notes"}, func(tables []string) { fmt.Println("changed:", tables) })
	defer cancel()
	db.Execute(ctx, `INSERT INTO notes(id, body) VALUES ('n1', 'hello')`)
	// Output:
	// changed: [notes]
}
