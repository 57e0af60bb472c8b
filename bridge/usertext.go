package bridge

import (
	"errors"
	"strconv"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/collection/powersync"
	"github.com/localfirst/gopowersync/store"
)

// This file is the one place where an engine error becomes the text a JS
// user reads. Go errors keep their context chains (store: execute "...":
// ...) for Go callers; a JS caller gets the words TanStack DB or PowerSync
// would use for the same failure, and otherwise the failure without the Go
// package prefixes.

// userText returns the JS class name and message for err. An empty message
// means: the JS class's own default text (it matches TanStack DB's fixed
// text for that class).
func userText(err error) (name, msg string) {
	var n collection.NamedError
	var sqlErr *sqlite3.Error
	var argc *store.ArgCountError
	var code sqlite3.ExtendedErrorCode
	var notPS *powersync.NotPowerSyncCollectionError
	var schemaErr *store.SchemaError
	switch {
	case errors.As(err, &notPS):
		// What @tanstack/powersync-db-collection's PowerSyncTransactor
		// throws: a plain Error with this text.
		return "Error", "Collection is not a PowerSync collection."
	case errors.As(err, &n):
		return n.Name(), namedText(n)
	case errors.Is(err, store.ErrNoRows):
		// PowerSync's text for get() on no rows.
		return "Error", "Result set is empty"
	case errors.Is(err, store.ErrWriteInRead):
		return "Error", "this statement writes: it cannot run in readTransaction or readLock (use writeTransaction or writeLock)"
	case errors.Is(err, store.ErrTxControl):
		return "Error", "transaction-control statements (BEGIN, COMMIT, ROLLBACK, END, SAVEPOINT, RELEASE) are refused: the database opens and ends transactions itself; use writeTransaction or readTransaction (commits when the callback returns, rolls back when it throws)"
	case errors.Is(err, store.ErrTxEnded):
		return "Error", "a statement inside the transaction ended it (COMMIT, ROLLBACK or END): do not run these in writeTransaction; it commits when the callback returns and rolls back when it throws"
	case errors.Is(err, store.ErrClosed):
		// The JS class carries the one text for a closed database.
		return "DatabaseClosedError", ""
	case errors.As(err, &argc):
		return "Error", "the SQL has " + strconv.Itoa(argc.Params) + " parameter(s) but " + strconv.Itoa(argc.Args) +
			" argument(s) were given: pass one value per ? in the parameters array"
	case errors.As(err, &schemaErr):
		return "Error", schemaText(schemaErr)
	case errors.Is(err, sqlite3.NOTADB):
		return "Error", "file is not a database: dbFilename names a file that is not a SQLite database; use another path or remove the file"
	case errors.As(err, &sqlErr):
		return "Error", sqliteMessage(sqlErr)
	case errors.As(err, &code):
		// A bare result code (from open, for instance): SQLite's text for it.
		return "Error", strings.TrimPrefix(code.Error(), "sqlite3: ")
	}
	return "Error", stripPrefixes(err.Error())
}

// namedText is TanStack DB's text for the collection package's typed
// errors (their classes' constructors build it from the key or state), or
// the error's own text without package prefixes.
func namedText(n collection.NamedError) string {
	switch e := n.(type) {
	case *collection.DuplicateKeyError:
		return `Cannot insert document with ID "` + e.Key + `" because it already exists in the collection`
	case *collection.UpdateKeyNotFoundError:
		return `The key "` + e.Key + `" was passed to update but an object for this key was not found in the collection`
	case *collection.DeleteKeyNotFoundError:
		return "Collection.delete was called with key '" + e.Key + "' but there is no item in the collection with this key"
	case *collection.KeyUpdateNotAllowedError:
		return `Updating the key of an item is not allowed. Original key: "` + e.From + `", Attempted new key: "` + e.To +
			`". Please delete the old item and create a new one if a key change is necessary.`
	case *collection.CollectionInErrorStateError:
		return "Cannot perform " + e.Operation + ` on collection "` + e.CollectionID +
			`" - collection is in error state. Try calling cleanup() and restarting the collection.`
	case *collection.SchemaValidationError:
		// The JS class words it from type and issues.
		return ""
	case *collection.MissingMutationFunctionError, *collection.TransactionNotPendingMutateError,
		*collection.TransactionNotPendingCommitError, *collection.TransactionAlreadyCompletedRollbackError,
		*collection.MissingInsertHandlerError, *collection.MissingUpdateHandlerError, *collection.MissingDeleteHandlerError,
		*collection.NoKeysPassedToUpdateError, *collection.NoKeysPassedToDeleteError, *collection.MissingUpdateArgumentError:
		return ""
	}
	return stripPrefixes(n.Error())
}

// schemaText words a schema the store refuses (at new Schema() once the
// module is loaded, or at open): the store's own text of what is wrong and
// where, with "invalid schema: " for its Go context ("store: schema: ").
func schemaText(e *store.SchemaError) string {
	return "invalid schema: " + strings.TrimPrefix(e.Error(), "store: schema: ")
}

// goPrefixes are the package prefixes the engine's errors start with.
var goPrefixes = []string{"store: ", "collection: ", "powersync: ", "psync: ", "sync: ", "bridge: ", "query."}

// stripPrefixes drops the Go package prefixes from the start of s.
func stripPrefixes(s string) string {
	for again := true; again; {
		again = false
		for _, p := range goPrefixes {
			if rest, ok := strings.CutPrefix(s, p); ok {
				s, again = rest, true
			}
		}
	}
	return s
}

// sqliteMessage is SQLite's own text of e ("no such table: t"), the text
// PowerSync's JS SDKs show for a failed statement: the Go chain around it
// (store: execute "...": sqlite3: SQL logic error: ...) means nothing to a
// JS caller.
func sqliteMessage(e *sqlite3.Error) string {
	s := e.Error()
	if rest, ok := strings.CutPrefix(s, "sqlite3: "); ok {
		if _, m, ok := strings.Cut(rest, ": "); ok {
			return m
		}
		return rest
	}
	return s
}
