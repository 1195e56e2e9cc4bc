using Chaos.Testing.Emulator.Runtime.Processes;
using Microsoft.Extensions.Time.Testing;

namespace Chaos.Testing.Emulator.Tests.Runtime.Processes;

/// <summary>The CRI log file: its format, and reading it as the kubelet serves <c>kubectl logs</c>.</summary>
public sealed class ContainerLogTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 10, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("cte-log-").FullName;

    [Fact]
    public void Writer_WritesCriLines()
    {
        var path = Path.Combine(_directory, "0.log");
        var time = new FakeTimeProvider(T0.AddTicks(1234567));
        using (var writer = new ContainerLogWriter(path, time))
        {
            writer.Write("stdout", "hello world");
            time.Advance(TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1234567));
            writer.Write("stderr", "oops");
        }

        File.ReadAllText(path).Should().Be("2024-05-01T10:00:00.1234567Z stdout F hello world\n2024-05-01T10:00:01Z stderr F oops\n");
    }

    [Fact]
    public void Read_ParsesNanosecondsAndFragments()
    {
        var path = Write(
            "2024-05-01T10:00:00.123456789Z stdout P first ",
            "2024-05-01T10:00:00.2Z stderr F between",
            "2024-05-01T10:00:00.3Z stdout F half",
            "not a log line",
            "2024-05-01T10:00:00.4Z stdout F ");

        ContainerLog.Read(path, new LogQuery()).Should().Equal(
            new LogLine(T0.AddMilliseconds(200), "stderr", "between"),
            new LogLine(T0.AddTicks(1234567), "stdout", "first half"),
            new LogLine(T0.AddMilliseconds(400), "stdout", string.Empty));
    }

    [Fact]
    public void Read_TailSinceAndLimit_SelectAsTheKubeletDoes()
    {
        var path = Write(Enumerable.Range(0, 5).Select(i => $"2024-05-01T10:00:0{i}Z stdout F line {i}").ToArray());

        Texts(path, new LogQuery(TailLines: 2)).Should().Equal("line 3", "line 4");
        Texts(path, new LogQuery(SinceTime: T0.AddSeconds(3))).Should().Equal("line 3", "line 4");
        Texts(path, new LogQuery(TailLines: 3, SinceTime: T0.AddSeconds(3))).Should().Equal("line 3", "line 4");
        Texts(path, new LogQuery(LimitBytes: 10)).Should().Equal(["line 0", "lin"], "line 0 and its line end are 7 bytes, 3 are left");
        Texts(path, new LogQuery(TailLines: 0)).Should().BeEmpty();
        ContainerLog.Read(Path.Combine(_directory, "missing.log"), new LogQuery()).Should().BeEmpty();
    }

    [Fact]
    public void Tail_IsTheEndOfTheLog_AtMostTheBytesAsked()
    {
        var path = Write(Enumerable.Range(0, 100).Select(i => $"2024-05-01T10:00:00Z stderr F line {i}").ToArray());

        ContainerLog.Tail(path, maxLines: 2).Should().Be("line 98\nline 99");
        ContainerLog.Tail(path, maxLines: 80, maxBytes: 10).Should().Be("98\nline 99");
    }

    [Fact]
    public async Task Follow_YieldsTheLinesThere_ThenNewOnes_UntilStoppedAndDrained()
    {
        var path = Path.Combine(_directory, "follow.log");
        var stop = new TaskCompletionSource();
        using var writer = new ContainerLogWriter(path, TimeProvider.System);
        writer.Write("stdout", "before");
        await using var lines = ContainerLog.FollowAsync(path, new LogQuery(), stop.Task).GetAsyncEnumerator();

        (await lines.MoveNextAsync()).Should().BeTrue();
        lines.Current.Text.Should().Be("before");
        var next = lines.MoveNextAsync().AsTask();
        next.IsCompleted.Should().BeFalse("no line was written after the first");
        writer.Write("stderr", "after");
        (await next.WaitAsync(TimeSpan.FromSeconds(30))).Should().BeTrue();
        lines.Current.Should().Match<LogLine>(l => l.Text == "after" && l.Stream == "stderr");

        writer.Write("stdout", "last");
        stop.SetResult();
        (await lines.MoveNextAsync()).Should().BeTrue("the lines written before the stop are read");
        lines.Current.Text.Should().Be("last");
        (await lines.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30))).Should().BeFalse();
    }

    [Fact]
    public async Task Follow_WithTail_StartsAtTheTail_AndStopsAtTheByteLimit()
    {
        var path = Write(Enumerable.Range(0, 5).Select(i => $"2024-05-01T10:00:0{i}Z stdout F line {i}").ToArray());

        var lines = await ContainerLog.FollowAsync(path, new LogQuery(TailLines: 2), Task.Delay(Timeout.Infinite)).Take(2).ToListAsync();
        var limited = await ContainerLog.FollowAsync(path, new LogQuery(LimitBytes: 7), Task.Delay(Timeout.Infinite)).ToListAsync();

        lines.Select(l => l.Text).Should().Equal("line 3", "line 4");
        limited.Select(l => l.Text).Should().Equal(["line 0"], "the limit ends the following even while the container runs");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static List<string> Texts(string path, LogQuery query) => ContainerLog.Read(path, query).Select(l => l.Text).ToList();

    private string Write(params string[] lines)
    {
        var path = Path.Combine(_directory, $"{Guid.NewGuid():N}.log");
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }
}
