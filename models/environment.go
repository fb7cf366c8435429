package models

// Environment is a controlled part of the infrastructure with a purpose.
type Environment struct {
	Name                     string
	Description              string // its purpose, for people
	Order                    int    // position on the promotion path
	Capacity                 int    // deployments that may run here at once
	RequireMaintenanceWindow bool
	Production               bool              // DORA measures are taken here
	Variables                map[string]string // passed to automated steps
	Maintenance              []Window
	Freeze                   []Window
}

// Validate checks the environment's own fields.
func (e Environment) Validate() error {
	if err := CheckIdentifier("environment", e.Name); err != nil {
		return err
	}
	if e.Capacity < 1 {
		return Invalidf("environment %q: capacity must be at least 1", e.Name)
	}
	if e.RequireMaintenanceWindow && len(e.Maintenance) == 0 {
		return Invalidf("environment %q requires a maintenance window but declares none", e.Name)
	}
	for _, w := range append(append([]Window{}, e.Maintenance...), e.Freeze...) {
		if w.Weekly == nil && !w.From.Before(w.To) {
			return Invalidf("environment %q: window %q ends before it starts", e.Name, w.Name)
		}
	}
	return nil
}
