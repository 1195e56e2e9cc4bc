using System.Globalization;

namespace Chaos.Testing;

/// <summary>
/// Container kill payloads: one-shot, they send the signal in their install step and have no cleanup (the kubelet
/// restarts the container per its restart policy; the engine verifies the restart count instead). Render them with
/// <c>Render(TimeSpan.Zero)</c>: they print <c>chaos: installed</c> after the signal is sent and end a second later.
/// <para>
/// The kernel drops every signal sent to the init process of a PID namespace from inside that namespace unless init
/// has a handler for it; SIGKILL and SIGSTOP never get through (kill(2) still returns 0). An ephemeral container
/// sharing the target's PID namespace is inside it, so it can only send a signal PID 1 handles (e.g. TERM to a .NET,
/// Java or Node process): <see cref="AddContainerKill"/> checks PID 1's handler mask and fails with the reason
/// otherwise. SIGKILL must come from an ancestor PID namespace: <see cref="AddContainerKillFromHost"/> runs in a pod on
/// the target's node with <c>hostPID: true</c> and finds the container's init by its container ID in
/// <c>/proc/*/cgroup</c>.
/// </para>
/// </summary>
internal static class ContainerKillPayloads
{
    /// <summary>
    /// Adds a kill of PID 1 of the payload's PID namespace (an ephemeral container with <c>targetContainerName</c>).
    /// When init exits, the kernel kills the rest of the namespace, this payload included (exit 137).
    /// Image: <c>sh</c>, <c>sed</c>. Capabilities: none when the payload runs as the target's user, else KILL.
    /// </summary>
    /// <exception cref="ArgumentException">For KILL: it cannot reach PID 1 from inside its namespace.</exception>
    public static PayloadScript AddContainerKill(this PayloadScript script, ContainerKillSpec spec)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Signal == "KILL")
        {
            throw new ArgumentException(
                "SIGKILL sent from inside a PID namespace never reaches its PID 1 (the kernel drops it); send a signal PID 1 handles, or SIGKILL from the node (AddContainerKillFromHost).",
                nameof(spec));
        }

        var signal = spec.Signal;
        var bit = (spec.SignalNumber - 1).ToString(CultureInfo.InvariantCulture);
        script.Install(Require("[ \"$$\" -ne 1 ]", "the payload is PID 1 of its own PID namespace: it does not share the target container's"));
        script.Install(ShellStep.Fragment(
            "chaos_comm=$(cat /proc/1/comm) && chaos_cgt=$(sed -n 's/^SigCgt:[[:space:]]*//p' /proc/1/status) && [ -n \"$chaos_cgt\" ]"
            + " || { echo 'chaos: cannot read /proc/1/status' >&2; false; }"));

        // The low 32 bits (last 8 hex digits) hold the standard signals; bit n-1 is signal n.
        script.Install(ShellStep.Fragment(
            $"[ $(((0x${{chaos_cgt#\"${{chaos_cgt%????????}}\"}} >> {bit}) & 1)) -eq 1 ]"
            + $" || {{ echo \"chaos: PID 1 ($chaos_comm) has no handler for SIG{signal}: the kernel drops it when sent from inside PID 1's namespace\" >&2; false; }}"));
        script.Install(ShellStep.Fragment($"echo \"chaos: sending SIG{signal} to PID 1 ($chaos_comm)\""));
        script.Install("kill", "-s", signal, "1");
        return script;
    }

    /// <summary>
    /// Adds a kill of the init process of the container <paramref name="containerId"/> (the ID of
    /// <c>status.containerStatuses[].containerID</c> without its <c>runtime://</c> prefix), from the node's PID
    /// namespace: the payload runs in a pod on the target's node with <c>hostPID: true</c>. The init is the process
    /// whose cgroup names the ID and whose parent's does not (right also with <c>shareProcessNamespace</c>).
    /// Image: <c>sh</c>, <c>grep</c>, <c>sed</c>. Capabilities: none as root when the target runs as root, else KILL.
    /// </summary>
    public static PayloadScript AddContainerKillFromHost(this PayloadScript script, ContainerKillSpec spec, string containerId)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        var scheme = containerId.IndexOf("://", StringComparison.Ordinal);
        var id = scheme >= 0 ? containerId[(scheme + 3)..] : containerId;
        if (id.Length is < 12 or > 128 || !id.All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException($"A container ID is 12 to 128 letters and digits, was \"{containerId}\".", nameof(containerId));
        }

        script.Install(ShellStep.Fragment(string.Join(" ",
            "chaos_init=; chaos_count=0;",
            $"for chaos_f in $(grep -lF {id} /proc/[0-9]*/cgroup 2>/dev/null); do",
            "chaos_p=${chaos_f#/proc/}; chaos_p=${chaos_p%/cgroup};",
            "chaos_pp=$(sed -n 's/^PPid:[[:space:]]*//p' /proc/\"$chaos_p\"/status 2>/dev/null);",
            "[ -n \"$chaos_pp\" ] || continue;",
            $"grep -qF {id} /proc/\"$chaos_pp\"/cgroup 2>/dev/null && continue;",
            "chaos_init=\"$chaos_init $chaos_p\"; chaos_count=$((chaos_count + 1));",
            "done;",
            "[ \"$chaos_count\" -eq 1 ]",
            $"|| {{ echo \"chaos: found $chaos_count init processes of container {id} ($chaos_init ); the payload needs hostPID and to run on the target's node\" >&2; false; }}")));
        script.Install(ShellStep.Fragment(
            $"chaos_init=${{chaos_init# }}; echo \"chaos: sending SIG{spec.Signal} to process $chaos_init ($(cat /proc/$chaos_init/comm 2>/dev/null)), init of container {id}\""));
        script.Install(ShellStep.Fragment($"kill -s {spec.Signal} \"$chaos_init\""));
        return script;
    }

    private static ShellStep Require(string condition, string message) =>
        ShellStep.Fragment($"{condition} || {{ echo {Shell.Quote("chaos: " + message)} >&2; false; }}");
}
