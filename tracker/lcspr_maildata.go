package tracker

import "strings"

// returnWords is a kind of return in a line of an escalation: "scoping form", "chronology".
func returnWords(kind string) string {
	switch kind {
	case "", ReturnScoping:
		return "scoping form"
	case ReturnActionEvidence:
		return "action evidence"
	}
	return strings.ReplaceAll(kind, "_", " ")
}

// Chasing is the reminder and chasers of one kind of return ([returns.KIND] in the
// configuration). ReminderDays < 0: no reminder; 0: the schedule's. Chasers 0: the
// schedule's.
type Chasing struct {
	ReminderDays int
	Chasers      int
}

// chasingFor is the reminder (working days before; 0 none) and chasers for a kind of return.
func (t *Tracker) chasingFor(kind string) (reminderDays, chasers int) {
	reminderDays, chasers = t.cfg.ReminderDays, t.cfg.Chasers
	if c, ok := t.cfg.KindChasing[kind]; ok {
		switch {
		case c.ReminderDays < 0:
			reminderDays = 0
		case c.ReminderDays > 0:
			reminderDays = c.ReminderDays
		}
		if c.Chasers > 0 {
			chasers = c.Chasers
		}
	}
	return reminderDays, chasers
}
