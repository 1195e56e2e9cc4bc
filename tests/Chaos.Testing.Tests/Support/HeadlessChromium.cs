using System.Diagnostics;

namespace Chaos.Testing.Tests.Support;

/// <summary>
/// Renders a local page in headless Chromium (the Debian <c>chromium</c> package, which .ci/run installs) and returns the
/// DOM after its scripts ran. A missing browser fails the test: the HTML report must be seen rendered, never assumed.
/// </summary>
public static class HeadlessChromium
{
    private static readonly string[] Names = ["chromium", "chromium-browser", "google-chrome"];

    public static async Task<string> DumpDomAsync(string htmlFile)
    {
        var browser = Find() ?? throw new InvalidOperationException(
            "headless Chromium is needed to check the HTML report as rendered: install it (apt-get install -y chromium; .ci/run does)");
        var profile = Directory.CreateTempSubdirectory("chaos-chromium-");
        try
        {
            var start = new ProcessStartInfo(browser) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-extensions", "--no-first-run", "--disable-dev-shm-usage",
                $"--user-data-dir={profile.FullName}", "--dump-dom", new Uri(Path.GetFullPath(htmlFile)).AbsoluteUri,
            })
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"chromium did not render {htmlFile} within 60s: {await errors}");
            }

            var dom = await output;
            return process.ExitCode == 0 && dom.Contains("<html", StringComparison.Ordinal)
                ? dom
                : throw new InvalidOperationException($"chromium exited {process.ExitCode} without a DOM: {await errors}");
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }

    private static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(dir => Names.Select(name => Path.Combine(dir, name)))
            .FirstOrDefault(File.Exists);
}
