package engine

import (
	"context"
	"fmt"
)

// FilterEnvironment checks env, given under flag to filter a listing of the record.
// An environment config knows is fine; one it no longer knows but the record holds
// (removed from config with work still in it) filters too, with a note saying so;
// anything else is refused as config refuses it, naming the known ones.
func (e *Engine) FilterEnvironment(ctx context.Context, flag, env string) (note string, err error) {
	if env == "" {
		return "", nil
	}
	known := e.cfg.CheckEnvironment(flag, env)
	if known == nil {
		return "", nil
	}
	inRecord, err := e.st.Read().EnvironmentInRecord(ctx, env)
	if err != nil {
		return "", err
	}
	if !inRecord {
		return "", known
	}
	return fmt.Sprintf("%s %s: no longer in %s; shown from the record", flag, env, e.cfg.File), nil
}
