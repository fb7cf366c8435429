package pages

import "ferry/tui/common"

// besideMin is the room a conflict's message needs beside its head to read well;
// with less, it goes on the lines under the head.
const besideMin = 48

// conflictLines is a conflict as its head (mark, kind, what it involves) and its
// message, whole: beside the head where the width leaves the message room, else
// under it, indented, so a phone reads every word of it.
func conflictLines(head, msg string, w int) []string { return common.Beside(head, msg, w, besideMin) }
