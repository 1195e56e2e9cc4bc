using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Patching;

namespace Chaos.Testing.Emulator.Tests.Patching;

public class StrategicMergePatchTests
{
    private const string Pod = """
        {
          "apiVersion": "v1",
          "kind": "Pod",
          "metadata": {
            "name": "web-0",
            "labels": {"app": "web", "tier": "front"},
            "annotations": {"a": "1", "b": "2"},
            "finalizers": ["example.com/a", "example.com/b"]
          },
          "spec": {
            "containers": [
              {
                "name": "app",
                "image": "app:1",
                "args": ["--port", "8080"],
                "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                "volumeMounts": [{"name": "data", "mountPath": "/data"}]
              },
              {"name": "sidecar", "image": "sidecar:1"}
            ],
            "volumes": [{"name": "data", "emptyDir": {}}],
            "tolerations": [{"key": "a", "operator": "Exists"}]
          }
        }
        """;

    private static JsonNode? Apply(string target, string patch, string kind = "Pod") =>
        StrategicMergePatch.Apply(JsonAssert.Parse(target), JsonAssert.ParseNotNull(patch), kind);

    private static JsonNode Container(JsonNode? pod, int index) => pod!["spec"]!["containers"]![index]!;

    [Fact]
    public void Apply_LabelsAndAnnotations_MergeAndNullDeletes()
    {
        var result = Apply(Pod, """{"metadata":{"labels":{"version":"2","tier":null},"annotations":{"a":"9","b":null}}}""");

        JsonAssert.Equal("""{"app":"web","version":"2"}""", result!["metadata"]!["labels"]);
        JsonAssert.Equal("""{"a":"9"}""", result["metadata"]!["annotations"]);
        result["metadata"]!["name"]!.GetValue<string>().Should().Be("web-0");
    }

    [Fact]
    public void Apply_SpecUnschedulable_SetsFieldAndKeepsTaints()
    {
        var node = """{"kind":"Node","metadata":{"name":"n1"},"spec":{"taints":[{"key":"k","effect":"NoSchedule"}]}}""";

        var result = Apply(node, """{"spec":{"unschedulable":true}}""", "Node");

        JsonAssert.Equal("""{"kind":"Node","metadata":{"name":"n1"},"spec":{"taints":[{"key":"k","effect":"NoSchedule"}],"unschedulable":true}}""", result);
    }

    [Fact]
    public void Apply_SpecUnschedulableNull_RemovesField() =>
        JsonAssert.Equal(
            """{"spec":{}}""",
            Apply("""{"spec":{"unschedulable":true}}""", """{"spec":{"unschedulable":null}}""", "Node"));

    [Fact]
    public void Apply_Taints_AreReplacedWholesale()
    {
        var node = """{"spec":{"taints":[{"key":"a","effect":"NoSchedule"},{"key":"b","effect":"NoExecute"}]}}""";

        var result = Apply(node, """{"spec":{"taints":[{"key":"c","effect":"NoSchedule"}]}}""", "Node");

        JsonAssert.Equal("""{"spec":{"taints":[{"key":"c","effect":"NoSchedule"}]}}""", result);
    }

    [Fact]
    public void Apply_UnlistedListsLikeTolerationsAndArgs_AreReplacedWholesale()
    {
        var result = Apply(
            Pod,
            """{"spec":{"tolerations":[{"key":"b","operator":"Exists"}],"containers":[{"name":"app","args":["--verbose"],"command":["run"]}]}}""");

        JsonAssert.Equal("""[{"key":"b","operator":"Exists"}]""", result!["spec"]!["tolerations"]);
        JsonAssert.Equal("""["--verbose"]""", Container(result, 0)["args"]);
        JsonAssert.Equal("""["run"]""", Container(result, 0)["command"]);
    }

    [Fact]
    public void Apply_ContainerImageByName_KeepsOtherContainersAndFields()
    {
        var result = Apply(Pod, """{"spec":{"containers":[{"name":"sidecar","image":"sidecar:2"}]}}""");

        var expected = JsonAssert.Parse(Pod)!;
        expected["spec"]!["containers"]![1]!["image"] = "sidecar:2";
        JsonNode.DeepEquals(expected, result).Should().BeTrue(result!.ToJsonString());
    }

