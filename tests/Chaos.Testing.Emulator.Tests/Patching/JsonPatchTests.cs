using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Patching;

namespace Chaos.Testing.Emulator.Tests.Patching;

public class JsonPatchTests
{
    private static JsonNode? Apply(string document, string patch) =>
        JsonPatch.Apply(JsonAssert.Parse(document), JsonAssert.ParseNotNull(patch));

    private static Action Applying(string document, string patch) => () => Apply(document, patch);

    [Fact]
    public void Apply_AddObjectMember_AddsMember() =>
        JsonAssert.Equal("""{"a":1,"b":{"c":2}}""", Apply("""{"a":1}""", """[{"op":"add","path":"/b","value":{"c":2}}]"""));

    [Fact]
    public void Apply_AddExistingMember_ReplacesValue() =>
        JsonAssert.Equal("""{"a":2}""", Apply("""{"a":1}""", """[{"op":"add","path":"/a","value":2}]"""));

    [Fact]
    public void Apply_AddNullValue_AddsJsonNull() =>
        JsonAssert.Equal("""{"a":1,"b":null}""", Apply("""{"a":1}""", """[{"op":"add","path":"/b","value":null}]"""));

    [Fact]
    public void Apply_AddArrayIndex_InsertsBeforeIndex() =>
        JsonAssert.Equal("""{"a":[1,9,2]}""", Apply("""{"a":[1,2]}""", """[{"op":"add","path":"/a/1","value":9}]"""));

    [Fact]
    public void Apply_AddArrayIndexEqualToLength_Appends() =>
        JsonAssert.Equal("""{"a":[1,2,3]}""", Apply("""{"a":[1,2]}""", """[{"op":"add","path":"/a/2","value":3}]"""));

    [Fact]
    public void Apply_AddDashIndex_Appends() =>
        JsonAssert.Equal(
            """{"spec":{"tolerations":[{"key":"a"},{"key":"b"}]}}""",
            Apply("""{"spec":{"tolerations":[{"key":"a"}]}}""", """[{"op":"add","path":"/spec/tolerations/-","value":{"key":"b"}}]"""));

    [Fact]
    public void Apply_AddRootPath_Throws_AsTheApiServerDoes() =>
        Applying("""{"a":1}""", """[{"op":"add","path":"","value":[1]}]""")
            .Should().Throw<PatchException>().WithMessage("json patch operation 0 (add ): path does not exist");

    [Fact]
    public void Apply_AddEscapedPointer_UsesUnescapedKey() =>
        JsonAssert.Equal(
            """{"metadata":{"annotations":{"example.com/owner":"me","a~b":"x"}}}""",
            Apply(
                """{"metadata":{"annotations":{}}}""",
                """
                [
                  {"op":"add","path":"/metadata/annotations/example.com~1owner","value":"me"},
                  {"op":"add","path":"/metadata/annotations/a~0b","value":"x"}
                ]
                """));

    [Fact]
    public void Apply_AddMissingParent_ThrowsPathDoesNotExist() =>
        Applying("""{"a":1}""", """[{"op":"add","path":"/spec/foo","value":1}]""")
            .Should().Throw<PatchException>()
            .WithMessage("json patch operation 0 (add /spec/foo): path does not exist");

    [Fact]
    public void Apply_AddIndexBeyondLength_ThrowsOutOfRange() =>
        Applying("""{"a":[1]}""", """[{"op":"add","path":"/a/5","value":1}]""")
            .Should().Throw<PatchException>().WithMessage("json patch operation 0 (add /a/5): array index 5 is out of range*");

    [Fact]
    public void Apply_AddLeadingZeroAndNegativeIndex_ReadAsGoAtoi() =>
        JsonAssert.Equal(
            """{"a":[1,9,2,7]}""",
            Apply("""{"a":[1,2]}""", """[{"op":"add","path":"/a/01","value":9},{"op":"add","path":"/a/-1","value":7}]"""));

    [Fact]
    public void Apply_AddWithoutValue_AddsNull_AsTheApiServerDoes() =>
        JsonAssert.Equal("""{"a":null}""", Apply("""{}""", """[{"op":"add","path":"/a"}]"""));

    [Fact]
    public void Apply_RemoveObjectMember_RemovesMember() =>
        JsonAssert.Equal("""{"a":1}""", Apply("""{"a":1,"b":2}""", """[{"op":"remove","path":"/b"}]"""));

    [Fact]
    public void Apply_RemoveArrayElement_ShiftsFollowingElements() =>
        JsonAssert.Equal("""{"a":[1,3]}""", Apply("""{"a":[1,2,3]}""", """[{"op":"remove","path":"/a/1"}]"""));

    [Fact]
    public void Apply_RemoveMissingMember_Throws() =>
        Applying("""{"a":1}""", """[{"op":"remove","path":"/b"}]""")
            .Should().Throw<PatchException>().WithMessage("json patch operation 0 (remove /b): path does not exist");

