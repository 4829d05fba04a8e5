package report

import "time"

// Builtin is a report every association has. Its name and description are
// messages (reports.builtin.<ID> and reports.builtin.<ID>_hint).
type Builtin struct {
	ID string
	// NeedsYear marks a report run for a chosen year (the milestone
	// birthdays); Definition gets the year.
	NeedsYear  bool
	Definition func(year int) Definition
}

// Ids of the built-in reports.
const (
	BuiltinStatutory    = "statutory"
	BuiltinStatusCounts = "status_counts"
	BuiltinFeeCounts    = "fee_counts"
	BuiltinMilestones   = "milestones"
	BuiltinHouseholds   = "households"
	BuiltinWithoutEmail = "without_email"
	BuiltinAllMembers   = "all_members"
)

var activeOnly = Filter{Field: "status", Op: OpEquals, Value: "active"}

// Builtins lists the built-in reports, in the order the reports page shows
// them.
var Builtins = []Builtin{
	// The list of members the board must keep under the Associations Act
	// (yhdistyslaki 11 §): each member's full name and municipality of
	// residence.
	{ID: BuiltinStatutory, Definition: func(int) Definition {
		return Definition{Columns: []string{"full_name", "municipality"}, Filters: []Filter{activeOnly}, Sort: "full_name"}
	}},
	{ID: BuiltinStatusCounts, Definition: func(int) Definition {
		return Definition{GroupBy: "status"}
	}},
	{ID: BuiltinFeeCounts, Definition: func(int) Definition {
		return Definition{GroupBy: "fee", Filters: []Filter{activeOnly}}
	}},
	{ID: BuiltinMilestones, NeedsYear: true, Definition: func(year int) Definition {
		return Definition{Columns: []string{"full_name", "birth_date", "care_of", "street", "postcode", "town"},
			Filters: []Filter{activeOnly}, MilestoneYear: year}
	}},
	{ID: BuiltinHouseholds, Definition: func(int) Definition {
		return Definition{Columns: []string{"household", "full_name", "street", "postcode", "town"},
			Filters: []Filter{activeOnly, {Field: "household", Op: OpNotEmpty}}, Sort: "household"}
	}},
	{ID: BuiltinWithoutEmail, Definition: func(int) Definition {
		return Definition{Columns: []string{"member_number", "full_name", "phone", "care_of", "street", "postcode", "town"},
			Filters: []Filter{activeOnly, {Field: "email", Op: OpEmpty}}, Sort: "full_name"}
	}},
	{ID: BuiltinAllMembers, Definition: func(int) Definition {
		return Definition{Columns: []string{"member_number", "full_name", "status", "email", "phone", "street",
			"postcode", "town", "joined_on", "left_on"}}
	}},
}

// BuiltinByID finds a built-in report.
func BuiltinByID(id string) (Builtin, bool) {
	for _, b := range Builtins {
		if b.ID == id {
			return b, true
		}
	}
	return Builtin{}, false
}

// DefaultYear is the year a milestone report is for when none is chosen:
// the current one.
func DefaultYear(now time.Time) int { return now.Year() }