    [Fact]
    public void Apply_ContainerInDeploymentTemplate_MergesByName()
    {
        var deployment = """{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a:1","ports":[{"containerPort":80}]},{"name":"b","image":"b:1"}]}}}}""";

        var result = Apply(deployment, """{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a:2"}]}}}}""", "Deployment");

        JsonAssert.Equal(
            """{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a:2","ports":[{"containerPort":80}]},{"name":"b","image":"b:1"}]}}}}""",
            result);
    }

    [Fact]
    public void Apply_NewContainerName_IsAppended()
    {
        var result = Apply(Pod, """{"spec":{"containers":[{"name":"extra","image":"extra:1","stdin":null}]}}""");

        result!["spec"]!["containers"]!.AsArray().Should().HaveCount(3);
        JsonAssert.Equal("""{"name":"extra","image":"extra:1"}""", Container(result, 2));
    }

    [Fact]
    public void Apply_EphemeralContainer_IsAppended()
    {
        var pod = """{"spec":{"containers":[{"name":"app"}],"ephemeralContainers":[{"name":"debugger-1","image":"busybox"}]}}""";

        var result = Apply(pod, """{"spec":{"ephemeralContainers":[{"name":"debugger-2","image":"busybox","stdin":true,"tty":true,"targetContainerName":"app"}]}}""");

        JsonAssert.Equal(
            """{"spec":{"containers":[{"name":"app"}],"ephemeralContainers":[{"name":"debugger-1","image":"busybox"},{"name":"debugger-2","image":"busybox","stdin":true,"tty":true,"targetContainerName":"app"}]}}""",
            result);
    }

    [Fact]
    public void Apply_EphemeralContainerOnPodWithoutAny_CreatesList() =>
        JsonAssert.Equal(
            """{"spec":{"ephemeralContainers":[{"name":"d","image":"busybox"}]}}""",
            Apply("""{"spec":{}}""", """{"spec":{"ephemeralContainers":[{"name":"d","image":"busybox"}]}}"""));

    [Fact]
    public void Apply_EnvVolumeMountsAndPorts_MergeByTheirKeys()
    {
        var result = Apply(
            Pod,
            """
            {"spec":{"containers":[{"name":"app",
              "env":[{"name":"B","value":"20"},{"name":"C","value":"3"}],
              "volumeMounts":[{"mountPath":"/data","readOnly":true},{"name":"cache","mountPath":"/cache"}],
              "ports":[{"containerPort":8080,"name":"http"},{"containerPort":9090}]}]}}
            """);

        var app = Container(result, 0);
        JsonAssert.Equal("""[{"name":"A","value":"1"},{"name":"B","value":"20"},{"name":"C","value":"3"}]""", app["env"]);
        JsonAssert.Equal("""[{"name":"data","mountPath":"/data","readOnly":true},{"name":"cache","mountPath":"/cache"}]""", app["volumeMounts"]);
        JsonAssert.Equal("""[{"containerPort":8080,"protocol":"TCP","name":"http"},{"containerPort":9090}]""", app["ports"]);
    }

    [Fact]
    public void Apply_NullInsideListElement_DeletesKeyOfMatchedElement()
    {
        var result = Apply(Pod, """{"spec":{"containers":[{"name":"app","args":null,"env":[{"name":"A","value":null}]}]}}""");

        var app = Container(result, 0).AsObject();
        app.ContainsKey("args").Should().BeFalse();
        JsonAssert.Equal("""[{"name":"A"},{"name":"B","value":"2"}]""", app["env"]);
    }

    [Fact]
    public void Apply_ServicePorts_MergeByPort()
    {
        var service = """{"spec":{"ports":[{"port":80,"targetPort":8080},{"port":443,"targetPort":8443}]}}""";

        var result = Apply(service, """{"spec":{"ports":[{"port":443,"targetPort":9443},{"port":8081}]}}""", "Service");

        JsonAssert.Equal(
            """{"spec":{"ports":[{"port":80,"targetPort":8080},{"port":443,"targetPort":9443},{"port":8081}]}}""",
            result);
    }

