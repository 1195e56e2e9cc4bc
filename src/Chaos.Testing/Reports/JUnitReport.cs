using System.Globalization;
using System.Text;
using System.Xml;

namespace Chaos.Testing;

/// <summary>
/// JUnit XML as CI systems read it (GitHub, GitLab, Azure DevOps, Jenkins): one <c>testcase</c> per experiment, a failed
/// one with <c>failure</c> (an aborted one with <c>error</c>) whose message is the verdict's reason, a dry run skipped.
/// </summary>
internal static class JUnitReport
{
    public static string Write(IReadOnlyList<ChaosResult> results, string suiteName)
    {
        var text = new StringBuilder();
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), OmitXmlDeclaration = false };
        using (var xml = XmlWriter.Create(new StringWriterUtf8(text), settings))
        {
            var failures = results.Count(r => r.Verdict == ExperimentVerdict.Failed).ToString(CultureInfo.InvariantCulture);
            var errors = results.Count(r => r.Verdict == ExperimentVerdict.Aborted).ToString(CultureInfo.InvariantCulture);
            var skipped = results.Count(r => r.DryRun && r.Verdict == ExperimentVerdict.Passed).ToString(CultureInfo.InvariantCulture);
            var tests = results.Count.ToString(CultureInfo.InvariantCulture);
            var time = Seconds(results.Aggregate(TimeSpan.Zero, (sum, r) => sum + (r.FinishedAt - r.StartedAt)));
            xml.WriteStartElement("testsuites");
            Attributes(xml, ("name", suiteName), ("tests", tests), ("failures", failures), ("errors", errors), ("skipped", skipped), ("time", time));
            xml.WriteStartElement("testsuite");
            Attributes(xml, ("name", suiteName), ("tests", tests), ("failures", failures), ("errors", errors), ("skipped", skipped), ("time", time));
            if (results.Count > 0)
            {
                xml.WriteAttributeString("timestamp", ResultJson.Iso(results.Min(r => r.StartedAt)));
            }

            foreach (var result in results)
            {
                TestCase(xml, result, suiteName);
            }

            xml.WriteEndElement();
            xml.WriteEndElement();
        }

        return text.ToString();
    }

    private static void TestCase(XmlWriter xml, ChaosResult result, string suiteName)
    {
        xml.WriteStartElement("testcase");
        Attributes(xml, ("classname", suiteName), ("name", result.Description), ("time", Seconds(result.FinishedAt - result.StartedAt)));
        xml.WriteStartElement("properties");
        Property(xml, "experimentId", result.ExperimentId);
        Property(xml, "seed", result.Seed.ToString(CultureInfo.InvariantCulture));
        Property(xml, "verdict", result.Verdict.ToString());
        Property(xml, "startedAt", ResultJson.Iso(result.StartedAt));
        if (result.TimeToRecovery is { } ttr)
        {
            Property(xml, "timeToRecoveryMs", ResultJson.Milliseconds(ttr).ToString(CultureInfo.InvariantCulture));
        }

        xml.WriteEndElement();
        var reason = result.FailureReason ?? result.Verdict.ToString();
        switch (result.Verdict)
        {
            case ExperimentVerdict.Failed:
                xml.WriteStartElement("failure");
                Attributes(xml, ("message", reason), ("type", "ChaosExperimentFailed"));
                xml.WriteString(Clean(result.ToReport()));
                xml.WriteEndElement();
                break;
            case ExperimentVerdict.Aborted:
                xml.WriteStartElement("error");
                Attributes(xml, ("message", reason), ("type", "ChaosExperimentAborted"));
                xml.WriteString(Clean(result.ToReport()));
                xml.WriteEndElement();
                break;
            default:
                if (result.DryRun)
                {
                    xml.WriteStartElement("skipped");
                    Attributes(xml, ("message", "dry run: planned and guarded, nothing injected"));
                    xml.WriteEndElement();
                }

                break;
        }

        xml.WriteElementString("system-out", Clean(result.ToReport()));
        xml.WriteEndElement();
    }

    private static void Property(XmlWriter xml, string name, string value)
    {
        xml.WriteStartElement("property");
        Attributes(xml, ("name", name), ("value", value));
        xml.WriteEndElement();
    }

    private static void Attributes(XmlWriter xml, params (string Name, string Value)[] attributes)
    {
        foreach (var (name, value) in attributes)
        {
            xml.WriteAttributeString(name, Clean(value));
        }
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>Text from the cluster may hold characters XML 1.0 cannot carry (control characters, lone surrogates): each becomes U+FFFD.</summary>
    internal static string Clean(string value)
    {
        StringBuilder? cleaned = null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var pair = char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]);
            var ok = pair || XmlConvert.IsXmlChar(c);
            if (!ok && cleaned is null)
            {
                cleaned = new StringBuilder(value, 0, i, value.Length);
            }

            if (cleaned is not null)
            {
                cleaned.Append(ok ? c : '\uFFFD');
                if (pair)
                {
                    cleaned.Append(value[i + 1]);
                }
            }

            i += pair ? 1 : 0;
        }

        return cleaned?.ToString() ?? value;
    }

    /// <summary>A StringWriter that declares UTF-8 (the XML declaration names the writer's encoding).</summary>
    private sealed class StringWriterUtf8(StringBuilder text) : StringWriter(text, CultureInfo.InvariantCulture)
    {
        public override Encoding Encoding => new UTF8Encoding(false);
    }
}
