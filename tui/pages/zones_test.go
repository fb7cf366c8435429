package pages

// Time zone data is built into the tests, so the daylight-saving tests run on any
// machine, with or without a system zoneinfo database, and never skip.
import _ "time/tzdata"
