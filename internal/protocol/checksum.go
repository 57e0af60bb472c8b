package protocol

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"

	"github.com/localfirst/gopowersync/internal/jsontext"
)

// Checksum is a 32-bit op or bucket checksum. Bucket checksums are the
// wrapping sum of their ops' checksums, so arithmetic on Checksum wraps
// modulo 2^32 as Go's uint32 does.
//
// On the wire the service writes op checksums as unsigned and bucket
// checksums as signed 32-bit integers (JavaScript's `x & 0xffffffff`);
// BSON carries them as doubles. UnmarshalJSON therefore accepts any
// integer in [-2^31, 2^32-1] and any whole-valued float in that range,
// reduced modulo 2^32, as the client core does (checksum.rs); anything
// else is an error. AppendLine writes each checksum as the service does;
// MarshalJSON writes the unsigned form.
type Checksum uint32

// UnmarshalJSON decodes a checksum written as a signed or unsigned 32-bit
// integer or a whole float.
func (c *Checksum) UnmarshalJSON(b []byte) error {
	v, err := ParseChecksum(b)
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// MarshalJSON writes the checksum as an unsigned decimal integer.
func (c Checksum) MarshalJSON() ([]byte, error) {
	return strconv.AppendUint(nil, uint64(c), 10), nil
}

// Signed returns the checksum as the service writes bucket checksums: a
// signed 32-bit integer.
func (c Checksum) Signed() int32 { return int32(c) }

// ParseChecksum reads a checksum's JSON number text (see Checksum).
func ParseChecksum(b []byte) (Checksum, error) {
	if v, ok := jsontext.SmallInt(b); ok && v >= math.MinInt32 && v <= math.MaxUint32 {
		return Checksum(uint32(v)), nil // the usual case, without allocating
	}
	s := string(b)
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		if i < math.MinInt32 || i > math.MaxUint32 {
			return 0, fmt.Errorf("protocol: checksum %s out of 32-bit range", s)
		}
		return Checksum(uint32(i)), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || f < math.MinInt32 || f > math.MaxUint32 {
		return 0, fmt.Errorf("protocol: checksum %q is not a 32-bit integer", s)
	}
	return Checksum(uint32(int64(f))), nil
}

// PutChecksum is the checksum the service gives a PUT op: the first four
// bytes, little-endian, of SHA-256 over "put.<objectType>.<objectID>.<data>",
// where data is exactly the op's wire data string. The subkey is not part
// of it. Source: powersync-service util/utils.ts hashData; vectors V1-V3
// in protocol-vectors.md.
func PutChecksum(objectType, objectID, data string) Checksum {
	h := sha256.New()
	h.Write([]byte("put."))
	h.Write([]byte(objectType))
	h.Write([]byte("."))
	h.Write([]byte(objectID))
	h.Write([]byte("."))
	h.Write([]byte(data))
	var sum [sha256.Size]byte
	return Checksum(binary.LittleEndian.Uint32(h.Sum(sum[:0])))
}

// RemoveChecksum is the checksum the service gives a REMOVE op:
// SHA-256 over "delete.<subkey>", read as PutChecksum reads it. Source:
// util/utils.ts hashDelete; vector V4 in protocol-vectors.md.
func RemoveChecksum(subkey string) Checksum {
	sum := sha256.Sum256([]byte("delete." + subkey))
	return Checksum(binary.LittleEndian.Uint32(sum[:4]))
}
