package export

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"ferry/engine"
	"ferry/models"
)

// ErrExists is a file that is already there, not to be replaced unless the person
// says so.
var ErrExists = errors.New("exists")

// Path is path made absolute; "~/" is the home directory (a console has no shell
// to expand it).
func Path(path string) (string, error) {
	path = strings.TrimSpace(path)
	if path == "" {
		return "", errors.New("give a path to write to")
	}
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("%s: %w", path, err)
		}
		path = filepath.Join(home, rest)
	}
	return filepath.Abs(path)
}

// File writes path whole or not at all: write fills a temporary file beside it,
// which takes path's name only once everything is written and synced, so a failure
// (or a cancelled export) leaves no half file. It refuses a path whose directory does
// not exist, and an existing file unless replace. It returns the absolute path.
func File(path string, replace bool, write func(io.Writer) error) (string, error) {
	abs, err := Path(path)
	if err != nil {
		return "", err
	}
	mode, err := check(abs, replace)
	if err != nil {
		return abs, err
	}
	f, err := os.CreateTemp(filepath.Dir(abs), ".ferry-export-*")
	if errors.Is(err, fs.ErrNotExist) { // the directory is there (check): it takes no new files (/proc)
		return abs, fmt.Errorf("%s: cannot write in %s: it takes no new files", abs, filepath.Dir(abs))
	}
	if err != nil {
		return abs, fmt.Errorf("%s: cannot write in %s: %w", abs, filepath.Dir(abs), unwrapPath(err))
	}
	defer os.Remove(f.Name()) // gone once renamed; removes the half file otherwise
	if err := fill(f, mode, write); err != nil {
		return abs, err
	}
	if err := os.Rename(f.Name(), abs); err != nil {
		return abs, fmt.Errorf("%s: %w", abs, unwrapPath(err))
	}
	return abs, nil
}

// check refuses what File must not write, and gives the mode the file will have:
// a replaced file keeps its own.
func check(abs string, replace bool) (fs.FileMode, error) {
	dir := filepath.Dir(abs)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return 0, fmt.Errorf("%s: the directory %s does not exist", abs, dir)
	case err != nil:
		return 0, fmt.Errorf("%s: %w", abs, unwrapPath(err))
	case !st.IsDir():
		return 0, fmt.Errorf("%s: %s is not a directory", abs, dir)
	}
	st, err = os.Lstat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return 0o644, nil
	case err != nil:
		return 0, fmt.Errorf("%s: %w", abs, unwrapPath(err))
	case st.Mode()&fs.ModeSymlink != 0:
		// Renaming over it would put a file where the link was, and writing through
		// it would write wherever it points: name the file itself.
		return 0, fmt.Errorf("%s is a symbolic link; Ferry does not replace one: give the path of a file", abs)
	case st.IsDir():
		return 0, fmt.Errorf("%s is a directory: give a file name in it", abs)
	case !replace:
		return 0, fmt.Errorf("%s %w", abs, ErrExists)
	}
	return st.Mode().Perm(), nil
}

func fill(f *os.File, mode fs.FileMode, write func(io.Writer) error) error {
	bw := bufio.NewWriterSize(f, 64<<10)
	err := write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Chmod(mode)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// unwrapPath drops the temporary file's name from an error about it: the person
// named another path.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// Lister gives one page of a listing as the engine gives it to the person exporting
// (engine.List with their actor: they export only what they may see).
type Lister func(ctx context.Context, f models.Filter) ([]models.Deployment, error)

// PageSize is how many deployments History asks for at once.
const PageSize = 1000

// History writes every deployment f matches, in f's order, onto w in format: a page
// at a time with keyset paging (each page after the last row of the one before), so
// millions of rows never sit in memory. progress, if not nil, is told the count
// after each page. It returns how many it wrote.
func History(ctx context.Context, w io.Writer, format Format, loc *time.Location, list Lister, f models.Filter,
	progress func(n int)) (int, error) {
	return history(ctx, w, format, loc, list, f, progress, PageSize)
}

func history(ctx context.Context, w io.Writer, format Format, loc *time.Location, list Lister, f models.Filter,
	progress func(n int), page int) (int, error) {
	out, err := NewDeployments(w, format, loc)
	if err != nil {
		return 0, err
	}
	f.Limit = page
	for {
		if err := ctx.Err(); err != nil {
			return out.N(), err
		}
		rows, err := list(ctx, f)
		if err != nil {
			return out.N(), err
		}
		if err := out.Write(rows); err != nil {
			return out.N(), err
		}
		if progress != nil {
			progress(out.N())
		}
		if len(rows) < page {
			return out.N(), out.Close()
		}
		f.After = models.CursorOf(rows[len(rows)-1])
	}
}

// HistoryFile writes the whole history f matches to path, whole or not at all (see
// File), in the format its extension names. It returns the count and the absolute path.
func HistoryFile(ctx context.Context, path string, replace bool, loc *time.Location, list Lister, f models.Filter,
	progress func(n int)) (n int, abs string, err error) {
	format, err := FormatOf(path)
	if err != nil {
		return 0, path, err
	}
	abs, err = File(path, replace, func(w io.Writer) error {
		n, err = History(ctx, w, format, loc, list, f, progress)
		return err
	})
	return n, abs, err
}

// ReportFile writes rep to path, whole or not at all (see File), in the format its
// extension names. It returns the absolute path.
func ReportFile(path string, replace bool, rep engine.Report, loc *time.Location) (string, error) {
	format, err := FormatOf(path)
	if err != nil {
		return path, err
	}
	return File(path, replace, func(w io.Writer) error { return WriteReport(w, format, rep, loc) })
}
