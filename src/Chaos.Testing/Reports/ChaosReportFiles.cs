namespace Chaos.Testing;

/// <summary>The files one report was written to.</summary>
/// <param name="Json">The JSON file (for a suite: an array of results).</param>
/// <param name="Html">The self-contained HTML report.</param>
/// <param name="JUnitXml">The JUnit XML file.</param>
public sealed record ChaosReportFiles(string Json, string Html, string JUnitXml);
