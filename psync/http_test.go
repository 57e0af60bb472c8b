package psync

import (
	"io"
	"strings"
	"testing"
)

func TestAnErrorAnswerIsSummedUpWithoutItsWholeBody(t *testing.T) {
	long := strings.Repeat("é", 150) // 300 bytes: the cut must not split a rune
	for _, tc := range []struct {
		name, contentType, body string
		code, desc              string
	}{
		{"the service's JSON error", "application/json", `{"error":{"code":"PSYNC_S2101","description":"Authentication required"}}`, "PSYNC_S2101", "Authentication required"},
		{"plain text", "text/plain", " upstream down\n", "", "upstream down"},
		{"an HTML page", "text/html; charset=utf-8", "<h1>Not Found</h1>", "", "the answer is an HTML page (is the endpoint a PowerSync service?)"},
		{"an HTML page without its type", "", "<!DOCTYPE html><html><body>404</body></html>", "", "the answer is an HTML page (is the endpoint a PowerSync service?)"},
		{"long text", "text/plain", long, "", strings.Repeat("é", 100) + "…"},
		{"nothing", "text/plain", "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := &Request{Method: "POST", URL: "http://example.test/sync/stream"}
			e := readHTTPError(req, &Response{StatusCode: 404, ContentType: tc.contentType, Body: io.NopCloser(strings.NewReader(tc.body))})
			if e.StatusCode != 404 || e.Code != tc.code || e.Description != tc.desc {
				t.Errorf("got %d %q %q, want 404 %q %q", e.StatusCode, e.Code, e.Description, tc.code, tc.desc)
			}
		})
	}
}
