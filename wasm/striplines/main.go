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
	"bytes"
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
	out, err := MergeSegments(in, mergeGap)
	if err != nil {
		fmt.Fprintf(os.Stderr, "striplines: %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
	if err := os.WriteFile(os.Args[2], out, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "striplines:", err)
		os.Exit(1)
	}
	fmt.Printf("striplines: %d functions, %d bytes of line tables zeroed; %d inline trees, %d bytes zeroed; %d bytes of names only they used\n", st.Funcs, st.Zeroed, st.Inlined, st.InlZero, st.Names)
}

// mergeGap: data segments closer than this are merged (MergeSegments). On
// our module, 64 leaves a few dozen segments of the linker's 100,000 and
// compresses best (BENCHMARKS.md, module size).
const mergeGap = 64

// Stats says what Strip changed.
type Stats struct {
	Funcs   int // functions whose pcfile and pcln were cleared
	Zeroed  int // bytes of line tables set to zero
	Inlined int // functions whose inline tree was cleared
	InlZero int // bytes of inline trees (their pc-value tables and records) set to zero
	Names   int // bytes of function names that only inline trees used, set to zero
}

// go120Magic is abi.Go120PCLnTabMagic, the first 4 bytes of the pclntab's
// header (runtime.pcHeader) in little-endian order, followed by pad1, pad2,
// minLC (1 on wasm) and ptrSize (8).
var go120Magic = []byte{0xf1, 0xff, 0xff, 0xff, 0, 0, 1, 8}

// Indexes of the tables a _func record points at (internal/abi).
const (
	pcdataInlTreeIndex = 2 // abi.PCDATA_InlTreeIndex
	funcdataInlTree    = 3 // abi.FUNCDATA_InlTree
	inlinedCallSize    = 16
	funcRecordSize     = 44 // runtime._func up to its pcdata offsets
)

