using Chaos.Testing.Emulator.Runtime.Mounts;

namespace Chaos.Testing.Emulator.Runtime.Network;

/// <summary>
/// Finds the pieces of pod networks on this machine by their names (network interfaces, network namespaces, their
/// <c>/etc/netns</c> folders, iptables chains, state folders) and removes those of one run. Removing is the same
/// for a run being disposed and for a run a crashed process left behind, so both paths are one code path.
/// </summary>
internal static class RunPieces
{
    private const string Interfaces = "/sys/class/net";
    private const string NamespaceFiles = "/run/netns";

    /// <summary>The folder whose files <c>ip netns exec</c> bind-mounts over <c>/etc</c> (resolv.conf, hosts).</summary>
    public const string NamespaceEtc = "/etc/netns";

    /// <summary>The run ids that have any piece on this machine: a state folder, an interface, a namespace, a file or a chain.</summary>
    public static SortedSet<string> FindRuns(string saved)
    {
        var runs = new SortedSet<string>(RunDirectory.Runs(), StringComparer.Ordinal);
        runs.UnionWith(List(Interfaces).Select(NetworkNames.RunOfLink).OfType<string>());
        runs.UnionWith(List(NamespaceFiles).Concat(List(NamespaceEtc)).Select(NetworkNames.RunOfNetns).OfType<string>());
        runs.UnionWith(FirewallScripts.Runs(saved).Keys);
        return runs;
    }

    /// <summary>
    /// Removes every piece of <paramref name="run"/>: host ends of veth pairs (which takes the pod ends with them, even
    /// when a process still holds the namespace), the bridge (and the service route on it), the namespaces, their
    /// files, the iptables rules and chains, the mounts in the state folder, and last the state folder. A piece that is already gone is no error.
    /// Returns a line per piece removed and a line per piece that is still there, with why.
    /// </summary>
    public static (List<string> Removed, List<string> Problems) Remove(string run, string? saved = null)
    {
        var removed = new List<string>();
        var problems = new List<string>();
        var bridge = NetworkNames.Bridge(run);
        var links = List(Interfaces).Where(n => NetworkNames.RunOfLink(n) == run)
            .OrderBy(n => n == bridge ? 1 : 0).ThenBy(n => n, StringComparer.Ordinal).ToList();
        var namespaces = List(NamespaceFiles).Where(n => NetworkNames.RunOfNetns(n) == run).ToList();
        if (links.Count + namespaces.Count > 0)
        {
            // One process for all of them; -force goes on past a line that fails (a veth already taken by its peer).
            var batch = string.Concat(links.Select(l => $"link del {l}\n").Concat(namespaces.Select(n => $"netns del {n}\n")));
            var result = HostCommand.TryRun("ip", ["-force", "-batch", "-"], batch);
            var remainingLinks = List(Interfaces).ToHashSet(StringComparer.Ordinal);
            var remainingNamespaces = List(NamespaceFiles).ToHashSet(StringComparer.Ordinal);
            Sort(links, remainingLinks, "network interface", result.Error, removed, problems);
            Sort(namespaces, remainingNamespaces, "network namespace", result.Error, removed, problems);
        }

        foreach (var folder in List(NamespaceEtc).Where(n => NetworkNames.RunOfNetns(n) == run))
        {
            try
            {
                Directory.Delete(Path.Combine(NamespaceEtc, folder), recursive: true);
                removed.Add($"folder {Path.Combine(NamespaceEtc, folder)}");
            }
            catch (DirectoryNotFoundException)
            {
                // Gone already.
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                problems.Add($"folder {Path.Combine(NamespaceEtc, folder)}: {ex.Message}");
            }
        }

        RemoveChains(run, saved, removed, problems);

        // The state folder holds tmpfs mounts (node roots, memory volumes): detached first, or deleting it would
        // reach into them; with one left, the folder stays for a later sweep.
        var (detached, stuck) = MountTable.DetachUnder(RunDirectory.PathOf(run));
        removed.AddRange(detached);
        problems.AddRange(stuck);
        if (stuck.Count == 0 && RunDirectory.Remove(run))
        {
            removed.Add($"state folder {RunDirectory.PathOf(run)}");
        }

        return (removed, problems);
    }

    /// <summary>The output of <c>iptables-save</c> (every table), or empty when iptables is not there to ask.</summary>
    public static string SaveFirewall()
    {
        if (HostCommand.Find("iptables-save") is null)
        {
            return string.Empty;
        }

        var result = HostCommand.TryRun("iptables-save", []);
        return result.ExitCode == 0 ? result.Output
            : throw new InvalidOperationException(HostCommand.Failure("iptables-save", [], null, result));
    }

    /// <summary>Applies an <c>iptables-restore --noflush</c> script, waiting for the xtables lock; throws with its standard error when it fails.</summary>
    public static void Restore(string script) => HostCommand.Run("iptables-restore", ["-w", "--noflush"], script);

    private static void RemoveChains(string run, string? saved, List<string> removed, List<string> problems)
    {
        saved ??= SaveFirewall();
        if (FirewallScripts.Teardown(saved, run) is not { } script)
        {
            return;
        }

        var chains = FirewallScripts.Runs(saved).GetValueOrDefault(run) ?? [];
        var result = HostCommand.TryRun("iptables-restore", ["-w", "--noflush"], script);
        if (result.ExitCode != 0)
        {
            // The script is one transaction per table: if another cleanup removed a rule first, it fails as a
            // whole. Read the rules again and try once more with what is left.
            saved = SaveFirewall();
            if (FirewallScripts.Teardown(saved, run) is { } retry)
            {
                var second = HostCommand.TryRun("iptables-restore", ["-w", "--noflush"], retry);
                if (second.ExitCode != 0)
                {
                    problems.Add($"iptables chains {string.Join(", ", chains)}: {HostCommand.Failure("iptables-restore", ["-w", "--noflush"], retry, second)}");
                    return;
                }
            }
        }

        removed.AddRange(chains.Select(c => $"iptables chain {c} and the rules jumping to it"));
    }

    private static void Sort(List<string> names, HashSet<string> remaining, string kind, string error, List<string> removed, List<string> problems)
    {
        foreach (var name in names)
        {
            if (remaining.Contains(name))
            {
                problems.Add($"{kind} {name}: {error.Trim()}");
            }
            else
            {
                removed.Add($"{kind} {name}");
            }
        }
    }

    private static List<string> List(string folder)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).OfType<string>().ToList();
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
    }
}
