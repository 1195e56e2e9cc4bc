using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Chaos.Testing.Xunit;

/// <summary>Writes chaos results and logs to xUnit's <see cref="ITestOutputHelper"/>, and attaches results to the test.</summary>
public static class TestOutputHelperExtensions
{
    // A file for people and tools, never embedded in HTML: enums by name, and no \u0022 for quotes in messages.
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// Writes the result's report (<see cref="ChaosResult.ToReport"/>) to the test output and, inside a running test,
    /// attaches the result as JSON to the test (<see cref="ITestContext.AddAttachment(string, string, bool)"/>), named
    /// <see cref="AttachmentName(ChaosResult)"/>.
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
            TestContext.Current.AddAttachment(AttachmentName(result), JsonSerializer.Serialize(result, JsonOptions), replaceExistingValue: true);
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
