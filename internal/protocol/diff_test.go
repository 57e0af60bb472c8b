package protocol

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/localfirst/gopowersync/internal/jsontext"
)

// trickyLines are inputs where encoding/json's rules are easy to get
// wrong. DecodeLine must agree with it on each (and FuzzReader starts
// from them).
var trickyLines = []struct{ name, line string }{
	{"top-level null is an unknown line", `null`},
	{"top-level null with spaces", " \t null \r"},
	{"top-level array", `[]`},
	{"top-level string", `"checkpoint"`},
	{"top-level number", `1`},
	{"top-level true", `true`},
	{"empty input", ``},
	{"only spaces", "  \r\t"},
	{"empty object", `{}`},
	{"a value after the line", `{} x`},
	{"two objects", `{}{}`},
	{"a byte-order mark", "\ufeff{}"},
	{"a form feed is not whitespace", "{}\f"},
	{"a trailing comma in an object", `{"a":1,}`},
	{"a trailing comma in an array", `{"a":[1,]}`},
	{"a lone comma", `{,}`},
	{"a key without a value", `{"a"}`},
	{"a colon without a value", `{"a":}`},
	{"no colon", `{"a" 1}`},
	{"a key that is not a string", `{a:1}`},
	{"keys match without case", `{"CHECKPOINT_COMPLETE":{"Last_Op_Id":"3"}}`},
	{"long s folds to S", "{\"checkpoint_complete\":{\"la\u017ft_op_id\":\"3\"}}"},
	{"the Kelvin sign folds to K", "{\"chec\u212apoint_complete\":{\"last_op_id\":\"3\"}}"},
	{"dotted capital I does not fold to i", "{\"token_expires_\u0130n\":5}"},
	{"an escaped key", `{"to\u006ben_expires_in":5}`},
	{"an exact key wins over a folded one", `{"TOKEN_EXPIRES_IN":1,"token_expires_in":2}`},
	{"a repeated key: the last wins", `{"token_expires_in":1,"token_expires_in":2}`},
	{"a repeated object key decodes into the first", `{"checkpoint":{"last_op_id":"1","buckets":[]},"checkpoint":{"write_checkpoint":"4"}}`},
	{"null after an object", `{"checkpoint_complete":{"last_op_id":"1"},"checkpoint_complete":null}`},
	{"a repeated array merges its elements", `{"data":{"bucket":"b","data":[{"op_id":"1","op":"PUT","object_type":"t","object_id":"a","checksum":1},{"op_id":"2","op":"MOVE","checksum":2}],"data":[{"op":"REMOVE"}]}}`},
	{"a longer repeat shows truncated elements again", `{"data":{"bucket":"b","data":[{"op":"PUT","object_type":"t","object_id":"a"},{"op":"PUT","object_type":"u","object_id":"b"},{"op":"MOVE"}],"data":[{"op":"MOVE"}],"data":[{},{"op_id":"5"}]}}`},
	{"an empty repeat empties", `{"data":{"bucket":"b","data":[{"op":"MOVE"}],"data":[]}}`},
	{"a null op", `{"data":{"bucket":"b","data":[null]}}`},
	{"a null bucket", `{"checkpoint":{"last_op_id":"1","buckets":[null]}}`},
	{"a null removed bucket", `{"checkpoint_diff":{"last_op_id":"1","removed_buckets":["a",null]}}`},
	{"null leaves strings, bools and ints alone", `{"data":{"bucket":"b","bucket":null,"has_more":true,"has_more":null,"data":[]}}`},
	{"a null priority", `{"partial_checkpoint_complete":{"last_op_id":"1","priority":2,"priority":null}}`},
	{"null pointers", `{"data":{"bucket":"b","data":[{"op_id":"1","op":"MOVE","object_type":null,"subkey":null,"data":null,"checksum":1}],"after":null,"next_after":null}}`},
	{"null slices", `{"checkpoint":{"last_op_id":"1","buckets":null,"streams":null}}`},
	{"a null stream error", `{"checkpoint":{"last_op_id":"1","buckets":[],"streams":[{"name":"s","is_default":true,"errors":[null,{"x":[1, 2]}]},null]}}`},
	{"a null line field", `{"checkpoint":null,"data":null,"token_expires_in":null}`},
	{"op id with a plus sign", `{"checkpoint_complete":{"last_op_id":"+7"}}`},
	{"op id with leading zeros", `{"checkpoint_complete":{"last_op_id":"007"}}`},
	{"negative op id", `{"checkpoint_complete":{"last_op_id":"-1"}}`},
	{"escaped op id", `{"checkpoint_complete":{"last_op_id":"\u0031\u0032"}}`},
	{"op id with a space", `{"checkpoint_complete":{"last_op_id":" 1"}}`},
	{"op id with a fraction", `{"checkpoint_complete":{"last_op_id":"1.0"}}`},
	{"largest op id", `{"checkpoint_complete":{"last_op_id":"9223372036854775807"}}`},
	{"op id past int64", `{"checkpoint_complete":{"last_op_id":"9223372036854775808"}}`},
	{"19-digit negative op id", `{"checkpoint_complete":{"last_op_id":"-9223372036854775808"}}`},
	{"null op id", `{"checkpoint_complete":{"last_op_id":null}}`},
	{"empty op id", `{"checkpoint_complete":{"last_op_id":""}}`},
	{"object op id", `{"checkpoint_complete":{"last_op_id":{}}}`},
	{"null write checkpoint", `{"checkpoint":{"last_op_id":"1","write_checkpoint":null,"buckets":[]}}`},
	{"numeric write checkpoint", `{"checkpoint":{"last_op_id":"1","write_checkpoint":2,"buckets":[]}}`},
	{"checksum -1", `{"data":{"bucket":"b","data":[{"op_id":"1","op":"MOVE","checksum":-1}]}}`},
	{"checksum max", `{"data":{"bucket":"b","data":[{"op_id":"1","op":"MOVE","checksum":4294967295}]}}`},
	{"checksum min", `{"data":{"bucket":"b","data":[{"op_id":"1","op":"MOVE","checksum":-2147483648}]}}`},
	{"checksum below min", `{"data":{"bucket":"b","data":[{"op_id":"1","op":"MOVE","checksum":-2147483649}]}}`},
	{"checksum with an exponent", `{"data":{"bucket":"b","data":[{"op_id":"1","op":"MOVE","checksum":1E+3}]}}`},
	{"checksum with a fraction", `{"data":{"bucket":"b","data":[{"op_id":"1","op":"MOVE","checksum":1.5}]}}`},
	{"checksum minus zero", `{"data":{"bucket":"b","data":[{"op_id":"1","op":"MOVE","checksum":-0.0}]}}`},
	{"checksum that rounds to whole", `{"data":{"bucket":"b","data":[{"op_id":"1","op":"MOVE","checksum":4294967295.00000001}]}}`},
	{"checksum of 20 digits", `{"data":{"bucket":"b","data":[{"op_id":"1","op":"MOVE","checksum":12345678901234567890}]}}`},
	{"checksum as a string", `{"data":{"bucket":"b","data":[{"op_id":"1","op":"MOVE","checksum":"1"}]}}`},
	{"null checksum", `{"data":{"bucket":"b","data":[{"op_id":"1","op":"MOVE","checksum":null}]}}`},
	{"priority minus zero", `{"partial_checkpoint_complete":{"last_op_id":"1","priority":-0}}`},
	{"priority 3.0", `{"partial_checkpoint_complete":{"last_op_id":"1","priority":3.0}}`},
	{"priority 1e0", `{"partial_checkpoint_complete":{"last_op_id":"1","priority":1e0}}`},
	{"priority as a string", `{"partial_checkpoint_complete":{"last_op_id":"1","priority":"3"}}`},
	{"priority past int64", `{"partial_checkpoint_complete":{"last_op_id":"1","priority":99999999999999999999}}`},
	{"bucket priority out of range", `{"checkpoint":{"last_op_id":"1","buckets":[{"bucket":"a","checksum":1,"priority":-1}]}}`},
	{"negative keepalive", `{"token_expires_in":-5}`},
	{"largest keepalive", `{"token_expires_in":9223372036854775807}`},
	{"keepalive past int64", `{"token_expires_in":9223372036854775808}`},
	{"keepalive with a fraction", `{"token_expires_in":1.5}`},
	{"escapes in strings", `{"data":{"bucket":"\u00e9\ud83d\ude80\ud800x\udc00\ud800\ud800\udc00\"\\\/\b\f\n\r\t","data":[]}}`},
	{"a lone high surrogate at the end", `{"data":{"bucket":"\ud83d","data":[]}}`},
	{"invalid UTF-8 in a string", "{\"data\":{\"bucket\":\"a\xffb\xfe\",\"data\":[]}}"},
	{"an encoded surrogate in a string", "{\"data\":{\"bucket\":\"\xed\xa0\x80\",\"data\":[]}}"},
	{"a truncated rune in a string", "{\"data\":{\"bucket\":\"\xe6\x97\",\"data\":[]}}"},
	{"invalid UTF-8 in a key", "{\"token\xff\":1}"},
	{"a control character in a string", "{\"data\":{\"bucket\":\"\x01\",\"data\":[]}}"},
	{"DEL in a string", "{\"data\":{\"bucket\":\"\x7f\",\"data\":[]}}"},
	{"an unknown escape", `{"data":{"bucket":"\x","data":[]}}`},
	{"an escaped quote mark", `{"data":{"bucket":"\'","data":[]}}`},
	{"a short unicode escape", `{"data":{"bucket":"\u12","data":[]}}`},
	{"a string that never ends", `{"data":{"bucket":"abc`},
	{"escaped op type", `{"data":{"bucket":"b","data":[{"op_id":"1","op":"P\u0055T","object_type":"t","object_id":"a","data":"{}","checksum":1}]}}`},
	{"lower-case op type", `{"data":{"bucket":"b","data":[{"op_id":"1","op":"put","object_type":"t","object_id":"a","checksum":1}]}}`},
	{"remove without object id", `{"data":{"bucket":"b","data":[{"op_id":"1","op":"REMOVE","object_type":"t","checksum":1}]}}`},
	{"has_more as a number", `{"data":{"bucket":"b","data":[],"has_more":1}}`},
	{"has_more as a string", `{"data":{"bucket":"b","data":[],"has_more":"true"}}`},
	{"checkpoint as an array", `{"checkpoint":[]}`},
	{"checkpoint as a number", `{"checkpoint":5}`},
	{"ops as an object", `{"data":{"bucket":"b","data":{}}}`},
	{"an op as an array", `{"data":{"bucket":"b","data":[[]]}}`},
	{"raw subscriptions keep their spaces", `{"checkpoint":{"last_op_id":"1","buckets":[{"bucket":"a","checksum":1,"subscriptions":[ {"default" : 1, "x":"<&>"} ]}]}}`},
	{"raw subscriptions of every kind", `{"checkpoint":{"last_op_id":"1","buckets":[{"bucket":"a","checksum":1,"subscriptions":null},{"bucket":"b","checksum":2,"subscriptions":"s"},{"bucket":"c","checksum":3,"subscriptions":-1.5e3},{"bucket":"d","checksum":3,"subscriptions":true}]}}`},
	{"unknown fields of every kind", `{"x":{"y":[1,-2.5e+3,true,false,null,"s",{}]},"data":{"bucket":"b","z":0,"data":[{"op_id":"1","op":"MOVE","checksum":1,"w":[]}]}}`},
	{"a minus without digits", `{"x":-}`},
	{"a leading zero", `{"x":01}`},
	{"a point without digits", `{"x":1.}`},
	{"a point first", `{"x":.5}`},
	{"an exponent without digits", `{"x":1e}`},
	{"an exponent sign without digits", `{"x":1e+}`},
	{"minus zero with everything", `{"x":-0.0e-0}`},
	{"a cut true", `{"x":tru}`},
	{"a cut null", `{"x":nul}`},
	{"a letter after true", `{"x":truex}`},
	{"a capital literal", `{"x":True}`},
	{"spaces everywhere", " { \"token_expires_in\" : 5 , \"x\" : [ 1 , { } ] } \r"},
	{"a stream", `{"checkpoint":{"last_op_id":"1","buckets":[],"streams":[{"name":"s","is_default":true,"errors":[]}]}}`},
	{"nesting at the limit", `{"x":` + strings.Repeat("[", jsontext.MaxDepth-1) + strings.Repeat("]", jsontext.MaxDepth-1) + `}`},
	{"nesting past the limit", `{"x":` + strings.Repeat("[", jsontext.MaxDepth) + strings.Repeat("]", jsontext.MaxDepth) + `}`},
	{"raw nesting past the limit", `{"checkpoint":{"buckets":[{"subscriptions":` + strings.Repeat("[", jsontext.MaxDepth-3) + strings.Repeat("]", jsontext.MaxDepth-3) + `}]}}`},
	{"raw nesting at the limit", `{"checkpoint":{"buckets":[{"subscriptions":` + strings.Repeat("[", jsontext.MaxDepth-4) + strings.Repeat("]", jsontext.MaxDepth-4) + `}]}}`},
	{"unclosed nesting", `{"x":` + strings.Repeat("[", 100)},
}

func TestDecodeLineAgreesWithEncodingJSONOnTrickyLines(t *testing.T) {
	for _, c := range trickyLines {
		t.Run(c.name, func(t *testing.T) { checkAgainstStd(t, []byte(c.line)) })
	}
}

func TestDecodeLineAgreesWithEncodingJSONOnTheSampleStream(t *testing.T) {
	f, err := os.ReadFile("testdata/sample-stream.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range bytes.Split(f, []byte("\n")) {
		checkAgainstStd(t, l)
	}
}
