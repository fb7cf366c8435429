package cli

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

func (a *app) peopleCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "people", Short: "SSH keys that let people into the console", Args: noArgs}
	addKey := &cobra.Command{
		Use:   "add-key PERSON KEYFILE",
		Short: "Let PERSON log in over SSH with the public key in KEYFILE (managers only)",
		Long: "KEYFILE holds a public key in authorized_keys form, e.g. ~/.ssh/id_ed25519.pub.\n" +
			"The key works at once, also for a ferry serve already running.",
		Args: exactArgs(2, "a person and a public key file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			line, err := keyLine(args[1])
			if err != nil {
				return err
			}
			if err := a.open(); err != nil {
				return err
			}
			k, err := a.eng.AddKey(a.ctx, a.actor, args[0], line)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Added %s key %s for %s.\n", k.Type, k.Fingerprint, k.Person)
			return nil
		},
	}
	keys := &cobra.Command{
		Use:   "keys",
		Short: "List every SSH key that lets someone in (managers only)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.open(); err != nil {
				return err
			}
			list, err := a.eng.Keys(a.ctx, a.actor)
			if err != nil {
				return err
			}
			if len(list) == 0 {
				fmt.Fprintln(a.stdout, "No SSH keys: add ssh_keys in config, or ferry people add-key PERSON KEYFILE.")
				return nil
			}
			tw := table(a.stdout)
			fmt.Fprintln(tw, "PERSON\tTYPE\tFINGERPRINT\tCOMMENT\tFROM\tLAST USED")
			for _, k := range list {
				from := k.Source
				if !k.AddedAt.IsZero() {
					from += " " + a.local(k.AddedAt)
				}
				if k.RevokedBy != "" {
					from += ", revoked by " + k.RevokedBy
				}
				used := "never"
				if !k.LastUsed.IsZero() {
					used = a.local(k.LastUsed)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.Person, k.Type, k.Fingerprint, dash(k.Comment), from, used)
			}
			return tw.Flush()
		},
	}
	removeKey := &cobra.Command{
		Use:   "remove-key PERSON FINGERPRINT",
		Short: "Revoke one of PERSON's SSH keys at once (managers only)",
		Long: "The key (SHA256:… as 'ferry people keys' lists it) is refused from now on, whether\n" +
			"config lists it or it was added; a ferry serve closes the sessions open with it within\n" +
			"a second. The audit log records who revoked it.",
		Args: exactArgs(2, "a person and a key fingerprint"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.open(); err != nil {
				return err
			}
			k, err := a.eng.RemoveKey(a.ctx, a.actor, args[0], args[1])
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Revoked %s key %s of %s (%s).\n", k.Type, k.Fingerprint, k.Person, k.Source)
			return nil
		},
	}
	cmd.AddCommand(addKey, keys, removeKey)
	return cmd
}

// keyLine is the one key in path (lines empty or starting with # aside); a file of
// several keys, or a private key, is refused with what to give instead.
func keyLine(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", usagef("KEYFILE: %v", err)
	}
	defer f.Close()
	var keys []string
	var at []int
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "-----BEGIN") && strings.Contains(line, "PRIVATE KEY"):
			return "", usagef("KEYFILE: %s is a private key, which stays with its owner: give its public half (%s.pub)",
				path, strings.TrimSuffix(path, ".pub"))
		case strings.HasPrefix(line, "-----BEGIN"), strings.HasPrefix(line, "---- BEGIN"):
			return "", usagef("KEYFILE: %s is a public key in another form than authorized_keys: "+
				"convert it with ssh-keygen -i -m PKCS8 -f %s (or -m RFC4716 for an SSH2 key)", path, path)
		case line != "" && !strings.HasPrefix(line, "#"):
			keys, at = append(keys, line), append(at, n)
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	switch len(keys) {
	case 0:
		return "", usagef("KEYFILE: %s holds no key", path)
	case 1:
		return keys[0], nil
	}
	// Adding the first and dropping the rest in silence would leave someone out.
	return "", usagef("KEYFILE: %s holds %d keys (lines %d and %d…): give one key per file, one add-key each",
		path, len(keys), at[0], at[1])
}
