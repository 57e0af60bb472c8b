// Command striplines removes the line tables from a Go WebAssembly module
// after linking: the tables that map each instruction to a file and a line
// (pcfile and pcln in Go's pclntab), which only tracebacks and
// runtime.Caller read. A stripped module runs the same; its panics and
// stacks name each function but print "?:0" for the file and line. See
// RATIONALE.md ("Line tables stripped from the browser module").
//
// The linker cannot leave them out (-s and -w drop the symbol table and
// DWARF, not the pclntab), so this edits the module's data: in every
// function's _func record it sets pcfile and pcln to 0, which the runtime
// reads as "no table" (runtime.pcvalue), and it zeroes the bytes of those
// tables that no other table shares (the linker deduplicates identical
// tables, so a line table can be the same bytes as a stack-pointer or
// stack-map table, which the garbage collector and the unwinder need). Zeros
// compress to almost nothing.
//
//	striplines in.wasm out.wasm
//
// The layout read here is Go 1.20+'s (abi.Go120PCLnTabMagic, 64-bit
// pointers): the command fails, changing nothing, on anything else.
package main

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: striplines in.wasm out.wasm")
		os.Exit(2)
	}
	in, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "striplines:", err)
		os.Exit(1)
	}
	st, err := Strip(in)
	if err != nil {
		fmt.Fprintf(os.Stderr, "striplines: %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
	if err := os.WriteFile(os.Args[2], in, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "striplines:", err)
		os.Exit(1)
	}
	fmt.Printf("striplines: %d functions, %d bytes of line tables zeroed\n", st.Funcs, st.Zeroed)
}

// Stats says what Strip changed.
type Stats struct {
	Funcs  int // functions whose pcfile and pcln were cleared
	Zeroed int // bytes of line tables set to zero
}

// go120Magic is abi.Go120PCLnTabMagic, the first 4 bytes of the pclntab's
// header (runtime.pcHeader) in little-endian order, followed by pad1, pad2,
// minLC (1 on wasm) and ptrSize (8).
var go120Magic = []byte{0xf1, 0xff, 0xff, 0xff, 0, 0, 1, 8}

// Strip edits module (a Go js/wasm or wasip1/wasm module) in place.
func Strip(module []byte) (Stats, error) {
	mem, err := dataSegments(module)
	if err != nil {
		return Stats{}, err
	}
	hdr, err := mem.find(go120Magic)
	if err != nil {
		return Stats{}, err
	}
	u64 := func(off uint64) uint64 { return binary.LittleEndian.Uint64(mem.read(hdr+off, 8)) }
	nfunc := u64(8)
	pctab := hdr + u64(56) // after magic and pads, nfunc, nfiles, an unused word, and the funcname, cu and filetab offsets
	pcln := hdr + u64(64)
	if nfunc == 0 || nfunc > 1<<24 || pctab <= hdr || pcln <= hdr {
		return Stats{}, fmt.Errorf("implausible pclntab header at %#x: %d functions", hdr, nfunc)
	}
	type table struct{ off, size uint64 }
	var keep, drop []table
	length := func(off uint32) (uint64, error) {
		n, err := tableLen(mem, pctab+uint64(off))
		return n, err
	}
	type fields struct{ at uint64 } // address of a _func's pcfile field
	var funcs []fields
	for i := uint64(0); i < nfunc; i++ {
		funcoff := uint64(binary.LittleEndian.Uint32(mem.read(pcln+8*i+4, 4)))
		f := pcln + funcoff
		rec := mem.read(f, 44)
		pcsp := binary.LittleEndian.Uint32(rec[16:])
		pcfile := binary.LittleEndian.Uint32(rec[20:])
		pcline := binary.LittleEndian.Uint32(rec[24:])
		npcdata := uint64(binary.LittleEndian.Uint32(rec[28:]))
		if npcdata > 64 {
			return Stats{}, fmt.Errorf("function %d: implausible %d pcdata tables", i, npcdata)
		}
		offs := []uint32{pcsp}
		for j := uint64(0); j < npcdata; j++ {
			offs = append(offs, binary.LittleEndian.Uint32(mem.read(f+44+4*j, 4)))
		}
		for _, o := range offs {
			if o == 0 {
				continue
			}
			n, err := length(o)
			if err != nil {
				return Stats{}, fmt.Errorf("function %d: %w", i, err)
			}
			keep = append(keep, table{uint64(o), n})
		}
		for _, o := range []uint32{pcfile, pcline} {
			if o == 0 {
				continue
			}
			n, err := length(o)
			if err != nil {
				return Stats{}, fmt.Errorf("function %d: %w", i, err)
			}
			drop = append(drop, table{uint64(o), n})
		}
		funcs = append(funcs, fields{f + 20})
	}
	// Everything is read: now change the module.
	var end uint64
	for _, t := range append(keep, drop...) {
		end = max(end, t.off+t.size)
	}
	kept := make([]bool, end)
	for _, t := range keep {
		for b := t.off; b < t.off+t.size; b++ {
			kept[b] = true
		}
	}
	st := Stats{Funcs: len(funcs)}
	for _, t := range drop {
		for b := t.off; b < t.off+t.size; b++ {
			if !kept[b] && mem.zero(pctab+b) {
				st.Zeroed++
			}
		}
	}
	for _, f := range funcs {
		for b := uint64(0); b < 8; b++ { // pcfile and pcln
			mem.zero(f.at + b)
		}
	}
	return st, nil
}

