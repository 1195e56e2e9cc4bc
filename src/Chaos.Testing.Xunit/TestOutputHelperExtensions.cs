using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Chaos.Testing.Xunit;

/// <summary>Writes chaos results and logs to xUnit's <see cref="ITestOutputHelper"/>.</summary>
public static class TestOutputHelperExtensions
{
    /// <summary>
    /// Writes the result's report (<see cref="ChaosResult.ToReport"/>) to the test output and, when a reports folder is
    /// set (<see cref="ChaosReport.Directory"/>, the <c>CHAOS_REPORTS_DIR</c> environment variable), writes the result's
    /// JSON, HTML and JUnit XML there, named after the test, refreshes the folder's suite summary and names the HTML file
    /// in the output (xUnit v2 has no test attachments).
    /// </summary>
    /// <param name="output">The test's output.</param>
    /// <param name="result">The result.</param>
    public static void WriteChaosResult(this ITestOutputHelper output, ChaosResult result)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(result);
        output.WriteLine(result.ToReport());
        if (ChaosReport.Publish(result, CurrentTest.DisplayNameOrNull(output)) is { } files)
        {
            output.WriteLine($"Chaos report: {files.Html} (summary: {Path.Combine(Path.GetDirectoryName(files.Html)!, ChaosReport.SummaryName)}.html)");
        }
    }

    /// <summary>An <see cref="ILogger"/> that writes lines like <c>[Information] inject: kill 1 pod(s)</c> to the test output; pass it to <c>WithLogger</c>.</summary>
    /// <param name="output">The test's output.</param>
    /// <param name="minimumLevel">The lowest level written.</param>
    /// <returns>The logger (thread-safe; lines logged after the test finished are dropped).</returns>
    public static ILogger ToLogger(this ITestOutputHelper output, LogLevel minimumLevel = LogLevel.Information)
    {
        ArgumentNullException.ThrowIfNull(output);
        return new XunitLoggerProvider(output, minimumLevel).CreateLogger(string.Empty);
    }
}
