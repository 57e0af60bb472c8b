package bridge

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/localfirst/gopowersync/psync"
)

func TestSyncStatusEncodesPowerSyncsShapeForJS(t *testing.T) {
	at := time.UnixMilli(1700000000123)
	cases := []struct {
		name string
		in   psync.SyncStatus
		want string
	}{
		{"never synced", psync.SyncStatus{},
			`{"connected":false,"connecting":false,"dataFlow":{"downloading":false,"uploading":false},"hasSynced":false,"lastSyncedAt":null,"priorityStatusEntries":[]}`},
		{"synced, with a partial priority", psync.SyncStatus{Connected: true, LastSyncedAt: at,
			PriorityStatusEntries: []psync.PriorityStatus{{Priority: 1, HasSynced: true, LastSyncedAt: at}}},
			`{"connected":true,"connecting":false,"dataFlow":{"downloading":false,"uploading":false},"hasSynced":true,"lastSyncedAt":1700000000123,` +
				`"priorityStatusEntries":[{"hasSynced":true,"lastSyncedAt":1700000000123,"priority":1}]}`},
		{"errors carry the HTTP status and service code", psync.SyncStatus{Connecting: true, DataFlow: psync.DataFlowStatus{
			DownloadError: fmt.Errorf("wrapped: %w", &psync.HTTPError{Method: "POST", URL: "http://x/sync/stream", StatusCode: 401, Code: "PSYNC_S2101"}),
			UploadError:   errors.New("backend down")}},
			`{"connected":false,"connecting":true,"dataFlow":{"downloadError":{"code":"PSYNC_S2101","message":"wrapped: sync: POST http://x/sync/stream: HTTP 401 PSYNC_S2101","status":401},` +
				`"downloading":false,"uploadError":{"message":"backend down"},"uploading":false},"hasSynced":false,"lastSyncedAt":null,"priorityStatusEntries":[]}`},
		{"errors the app's connector threw name the method", psync.SyncStatus{DataFlow: psync.DataFlowStatus{
			DownloadError: fmt.Errorf("sync: fetch credentials: %w", &ConnectorError{Method: "fetchCredentials", Err: errors.New("token service down")}),
			UploadError:   fmt.Errorf("sync: upload: %w", &ConnectorError{Method: "uploadData", Err: errors.New("HTTP 409")})}},
			`{"connected":false,"connecting":false,"dataFlow":{"downloadError":{"message":"fetch credentials: token service down","thrown":"fetchCredentials"},` +
				`"downloading":false,"uploadError":{"message":"upload: HTTP 409","thrown":"uploadData"},"uploading":false},"hasSynced":false,"lastSyncedAt":null,"priorityStatusEntries":[]}`},
		{"progress overall and until each priority", psync.SyncStatus{DataFlow: psync.DataFlowStatus{Downloading: true, DownloadProgress: &psync.DownloadProgress{
			Buckets: map[string]psync.BucketProgress{
				"a": {Priority: 1, SinceLast: 10, TargetCount: 40},
				"b": {Priority: 3, AtLast: 100, SinceLast: 30, TargetCount: 160},
			}}}},
			`{"connected":false,"connecting":false,"dataFlow":{"downloadProgress":{"downloadedFraction":0.4,"downloadedOperations":40,"priorities":[` +
				`{"downloadedFraction":0.25,"downloadedOperations":10,"priority":1,"totalOperations":40},` +
				`{"downloadedFraction":0.4,"downloadedOperations":40,"priority":3,"totalOperations":100}],"totalOperations":100},` +
				`"downloading":true,"uploading":false},"hasSynced":false,"lastSyncedAt":null,"priorityStatusEntries":[]}`},
		{"nothing to download is done", psync.SyncStatus{DataFlow: psync.DataFlowStatus{Downloading: true, DownloadProgress: &psync.DownloadProgress{}}},
			`{"connected":false,"connecting":false,"dataFlow":{"downloadProgress":{"downloadedFraction":1,"downloadedOperations":0,"priorities":[],"totalOperations":0},` +
				`"downloading":true,"uploading":false},"hasSynced":false,"lastSyncedAt":null,"priorityStatusEntries":[]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var e Encoder
			if err := e.SyncStatus(c.in); err != nil {
				t.Fatal(err)
			}
			if string(e.Buf) != c.want {
				t.Errorf("got  %s\nwant %s", e.Buf, c.want)
			}
		})
	}
}
