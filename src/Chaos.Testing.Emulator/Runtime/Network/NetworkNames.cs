using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Chaos.Testing.Emulator.Runtime.Network;

/// <summary>
/// The names a pod network gives its pieces. Every name carries <c>cte</c> (chaos testing emulator) and the run id, so
/// that the pieces of one run can be found again from the name alone, by the run itself or by the cleanup of a later
/// one after a crash. Interface names stay within Linux's 15 characters: <c>cte</c> + 6 + <c>v</c> + up to 5 digits.
/// </summary>
internal static partial class NetworkNames
{
    /// <summary>The length of a run id.</summary>
    public const int RunIdLength = 6;

    /// <summary>The highest pod number: more digits would make the host interface name longer than 15 characters.</summary>
    public const int MaxPodNumber = 99_999;

    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>A new random run id: six lowercase letters and digits.</summary>
    public static string NewRunId() => RandomNumberGenerator.GetString(Alphabet, RunIdLength);

    /// <summary>The bridge: <c>cte&lt;run&gt;</c>.</summary>
    public static string Bridge(string run) => $"cte{run}";

    /// <summary>The host end of pod <paramref name="number"/>'s veth pair: <c>cte&lt;run&gt;v&lt;n&gt;</c>.</summary>
    public static string HostVeth(string run, int number) => $"cte{run}v{number.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Pod <paramref name="number"/>'s network namespace: <c>cte-&lt;run&gt;-&lt;n&gt;</c>.</summary>
    public static string Netns(string run, int number) => $"cte-{run}-{number.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>An iptables chain of the run: <c>CTE-&lt;run&gt;-&lt;suffix&gt;</c> (at most 28 characters, iptables' limit).</summary>
    public static string Chain(string run, string suffix) => $"CTE-{run}-{suffix}";

    /// <summary>The run a network interface belongs to, or null when the name is not one this class gives.</summary>
    public static string? RunOfLink(string name) => RunOf(LinkName().Match(name));

    /// <summary>The run a network namespace (or its <c>/etc/netns</c> folder) belongs to, or null.</summary>
    public static string? RunOfNetns(string name) => RunOf(NetnsName().Match(name));

    /// <summary>Whether <paramref name="name"/> has the shape of a run id (a state folder's name).</summary>
    public static bool IsRunId(string name) => RunIdName().IsMatch(name);

    private static string? RunOf(Match match) => match.Success ? match.Groups["run"].Value : null;

    [GeneratedRegex(@"\Acte(?<run>[a-z0-9]{6})(?:v[0-9]{1,5})?\z")]
    private static partial Regex LinkName();

    [GeneratedRegex(@"\Acte-(?<run>[a-z0-9]{6})-[0-9]{1,5}\z")]
    private static partial Regex NetnsName();

    [GeneratedRegex(@"\A[a-z0-9]{6}\z")]
    private static partial Regex RunIdName();
}
