using Microsoft.Extensions.Logging;
using Xunit;

namespace Chaos.Testing.Xunit;

/// <summary>Writes chaos results and logs to xUnit's <see cref="ITestOutputHelper"/>, and attaches results to the test.</summary>
public static class TestOutputHelperExtensions
{
    /// <summary>
    /// Writes the result's report (<see cref="ChaosResult.ToReport"/>) to the test output and, inside a running test,
    /// attaches the result to the test (<see cref="ITestContext.AddAttachment(string, string, bool)"/>) as JSON
    /// (<see cref="ChaosReport.ToJson(ChaosResult)"/>), named <see cref="AttachmentName(ChaosResult)"/>, and as the HTML
    /// report, named <see cref="HtmlAttachmentName(ChaosResult)"/>. When a reports folder is set
    /// (<see cref="ChaosReport.Directory"/>, the <c>CHAOS_REPORTS_DIR</c> environment variable), also writes the result's
    /// files there, named after the test, and refreshes the folder's suite summary.
    /// </summary>
    /// <param name="output">The test's output.</param>
    /// <param name="result">The result.</param>
    public static void WriteChaosResult(this ITestOutputHelper output, ChaosResult result)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(result);
        output.WriteLine(result.ToReport());
        if (TestContext.Current.Test is not null)
        {
            TestContext.Current.AddAttachment(AttachmentName(result), result.ToJson(), replaceExistingValue: true);
            TestContext.Current.AddAttachment(HtmlAttachmentName(result), result.ToHtml(), replaceExistingValue: true);
        }

        if (ChaosReport.Publish(result, TestContext.Current.Test?.TestDisplayName) is { } files)
        {
            output.WriteLine($"Chaos report: {files.Html}");
        }
    }

    /// <summary>The name of the attachment <see cref="WriteChaosResult"/> adds: <c>chaos-result-&lt;experiment id&gt;.json</c>.</summary>
    /// <param name="result">The result.</param>
    /// <returns>The attachment's name.</returns>
    public static string AttachmentName(ChaosResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return $"chaos-result-{result.ExperimentId}.json";
    }

    /// <summary>The name of the HTML attachment <see cref="WriteChaosResult"/> adds: <c>chaos-result-&lt;experiment id&gt;.html</c>.</summary>
    /// <param name="result">The result.</param>
    /// <returns>The attachment's name.</returns>
    public static string HtmlAttachmentName(ChaosResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return $"chaos-result-{result.ExperimentId}.html";
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
