using System.Text;

namespace Chaos.Testing;

/// <summary>
/// The early-recovery script, built from code and the payload's tag alone (never from text kept on the cluster): it
/// removes everything a payload tagged <c>chaos-&lt;tag&gt;</c> installed, then checks what is left and exits 1 naming
/// it. What it removes, in order:
/// <list type="number">
/// <item>the payload shell (<c>chaos-payload-&lt;tag&gt;</c>, TERM: its trap removes its fault), its helpers
/// (<c># chaos-&lt;kind&gt;-&lt;tag&gt;</c>) and stressors (<c>--temp-path /tmp/chaos-stress-&lt;tag&gt;</c>), TERM then KILL;</item>
/// <item>every iptables rule carrying the comment <c>chaos-&lt;tag&gt;</c>, in the filter, nat, mangle and raw tables;</item>
/// <item>on <see cref="PayloadCleanupTargets.Interface"/>: the ingress qdisc whose filter redirects to the tag's ifb
/// device, the ifb device, and a root qdisc of the shapes the network payloads install (netem, tbf, or the <c>1:</c>
/// prio with its band <c>40:</c>);</item>
/// <item>the fill file <see cref="PayloadCleanupTargets.FillFile"/>;</item>
/// <item>where it sees the payload, the stress payloads' empty folder <c>/tmp/chaos-stress-&lt;tag&gt;</c> (left when the
/// kernel killed the payload before its trap ran).</item>
/// </list>
/// Without <see cref="PayloadCleanupTargets.SeesPayload"/> step 1 and the process check are left out: the payload,
/// in another PID namespace, stops itself once step 2 deleted its marker rule (<see cref="PayloadScript.StopWhenUnmarked"/>).
/// The check lists tagged processes, tagged rules, the ifb device, those qdiscs, the fill file and that folder; a tool the image
/// lacks (e.g. no iptables in a stress image) is skipped, since the payload, from the same image, could not use it either.
/// </summary>
internal static class PayloadCleanup
{
    /// <summary>The line the cleanup prints when nothing of the payload is left.</summary>
    public const string CleanedMarker = "chaos: cleaned up";

    /// <summary>The start of the line (on stderr, exit 1) that lists what the cleanup could not remove.</summary>
    public const string LeftPrefix = "chaos: cleanup left:";