    [Fact]
    public void Apply_RemoveDashIndex_Throws() =>
        Applying("""{"a":[1]}""", """[{"op":"remove","path":"/a/-"}]""")
            .Should().Throw<PatchException>().WithMessage("*path does not exist");

    [Fact]
    public void Apply_RemoveRoot_Throws() =>
        Applying("""{"a":1}""", """[{"op":"remove","path":""}]""")
            .Should().Throw<PatchException>().WithMessage("*cannot remove the document root");

    [Fact]
    public void Apply_ReplaceExistingValue_ReplacesIt() =>
        JsonAssert.Equal(
            """{"spec":{"unschedulable":true,"a":[0,{"b":2}]}}""",
            Apply(
                """{"spec":{"unschedulable":false,"a":[0,1]}}""",
                """[{"op":"replace","path":"/spec/unschedulable","value":true},{"op":"replace","path":"/spec/a/1","value":{"b":2}}]"""));

    [Fact]
    public void Apply_ReplaceRoot_ReplacesDocument() =>
        JsonAssert.Equal("""{"b":2}""", Apply("""{"a":1}""", """[{"op":"replace","path":"","value":{"b":2}}]"""));

    [Fact]
    public void Apply_ReplaceAbsentMember_AddsIt_AsTheApiServerDoes() =>
        JsonAssert.Equal(
            """{"spec":{"bar":1,"foo":1}}""",
            Apply(
                """{"spec":{}}""",
                """[{"op":"test","path":"/spec","value":{}},{"op":"add","path":"/spec/bar","value":1},{"op":"replace","path":"/spec/foo","value":1}]"""));

    [Fact]
    public void Apply_ReplaceUnderAbsentParent_ThrowsWithOperationIndex() =>
        Applying("""{"spec":{}}""", """[{"op":"add","path":"/spec/bar","value":1},{"op":"replace","path":"/spec/x/foo","value":1}]""")
            .Should().Throw<PatchException>()
            .WithMessage("json patch operation 1 (replace /spec/x/foo): path does not exist");

    [Fact]
    public void Apply_ReplaceArrayIndexOutOfRange_Throws() =>
        Applying("""{"a":[1]}""", """[{"op":"replace","path":"/a/1","value":2}]""")
            .Should().Throw<PatchException>().WithMessage("*path does not exist");

    [Fact]
    public void Apply_MoveMember_RemovesFromSourceAndAdds() =>
        JsonAssert.Equal(
            """{"a":{},"b":{"c":1}}""",
            Apply("""{"a":{"c":1},"b":{}}""", """[{"op":"move","from":"/a/c","path":"/b/c"}]"""));

    [Fact]
    public void Apply_MoveArrayElement_ReordersArray() =>
        JsonAssert.Equal("""{"a":[1,3,2]}""", Apply("""{"a":[1,2,3]}""", """[{"op":"move","from":"/a/1","path":"/a/2"}]"""));

    [Fact]
    public void Apply_MoveToSamePath_LeavesDocumentUnchanged() =>
        JsonAssert.Equal("""{"a":1}""", Apply("""{"a":1}""", """[{"op":"move","from":"/a","path":"/a"}]"""));

    [Fact]
    public void Apply_MoveIntoOwnChild_Throws() =>
        Applying("""{"a":{"b":{}}}""", """[{"op":"move","from":"/a","path":"/a/b/c"}]""")
            .Should().Throw<PatchException>().WithMessage("json patch operation 0 (move /a/b/c): path does not exist");

    [Fact]
    public void Apply_MoveMissingFrom_Throws() =>
        Applying("""{"a":1}""", """[{"op":"move","from":"/x","path":"/b"}]""")
            .Should().Throw<PatchException>().WithMessage("json patch operation 0 (move /b): from path '/x' does not exist");

    [Fact]
    public void Apply_MoveWithoutFrom_Throws() =>
        Applying("""{"a":1}""", """[{"op":"move","path":"/b"}]""")
            .Should().Throw<PatchException>().WithMessage("*missing or non-string 'from'");

    [Fact]
    public void Apply_CopyValue_CopiesIndependentClone()
    {
        var result = Apply("""{"a":{"b":1}}""", """[{"op":"copy","from":"/a","path":"/c"},{"op":"replace","path":"/c/b","value":2}]""");

        JsonAssert.Equal("""{"a":{"b":1},"c":{"b":2}}""", result);
    }

    [Fact]
    public void Apply_CopyAbsentMember_CopiesNull_AsTheApiServerDoes() =>
        JsonAssert.Equal("""{"a":1,"b":null}""", Apply("""{"a":1}""", """[{"op":"copy","from":"/x","path":"/b"}]"""));

