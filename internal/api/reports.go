package api

// reportRoutes are the operations of this part of the API; its paths are
// described in openapi/reports.json.
func (a *API) reportRoutes() []Route { return nil }
