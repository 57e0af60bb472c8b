package protocol

import (
	"encoding/json"
	"testing"
)

// The vectors were checked against the service's own test snapshots
// (powersync-service packages/service-core/test).
func TestPutAndRemoveChecksumsMatchTheService(t *testing.T) {
	cases := []struct {
		name string
		got  Checksum
		want uint32
	}{
		{"V1", PutChecksum("test", "t1", `{"id":"t1","description":"Test 1"}`), 920318466},
		{"V2", PutChecksum("test", "t2", `{"id":"t2","description":"Test 2"}`), 3280762209},
		{"V3", PutChecksum("test", "test1", `{"id":"test1","description":"test1"}`), 2871785649},
		{"V4", RemoveChecksum("6544e3899293153fa7b38331/b40bd986-036a-51c7-ad7d-789ecb75e38c"), 2872534815},
		{"compacted t1", PutChecksum("test", "t1", `{"id":"t1","description":"Test 1b"}`), 1859363232},
		{"compacted t2", PutChecksum("test", "t2", `{"id":"t2","description":"Test 2b"}`), 3028503153},
		{"sample op 5", RemoveChecksum("sk-todos-t2"), 707426692},
	}
	for _, c := range cases {
		if uint32(c.got) != c.want {
			t.Errorf("%s: checksum %d, want %d", c.name, c.got, c.want)
		}
	}
}

func TestBucketChecksumWrapsAndPrintsSigned(t *testing.T) {
	sum := PutChecksum("test", "t1", `{"id":"t1","description":"Test 1"}`) + PutChecksum("test", "t2", `{"id":"t2","description":"Test 2"}`)
	if sum != 4201080675 || sum.Signed() != -93886621 {
		t.Fatalf("sum %d (signed %d), want 4201080675 (-93886621)", sum, sum.Signed())
	}
}

func TestParseChecksumAcceptsWhatTheCoreAccepts(t *testing.T) {
	good := map[string]uint32{
		"0": 0, "-1": 4294967295, "4294967295": 4294967295, "-2147483648": 2147483648,
		"-721471609.0": 3573495687, "920318466": 920318466, "1e3": 1000,
	}
	for in, want := range good {
		got, err := ParseChecksum([]byte(in))
		if err != nil || uint32(got) != want {
			t.Errorf("ParseChecksum(%s) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"4294967296", "-2147483649", "1.5", `"1"`, "null", "true", ""} {
		if got, err := ParseChecksum([]byte(in)); err == nil {
			t.Errorf("ParseChecksum(%s) = %d, want an error", in, got)
		}
	}
}

func TestOpIDIsADecimalString(t *testing.T) {
	var o OpID
	if err := json.Unmarshal([]byte(`"9223372036854775807"`), &o); err != nil || o != 9223372036854775807 {
		t.Fatalf("got %d, %v", o, err)
	}
	if err := json.Unmarshal([]byte(`12`), &o); err == nil {
		t.Fatal("a numeric op id was accepted; the core accepts only strings")
	}
	b, _ := json.Marshal(OpID(42))
	if string(b) != `"42"` {
		t.Fatalf("marshal: %s", b)
	}
}
