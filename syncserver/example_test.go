package syncserver_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/localfirst/gopowersync/syncserver"
)

// A server seeded with one row, as the backend would have written it,
// and the first checkpoint a client's stream gets.
func Example() {
	ctx := context.Background()
	srv, err := syncserver.New(ctx, syncserver.Config{Path: ":memory:"})
	if err != nil {
		log.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	defer func() { // before hs.Close: it ends open streams
		if err := srv.Close(); err != nil {
			log.Print(err)
		}
	}()

	err = srv.Apply(ctx, []syncserver.Entry{{Op: "PUT", Type: "lists", ID: "l1", Data: json.RawMessage(`{"name":"Groceries"}`)}})
	if err != nil {
		log.Fatal(err)
	}
	token, err := srv.Token("u1", 0)
	if err != nil {
		log.Fatal(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hs.URL+"/sync/stream", strings.NewReader(`{"buckets":[],"client_id":"c1"}`))
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Authorization", "Token "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	lines := bufio.NewReader(resp.Body)
	for range 3 {
		line, err := lines.ReadString('\n')
		if err != nil {
			log.Fatal(err)
		}
		fmt.Print(line)
	}
	// Output:
	// {"checkpoint":{"last_op_id":"1","buckets":[{"bucket":"lists[]","checksum":455782866,"count":1,"priority":3}]}}
	// {"data":{"bucket":"lists[]","after":"0","next_after":"1","has_more":false,"data":[{"op_id":"1","op":"PUT","object_type":"lists","object_id":"l1","data":"{\"id\":\"l1\",\"name\":\"Groceries\"}","checksum":455782866,"subkey":"sk-lists-l1"}]}}
	// {"checkpoint_complete":{"last_op_id":"1"}}
}
