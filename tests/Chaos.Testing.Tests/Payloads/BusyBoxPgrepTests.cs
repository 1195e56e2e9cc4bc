using Chaos.Testing.Tests.Support;

namespace Chaos.Testing.Tests.Payloads;

/// <summary>
/// Early recovery on an image whose <c>pgrep</c> is BusyBox's: it reads at most 1,023 bytes of a command line (its
/// <c>procps_scan</c> buffer) and turns control characters into spaces, so a payload whose script is over ~1 KB can
/// only be found by a pattern that matches near the start. The scripts run for real; <c>pgrep</c> is BusyBox's own
/// where the host's busybox has the applet, else a stand-in that reads and matches the command line exactly as BusyBox
/// 1.36's <c>pgrep -f</c> does (Debian's busybox is built without pgrep).
/// </summary>
public sealed class BusyBoxPgrepTests : IDisposable
{
    private readonly string _bin = Directory.CreateTempSubdirectory("chaos-bbpgrep-").FullName;

    public BusyBoxPgrepTests()
    {
        var path = Path.Combine(_bin, "pgrep");
        File.WriteAllText(path, BusyBoxPgrep());
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [PayloadFact("grep", "python3", "awk")]
    public async Task TagCleanup_FindsAndStopsAPayloadWhoseScriptIsOverOneKilobyte()
    {
        var (script, marker) = LongPayload("bblong1");
        var command = script.Command(script.Render(TimeSpan.FromMinutes(5)));
        command[2].Length.Should().BeGreaterThan(1100, "the script must be longer than what BusyBox pgrep reads");
        await using var payload = PayloadProcess.Start(command);
        await payload.WaitInstalledAsync();
        File.Exists(marker).Should().BeTrue();

        await using (var cleanup = PayloadProcess.Start(WithBusyBoxPgrep(["sh", "-c", PayloadCleanup.Render("bblong1", new PayloadCleanupTargets()), "chaos-cleanup"])))
        {
            (await cleanup.WaitForExitAsync()).Should().Be(0, cleanup.Output);
        }

        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(20))).Should().Be(0, "the cleanup found the payload through BusyBox pgrep and sent it TERM, whose trap exits 0");
        File.Exists(marker).Should().BeFalse("the payload's trap removed its fault");
    }

    [PayloadFact("grep", "python3", "awk")]
    public async Task RenderCleanup_FindsAPayloadWhoseScriptIsOverOneKilobyte_ButNotOneWhoseTagMerelyStartsTheSame()
    {
        var (script, marker) = LongPayload("bblong2");
        var (other, otherMarker) = LongPayload("bblong2x");
        await using var payload = PayloadProcess.Start(script.Command(script.Render(TimeSpan.FromMinutes(5))));
        await using var bystander = PayloadProcess.Start(other.Command(other.Render(TimeSpan.FromMinutes(5))));
        await payload.WaitInstalledAsync();
        await bystander.WaitInstalledAsync();

        await using (var cleanup = PayloadProcess.Start(WithBusyBoxPgrep(["sh", "-c", script.RenderCleanup(), "cleanup"])))
        {
            (await cleanup.WaitForExitAsync()).Should().Be(0, cleanup.Output);
        }

        (await payload.WaitForExitAsync(TimeSpan.FromSeconds(20))).Should().Be(0, "the cleanup found the payload through BusyBox pgrep and sent it TERM");
        File.Exists(marker).Should().BeFalse();
        bystander.ExitCode.Should().BeNull("the payload tagged bblong2x is another experiment's");
        File.Exists(otherMarker).Should().BeTrue();
        bystander.Terminate();
        (await bystander.WaitForExitAsync(TimeSpan.FromSeconds(20))).Should().Be(0);
    }

    public void Dispose() => Directory.Delete(_bin, recursive: true);

    /// <summary>
    /// BusyBox's own pgrep when the host's busybox has it; else BusyBox 1.36's <c>pgrep -f</c> matching: the first 1,023
    /// bytes of <c>/proc/PID/cmdline</c>, one trailing NUL dropped, every byte below a space turned into a space, an
    /// extended regular expression searched anywhere in it, its own pid left out.
    /// </summary>
    private static string BusyBoxPgrep() =>
        HasBusyBoxPgrep()
            ? "#!/bin/sh\nexec busybox pgrep \"$@\"\n"
            : """
              #!/bin/sh
              [ "$1" = "-f" ] || { echo "this stand-in only does pgrep -f PATTERN" >&2; exit 2; }
              dir=$(mktemp -d)
              trap 'rm -rf "$dir"' EXIT
              python3 -c '
              import os, sys
              skip = {os.getpid(), os.getppid()}
              with open(sys.argv[1] + "/lines", "wb") as lines, open(sys.argv[1] + "/pids", "w") as pids:
                  for p in sorted(int(d) for d in os.listdir("/proc") if d.isdigit()):
                      if p in skip:
                          continue
                      try:
                          with open("/proc/%d/cmdline" % p, "rb") as f:
                              b = f.read(1023)
                      except OSError:
                          continue
                      if b.endswith(b"\0"):
                          b = b[:-1]
                      lines.write(bytes(32 if c < 32 else c for c in b) + b"\n")
                      pids.write("%d\n" % p)
              ' "$dir"
              grep -nE -- "$2" "$dir/lines" | cut -d: -f1 > "$dir/hits"
              [ -s "$dir/hits" ] || exit 1
              awk 'NR == FNR { hit[$1] = 1; next } hit[FNR]' "$dir/hits" "$dir/pids"
              """ + "\n";

    private static bool HasBusyBoxPgrep() =>
        PayloadEnvironment.Which("busybox") is not null
        && PayloadEnvironment.Run("busybox", "--list").Split('\n').Contains("pgrep", StringComparer.Ordinal);

    private IList<string> WithBusyBoxPgrep(IList<string> command) =>
        ["env", $"PATH={_bin}:{Environment.GetEnvironmentVariable("PATH")}", .. command];

    /// <summary>A payload that creates a file and removes it on exit, padded past 1 KB with no-op install steps.</summary>
    private (PayloadScript Script, string Marker) LongPayload(string tag)
    {
        var marker = Path.Combine(_bin, tag + ".fault");
        var script = new PayloadScript(tag).Install("touch", marker).Cleanup("rm", "-f", marker);
        for (var i = 0; i < 12; i++)
        {
            script.Install(":", $"padding-{i}-" + new string('x', 100));
        }

        return (script, marker);
    }
}
