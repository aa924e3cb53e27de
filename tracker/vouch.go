package tracker

import (
	"context"
	"database/sql"
	"errors"
)

// vouched reports whether addr is an address someone vouched for, to receive mail about
// case caseID: staff, the directory's agencies, the addresses the configuration names,
// an address staff added to this case by command, or the case's referrer (who sent us the
// referral). An address typed into a form is none of these. This is the one rule for who
// may receive case material; enqueue applies it to every email about a case.
func (t *Tracker) vouched(ctx context.Context, tx *sql.Tx, caseID int64, addr string) (bool, error) {
	a := normAddr(addr)
	if a == "" {
		return false, nil
	}
	if _, ok := t.cfg.isStaff(a); ok {
		return true, nil
	}
	if _, ok := t.cfg.agencyByEmail(a); ok {
		return true, nil
	}
	ad := t.cfg.Addresses
	for _, c := range []string{t.cfg.From, t.cfg.Partnership.Email, ad.NationalPanel, ad.Ofsted, ad.DfE, ad.NSPCC, ad.Subgroup, ad.Partners, ad.MESI} {
		if normAddr(c) == a {
			return true, nil
		}
	}
	if caseID == 0 {
		return false, nil
	}
	var n int
	err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM case_agencies WHERE case_id = ? AND email = ? AND source = 'staff')
		+ (SELECT count(*) FROM cases WHERE id = ? AND referrer_email = ?)`, caseID, a, caseID, a).Scan(&n)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	return n > 0, nil
}

// staffVouched reports whether staff added addr to case caseID by command.
func (t *Tracker) staffVouched(ctx context.Context, tx *sql.Tx, caseID int64, addr string) (bool, error) {
	if caseID == 0 {
		return false, nil
	}
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM case_agencies WHERE case_id = ? AND email = ? AND source = 'staff'`, caseID, normAddr(addr)).Scan(&n)
	return n > 0, err
}