    [Fact]
    public void Apply_VolumesAndImagePullSecrets_MergeByName()
    {
        var result = Apply(
            """{"spec":{"volumes":[{"name":"a","emptyDir":{}}],"imagePullSecrets":[{"name":"r1"}]}}""",
            """{"spec":{"volumes":[{"name":"b","configMap":{"name":"cm"}}],"imagePullSecrets":[{"name":"r2"},{"name":"r1"}]}}""");

        JsonAssert.Equal(
            """{"spec":{"volumes":[{"name":"a","emptyDir":{}},{"name":"b","configMap":{"name":"cm"}}],"imagePullSecrets":[{"name":"r1"},{"name":"r2"}]}}""",
            result);
    }

    [Fact]
    public void Apply_StatusConditions_MergeByType()
    {
        var pod = """{"status":{"conditions":[{"type":"Ready","status":"True"},{"type":"PodScheduled","status":"True"}]}}""";

        var result = Apply(pod, """{"status":{"conditions":[{"type":"Ready","status":"False","reason":"Chaos"},{"type":"DisruptionTarget","status":"True"}]}}""");

        JsonAssert.Equal(
            """{"status":{"conditions":[{"type":"Ready","status":"False","reason":"Chaos"},{"type":"PodScheduled","status":"True"},{"type":"DisruptionTarget","status":"True"}]}}""",
            result);
    }

    [Fact]
    public void Apply_OwnerReferences_MergeByUid()
    {
        var pod = """{"metadata":{"ownerReferences":[{"uid":"u1","kind":"ReplicaSet","name":"rs"}]}}""";

        var result = Apply(pod, """{"metadata":{"ownerReferences":[{"uid":"u1","controller":true},{"uid":"u2","kind":"Node","name":"n"}]}}""");

        JsonAssert.Equal(
            """{"metadata":{"ownerReferences":[{"uid":"u1","kind":"ReplicaSet","name":"rs","controller":true},{"uid":"u2","kind":"Node","name":"n"}]}}""",
            result);
    }

    [Fact]
    public void Apply_PatchDeleteInList_RemovesElementWithThatKey()
    {
        var result = Apply(Pod, """{"spec":{"containers":[{"name":"app","$patch":"delete"}]}}""");

        JsonAssert.Equal("""[{"name":"sidecar","image":"sidecar:1"}]""", result!["spec"]!["containers"]);
    }

    [Fact]
    public void Apply_PatchDeleteInNestedList_RemovesOnlyThatEnvVar()
    {
        var result = Apply(Pod, """{"spec":{"containers":[{"name":"app","env":[{"name":"A","$patch":"delete"}]}]}}""");

        JsonAssert.Equal("""[{"name":"B","value":"2"}]""", Container(result, 0)["env"]);
    }

    [Fact]
    public void Apply_PatchDeleteForUnknownKey_IsNoOp()
    {
        var result = Apply(Pod, """{"spec":{"containers":[{"name":"ghost","$patch":"delete"}]}}""");

        JsonNode.DeepEquals(JsonAssert.Parse(Pod), result).Should().BeTrue();
    }

    [Fact]
    public void Apply_PatchReplaceInList_ReplacesWholeList()
    {
        var result = Apply(Pod, """{"spec":{"containers":[{"name":"only","image":"only:1"},{"$patch":"replace"}]}}""");

        JsonAssert.Equal("""[{"name":"only","image":"only:1"}]""", result!["spec"]!["containers"]);
    }

    [Fact]
    public void Apply_PatchReplaceInMap_ReplacesMap()
    {
        var result = Apply(Pod, """{"metadata":{"labels":{"$patch":"replace","new":"x"}}}""");

        JsonAssert.Equal("""{"new":"x"}""", result!["metadata"]!["labels"]);
        result["metadata"]!["annotations"]!.AsObject().Should().HaveCount(2);
    }

    [Fact]
    public void Apply_PatchDeleteInMap_RemovesMap()
    {
        var result = Apply(Pod, """{"metadata":{"annotations":{"$patch":"delete"}}}""");

        result!["metadata"]!.AsObject().ContainsKey("annotations").Should().BeFalse();
        result["metadata"]!["labels"].Should().NotBeNull();
    }

