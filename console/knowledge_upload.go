package console

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"kefu/appliance"
	"kefu/knowledge"
)

// uploadForm is one multipart upload: the file and the editor's fields.
type uploadForm struct {
	name   string
	data   []byte
	fields map[string]string
}

const maxFieldBytes = 64 << 10

// readUpload streams a multipart body: exactly one part named "file" and
// small text fields. A file over the upload limit is refused by name as
// soon as the limit is passed, without reading the rest.
func (s *Server) readUpload(c *gin.Context) (*uploadForm, error) {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil, appliance.Errorf(appliance.EUNSUPPORTED, "unsupported_media_type", "upload the file as multipart/form-data")
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return nil, invalid("malformed_multipart", "the multipart body cannot be read: %v", err)
	}
	limit := s.MaxUploadBytes
	if limit <= 0 {
		limit = 20 << 20
	}
	form := &uploadForm{fields: map[string]string{}}
	files := 0
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, bodyError(err, "malformed_multipart", "the multipart body cannot be read")
		}
		name := part.FormName()
		if part.FileName() == "" {
			if name == "" {
				part.Close()
				continue
			}
			b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
			part.Close()
			if err != nil {
				return nil, bodyError(err, "malformed_multipart", "the field "+name+" cannot be read")
			}
			if len(b) > maxFieldBytes {
				return nil, invalid("field_too_long", "the field %s is longer than %d bytes", name, maxFieldBytes)
			}
			form.fields[name] = string(b)
			continue
		}
		if name != "file" {
			part.Close()
			return nil, invalid("unexpected_file", "files go in the field named file, not %q", name)
		}
		if files++; files > 1 {
			part.Close()
			return nil, invalid("one_file_per_upload", "upload one file per request")
		}
		form.name = filepath.Base(strings.ReplaceAll(part.FileName(), `\`, "/"))
		form.data, err = io.ReadAll(io.LimitReader(part, limit+1))
		part.Close()
		if err != nil {
			return nil, bodyError(err, "malformed_multipart", form.name+": the file cannot be read")
		}
		if int64(len(form.data)) > limit {
			return nil, knowledgeError(&knowledge.Error{Code: knowledge.CodeFileTooLarge, File: form.name,
				Message: "the file is larger than the limit of " + strconv.FormatInt(limit, 10) + " bytes"})
		}
	}
	if files == 0 {
		return nil, invalid("missing_file", "choose a file to upload (field file)")
	}
	return form, nil
}

// bodyError reports a body that ended early or passed the body limit.
func bodyError(err error, code, msg string) error {
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return appliance.Errorf(appliance.ETOOLARGE, "body_too_large", "the request body is larger than %d bytes", maxErr.Limit)
	}
	return invalid(code, "%s", msg)
}

func splitField(s string) []string {
	return cleanList(strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(",，、;；\n", r) }))
}

func (f *uploadForm) meta() knowledge.Meta {
	return knowledge.Meta{Title: strings.TrimSpace(f.fields["title"]), Tags: splitField(f.fields["tags"]),
		Channels: splitField(f.fields["channels"]), Segments: splitField(f.fields["segments"]), Lang: strings.TrimSpace(f.fields["lang"])}
}

func (s *Server) uploadKnowledge(c *gin.Context) {
	if !s.knowledgeReady(c) {
		return
	}
	form, err := s.readUpload(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	me := currentUser(c)
	allowDup, _ := strconv.ParseBool(form.fields["allow_duplicate"])
	res, err := s.Knowledge.Upload(c.Request.Context(), knowledge.UploadRequest{Name: form.name, Data: form.data, Meta: form.meta(),
		Actor: me.Username, Note: strings.TrimSpace(form.fields["note"]), AllowDuplicate: allowDup})
	if err != nil {
		s.fail(c, knowledgeError(err))
		return
	}
	ids := make([]string, 0, len(res.Items))
	views := make([]itemView, len(res.Items))
	for i, it := range res.Items {
		ids = append(ids, it.ID)
		views[i] = viewOf(it)
	}
	s.audit(c, me, "knowledge.upload", "knowledge_file", form.name, map[string]any{"format": res.Format, "size": len(form.data),
		"items": ids, "chunks": res.Chunks, "duplicates": len(res.Duplicates)})
	c.JSON(http.StatusCreated, gin.H{"file": form.name, "format": res.Format, "items": views, "chunks": res.Chunks, "duplicates": res.Duplicates})
}

// reviseKnowledgeFile stores a new version of a document from a new file.
func (s *Server) reviseKnowledgeFile(c *gin.Context) {
	if !s.knowledgeReady(c) {
		return
	}
	form, err := s.readUpload(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	expect, err := strconv.Atoi(form.fields["expect_version"])
	if err != nil || expect < 1 {
		s.fail(c, invalid("missing_expect_version", "expect_version (the version you replace) is required"))
		return
	}
	me := currentUser(c)
	id := c.Param("id")
	allowDup, _ := strconv.ParseBool(form.fields["allow_duplicate"])
	it, err := s.Knowledge.ReviseDocument(c.Request.Context(), id, expect, knowledge.UploadRequest{Name: form.name, Data: form.data,
		Meta: form.meta(), Actor: me.Username, Note: strings.TrimSpace(form.fields["note"]), AllowDuplicate: allowDup})
	if err != nil {
		s.fail(c, knowledgeError(err))
		return
	}
	s.audit(c, me, "knowledge.edit", "knowledge_item", id, map[string]any{"kind": it.Kind, "version": it.Version, "file": form.name,
		"size": len(form.data)})
	c.JSON(http.StatusOK, gin.H{"item": viewOf(*it)})
}
