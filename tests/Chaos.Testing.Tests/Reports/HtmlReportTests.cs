using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Chaos.Testing.Tests.Reports;

/// <summary>The HTML report's text: self-contained, and no cluster string reaches it unescaped.</summary>
public sealed partial class HtmlReportTests
{
    private readonly string _html = ReportSamples.Failed().ToHtml();

    [Fact]
    public void ToHtml_HostileNames_NeverAppearRaw()
    {
        _html.Should().NotContain("<script>document", "a pod name must not open a script element")
            .And.NotContain("<img", "a pod name must not open an element")
            .And.NotContain("</script><b", "a message must not close the data script element")
            .And.Contain("cart-&lt;script&gt;document.body.setAttribute(&#x27;data-pwned&#x27;,&#x27;1&#x27;)&lt;/script&gt;&quot;&#x27;&gt;&lt;img src=x id=injected&gt;");
        Regex.Count(_html, "<script").Should().Be(2, "only the data and the report's own script");
    }

    [Fact]
    public void ToHtml_LoadsNothingFromOutside_AndOnlyItsOwnScriptMayRun()
    {
        SourceOrLink().IsMatch(_html).Should().BeFalse("the report works offline: no src, no stylesheet link, no url()");
        var script = OwnScript().Match(_html).Groups[1].Value;
        var hash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(script)));
        _html.Should().Contain($"script-src 'sha256-{hash}'", "the policy allows the report's script by its hash")
            .And.Contain("default-src 'none'", "and nothing else loads");
    }

    [GeneratedRegex(@"<[^>]*\ssrc=|<link\b|url\(|@import", RegexOptions.IgnoreCase)]
    private static partial Regex SourceOrLink();

    [GeneratedRegex(@"<script>(.*)</script>", RegexOptions.Singleline)]
    private static partial Regex OwnScript();
}
