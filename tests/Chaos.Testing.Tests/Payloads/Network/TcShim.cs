using Chaos.Testing.Tests.Support;

namespace Chaos.Testing.Tests.Payloads.Network;

/// <summary>
/// A recording <c>tc</c> first on PATH: this kernel has no netem (nor prio), so netem payloads are checked for the exact
/// commands they run. Every call is appended to a log and succeeds, except netem ones when <c>netemFails</c>, which
/// fail as this kernel's tc does (to exercise the iptables fallback). Other programs (ip, iptables) are the real ones.
/// </summary>
internal sealed class TcShim : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("chaos-tc-shim-").FullName;

    public TcShim(bool netemFails = false)
    {
        LogPath = Path.Combine(_dir, "tc.log");
        var shim = Path.Combine(_dir, "tc");
        File.WriteAllText(shim, $"""
            #!/bin/sh
            printf 'tc %s\n' "$*" >> {Shell.Quote(LogPath)}
            case " $* " in
              *" netem "*) if {(netemFails ? "true" : "false")}; then echo 'Error: Specified qdisc kind is unknown.' >&2; exit 2; fi ;;
            esac
            exit 0

            """);
        PayloadEnvironment.Run("chmod", "700", shim);
    }

    public string LogPath { get; }

    /// <summary>Gets the tc command lines run so far.</summary>
    public IReadOnlyList<string> Calls => File.Exists(LogPath) ? File.ReadAllLines(LogPath) : [];

    /// <summary>The payload's command with the shim first on PATH.</summary>
    public IList<string> Command(PayloadScript script, string text) =>
        ["env", $"PATH={_dir}:{Environment.GetEnvironmentVariable("PATH")}:/usr/sbin:/sbin", .. script.Command(text)];

    /// <summary>
    /// Runs each recorded line with the real tc in <paramref name="ns"/> and returns the lines tc could not parse: the
    /// kernel here rejects netem and prio ("Error: Specified qdisc kind is unknown.", exit 2), but tc parses every
    /// argument before asking the kernel, and a line it cannot parse exits 1 with "Illegal ..." or "What is ...".
    /// </summary>
    public IReadOnlyList<string> LinesTheRealTcCannotParse(string ns)
    {
        var rejected = new List<string>();
        foreach (var line in Calls)
        {
            var argv = line.Split(' ');
            foreach (var ifb in argv.Where(a => a.StartsWith("ifb-", StringComparison.Ordinal)).Distinct())
            {
                NetTools.RunAnyExit(ns, "ip", "link", "add", ifb, "type", "ifb");
            }

            var (exit, output) = NetTools.RunAnyExit(ns, PayloadEnvironment.Which("tc")!, argv[1..]);
            if (exit == 1 || (exit != 0 && !output.StartsWith("Error:", StringComparison.Ordinal)))
            {
                rejected.Add($"{line} -> exit {exit}: {output.Trim()}");
            }
        }

        return rejected;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
