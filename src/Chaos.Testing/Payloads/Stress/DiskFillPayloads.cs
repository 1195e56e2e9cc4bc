using System.Globalization;

namespace Chaos.Testing;

/// <summary>
/// Disk fill payload. At run time it reads the filesystem of the spec's directory (<c>stat -f</c>, i.e. statfs of that
/// path, so <c>/proc/1/root/...</c> measures the target container's filesystem, not the payload's), computes how many
/// blocks bring it to the target use (rounded down: never beyond it; nothing at all when it is already there) and
/// allocates them in ONE file, <c>chaos-fill-&lt;tag&gt;</c>, with <c>fallocate</c>, or <c>dd</c> from /dev/zero when
/// fallocate is missing or the filesystem does not support it. The cleanup deletes the file. The payload refuses a
/// directory on its own root filesystem (the known mistake of filling the payload container instead of the target).
/// Image: <c>sh</c>, <c>stat</c> (with <c>-f -c</c>: coreutils or busybox), <c>rm</c>, <c>dd</c>, optionally
/// <c>fallocate</c>. Capabilities: DAC_OVERRIDE to write a directory of another user; SYS_PTRACE to reach
/// <c>/proc/1/root</c>: the kernel lets a process into another's root only with it, unless both run as the same user and
/// the caller's permitted capabilities include all of the target's (a root target with the runtime's default set has
/// more than a payload that dropped ALL).
/// </summary>
internal static class DiskFillPayloads
{
    /// <summary>The name of the fill file of <paramref name="tag"/>.</summary>
    public static string FileName(string tag) => $"chaos-fill-{tag}";

    /// <summary>Adds the disk fill: install allocates up to the target, cleanup removes the file.</summary>
    public static PayloadScript AddDiskFill(this PayloadScript script, DiskFillSpec spec)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(spec);
        var dir = Shell.Quote(spec.Path);
        var file = Shell.Quote(spec.Path.TrimEnd('/') + "/" + FileName(script.Tag));
        var target = spec.TargetPercent.ToString(CultureInfo.InvariantCulture);

        script.Install(Require($"[ -d {dir} ]", $"{spec.Path} is not a directory (or not reachable from the payload)"));
        script.Install(Require(
            $"[ \"$(stat -c %d {dir})\" != \"$(stat -c %d /)\" ]",
            $"{spec.Path} is on the payload container's own root filesystem; fill the target's (/proc/1/root/...) or a mounted volume"));
        script.Cleanup("rm", "-f", spec.Path.TrimEnd('/') + "/" + FileName(script.Tag));

        // Idempotent: a file left by an earlier attempt of the same tag does not count as use.
        script.Install("rm", "-f", spec.Path.TrimEnd('/') + "/" + FileName(script.Tag));
        script.Install(ShellStep.Fragment(
            $"chaos_fs=$(stat -f -c '%S %b %f %a' {dir}) && [ -n \"$chaos_fs\" ] || {{ echo 'chaos: cannot read the filesystem of the fill directory (stat -f)' >&2; false; }}"));

        // Blocks of the fundamental size (%S): used = total - free; size = used + available (as df's Use% counts).
        script.Install(ShellStep.Fragment(string.Join(" && ",
            "set -- $chaos_fs",
            "[ \"$#\" -eq 4 ]",
            "chaos_bs=$1",
            "chaos_used=$(($2 - $3))",
            "chaos_size=$((chaos_used + $4))",
            "[ \"$chaos_size\" -gt 0 ]",
            "[ \"$chaos_bs\" -gt 0 ]",
            $"chaos_want=$((chaos_size * {target} / 100 - chaos_used))",
            "chaos_pct=$(((chaos_used * 100 + chaos_size - 1) / chaos_size))")
            + " || { echo 'chaos: cannot read the size of the filesystem of the fill directory' >&2; false; }"));

        script.Install(ShellStep.Fragment(string.Join(" ",
            "if [ \"$chaos_want\" -le 0 ]; then",
            $"echo 'chaos:' {dir} \"is at $chaos_pct% already, at or above the target {target}%: nothing allocated\";",
            "else",
            "chaos_bytes=$((chaos_want * chaos_bs));",
            $"echo 'chaos:' {dir} \"is at $chaos_pct%: allocating $chaos_bytes bytes to reach {target}%\";",
            $"if ! {{ command -v fallocate >/dev/null 2>&1 && fallocate -l \"$chaos_bytes\" {file}; }}; then",
            $"rm -f {file};",
            "echo 'chaos: fallocate is missing or unsupported here, writing zeros with dd';",
            "chaos_k=$((1048576 / chaos_bs)); [ \"$chaos_k\" -ge 1 ] || chaos_k=1;",
            "chaos_n=$((chaos_want / chaos_k));",
            $"dd if=/dev/zero of={file} bs=$((chaos_k * chaos_bs)) count=\"$chaos_n\" 2>/dev/null",
            $"&& dd if=/dev/zero of={file} bs=\"$chaos_bs\" count=$((chaos_want - chaos_n * chaos_k)) seek=$((chaos_n * chaos_k)) conv=notrunc 2>/dev/null",
            $"|| {{ rm -f {file}; echo 'chaos: dd failed' >&2; false; }};",
            "fi;",
            "fi")));
        script.Install(ShellStep.Fragment(
            $"chaos_fs=$(stat -f -c '%b %f %a' {dir}) && set -- $chaos_fs && [ \"$#\" -eq 3 ] && [ $(($1 - $2 + $3)) -gt 0 ]"
            + $" && echo 'chaos:' {dir} \"is at $(((($1 - $2) * 100 + $1 - $2 + $3 - 1) / ($1 - $2 + $3)))% now\" || true"));
        return script;
    }

    private static ShellStep Require(string condition, string message) =>
        ShellStep.Fragment($"{condition} || {{ echo {Shell.Quote("chaos: " + message)} >&2; false; }}");
}
