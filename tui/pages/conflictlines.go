package pages

import (
	"fmt"

	"ferry/tui/common"
)

// besideMin is the room a conflict's message needs beside its head to read well;
// with less, it goes on the lines under the head.
const besideMin = 48

// conflictLines is a conflict as its head (mark, kind, what it involves) and its
// message, whole: beside the head where the width leaves the message room, else
// under it, indented, so a phone reads every word of it.
func conflictLines(head, msg string, w int) []string { return common.Beside(head, msg, w, besideMin) }

// noOpenConflict is why there is nothing to resolve or override on deployment id:
// the Schedule and the deployment's page say it in the same words.
func noOpenConflict(id int64) string { return fmt.Sprintf("#%d is in no open conflict", id) }