    [Fact]
    public void Apply_CopyArrayIndexOutOfRange_Throws() =>
        Applying("""{"a":[1]}""", """[{"op":"copy","from":"/a/3","path":"/b"}]""")
            .Should().Throw<PatchException>().WithMessage("*path does not exist");

    [Fact]
    public void Apply_TestMatchingValue_LeavesDocumentUnchanged() =>
        JsonAssert.Equal(
            """{"a":{"b":[1,"x",true,null]},"n":10}""",
            Apply(
                """{"a":{"b":[1,"x",true,null]},"n":10}""",
                """[{"op":"test","path":"/a","value":{"b":[1,"x",true,null]}},{"op":"test","path":"/n","value":1e1}]"""));

    [Fact]
    public void Apply_TestMismatch_Throws() =>
        Applying("""{"metadata":{"resourceVersion":"5"}}""", """[{"op":"test","path":"/metadata/resourceVersion","value":"4"}]""")
            .Should().Throw<PatchException>()
            .WithMessage("json patch operation 0 (test /metadata/resourceVersion): test failed*");

    [Fact]
    public void Apply_TestTypeMismatch_Throws() =>
        Applying("""{"a":"1"}""", """[{"op":"test","path":"/a","value":1}]""")
            .Should().Throw<PatchException>().WithMessage("*test failed*");

    [Fact]
    public void Apply_TestAbsentMember_ComparesAsNull() =>
        Applying("""{"a":1}""", """[{"op":"test","path":"/b","value":1}]""")
            .Should().Throw<PatchException>().WithMessage("json patch operation 0 (test /b): test failed: value is null*");

    [Fact]
    public void Apply_TestAbsentMemberAgainstNull_Passes() =>
        JsonAssert.Equal("""{"a":1}""", Apply("""{"a":1}""", """[{"op":"test","path":"/b","value":null}]"""));

    [Fact]
    public void Apply_UnknownOperation_Throws() =>
        Applying("""{}""", """[{"op":"frobnicate","path":"/a"}]""")
            .Should().Throw<PatchException>().WithMessage("json patch operation 0 (frobnicate /a): unknown operation 'frobnicate'");

    [Fact]
    public void Apply_MissingOp_Throws() =>
        Applying("""{}""", """[{"path":"/a","value":1}]""")
            .Should().Throw<PatchException>().WithMessage("*missing or non-string 'op'");

    [Fact]
    public void Apply_InvalidPointer_Throws() =>
        Applying("""{}""", """[{"op":"add","path":"a","value":1}]""")
            .Should().Throw<PatchException>().WithMessage("*invalid JSON pointer 'a'");

    [Fact]
    public void Apply_InvalidEscape_Throws() =>
        Applying("""{}""", """[{"op":"add","path":"/a~2","value":1}]""")
            .Should().Throw<PatchException>().WithMessage("*invalid JSON pointer*");

    [Fact]
    public void Apply_PatchNotArray_Throws() =>
        Applying("""{}""", """{"op":"add","path":"/a","value":1}""")
            .Should().Throw<PatchException>().WithMessage("json patch must be a JSON array*");

    [Fact]
    public void Apply_OperationNotObject_Throws() =>
        Applying("""{}""", """[1]""")
            .Should().Throw<PatchException>().WithMessage("json patch operation 0: operation must be a JSON object");

    [Fact]
    public void Apply_EmptyPatch_ReturnsEqualDocument() =>
        JsonAssert.Equal("""{"a":1}""", Apply("""{"a":1}""", "[]"));

    [Fact]
    public void Apply_FailingOperation_DoesNotMutateInput()
    {
        var document = JsonAssert.ParseNotNull("""{"a":[1,2],"b":{"c":1}}""");
        var patch = JsonAssert.ParseNotNull("""[{"op":"remove","path":"/a/0"},{"op":"add","path":"/b/d","value":2},{"op":"test","path":"/b/c","value":9}]""");

        var act = () => JsonPatch.Apply(document, patch);

        act.Should().Throw<PatchException>();
        document.ToJsonString().Should().Be("""{"a":[1,2],"b":{"c":1}}""");
    }

    [Fact]
    public void Apply_AnyInput_DoesNotMutateInputs()
    {
        var document = JsonAssert.ParseNotNull("""{"a":[1,2],"b":{"c":1}}""");
        var patch = JsonAssert.ParseNotNull(
            """[{"op":"add","path":"/a/-","value":{"x":1}},{"op":"move","from":"/b/c","path":"/d"},{"op":"replace","path":"/a/2/x","value":2}]""");
        var patchBefore = patch.ToJsonString();

        var result = JsonPatch.Apply(document, patch);

        JsonAssert.Equal("""{"a":[1,2,{"x":2}],"b":{},"d":1}""", result);
        document.ToJsonString().Should().Be("""{"a":[1,2],"b":{"c":1}}""");
        patch.ToJsonString().Should().Be(patchBefore);
    }
}