// Strip edits module (a Go js/wasm or wasip1/wasm module) in place. Besides
// the line tables it clears every function's inline tree (the PCDATA that
// maps a pc to the inlined call it is in, and the FUNCDATA records of those
// calls) and the names of functions that only those records named: the
// runtime reads a missing inline tree as "nothing inlined here", so a
// traceback shows the function that the code was inlined into, not the
// inlined one. See RATIONALE.md ("Inline trees stripped").
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
	funcnametab := hdr + u64(32) // after magic and pads, nfunc, nfiles and an unused word
	cutab := hdr + u64(40)
	pctab := hdr + u64(56) // after the funcname, cu and filetab offsets
	pcln := hdr + u64(64)
	if nfunc == 0 || nfunc > 1<<24 || pctab <= hdr || pcln <= hdr || funcnametab <= hdr || cutab <= funcnametab {
		return Stats{}, fmt.Errorf("implausible pclntab header at %#x: %d functions", hdr, nfunc)
	}
	gofunc, err := goFunc(mem, hdr, funcnametab)
	if err != nil {
		return Stats{}, err
	}
	type table struct{ off, size uint64 }
	var keep, drop []table
	length := func(off uint32) (uint64, error) {
		n, err := tableLen(mem, pctab+uint64(off))
		return n, err
	}
	var clear []uint64         // addresses of 4-byte pcfile, pcln and inline pcdata fields to set to 0
	var noData []uint64        // addresses of 4-byte inline-tree funcdata fields to set to ^0 (none)
	var trees []table          // inline trees' records, as addresses
	names := map[uint64]bool{} // funcnametab offsets that _func records use
	for i := uint64(0); i < nfunc; i++ {
		funcoff := uint64(binary.LittleEndian.Uint32(mem.read(pcln+8*i+4, 4)))
		f := pcln + funcoff
		rec := mem.read(f, funcRecordSize)
		names[uint64(binary.LittleEndian.Uint32(rec[4:]))] = true
		pcsp := binary.LittleEndian.Uint32(rec[16:])
		pcfile := binary.LittleEndian.Uint32(rec[20:])
		pcline := binary.LittleEndian.Uint32(rec[24:])
		npcdata := uint64(binary.LittleEndian.Uint32(rec[28:]))
		nfuncdata := uint64(rec[43])
		if npcdata > 64 {
			return Stats{}, fmt.Errorf("function %d: implausible %d pcdata tables", i, npcdata)
		}
		offs := []uint32{pcsp}
		var inl uint32
		for j := uint64(0); j < npcdata; j++ {
			o := binary.LittleEndian.Uint32(mem.read(f+funcRecordSize+4*j, 4))
			if j == pcdataInlTreeIndex {
				inl = o
				continue
			}
			offs = append(offs, o)
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
		for _, o := range []uint32{pcfile, pcline, inl} {
			if o == 0 {
				continue
			}
			n, err := length(o)
			if err != nil {
				return Stats{}, fmt.Errorf("function %d: %w", i, err)
			}
			drop = append(drop, table{uint64(o), n})
		}
		clear = append(clear, f+20, f+24)
		if inl != 0 {
			clear = append(clear, f+funcRecordSize+4*pcdataInlTreeIndex)
			if nfuncdata <= funcdataInlTree {
				return Stats{}, fmt.Errorf("function %d: an inline pc table and no inline tree", i)
			}
			at := f + funcRecordSize + 4*npcdata + 4*funcdataInlTree
			if o := binary.LittleEndian.Uint32(mem.read(at, 4)); o != ^uint32(0) {
				calls, err := maxValue(mem, pctab+uint64(inl))
				if err != nil {
					return Stats{}, fmt.Errorf("function %d: %w", i, err)
				}
				trees = append(trees, table{gofunc + uint64(o), inlinedCallSize * uint64(calls+1)})
				noData = append(noData, at)
			}
		}
	}
	// Names used by inlined calls only: every name in funcnametab that no
	// _func record points at.
	var dropNames []table
	for off := uint64(0); funcnametab+off < cutab; {
		n := uint64(0)
		for mem.byteAt(funcnametab+off+n) != 0 && funcnametab+off+n < cutab {
			n++
		}
		if !names[off] && n > 0 {
			dropNames = append(dropNames, table{funcnametab + off, n})
		}
		off += n + 1
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
	st := Stats{Funcs: int(nfunc), Inlined: len(trees)}
	for _, t := range drop {
		for b := t.off; b < t.off+t.size; b++ {
			if !kept[b] && mem.zero(pctab+b) {
				st.Zeroed++
			}
		}
	}
	for _, t := range trees {
		for b := t.off; b < t.off+t.size; b++ {
			if mem.zero(b) {
				st.InlZero++
			}
		}
	}
	for _, t := range dropNames {
		for b := t.off; b < t.off+t.size; b++ {
			if mem.zero(b) {
				st.Names++
			}
		}
	}
	for _, at := range clear {
		for b := uint64(0); b < 4; b++ {
			mem.zero(at + b)
		}
	}
	for _, at := range noData {
		mem.set(at, []byte{0xff, 0xff, 0xff, 0xff})
	}
	return st, nil
}

// goFunc returns moduledata.gofunc, the base that FUNCDATA offsets count
// from. It finds runtime.moduledata by its first two words: the address of
// the pclntab's header and the start of funcnametab (a slice's pointer).
func goFunc(mem *memory, hdr, funcnametab uint64) (uint64, error) {
	var pat [16]byte
	binary.LittleEndian.PutUint64(pat[:], hdr)
	binary.LittleEndian.PutUint64(pat[8:], funcnametab)
	// The linker leaves runs of zeros out of the segments, and these
	// words have some: search the memory as laid out.
	img := mem.image()
	md := uint64(bytes.Index(img, pat[:]))
	if md == ^uint64(0) || bytes.Index(img[md+1:], pat[:]) >= 0 {
		return 0, errors.New("no single runtime.moduledata in the data segments")
	}
	// pcHeader, six slices and ftab (8 + 7*24), then findfunctab, minpc,
	// maxpc, text, etext, noptrdata, enoptrdata, data, edata, bss, ebss,
	// noptrbss, enoptrbss, covctrs, ecovctrs, end, gcdata, gcbss, types,
	// etypes, rodata: gofunc is word 21 after ftab.
	const gofuncOff = 8 + 6*24 + 21*8
	gofunc := binary.LittleEndian.Uint64(mem.read(md+gofuncOff, 8))
	epclntab := binary.LittleEndian.Uint64(mem.read(md+gofuncOff+8, 8))
	if gofunc == 0 || gofunc >= epclntab || epclntab <= hdr {
		return 0, fmt.Errorf("implausible runtime.moduledata at %#x: gofunc %#x, epclntab %#x, pclntab %#x", md, gofunc, epclntab, hdr)
	}
	return gofunc, nil
}

// maxValue returns the largest value of the pc-value table at addr (values
// start at -1).
func maxValue(mem *memory, addr uint64) (int32, error) {
	p := addr
	varint := func() (uint32, error) {
		var v uint32
		for shift := 0; shift < 35; shift += 7 {
			b := mem.byteAt(p)
			p++
			v |= uint32(b&0x7f) << shift
			if b&0x80 == 0 {
				return v, nil
			}
		}
		return 0, fmt.Errorf("pc-value table at %#x: varint too long", addr)
	}
	val, top := int32(-1), int32(-1)
	for first := true; ; first = false {
		if !first && mem.byteAt(p) == 0 {
			return top, nil
		}
		uv, err := varint()
		if err != nil {
			return 0, err
		}
		if uv&1 != 0 {
			val += -int32(uv>>1) - 1
		} else {
			val += int32(uv >> 1)
		}
		top = max(top, val)
		if _, err := varint(); err != nil {
			return 0, err
		}
		if p-addr > 1<<20 {
			return 0, fmt.Errorf("pc-value table at %#x: no end", addr)
		}
	}
}

// MergeSegments returns module with its data segments rewritten: segments
// less than gap bytes apart become one, the zeros between them written out.
// The Go linker starts a new segment at every run of zeros (up to 100,000
// segments), which keeps the raw module small, but each segment's header
// (an address and a length) is a few bytes that compress badly, and there
// are tens of thousands of them: the merged module is larger raw and
// smaller compressed. The memory the segments lay out is the same.
func MergeSegments(module []byte, gap uint64) ([]byte, error) {
	mem, err := dataSegments(module)
	if err != nil {
		return nil, err
	}
	type run struct{ addr, end uint64 }
	var runs []run
	for _, s := range mem.segs {
		// Leading and trailing zeros need no bytes in the module.
		d := bytes.TrimRight(s.data, "\x00")
		lead := len(d) - len(bytes.TrimLeft(d, "\x00"))
		if len(d) == lead {
			continue
		}
		r := run{s.addr + uint64(lead), s.addr + uint64(len(d))}
		if n := len(runs); n > 0 && r.addr-runs[n-1].end < gap {
			runs[n-1].end = r.end
			continue
		}
		runs = append(runs, r)
	}
	img := mem.image()
	body := binary.AppendUvarint(nil, uint64(len(runs)))
	for _, r := range runs {
		body = append(body, 0, 0x41) // active segment for memory 0, i32.const
		body = appendSLEB(body, int64(int32(uint32(r.addr))))
		body = append(body, 0x0b) // end
		body = binary.AppendUvarint(body, r.end-r.addr)
		body = append(body, img[r.addr:r.end]...)
	}
	out := make([]byte, 0, len(module)+len(body))
	out = append(out, module[:mem.section]...)
	out = append(out, 11)
	out = binary.AppendUvarint(out, uint64(len(body)))
	out = append(out, body...)
	out = append(out, module[mem.end:]...)
	return out, nil
}

// appendSLEB appends v in signed LEB128.
func appendSLEB(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
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
	// section and end are the offsets in the module of the data section's
	// id byte and of the byte after the section.
	section, end int
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

// image returns a copy of the memory the segments lay out, from address 0.
func (m *memory) image() []byte {
	last := m.segs[len(m.segs)-1]
	img := make([]byte, last.addr+uint64(len(last.data)))
	for _, s := range m.segs {
		copy(img[s.addr:], s.data)
	}
	return img
}

// set writes b at addr, which must be inside a segment.
func (m *memory) set(addr uint64, b []byte) {
	for i, c := range b {
		if s, ok := m.seg(addr + uint64(i)); ok {
			s[0] = c
		}
	}
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
		section := p
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
		if id == 12 {
			return nil, errors.New("a data count section: not a module the Go linker wrote")
		}
		if id != 11 {
			p = end
			continue
		}
		n, err := uleb()
		if err != nil {
			return nil, err
		}
		m := &memory{section: section, end: end}
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
