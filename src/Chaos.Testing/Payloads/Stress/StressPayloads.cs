using System.Globalization;

namespace Chaos.Testing;

/// <summary>
/// CPU and memory stress payloads. The install step starts <c>stress-ng</c> in the background (so the script reaches
/// <c>chaos: installed</c> and holds) and checks a second later that it still runs. Every stress-ng process of the
/// payload is tagged: <c>--keep-name</c> keeps the workers' command line equal to the parent's, which carries
/// <c>--temp-path /tmp/chaos-stress-&lt;tag&gt;</c>, so <see cref="ProcessPattern"/> finds the parent and all its
/// workers, also from the early-recovery container and after the payload shell was killed. The cleanup TERMs them,
/// waits up to 5 s and KILLs what is left. <c>--timeout</c> (the hold plus <see cref="TimeoutGrace"/>) is the safety net
/// when neither the payload's trap nor a recovery ran.
/// Image: <c>sh</c>, <c>stress-ng</c>, <c>pgrep</c>/<c>pkill</c> (procps or busybox), <c>mkdir</c>, <c>sleep</c>,
/// <c>sed</c> (memory percent only). Capabilities: none (the stressors run as the payload's user); the early-recovery
/// container must share the PID namespace the payload ran in.
/// </summary>
internal static class StressPayloads
{
    /// <summary>How much longer than the hold stress-ng may run before it stops by itself.</summary>
    public static readonly TimeSpan TimeoutGrace = TimeSpan.FromSeconds(5);

    /// <summary>The payload-private directory named in stress-ng's command line (its tag).</summary>
    public static string TagDirectory(string tag) => $"/tmp/chaos-stress-{tag}";

    /// <summary>The <c>pgrep -f</c>/<c>pkill -f</c> pattern of the stress-ng processes of <paramref name="tag"/> (anchored: never the payload's own shell).</summary>
    public static string ProcessPattern(string tag) => $"^stress-ng .*--temp-path {TagDirectory(tag)}( |$)";

    /// <summary>Adds CPU stress: <c>stress-ng --cpu W --cpu-load L</c> for the hold.</summary>
    public static PayloadScript AddCpuStress(this PayloadScript script, CpuStressSpec spec, TimeSpan hold)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(spec);
        return script.AddStressNg(hold, null, "--cpu", Invariant(spec.Workers), "--cpu-load", Invariant(spec.LoadPercent));
    }

    /// <summary>Adds memory stress: <c>stress-ng --vm W --vm-bytes B --vm-keep --vm-populate</c> for the hold (B is the total of the workers).</summary>
    public static PayloadScript AddMemoryStress(this PayloadScript script, MemoryStressSpec spec, TimeSpan hold)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(spec);
        string bytes;
        if (spec.Percent is { } percent)
        {
            // MemTotal is in kB; computed at run time where the payload runs.
            script.Install(ShellStep.Fragment(
                "chaos_memkb=$(sed -n 's/^MemTotal:[[:space:]]*\\([0-9][0-9]*\\) kB$/\\1/p' /proc/meminfo) && [ -n \"$chaos_memkb\" ]"
                + " || { echo 'chaos: cannot read MemTotal from /proc/meminfo' >&2; false; }"));
            script.Install(ShellStep.Fragment(
                $"chaos_membytes=$((chaos_memkb * 1024 / 100 * {Invariant(percent)})) && echo \"chaos: {Invariant(percent)}% of MemTotal is $chaos_membytes bytes\""));
            bytes = "\"$chaos_membytes\"";
        }
        else
        {
            bytes = Shell.Quote(Invariant(spec.Bytes!.Value));
        }

        return script.AddStressNg(hold, bytes, "--vm", Invariant(spec.Workers), "--vm-keep", "--vm-populate");
    }

    private static PayloadScript AddStressNg(this PayloadScript script, TimeSpan hold, string? vmBytes, params string[] stressors)
    {
        var dir = TagDirectory(script.Tag);
        var pattern = Shell.Quote(ProcessPattern(script.Tag));
        var timeout = (long)Math.Ceiling((hold < TimeSpan.Zero ? TimeSpan.Zero : hold).TotalSeconds) + (long)TimeoutGrace.TotalSeconds;
        string[] argv = ["stress-ng", "--keep-name", "--temp-path", dir, "--timeout", Invariant(timeout) + "s", .. stressors];
        var command = Shell.Join(argv) + (vmBytes is null ? string.Empty : " --vm-bytes " + vmBytes);

        script.Install(Require("command -v stress-ng >/dev/null 2>&1", "stress-ng is not on PATH"));
        script.Install(Require("command -v pgrep >/dev/null 2>&1 && command -v pkill >/dev/null 2>&1", "pgrep/pkill are not on PATH (the cleanup needs them)"));
        script.Install("mkdir", "-p", dir);
        script.Cleanup("rmdir", dir);
        script.Stop(ShellStep.Fragment(
            $"{{ pkill -TERM -f {pattern}; chaos_n=0; while pgrep -f {pattern} && [ \"$chaos_n\" -lt 50 ]; do sleep 0.1; chaos_n=$((chaos_n + 1)); done; pkill -KILL -f {pattern}; }}"));

        // Started in the background; after a second it must still run (a bad option or a missing binary ends it at once).
        script.Install(ShellStep.Fragment(
            $"{command} </dev/null & sleep 1; pgrep -f {pattern} >/dev/null || {{ echo 'chaos: stress-ng is not running (its output above says why)' >&2; false; }}"));
        return script;
    }

    private static ShellStep Require(string condition, string message) =>
        ShellStep.Fragment($"{condition} || {{ echo {Shell.Quote("chaos: " + message)} >&2; false; }}");

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
