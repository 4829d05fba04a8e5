package api

// groupRoutes are the operations of this part of the API; its paths are
// described in openapi/groups.json.
func (a *API) groupRoutes() []Route { return nil }
