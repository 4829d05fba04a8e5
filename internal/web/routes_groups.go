package web

import "seura.fi/seura/internal/auth"

// groupRoutes are the pages of this part of the register: groups
// (activities, sections, tags), households, positions of trust, and the
// member card's "Groups and roles" tab. Guests read; users change.
func (s *Server) groupRoutes() []Route {
	get, post := s.get, s.post
	return []Route{
		get("/a/{aid}/groups", Member, auth.RoleGuest, s.groupsOverview),
		post("/a/{aid}/groups", Member, auth.RoleUser, s.groupCreate),
		get("/a/{aid}/groups/{gid}", Member, auth.RoleGuest, s.groupPage),
		post("/a/{aid}/groups/{gid}/edit", Member, auth.RoleUser, s.groupRename),
		post("/a/{aid}/groups/{gid}/delete", Member, auth.RoleUser, s.groupDelete),
		post("/a/{aid}/groups/{gid}/members", Member, auth.RoleUser, s.groupAddMembers),
		post("/a/{aid}/groups/{gid}/members/{mid}/remove", Member, auth.RoleUser, s.groupRemoveMember),

		get("/a/{aid}/households", Member, auth.RoleGuest, s.householdsPage),
		post("/a/{aid}/households", Member, auth.RoleUser, s.householdCreate),
		get("/a/{aid}/households/{hid}", Member, auth.RoleGuest, s.householdPage),
		post("/a/{aid}/households/{hid}/members", Member, auth.RoleUser, s.householdAddMember),
		post("/a/{aid}/households/{hid}/members/{mid}/remove", Member, auth.RoleUser, s.householdRemoveMember),
		post("/a/{aid}/households/{hid}/recipient", Member, auth.RoleUser, s.householdRecipient),
		post("/a/{aid}/households/{hid}/delete", Member, auth.RoleUser, s.householdDelete),

		get("/a/{aid}/positions", Member, auth.RoleGuest, s.positionsPage),
		post("/a/{aid}/positions", Member, auth.RoleUser, s.positionAdd),
		post("/a/{aid}/positions/{pid}/end", Member, auth.RoleUser, s.positionEnd),
		post("/a/{aid}/positions/{pid}/delete", Member, auth.RoleAdmin, s.positionDelete),

		get("/a/{aid}/members/{mid}/groups", Member, auth.RoleGuest, s.memberGroups),
		post("/a/{aid}/members/{mid}/groups/join", Member, auth.RoleUser, s.memberJoinGroup),
		post("/a/{aid}/members/{mid}/groups/{gid}/leave", Member, auth.RoleUser, s.memberLeaveGroup),
		post("/a/{aid}/members/{mid}/household", Member, auth.RoleUser, s.memberJoinHousehold),
		post("/a/{aid}/members/{mid}/household/leave", Member, auth.RoleUser, s.memberLeaveHousehold),
		post("/a/{aid}/members/{mid}/positions", Member, auth.RoleUser, s.memberAddPosition),
	}
}
