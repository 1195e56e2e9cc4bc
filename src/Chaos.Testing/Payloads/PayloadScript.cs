using System.Globalization;
using System.Text;

namespace Chaos.Testing;

/// <summary>
/// A payload: install steps, cleanup steps, and a hold. <see cref="Render"/> gives the script the payload container
/// runs: it traps TERM/INT/EXIT to run the cleanup, installs (stopping at the first failure, which still cleans up),
/// prints <c>chaos: installed</c>, holds, and removes the fault. <see cref="RenderCleanup"/> gives the script of the
/// short cleanup container used for early recovery: it stops the payload (whose trap removes the fault) and runs the
/// cleanup steps itself too, so the fault is gone even if the payload was already killed.
/// </summary>
/// <remarks>
/// A payload that does not share the target's PID namespace cannot be seen, let alone signalled, by the cleanup
/// container; <see cref="StopWhenUnmarked"/> gives it a stop signal it sees through the pod's network namespace instead:
/// a no-op iptables rule tagged like its other rules, which the tag cleanup deletes with them. A payload whose marker is
/// gone stops its own processes and exits without its cleanup steps: the cleanup that removed the marker removed (and
/// checked) the fault, and a <c>tc qdisc del ... root</c> now could remove a later experiment's qdisc.
/// </remarks>
internal sealed class PayloadScript
{
    private readonly List<ShellStep> _install = [];
    private readonly List<ShellStep> _cleanup = [];
    private readonly List<ShellStep> _stops = [];

