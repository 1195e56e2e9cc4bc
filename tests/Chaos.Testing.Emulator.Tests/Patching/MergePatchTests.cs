using Chaos.Testing.Emulator.Patching;

namespace Chaos.Testing.Emulator.Tests.Patching;

public class MergePatchTests
{
    // RFC 7386, Appendix A.
    [Theory]
    [InlineData("""{"a":"b"}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"b":"c"}""", """{"a":"b","b":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"a":null}""", """{}""")]
    [InlineData("""{"a":"b","b":"c"}""", """{"a":null}""", """{"b":"c"}""")]
    [InlineData("""{"a":["b"]}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"c"}""", """{"a":["b"]}""", """{"a":["b"]}""")]
    [InlineData("""{"a":{"b":"c"}}""", """{"a":{"b":"d","c":null}}""", """{"a":{"b":"d"}}""")]
    [InlineData("""{"a":[{"b":"c"}]}""", """{"a":[1]}""", """{"a":[1]}""")]
    [InlineData("""["a","b"]""", """["c","d"]""", """["c","d"]""")]
    [InlineData("""{"a":"b"}""", """["c"]""", """["c"]""")]
    [InlineData("""{"a":"foo"}""", "null", "null")]
    [InlineData("""{"a":"foo"}""", "\"bar\"", "\"bar\"")]
    [InlineData("""{"e":null}""", """{"a":1}""", """{"e":null,"a":1}""")]
    [InlineData("""[1,2]""", """{"a":"b","c":null}""", """{"a":"b"}""")]
    [InlineData("""{}""", """{"a":{"bb":{"ccc":null}}}""", """{"a":{"bb":{}}}""")]
    public void Apply_Rfc7386AppendixExample_ProducesExpectedResult(string target, string patch, string expected) =>
        JsonAssert.Equal(expected, MergePatch.Apply(JsonAssert.Parse(target), JsonAssert.Parse(patch)));

    [Fact]
    public void Apply_NullTarget_TreatsTargetAsEmptyObject() =>
        JsonAssert.Equal("""{"a":{"b":1}}""", MergePatch.Apply(null, JsonAssert.Parse("""{"a":{"b":1,"c":null}}""")));

    [Fact]
    public void Apply_NestedMetadata_MergesLabelsAndDeletesAnnotation()
    {
        var target = JsonAssert.Parse("""{"metadata":{"name":"p","labels":{"app":"web"},"annotations":{"x":"1","y":"2"}}}""");
        var patch = JsonAssert.Parse("""{"metadata":{"labels":{"tier":"front"},"annotations":{"x":null}}}""");

        JsonAssert.Equal(
            """{"metadata":{"name":"p","labels":{"app":"web","tier":"front"},"annotations":{"y":"2"}}}""",
            MergePatch.Apply(target, patch));
    }

    [Fact]
    public void Apply_AnyInput_DoesNotMutateInputs()
    {
        var target = JsonAssert.Parse("""{"a":{"b":1,"c":[1,2]},"d":"x"}""");
        var patch = JsonAssert.Parse("""{"a":{"b":null,"c":[3],"e":{"f":1}},"d":null}""");
        var targetBefore = target!.ToJsonString();
        var patchBefore = patch!.ToJsonString();

        var result = MergePatch.Apply(target, patch);

        JsonAssert.Equal("""{"a":{"c":[3],"e":{"f":1}}}""", result);
        target.ToJsonString().Should().Be(targetBefore);
        patch.ToJsonString().Should().Be(patchBefore);
    }

    [Fact]
    public void Apply_ResultNodes_AreDetachedFromPatch()
    {
        var patch = JsonAssert.Parse("""{"a":{"b":[1]}}""");

        var result = MergePatch.Apply(JsonAssert.Parse("{}"), patch);
        result!["a"]!["b"]!.AsArray().Add(2);

        patch!.ToJsonString().Should().Be("""{"a":{"b":[1]}}""");
    }
}