    /// <summary>The cleanup script of the payload tagged <paramref name="tag"/>.</summary>
    public static string Render(string tag, PayloadCleanupTargets targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        _ = new PayloadScript(tag);
        var payload = Shell.Quote(PayloadScript.ProcessPattern(tag));
        var helpers = Shell.Quote($"^[^ ]+ -c # chaos-[a-z]+-{tag}[[:space:]]");
        var stress = Shell.Quote(StressPayloads.ProcessPattern(tag));
        var stressDir = Shell.Quote(StressPayloads.TagDirectory(tag));
        var comment = NetworkPayloads.RuleComment(tag);
        var text = new StringBuilder();
        text.Append("# chaos-cleanup of the payload tagged ").Append(tag).Append('\n');
        text.Append("set -u\nset -f\nleft=\n");
        text.Append("note() { left=\"$left\n  $1\"; }\n");
        text.Append("procs() { for p in $(pgrep -f \"$1\" 2>/dev/null); do [ \"$p\" = \"$$\" ] || echo \"$p\"; done; }\n");
        text.Append("stop() { for p in $(procs \"$1\"); do kill -\"$2\" \"$p\" 2>/dev/null; done; }\n");
        text.Append("settle() { n=0; while [ -n \"$(procs \"$1\")\" ] && [ \"$n\" -lt 50 ]; do sleep 0.1; n=$((n + 1)); done; }\n");
        if (!targets.SeesPayload)
        {
            text.Append("# the payload is in another PID namespace: it stops itself once its marker rule (comment ").Append(comment).Append(") is gone\n");
        }
        else
        {
            text.Append("if command -v pgrep >/dev/null 2>&1; then\n");
            foreach (var pattern in new[] { payload, helpers, stress })
            {
                text.Append("  stop ").Append(pattern).Append(" TERM; settle ").Append(pattern).Append("; stop ").Append(pattern).Append(" KILL\n");
            }

            text.Append("fi\n");

            // A stress payload killed before its trap (its target's first process exited) leaves its empty temp folder.
            text.Append("rmdir ").Append(stressDir).Append(" >/dev/null 2>&1\n");
        }

        // Rules are deleted by the spec iptables-save prints for them: word-split (no glob, no eval), so a rule whose
        // spec holds quoted text is not deleted and is reported below instead of being interpreted.
        var match = Shell.Quote($"--comment \"?{comment}\"?( |$)");
        text.Append("if command -v iptables-save >/dev/null 2>&1; then\n");
        text.Append("  for t in filter nat mangle raw; do\n");
        text.Append("    iptables-save -t \"$t\" 2>/dev/null | grep -E -- ").Append(match).Append(" | sed 's/^-A /-D /' | while IFS= read -r rule; do\n");
        text.Append("      iptables -w 5 -t \"$t\" $rule >/dev/null 2>&1\n");
        text.Append("    done\n  done\nfi\n");

        if (targets.Interface is { } iface)
        {
            var dev = Shell.Quote(iface);
            var ifb = Shell.Quote(NetworkPayloads.IfbDevice(tag));
            text.Append("ours_ingress() { tc filter show dev ").Append(dev).Append(" parent ffff: 2>/dev/null | grep -qF ").Append(Shell.Quote($"to device {NetworkPayloads.IfbDevice(tag)})")).Append("; }\n");
            text.Append("ours_root() { tc qdisc show dev ").Append(dev).Append(" root 2>/dev/null | grep -Eq '^qdisc (netem|tbf) [0-9a-f]+: root|^qdisc prio 1: root' ")
                .Append("&& { ! tc qdisc show dev ").Append(dev).Append(" root 2>/dev/null | grep -q '^qdisc prio 1: root' ")
                .Append("|| tc qdisc show dev ").Append(dev).Append(" 2>/dev/null | grep -Eq '^qdisc (netem|tbf) 40: parent 1:4'; }; }\n");
            text.Append("if command -v tc >/dev/null 2>&1; then\n");
            text.Append("  ours_ingress && tc qdisc del dev ").Append(dev).Append(" ingress >/dev/null 2>&1\n");
            text.Append("  ours_root && tc qdisc del dev ").Append(dev).Append(" root >/dev/null 2>&1\n");
            text.Append("fi\n");
            text.Append("command -v ip >/dev/null 2>&1 && ip link show ").Append(ifb).Append(" >/dev/null 2>&1 && ip link del ").Append(ifb).Append(" >/dev/null 2>&1\n");
            text.Append("if command -v tc >/dev/null 2>&1; then\n");
            text.Append("  ours_ingress && note \"ingress qdisc of ").Append(iface).Append(" redirecting to ").Append(NetworkPayloads.IfbDevice(tag)).Append("\"\n");
            text.Append("  ours_root && note \"root qdisc of ").Append(iface).Append(": $(tc qdisc show dev ").Append(dev).Append(" root 2>/dev/null | head -n 1)\"\n");
            text.Append("fi\n");
            text.Append("command -v ip >/dev/null 2>&1 && ip link show ").Append(ifb).Append(" >/dev/null 2>&1 && note \"link ").Append(NetworkPayloads.IfbDevice(tag)).Append("\"\n");
        }

        if (targets.FillFile is { } file)
        {
            var quoted = Shell.Quote(file);
            text.Append("rm -f ").Append(quoted).Append(" >/dev/null 2>&1\n");
            text.Append("[ -e ").Append(quoted).Append(" ] && note \"file ").Append(file).Append("\"\n");
        }

        text.Append("if command -v iptables-save >/dev/null 2>&1; then\n");
        text.Append("  for t in filter nat mangle raw; do\n");
        text.Append("    for r in $(iptables-save -t \"$t\" 2>/dev/null | grep -E -- ").Append(match).Append(" | tr ' ' '~'); do note \"iptables -t $t $(echo \"$r\" | tr '~' ' ')\"; done\n");
        text.Append("  done\nfi\n");
        if (targets.SeesPayload)
        {
            text.Append("if command -v pgrep >/dev/null 2>&1; then\n");
            foreach (var pattern in new[] { payload, helpers, stress })
            {
                text.Append("  for p in $(procs ").Append(pattern).Append("); do note \"process $p: $(tr '\\0' ' ' < /proc/$p/cmdline 2>/dev/null | cut -c1-120)\"; done\n");
            }

            text.Append("fi\n");
            text.Append("[ -e ").Append(stressDir).Append(" ] && note \"folder ").Append(StressPayloads.TagDirectory(tag)).Append(" (not empty)\"\n");
        }

        text.Append("if [ -n \"$left\" ]; then echo \"").Append(LeftPrefix).Append("$left\" >&2; exit 1; fi\n");
        text.Append("echo '").Append(CleanedMarker).Append("'\n");
        return text.ToString();
    }
}
