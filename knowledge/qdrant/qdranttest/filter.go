package qdranttest

import (
	"strings"

	qc "github.com/qdrant/go-client/qdrant"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ---- filters

// validateFilter rejects what Qdrant rejects: conditions without a key
// or a match, and — as a strict-mode Qdrant (unindexed_filtering_retrieve
// = false) — matches on fields without a payload index of the right type.
func (c *collection) validateFilter(f *qc.Filter) error {
	if f == nil {
		return nil
	}
	for _, group := range [][]*qc.Condition{f.GetMust(), f.GetShould(), f.GetMustNot()} {
		for _, cond := range group {
			switch x := cond.GetConditionOneOf().(type) {
			case *qc.Condition_Field:
				fc := x.Field
				if fc.GetKey() == "" {
					return validation("[filter: a field condition needs a key]")
				}
				if fc.GetMatch() == nil {
					return status.Errorf(codes.Unimplemented, "qdranttest: field condition on %s without match is not modelled", fc.GetKey())
				}
				want := qc.FieldType_FieldTypeKeyword
				if _, ok := fc.GetMatch().GetMatchValue().(*qc.Match_Boolean); ok {
					want = qc.FieldType_FieldTypeBool
				}
				have, ok := c.indexes[fc.GetKey()]
				if !ok {
					return badInput("Bad request: Index required but not found for \"%s\" of one of the following types: [%s]. Help: Create an index for this key or use a different filter.", fc.GetKey(), strings.ToLower(strings.TrimPrefix(want.String(), "FieldType")))
				}
				if have != want {
					return badInput("Bad request: Index of type %s on \"%s\" cannot serve a %s match", have, fc.GetKey(), want)
				}
			case *qc.Condition_IsEmpty:
				if x.IsEmpty.GetKey() == "" {
					return validation("[filter: is_empty needs a key]")
				}
			case *qc.Condition_Filter:
				if err := c.validateFilter(x.Filter); err != nil {
					return err
				}
			default:
				return status.Errorf(codes.Unimplemented, "qdranttest: condition %T is not modelled", x)
			}
		}
	}
	return nil
}

func (c *collection) match(pt *point, f *qc.Filter) bool {
	if f == nil {
		return true
	}
	for _, cond := range f.GetMust() {
		if !c.cond(pt, cond) {
			return false
		}
	}
	for _, cond := range f.GetMustNot() {
		if c.cond(pt, cond) {
			return false
		}
	}
	if len(f.GetShould()) > 0 {
		for _, cond := range f.GetShould() {
			if c.cond(pt, cond) {
				return true
			}
		}
		return false
	}
	return true
}

// values flattens a payload field into its scalar values.
func values(v *qc.Value) []*qc.Value {
	if v == nil {
		return nil
	}
	if l := v.GetListValue(); l != nil {
		return l.GetValues()
	}
	if _, null := v.GetKind().(*qc.Value_NullValue); null {
		return nil
	}
	return []*qc.Value{v}
}

func (c *collection) cond(pt *point, cond *qc.Condition) bool {
	switch x := cond.GetConditionOneOf().(type) {
	case *qc.Condition_Field:
		vals := values(pt.payload[x.Field.GetKey()])
		for _, v := range vals {
			switch m := x.Field.GetMatch().GetMatchValue().(type) {
			case *qc.Match_Keyword:
				if v.GetStringValue() == m.Keyword {
					return true
				}
			case *qc.Match_Keywords:
				for _, k := range m.Keywords.GetStrings() {
					if v.GetStringValue() == k {
						return true
					}
				}
			case *qc.Match_Boolean:
				if b, ok := v.GetKind().(*qc.Value_BoolValue); ok && b.BoolValue == m.Boolean {
					return true
				}
			}
		}
		return false
	case *qc.Condition_IsEmpty:
		return len(values(pt.payload[x.IsEmpty.GetKey()])) == 0
	case *qc.Condition_Filter:
		return c.match(pt, x.Filter)
	}
	return false
}