// tableLen returns the length in bytes of the pc-value table at addr,
// following runtime.step: (value delta, pc delta) varint pairs, ended by a
// zero value delta after the first pair.
func tableLen(mem *memory, addr uint64) (uint64, error) {
	p := addr
	varint := func() error {
		for i := 0; i < 5; i++ {
			b := mem.byteAt(p)
			p++
			if b&0x80 == 0 {
				return nil
			}
		}
		return fmt.Errorf("pc-value table at %#x: varint too long", addr)
	}
	for first := true; ; first = false {
		if !first && mem.byteAt(p) == 0 {
			return p + 1 - addr, nil
		}
		if err := varint(); err != nil {
			return 0, err
		}
		if err := varint(); err != nil {
			return 0, err
		}
		if p-addr > 1<<20 {
			return 0, fmt.Errorf("pc-value table at %#x: no end", addr)
		}
	}
}

// memory is the initial linear memory as the module's active data segments
// lay it out: the Go linker leaves runs of zeros out, so an address may be
// in no segment (and reads as zero).
type memory struct {
	segs []segment
}

type segment struct {
	addr uint64
	data []byte // a slice of the module: writes change it
}

func (m *memory) seg(addr uint64) ([]byte, bool) {
	// Segments are sorted by address (dataSegments): binary search.
	lo, hi := 0, len(m.segs)
	for lo < hi {
		mid := (lo + hi) / 2
		if m.segs[mid].addr+uint64(len(m.segs[mid].data)) <= addr {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(m.segs) && m.segs[lo].addr <= addr {
		return m.segs[lo].data[addr-m.segs[lo].addr:], true
	}
	return nil, false
}

func (m *memory) byteAt(addr uint64) byte {
	if b, ok := m.seg(addr); ok {
		return b[0]
	}
	return 0
}

func (m *memory) read(addr, n uint64) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = m.byteAt(addr + uint64(i))
	}
	return out
}

// zero sets the byte at addr to 0 and reports whether it was not already.
func (m *memory) zero(addr uint64) bool {
	b, ok := m.seg(addr)
	if !ok || b[0] == 0 {
		return false
	}
	b[0] = 0
	return true
}

// find returns the address of the only occurrence of pat within a segment.
func (m *memory) find(pat []byte) (uint64, error) {
	found := []uint64{}
	for _, s := range m.segs {
		for i := 0; i+len(pat) <= len(s.data); i++ {
			if s.data[i] == pat[0] && string(s.data[i:i+len(pat)]) == string(pat) {
				found = append(found, s.addr+uint64(i))
			}
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return 0, errors.New("no Go 1.20+ pclntab header in the data segments")
	}
	return 0, fmt.Errorf("%d candidate pclntab headers", len(found))
}

// dataSegments reads the module's data section (id 11): active segments
// for memory 0 with an i32.const offset, as the Go linker writes them.
func dataSegments(module []byte) (*memory, error) {
	if len(module) < 8 || string(module[:4]) != "\x00asm" {
		return nil, errors.New("not a WebAssembly module")
	}
	p := 8
	uleb := func() (uint64, error) {
		var v uint64
		for shift := 0; shift < 64; shift += 7 {
			if p >= len(module) {
				return 0, errors.New("truncated module")
			}
			b := module[p]
			p++
			v |= uint64(b&0x7f) << shift
			if b&0x80 == 0 {
				return v, nil
			}
		}
		return 0, errors.New("bad LEB128")
	}
	sleb := func() (int64, error) {
		var v int64
		var shift uint
		for {
			if p >= len(module) {
				return 0, errors.New("truncated module")
			}
			b := module[p]
			p++
			v |= int64(b&0x7f) << shift
			shift += 7
			if b&0x80 == 0 {
				if shift < 64 && b&0x40 != 0 {
					v |= -1 << shift
				}
				return v, nil
			}
		}
	}
	for p < len(module) {
		id := module[p]
		p++
		size, err := uleb()
		if err != nil {
			return nil, err
		}
		end := p + int(size)
		if end > len(module) {
			return nil, errors.New("truncated section")
		}
		if id != 11 {
			p = end
			continue
		}
		n, err := uleb()
		if err != nil {
			return nil, err
		}
		m := &memory{}
		for i := uint64(0); i < n; i++ {
			flags, err := uleb()
			if err != nil {
				return nil, err
			}
			if flags != 0 || p >= len(module) || module[p] != 0x41 { // active, memory 0, i32.const
				return nil, fmt.Errorf("data segment %d: not an active segment at a constant offset", i)
			}
			p++
			addr, err := sleb()
			if err != nil {
				return nil, err
			}
			if p >= len(module) || module[p] != 0x0b { // end
				return nil, fmt.Errorf("data segment %d: offset is not a single constant", i)
			}
			p++
			sz, err := uleb()
			if err != nil {
				return nil, err
			}
			if p+int(sz) > end {
				return nil, fmt.Errorf("data segment %d: truncated", i)
			}
			m.segs = append(m.segs, segment{uint64(uint32(addr)), module[p : p+int(sz)]})
			p += int(sz)
		}
		slices.SortFunc(m.segs, func(a, b segment) int { return cmp.Compare(a.addr, b.addr) })
		for i := 1; i < len(m.segs); i++ {
			if prev := m.segs[i-1]; prev.addr+uint64(len(prev.data)) > m.segs[i].addr {
				return nil, fmt.Errorf("data segments overlap at %#x", m.segs[i].addr)
			}
		}
		return m, nil
	}
	return nil, errors.New("no data section")
}
