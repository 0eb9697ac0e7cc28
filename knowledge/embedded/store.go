package embedded

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"

	"kefu/knowledge"
)

// On disk: snapshot.gob holds every record with its vectors as of the last
// snapshot; wal.log holds the changes since, one framed operation each
// (length, CRC, gob). A crash mid-write leaves a torn last frame, which the
// next Open drops.
const (
	snapshotFile = "snapshot.gob"
	walFile      = "wal.log"
	formatV      = 1
	// The log is folded into a new snapshot once it grows past this.
	maxWAL = 256 << 20
)

type snapshotHeader struct {
	Format  int
	Records int
}

type walOp struct {
	Upsert []knowledge.Record
	Delete string
}

type store struct {
	dir     string
	wal     *os.File
	walSize int64
	owner   *Index
}

// Open loads (or creates) an index persisted in dir.
func Open(dir string) (*Index, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("embedded: unable to create %s: %w", dir, err)
	}
	x := New()
	if err := readSnapshot(filepath.Join(dir, snapshotFile), x); err != nil {
		return nil, err
	}
	wal, size, err := replayWAL(filepath.Join(dir, walFile), x)
	if err != nil {
		return nil, err
	}
	x.store = &store{dir: dir, wal: wal, walSize: size, owner: x}
	return x, nil
}

func readSnapshot(path string, x *Index) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("embedded: unable to open snapshot: %w", err)
	}
	defer f.Close()
	dec := gob.NewDecoder(bufio.NewReaderSize(f, 1<<20))
	var h snapshotHeader
	if err := dec.Decode(&h); err != nil {
		return fmt.Errorf("embedded: unable to read snapshot %s: %w", path, err)
	}
	if h.Format != formatV {
		return fmt.Errorf("embedded: snapshot %s has format %d, want %d", path, h.Format, formatV)
	}
	for i := 0; i < h.Records; i++ {
		var r knowledge.Record
		if err := dec.Decode(&r); err != nil {
			return fmt.Errorf("embedded: snapshot %s record %d: %w", path, i, err)
		}
		x.insert(r)
	}
	return nil
}

func replayWAL(path string, x *Index) (*os.File, int64, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, 0, fmt.Errorf("embedded: unable to open log: %w", err)
	}
	r := bufio.NewReaderSize(f, 1<<20)
	var good int64
	for {
		var hdr [8]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			break // clean end or torn header
		}
		n := binary.LittleEndian.Uint32(hdr[:4])
		sum := binary.LittleEndian.Uint32(hdr[4:])
		if n > 1<<30 {
			break
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(r, body); err != nil || crc32.ChecksumIEEE(body) != sum {
			break // torn frame: the write never completed
		}
		var op walOp
		if err := gob.NewDecoder(bytes.NewReader(body)).Decode(&op); err != nil {
			break
		}
		if op.Delete != "" {
			for _, s := range append([]int32(nil), x.byDoc[op.Delete]...) {
				x.remove(s)
			}
		}
		for _, rec := range op.Upsert {
			x.insert(rec)
		}
		good += int64(8 + n)
	}
	if err := f.Truncate(good); err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("embedded: unable to truncate log: %w", err)
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("embedded: unable to seek log: %w", err)
	}
	return f, good, nil
}

func (s *store) append(op walOp) error {
	var body bytes.Buffer
	if err := gob.NewEncoder(&body).Encode(op); err != nil {
		return fmt.Errorf("embedded: unable to encode log entry: %w", err)
	}
	frame := make([]byte, 8, 8+body.Len())
	binary.LittleEndian.PutUint32(frame[:4], uint32(body.Len()))
	binary.LittleEndian.PutUint32(frame[4:], crc32.ChecksumIEEE(body.Bytes()))
	frame = append(frame, body.Bytes()...)
	if _, err := s.wal.Write(frame); err != nil {
		return &knowledge.Error{Code: knowledge.CodeIndexUnavailable, Message: "unable to write the index log", Err: err}
	}
	if err := s.wal.Sync(); err != nil {
		return &knowledge.Error{Code: knowledge.CodeIndexUnavailable, Message: "unable to sync the index log", Err: err}
	}
	s.walSize += int64(len(frame))
	return nil
}

func (s *store) logUpsert(recs []knowledge.Record) error { return s.append(walOp{Upsert: recs}) }
func (s *store) logDelete(doc string) error              { return s.append(walOp{Delete: doc}) }

// checkpoint folds the log into a snapshot when it has grown large; called
// with the index locked after a change has been applied.
func (s *store) checkpoint() error {
	if s.walSize < maxWAL {
		return nil
	}
	return s.snapshot(s.owner.snapshotRecords(true))
}

// snapshot writes all records to a new snapshot file, renames it over the
// old one and empties the log.
func (s *store) snapshot(recs []knowledge.Record) error {
	tmp := filepath.Join(s.dir, snapshotFile+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("embedded: unable to create snapshot: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	enc := gob.NewEncoder(w)
	err = enc.Encode(snapshotHeader{Format: formatV, Records: len(recs)})
	for i := 0; err == nil && i < len(recs); i++ {
		err = enc.Encode(&recs[i])
	}
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(s.dir, snapshotFile))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("embedded: unable to write snapshot: %w", err)
	}
	if err := s.wal.Truncate(0); err != nil {
		return fmt.Errorf("embedded: unable to reset log: %w", err)
	}
	if _, err := s.wal.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("embedded: unable to reset log: %w", err)
	}
	s.walSize = 0
	return nil
}

func (s *store) close() error { return s.wal.Close() }
