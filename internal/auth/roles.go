// Package auth holds accounts, passwords, second factors, sessions and roles.
package auth

import "fmt"

// Role is a user's role in one association.
type Role string

// The association roles. Administrators do everything and manage users and
// settings; users do all register work; guests read and search only.
const (
	RoleAdmin Role = "admin"
	RoleUser  Role = "user"
	RoleGuest Role = "guest"
)

// ParseRole checks a role name from outside input.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleAdmin, RoleUser, RoleGuest:
		return r, nil
	}
	return "", fmt.Errorf("unknown role %q (want admin, user or guest)", s)
}

// CanWrite reports whether the role may change register data.
func (r Role) CanWrite() bool { return r == RoleAdmin || r == RoleUser }

// CanAdmin reports whether the role may manage users and settings.
func (r Role) CanAdmin() bool { return r == RoleAdmin }

// AtLeast reports whether r grants everything min does.
func (r Role) AtLeast(min Role) bool {
	rank := map[Role]int{RoleGuest: 1, RoleUser: 2, RoleAdmin: 3}
	return rank[r] >= rank[min] && rank[r] > 0
}
