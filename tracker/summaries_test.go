package tracker

import (
	"reflect"
	"testing"
)

// TestByCaseID: rows read in table order come out grouped by case id, each case's in the
// order read, whether the ids are dense (a counting sort) or far apart (a sort).
func TestByCaseID(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cases  []int64
		perm   []int32
		groups []caseRows
	}{
		{"none", nil, nil, nil},
		{"dense", []int64{3, 1, 3, 2, 1}, []int32{1, 4, 3, 0, 2}, []caseRows{{1, 0, 2}, {2, 2, 3}, {3, 3, 5}}},
		{"far apart", []int64{1 << 40, 7, 1 << 40, 7}, []int32{1, 3, 0, 2}, []caseRows{{7, 0, 2}, {1 << 40, 2, 4}}},
	} {
		perm, groups := byCaseID(tc.cases)
		if !reflect.DeepEqual(perm, tc.perm) || !reflect.DeepEqual(groups, tc.groups) {
			t.Errorf("%s: byCaseID(%v) = %v, %v, want %v, %v", tc.name, tc.cases, perm, groups, tc.perm, tc.groups)
		}
	}
}