    [Fact]
    public void Apply_PatchMergeDirective_IsIgnored() =>
        JsonAssert.Equal(
            """{"a":{"b":1,"c":2}}""",
            Apply("""{"a":{"b":1}}""", """{"a":{"$patch":"merge","c":2}}"""));

    [Fact]
    public void Apply_UnknownPatchDirective_Throws()
    {
        var act = () => Apply(Pod, """{"metadata":{"labels":{"$patch":"explode"}}}""");

        act.Should().Throw<PatchException>().WithMessage("*/metadata/labels*unknown $patch directive*");
    }

    [Fact]
    public void Apply_SetElementOrder_ReordersListAndIsNotInOutput()
    {
        var pod = """{"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"},{"name":"c","image":"c:1"}]}}""";

        var result = Apply(
            pod,
            """{"spec":{"$setElementOrder/containers":[{"name":"c"},{"name":"d"},{"name":"a"}],"containers":[{"name":"a","image":"a:2"},{"name":"d","image":"d:1"}]}}""");

        JsonAssert.Equal(
            """{"spec":{"containers":[{"name":"c","image":"c:1"},{"name":"d","image":"d:1"},{"name":"a","image":"a:2"},{"name":"b","image":"b:1"}]}}""",
            result);
    }

    [Fact]
    public void Apply_SetElementOrderWithoutListChange_OnlyReorders()
    {
        var result = Apply(Pod, """{"spec":{"$setElementOrder/containers":[{"name":"sidecar"},{"name":"app"}]}}""");

        result!["spec"]!["containers"]!.AsArray().Select(c => c!["name"]!.GetValue<string>())
            .Should().Equal("sidecar", "app");
        result["spec"]!.AsObject().Select(p => p.Key).Should().NotContain(k => k.StartsWith('$'));
    }

    [Fact]
    public void Apply_SetElementOrderOnPrimitiveList_Reorders()
    {
        var result = Apply(
            Pod,
            """{"metadata":{"$setElementOrder/finalizers":["example.com/c","example.com/b","example.com/a"],"finalizers":["example.com/c"]}}""");

        JsonAssert.Equal("""["example.com/c","example.com/b","example.com/a"]""", result!["metadata"]!["finalizers"]);
    }

    [Fact]
    public void Apply_RetainKeys_DropsUnlistedKeysAfterMerge()
    {
        var deployment = """{"spec":{"replicas":3,"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1,"maxUnavailable":0}}}}""";

        var result = Apply(deployment, """{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}""", "Deployment");

        JsonAssert.Equal("""{"spec":{"replicas":3,"strategy":{"type":"Recreate"}}}""", result);
    }

    [Fact]
    public void Apply_RetainKeysWithNullAndNewKey_KeepsListedKeys()
    {
        var deployment = """{"spec":{"strategy":{"type":"Recreate"}}}""";

        var result = Apply(
            deployment,
            """{"spec":{"strategy":{"$retainKeys":["rollingUpdate","type"],"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%"}}}}""",
            "Deployment");

        JsonAssert.Equal("""{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%"}}}}""", result);
    }

    [Fact]
    public void Apply_RetainKeysInListElement_DropsOldVolumeSource()
    {
        var pod = """{"spec":{"volumes":[{"name":"v","hostPath":{"path":"/tmp"}},{"name":"w","emptyDir":{}}]}}""";

        var result = Apply(pod, """{"spec":{"volumes":[{"name":"v","$retainKeys":["emptyDir","name"],"emptyDir":{"medium":"Memory"}}]}}""");

        JsonAssert.Equal("""{"spec":{"volumes":[{"name":"v","emptyDir":{"medium":"Memory"}},{"name":"w","emptyDir":{}}]}}""", result);
    }

