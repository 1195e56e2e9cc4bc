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
internal sealed class PayloadScript
{
    private readonly List<ShellStep> _install = [];
    private readonly List<ShellStep> _cleanup = [];

    public PayloadScript(string tag)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tag);
        if (!tag.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            throw new ArgumentException($"A payload tag is letters, digits and '-', was \"{tag}\".", nameof(tag));
        }

        Tag = tag;
    }

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

    /// <summary>The payload script: install, hold for <paramref name="hold"/>, remove; TERM/INT/EXIT always remove.</summary>
    public string Render(TimeSpan hold)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(hold.TotalSeconds));
        var text = new StringBuilder();
        text.Append("# ").Append(ProcessName).Append('\n');
        text.Append("set -u\n");
        text.Append("hold=\n");
        AppendCleanupFunction(text);
        text.Append("trap 'cleanup; exit 0' TERM INT\n");
        text.Append("trap cleanup EXIT\n");
        foreach (var step in _install)
        {
            text.Append(step.Line).Append(" || { echo '").Append(PayloadProtocol.InstallFailedPrefix).Append(Escape(step.Line)).Append("' >&2; exit 1; }\n");
        }

        text.Append($"echo '{PayloadProtocol.InstalledMarker}'\n");
        text.Append("sleep ").Append(seconds.ToString(CultureInfo.InvariantCulture)).Append(" >/dev/null 2>&1 &\n");
        text.Append("hold=$!\n");
        text.Append("wait \"$hold\"\n");
        return text.ToString();
    }

    /// <summary>The early-recovery script: TERM the payload (found by its process name), then run the cleanup steps.</summary>
    public string RenderCleanup()
    {
        // "[c]haos-payload-..." matches the payload's command line but not this script's own.
        // Anchored at the end (the process name is the last argument), so the tag "ab" never matches a payload tagged "abc".
        var pattern = "[c]" + ProcessName[1..] + "$";
        var text = new StringBuilder();
        text.Append("# cleanup of the payload tagged ").Append(Tag).Append('\n');
        text.Append("set -u\n");
        text.Append("hold=\n");
        AppendCleanupFunction(text);
        text.Append("for pid in $(pgrep -f ").Append(Shell.Quote(pattern)).Append("); do kill -TERM \"$pid\" 2>/dev/null || true; done\n");
        text.Append("sleep 1\n");
        text.Append("cleanup\n");
        text.Append("echo 'chaos: cleaned up'\n");
        return text.ToString();
    }

    /// <summary>The container command for <paramref name="script"/>: <c>sh -c script processName</c>.</summary>
    public IList<string> Command(string script) => ["sh", "-c", script, ProcessName];

    private void AppendCleanupFunction(StringBuilder text)
    {
        text.Append("cleanup() {\n");
        text.Append("  trap - EXIT TERM INT\n");
        text.Append("  [ -n \"$hold\" ] && kill \"$hold\" 2>/dev/null\n");
        for (var i = _cleanup.Count - 1; i >= 0; i--)
        {
            text.Append("  ").Append(_cleanup[i].Line).Append(" >/dev/null 2>&1 || true\n");
        }

        text.Append("  :\n");
        text.Append("}\n");
    }

    private static string Escape(string line) => line.Replace("'", "'\\''", StringComparison.Ordinal);
}