    public PayloadScript(string tag)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tag);
        if (!tag.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            throw new ArgumentException($"A payload tag is letters, digits and '-', was \"{tag}\".", nameof(tag));
        }

        Tag = tag;
    }

    /// <summary>
    /// Gets a switch for tests only, read when a payload is rendered in the current async flow (other flows, e.g. tests
    /// running in parallel, are not affected): when true, <see cref="Render"/> leaves out every install step but the
    /// marker rule (<see cref="StopWhenUnmarked"/>), so the payload prints <c>chaos: installed</c> and holds having done
    /// nothing. The end-to-end tests run with it to prove they would catch a payload that does nothing.
    /// </summary>
    internal static AsyncLocal<bool> InstallsNothingForTests { get; } = new();

    /// <summary>Gets the tag (e.g. <c>chaos-&lt;experiment id&gt;</c>) carried by the payload's process name and its rules.</summary>
    public string Tag { get; }

    /// <summary>Gets the process name of the payload: the script runs as <c>sh -c &lt;script&gt; &lt;ProcessName&gt;</c>.</summary>
    public string ProcessName => $"chaos-payload-{Tag}";

    public IReadOnlyList<ShellStep> InstallSteps => _install;

    public IReadOnlyList<ShellStep> CleanupSteps => _cleanup;

    /// <summary>Adds an install step; the script stops (and cleans up) if it fails.</summary>
    public PayloadScript Install(ShellStep step)
    {
        _install.Add(step);
        return this;
    }

    public PayloadScript Install(params string[] argv) => Install(ShellStep.Command(argv));

    /// <summary>Adds a cleanup step; cleanup steps run in reverse order of addition and their failures are ignored (idempotent).</summary>
    public PayloadScript Cleanup(ShellStep step)
    {
        _cleanup.Add(step);
        return this;
    }

    public PayloadScript Cleanup(params string[] argv) => Cleanup(ShellStep.Command(argv));

    /// <summary>
    /// Adds a cleanup step that stops a process the payload started (a proxy, stress-ng): it also runs when the payload
    /// stops because its marker is gone (<see cref="StopWhenUnmarked"/>), where the other cleanup steps do not.
    /// </summary>
    public PayloadScript Stop(ShellStep step)
    {
        _stops.Add(step);
        return Cleanup(step);
    }

    /// <summary>Gets a value indicating whether the payload holds only while its marker rule exists (<see cref="StopWhenUnmarked"/>).</summary>
    public bool StopsWhenUnmarked { get; private set; }

    /// <summary>Gets the marker rule's spec (after <c>-A</c>/<c>-D</c>): filter INPUT, no target (it only counts packets), the tag's comment.</summary>
    public IReadOnlyList<string> MarkerRule => ["INPUT", "-m", "comment", "--comment", "chaos-" + Tag];

    /// <summary>
    /// Makes the payload install, before anything else, the marker rule <see cref="MarkerRule"/> (needs iptables and
    /// NET_ADMIN), check every second of its hold that it still exists, and, once it is gone, stop its own processes
    /// (<see cref="Stop"/> steps) and exit 0 without the other cleanup steps. Its own cleanup deletes the marker last.
    /// </summary>
    public PayloadScript StopWhenUnmarked()
    {
        if (!StopsWhenUnmarked)
        {
            StopsWhenUnmarked = true;
            _install.Insert(0, ShellStep.Command(["iptables", "-w", "5", "-A", .. MarkerRule]));
            _cleanup.Insert(0, ShellStep.Fragment($"while {Shell.Join(["iptables", "-w", "5", "-D", .. MarkerRule])} 2>/dev/null; do :; done"));
        }

        return this;
    }

    /// <summary>
    /// The payload script: install, hold for <paramref name="hold"/>, remove; TERM/INT/EXIT always remove, except in a
    /// payload whose marker (<see cref="StopWhenUnmarked"/>) is gone, which only stops its own processes.
    /// </summary>
    public string Render(TimeSpan hold)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(hold.TotalSeconds));
        var text = new StringBuilder();
        text.Append("# ").Append(ProcessName).Append('\n');
        text.Append("set -u\n");
        text.Append("hold=\n");
        text.Append("watch=\n");
        AppendMarkerFunction(text);
        AppendCleanupFunction(text, StopsWhenUnmarked);
        text.Append("trap 'cleanup; exit 0' TERM INT USR1\n");
        text.Append("trap cleanup EXIT\n");
        var installs = InstallsNothingForTests.Value ? _install.Take(StopsWhenUnmarked ? 1 : 0) : _install;
        foreach (var step in installs)
        {
            text.Append(step.Line).Append(" || { echo '").Append(PayloadProtocol.InstallFailedPrefix).Append(Escape(step.Line)).Append("' >&2; exit 1; }\n");
        }

        text.Append($"echo '{PayloadProtocol.InstalledMarker}'\n");
        text.Append("sleep ").Append(seconds.ToString(CultureInfo.InvariantCulture)).Append(" >/dev/null 2>&1 &\n");
        text.Append("hold=$!\n");
        if (StopsWhenUnmarked)
        {
            // The watch is a subshell: $$ is still the payload's pid. USR1 runs the trap, whose cleanup sees the marker gone.
            text.Append("( trap - TERM INT USR1 EXIT; while sleep 1; do chaos_marked || { kill -USR1 $$; exit 0; }; done ) >/dev/null 2>&1 &\n");
            text.Append("watch=$!\n");
        }

        text.Append("wait \"$hold\"\n");
        return text.ToString();
    }

    /// <summary>The early-recovery script: TERM the payload (found by its process name), then run the cleanup steps.</summary>
    public string RenderCleanup()
    {
        var pattern = ProcessPattern(Tag);
        var text = new StringBuilder();
        text.Append("# cleanup of the payload tagged ").Append(Tag).Append('\n');
        text.Append("set -u\n");
        text.Append("hold=\n");
        text.Append("watch=\n");
        AppendCleanupFunction(text, checkMarker: false);
        text.Append("for pid in $(pgrep -f ").Append(Shell.Quote(pattern)).Append("); do kill -TERM \"$pid\" 2>/dev/null || true; done\n");
        text.Append("sleep 1\n");
        text.Append("cleanup\n");
        text.Append("echo 'chaos: cleaned up'\n");
        return text.ToString();
    }

    /// <summary>
    /// The <c>pgrep -f</c> pattern of the payload tagged <paramref name="tag"/>: its command line starts
    /// <c>sh -c # chaos-payload-&lt;tag&gt;</c> and a newline (the script's first line). It matches within the first
    /// bytes, because BusyBox <c>pgrep</c> reads at most 1,023 bytes of a command line (and turns control characters into
    /// spaces): a pattern on the process name at the end is never found behind a script over ~1 KB. The <c>[c]</c> keeps
    /// it from matching the command line of a script that carries the pattern; the whitespace after the tag keeps the tag
    /// <c>ab</c> from matching a payload tagged <c>abc</c>.
    /// </summary>
    public static string ProcessPattern(string tag) => $"^[^ ]+ -c # [c]haos-payload-{tag}[[:space:]]";

    /// <summary>The container command for <paramref name="script"/>: <c>sh -c script processName</c>.</summary>
    public IList<string> Command(string script) => ["sh", "-c", script, ProcessName];

    /// <summary><c>cleanup()</c>; with <paramref name="checkMarker"/>, a payload whose marker is gone only stops its own processes.</summary>
    private void AppendCleanupFunction(StringBuilder text, bool checkMarker)
    {
        text.Append("cleanup() {\n");
        text.Append("  trap - EXIT TERM INT\n");
        text.Append("  trap '' USR1\n");
        text.Append("  [ -n \"$watch\" ] && kill \"$watch\" 2>/dev/null\n");
        text.Append("  [ -n \"$hold\" ] && kill \"$hold\" 2>/dev/null\n");
        if (checkMarker)
        {
            // Marker gone: the tag cleanup removed the fault; only this payload's own processes are left to stop.
            text.Append("  if ! chaos_marked; then\n");
            for (var i = _stops.Count - 1; i >= 0; i--)
            {
                text.Append("    ").Append(_stops[i].Line).Append(" >/dev/null 2>&1 || true\n");
            }

            text.Append("    echo 'chaos: marker chaos-").Append(Tag).Append(" is gone: stopping without removing anything (the tag cleanup does)'\n");
            text.Append("    return 0\n");
            text.Append("  fi\n");
        }

        for (var i = _cleanup.Count - 1; i >= 0; i--)
        {
            text.Append("  ").Append(_cleanup[i].Line).Append(" >/dev/null 2>&1 || true\n");
        }

        text.Append("  :\n");
        text.Append("}\n");
    }

    /// <summary>
    /// <c>chaos_marked</c>: true while the marker rule exists, and when iptables cannot tell (the payload then keeps
    /// holding and cleans up as usual: only a marker seen gone stops it without cleanup).
    /// </summary>
    private void AppendMarkerFunction(StringBuilder text)
    {
        if (!StopsWhenUnmarked)
        {
            return;
        }

        var line = Shell.Quote($"^-A {MarkerRule[0]} -m comment --comment \"?chaos-{Tag}\"?$");
        text.Append("chaos_marked() { chaos_rules=$(iptables -w 5 -S ").Append(MarkerRule[0]).Append(" 2>/dev/null) || return 0; ")
            .Append("printf '%s\\n' \"$chaos_rules\" | grep -Eq -- ").Append(line).Append("; }\n");
    }

    private static string Escape(string line) => line.Replace("'", "'\\''", StringComparison.Ordinal);
}