    [Fact]
    public void Apply_DeleteFromPrimitiveList_RemovesValues()
    {
        var result = Apply(Pod, """{"metadata":{"$deleteFromPrimitiveList/finalizers":["example.com/a","example.com/zzz"]}}""");

        JsonAssert.Equal("""["example.com/b"]""", result!["metadata"]!["finalizers"]);
        result["metadata"]!.AsObject().Select(p => p.Key).Should().NotContain(k => k.StartsWith('$'));
    }

    [Fact]
    public void Apply_DeleteFromPrimitiveListTogetherWithAdd_RemovesAndAdds()
    {
        var result = Apply(
            Pod,
            """{"metadata":{"$deleteFromPrimitiveList/finalizers":["example.com/b"],"finalizers":["example.com/c"]}}""");

        JsonAssert.Equal("""["example.com/a","example.com/c"]""", result!["metadata"]!["finalizers"]);
    }

    [Fact]
    public void Apply_Finalizers_UnionKeepsOrder()
    {
        var result = Apply(Pod, """{"metadata":{"finalizers":["example.com/c","example.com/a","example.com/d"]}}""");

        JsonAssert.Equal(
            """["example.com/a","example.com/b","example.com/c","example.com/d"]""",
            result!["metadata"]!["finalizers"]);
    }

    [Fact]
    public void Apply_FinalizersNull_RemovesAll()
    {
        var result = Apply(Pod, """{"metadata":{"finalizers":null}}""");

        result!["metadata"]!.AsObject().ContainsKey("finalizers").Should().BeFalse();
    }

    [Fact]
    public void Apply_FinalizersOnNewObject_AreAdded() =>
        JsonAssert.Equal(
            """{"metadata":{"name":"x","finalizers":["f"]}}""",
            Apply("""{"metadata":{"name":"x"}}""", """{"metadata":{"finalizers":["f"]}}"""));

    [Fact]
    public void Apply_KeyedElementWithoutMergeKey_Throws()
    {
        var act = () => Apply(Pod, """{"spec":{"containers":[{"image":"x"}]}}""");

        act.Should().Throw<PatchException>().WithMessage("*missing merge key 'name'*");
    }

    [Fact]
    public void Apply_PatchNotObject_Throws()
    {
        var act = () => StrategicMergePatch.Apply(JsonAssert.Parse(Pod), JsonAssert.ParseNotNull("[]"), "Pod");

        act.Should().Throw<PatchException>().WithMessage("strategic merge patch must be a JSON object");
    }

    [Fact]
    public void Apply_NullTarget_BuildsObjectFromPatch() =>
        JsonAssert.Equal(
            """{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c"}]}}""",
            StrategicMergePatch.Apply(
                null,
                JsonAssert.ParseNotNull("""{"metadata":{"labels":{"a":"b","gone":null}},"spec":{"containers":[{"name":"c"}]}}"""),
                "Pod"));

    [Fact]
    public void Apply_AnyInput_DoesNotMutateInputs()
    {
        var target = JsonAssert.ParseNotNull(Pod);
        var patch = JsonAssert.ParseNotNull(
            """
            {"metadata":{"labels":{"app":null},"$deleteFromPrimitiveList/finalizers":["example.com/a"],"finalizers":["x"]},
             "spec":{"$setElementOrder/containers":[{"name":"sidecar"},{"name":"app"}],
                     "containers":[{"name":"app","image":"app:2","env":[{"name":"A","$patch":"delete"}]},{"name":"new","image":"n"}],
                     "volumes":[{"name":"data","$retainKeys":["name","configMap"],"configMap":{"name":"c"}}],
                     "tolerations":[]}}
            """);
        var targetBefore = target.ToJsonString();
        var patchBefore = patch.ToJsonString();

        var result = StrategicMergePatch.Apply(target, patch, "Pod");

        target.ToJsonString().Should().Be(targetBefore);
        patch.ToJsonString().Should().Be(patchBefore);
        result!["spec"]!["containers"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).Should().Equal("sidecar", "app", "new");
        result["spec"]!["tolerations"]!.AsArray().Should().BeEmpty();
        JsonAssert.Equal("""[{"name":"data","configMap":{"name":"c"}}]""", result["spec"]!["volumes"]);
        JsonAssert.Equal("""["example.com/b","x"]""", result["metadata"]!["finalizers"]);
    }
}
