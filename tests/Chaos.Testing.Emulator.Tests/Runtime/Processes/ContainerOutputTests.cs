using Chaos.Testing.Emulator.Runtime.Processes;

namespace Chaos.Testing.Emulator.Tests.Runtime.Processes;

/// <summary>A running container's output goes to its CRI log, stdout and stderr apart, and can be followed.</summary>
public sealed class ContainerOutputTests : ContainerTest
{
    [RootFact]
    public async Task StdoutAndStderr_AreLoggedAsCriLines()
    {
        var launch = Launch("sh", "-c", "echo out1; echo err1 >&2; echo out2; printf 'no line end' >&2");

        var (_, lines) = await RunToEnd(launch);

        lines.Where(l => l.Stream == "stdout").Select(l => l.Text).Should().Equal("out1", "out2");
        lines.Where(l => l.Stream == "stderr").Select(l => l.Text).Should().Equal("err1", "no line end");
        File.ReadAllLines(launch.LogPath).Should().OnlyContain(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z (stdout|stderr) F "));
    }

    [RootFact]
    public async Task ALongLine_IsLoggedInFragments_AndReadWhole()
    {
        var launch = Launch("sh", "-c", "head -c 40000 /dev/zero | tr '\\0' x; echo");

        var (_, lines) = await RunToEnd(launch);

        lines.Should().ContainSingle().Which.Text.Should().Be(new string('x', 40000));
        File.ReadAllLines(launch.LogPath).Count(l => l.Contains(" stdout P ", StringComparison.Ordinal)).Should().Be(2);
    }

    [RootFact]
    public async Task Follow_YieldsALineWrittenAfterItStarted_AndEndsWhenTheContainerExits()
    {
        var go = Path.Combine(Scratch, "go");
        var launch = Launch("sh", "-c", $"echo first; while [ ! -e '{go}' ]; do sleep 0.05; done; echo second");
        var container = Start(launch);
        var seen = new List<string>();

        await foreach (var line in ContainerLog.FollowAsync(launch.LogPath, new LogQuery(), container.Exited).WithCancellation(new CancellationTokenSource(Slow).Token))
        {
            seen.Add(line.Text);
            if (line.Text == "first")
            {
                await File.WriteAllTextAsync(go, string.Empty);
            }
        }

        seen.Should().Equal("first", "second");
        container.Exited.IsCompleted.Should().BeTrue("the following ended because the container exited");
    }
}
